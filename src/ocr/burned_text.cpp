#include "refluxscan/ocr/burned_text.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>
#include <opencv2/imgproc.hpp>

namespace refluxscan::ocr {
namespace {

// Annotation strokes are drawn bright (white, yellow, green, cyan): a pixel whose brightest
// channel reaches this level keeps its level (inverted), darker ones are background. Not higher:
// a small font's 1-px strokes are anti-aliased into mid-tones (at 150 a thirteenth independent
// renderer's "saph prox" lost its descenders and read "savoh orox"); B-mode speckle above it is
// sparse (that renderer's B-mode: 99.9th percentile 117 / 255), and Tesseract's own binarization
// drops what is left of it.
constexpr int kStrokeLevel = 120;
// A glyph's core reaches kSeedLevel; speckle that reaches kStrokeLevel without such a core within
// kSeedReach pixels is dropped before reading: half the OCR time on a thirteenth independent
// renderer (its B-mode speckle read as lines of junk), and one more label read whole (at 200 a
// small font's "L" lost its stem).
constexpr int kSeedLevel = 170;
constexpr int kSeedReach = 2;  // pixels: a small font's stroke is 1-2 px wide
// Tesseract reads 10-14 px annotation fonts better enlarged: at 3 x a thirteenth independent
// renderer's "Rt. SSV distal calf" and "LEFT great saph prox thigh" read whole (at 2 x "$SV" and
// two lines; at 4 x the side words were lost).
constexpr double kScale = 3.0;
// The page to read: 255 - brightness where a pixel is a stroke, white elsewhere and over the
// excluded rectangles, enlarged kScale x.
// With Strokes::kColoured only the pixels whose channels spread by kColouredSpread count.
cv::Mat1b TextPage(const cv::Mat& frame, const std::vector<cv::Rect>& exclude, Strokes kept) {
  cv::Mat brightness;  // the brightest channel
  cv::Mat darkest;     // the darkest one
  if (frame.channels() == 1) {
    brightness = frame.clone();
    darkest = frame;
  } else {
    std::vector<cv::Mat> planes;
    cv::split(frame, planes);
    brightness = planes[0].clone();
    darkest = planes[0].clone();
    for (size_t i = 1; i < planes.size(); ++i) {
      cv::max(brightness, planes[i], brightness);
      cv::min(darkest, planes[i], darkest);
    }
  }
  // Strokes: pixels at kStrokeLevel or more within kSeedReach of a pixel at kSeedLevel.
  cv::Mat1b seeds = brightness >= kSeedLevel;
  cv::dilate(seeds, seeds, cv::Mat(), cv::Point(-1, -1), kSeedReach);
  cv::Mat1b strokes = (brightness >= kStrokeLevel) & seeds;
  if (kept == Strokes::kColoured) strokes &= (brightness - darkest) >= kColouredSpread;
  cv::Mat1b page(brightness.size(), uchar{255});
  const cv::Mat inverted = 255 - brightness;
  inverted.copyTo(page, strokes);
  const cv::Rect all(0, 0, page.cols, page.rows);
  for (const cv::Rect& r : exclude) page(r & all).setTo(255);
  cv::Mat1b enlarged;
  cv::resize(page, enlarged, cv::Size(), kScale, kScale, cv::INTER_CUBIC);
  return enlarged;
}

struct Engine {
  tesseract::TessBaseAPI api;
  bool ready = false;
};

// This thread's engine, started on first use (English, LSTM, sparse text, quiet).
Engine& ThreadEngine() {
  thread_local std::unique_ptr<Engine> engine;
  if (!engine) {
    engine = std::make_unique<Engine>();
    engine->ready = engine->api.Init(nullptr, "eng", tesseract::OEM_LSTM_ONLY) == 0;
    if (engine->ready) {
      engine->api.SetPageSegMode(tesseract::PSM_SPARSE_TEXT);
      engine->api.SetVariable("debug_file", "/dev/null");
    }
  }
  return *engine;
}

// The page's text lines that Tesseract is at least kUnsureConfidence sure of, trimmed, with the
// side confusions undone; empty lines dropped. The labels of a thirteenth independent renderer
// read at 89-95; a fourteenth's label over B-mode speckle at 53.
std::vector<TextLine> ConfidentLines(tesseract::TessBaseAPI& api) {
  std::vector<TextLine> lines;
  if (api.Recognize(nullptr) != 0) return lines;
  const std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return lines;
  do {
    const std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_TEXTLINE));
    const float confidence = it->Confidence(tesseract::RIL_TEXTLINE);
    if (!text || confidence < kUnsureConfidence) continue;
    const std::string line(text.get());
    const auto first = line.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r\n");
    lines.push_back({UndoSideConfusions(line.substr(first, last - first + 1)), confidence});
  } while (it->Next(tesseract::RIL_TEXTLINE));
  return lines;
}

// Whether `word` is "lt" read with an I, an i, a 1 or a | for the l (a label has no "it").
bool MisreadLt(const std::string& word) {
  return word.size() == 2 &&
         (word[0] == 'I' || word[0] == 'i' || word[0] == '1' || word[0] == '|') &&
         (word[1] == 't' || word[1] == 'T');
}

}  // namespace

std::string UndoSideConfusions(const std::string& line) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    const bool separator = !std::isalnum(static_cast<unsigned char>(line[i])) && line[i] != '|';
    if (separator) {
      out += line[i++];
      continue;
    }
    size_t end = i;
    while (end < line.size() &&
           (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '|')) {
      ++end;
    }
    const std::string word = line.substr(i, end - i);
    out += MisreadLt(word) ? std::string("lt") : word;
    i = end;
  }
  return out;
}

Result<std::vector<TextLine>> ReadBurnedText(const cv::Mat& frame,
                                             const std::vector<cv::Rect>& exclude,
                                             Strokes strokes) {
  if (frame.empty() || frame.depth() != CV_8U) {
    return Fail(ErrorCode::kInvalidInput, "OCR needs an 8-bit frame");
  }
  Engine& engine = ThreadEngine();
  if (!engine.ready) {
    return Fail(ErrorCode::kUnsupported,
                "OCR unavailable: Tesseract's English data (tesseract-ocr-eng) not found");
  }
  const cv::Mat1b page = TextPage(frame, exclude, strokes);
  engine.api.SetImage(page.data, page.cols, page.rows, 1, static_cast<int>(page.step));
  engine.api.SetSourceResolution(static_cast<int>(70 * kScale));
  std::vector<TextLine> lines = ConfidentLines(engine.api);
  engine.api.Clear();
  return lines;
}

}  // namespace refluxscan::ocr
