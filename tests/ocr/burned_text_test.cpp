// OCR of labels burned into a frame: a synthetic frame with B-mode-like speckle, a spectral strip
// (excluded) and an annotation. Skipped with a message where Tesseract's English data is missing.
#include "refluxscan/ocr/burned_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace refluxscan::ocr {
namespace {

// A 640 x 480 gray frame: speckle in a B-mode box (rows 40-240), a noisy strip (rows 280-460,
// excluded), and `label` in white inside the B-mode box's lower left corner.
cv::Mat Frame(const std::string& label) {
  cv::Mat1b frame(480, 640, uchar{0});
  cv::RNG rng(11);
  cv::Mat1b speckle(200, 400);
  rng.fill(speckle, cv::RNG::NORMAL, 45, 25);
  speckle.copyTo(frame(cv::Rect(120, 40, 400, 200)));
  cv::Mat1b strip(180, 600);
  rng.fill(strip, cv::RNG::UNIFORM, 0, 255);
  strip.copyTo(frame(cv::Rect(20, 280, 600, 180)));
  cv::putText(frame, label, cv::Point(130, 225), cv::FONT_HERSHEY_DUPLEX, 0.6, 255, 1, cv::LINE_AA);
  return frame;
}

// Whether a line read at kSureConfidence or more holds `needle`.
bool Contains(const std::vector<TextLine>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(), [&](const TextLine& line) {
    return line.confidence >= kSureConfidence && line.text.find(needle) != std::string::npos;
  });
}

// The lines as read, for a failure's message.
std::string Joined(const std::vector<TextLine>& lines) {
  std::string read;
  for (const TextLine& line : lines) read += "[" + line.text + "] ";
  return read;
}

TEST(BurnedText, ReadsALabelOnSpeckleAndSkipsTheStrip) {
  cv::Mat bgr;
  cv::cvtColor(Frame("LT GSV PROX THIGH"), bgr, cv::COLOR_GRAY2BGR);
  const auto lines = ReadBurnedText(bgr, {cv::Rect(20, 280, 600, 180)});
  if (!lines && lines.error().code == ErrorCode::kUnsupported) {
    GTEST_SKIP() << lines.error().message;
  }
  ASSERT_TRUE(lines.has_value()) << lines.error().message;
  const std::string read = Joined(*lines);
  EXPECT_TRUE(Contains(*lines, "GSV PROX THIGH")) << read;
}

// A yellow label over bright B-mode speckle (as bright as the glyphs): the coloured strokes
// alone read it; a gray frame has no coloured strokes.
TEST(BurnedText, ColouredStrokesLiftALabelOffBrightSpeckle) {
  cv::Mat1b gray(480, 640, uchar{0});
  cv::RNG rng(5);
  cv::Mat1b speckle(200, 400);
  rng.fill(speckle, cv::RNG::NORMAL, 140, 60);
  speckle.copyTo(gray(cv::Rect(120, 40, 400, 200)));
  cv::Mat bgr;
  cv::cvtColor(gray, bgr, cv::COLOR_GRAY2BGR);
  cv::putText(bgr, "RT SSV MID CALF", cv::Point(130, 80), cv::FONT_HERSHEY_DUPLEX, 0.6,
              cv::Scalar(0, 230, 255), 1, cv::LINE_AA);
  const auto lines = ReadBurnedText(bgr, {}, Strokes::kColoured);
  if (!lines && lines.error().code == ErrorCode::kUnsupported) {
    GTEST_SKIP() << lines.error().message;
  }
  ASSERT_TRUE(lines.has_value()) << lines.error().message;
  const std::string read = Joined(*lines);
  EXPECT_TRUE(Contains(*lines, "SSV MID CALF")) << read;
  const auto from_gray = ReadBurnedText(gray, {}, Strokes::kColoured);
  ASSERT_TRUE(from_gray.has_value());
  EXPECT_TRUE(from_gray->empty());
}

TEST(BurnedText, AnEmptyOrDeepFrameIsAnErrorValue) {
  EXPECT_EQ(ReadBurnedText(cv::Mat(), {}).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(ReadBurnedText(cv::Mat1w(10, 10), {}).error().code, ErrorCode::kInvalidInput);
}

TEST(BurnedText, SideWordsMisreadWithAnIAreUndone) {
  EXPECT_EQ(UndoSideConfusions("It. sfj"), "lt. sfj");
  EXPECT_EQ(UndoSideConfusions("it. FV DIST"), "lt. FV DIST");
  EXPECT_EQ(UndoSideConfusions("GSV 1t"), "GSV lt");
  EXPECT_EQ(UndoSideConfusions("Rt. SSV Item"), "Rt. SSV Item");  // only whole two-letter words
}

}  // namespace
}  // namespace refluxscan::ocr
