// LevelGainSteps: the operator's gain turned while the strip was drawn.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "spectral/strip_internal.h"
#include "synthetic.h"

namespace refluxscan::spectral {
namespace {

constexpr int kCols = 500;  // 5 s at 10 ms per column
constexpr int kStep = 250;  // the gain is turned here

// A 5 s strip (baseline row 120 of 200) with a squeeze (above, columns 100-160) and a reflux
// (below, columns 300-420).
Spectrogram Strip() {
  testing::SyntheticSpec spec;
  spec.cols = kCols;
  std::vector<double> v(kCols, 0.0);
  for (int c = 100; c < 160; ++c) v[static_cast<size_t>(c)] = 40;
  for (int c = 300; c < 420; ++c) v[static_cast<size_t>(c)] = -20;
  return testing::MakeSpectrogram(spec, v);
}

// Adds `amount` (clamped to [0, 1]) to rows [row0, row1) of columns [col0, col1).
void Brighten(Spectrogram& s, int col0, int col1, float amount, int row0 = 0, int row1 = -1) {
  row1 = row1 < 0 ? s.Rows() : row1;
  for (int r = row0; r < row1; ++r) {
    for (int c = col0; c < col1; ++c) {
      s.intensity(r, c) = std::clamp(s.intensity(r, c) + amount, 0.0f, 1.0f);
    }
  }
}

// Median intensity of rows 0-60 (far above the baseline, no flow there but the squeeze's top)
// over columns [col0, col1).
double FarMedian(const Spectrogram& s, int col0, int col1) {
  std::vector<float> v;
  for (int r = 0; r < 60; ++r) {
    for (int c = col0; c < col1; ++c) v.push_back(s.intensity(r, c));
  }
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

bool HasGainNote(const Spectrogram& s) {
  return std::any_of(s.notes.begin(), s.notes.end(),
                     [](const std::string& n) { return n.find("gain step") != std::string::npos; });
}

TEST(LevelGainSteps, AGainTurnedUpIsLevelled) {
  Spectrogram s = Strip();
  const double floor = FarMedian(s, 170, kStep);
  Brighten(s, kStep, kCols, 0.2f);
  ASSERT_NEAR(FarMedian(s, kStep, 300) - floor, 0.2, 0.02);
  detail::LevelGainSteps(s);
  EXPECT_NEAR(FarMedian(s, kStep, 300), floor, 0.02);
  EXPECT_NEAR(FarMedian(s, 170, kStep - 5), FarMedian(Strip(), 170, kStep - 5), 1e-6);  // untouched
  ASSERT_TRUE(HasGainNote(s));
  EXPECT_NE(s.notes.back().find("2.50 s"), std::string::npos) << s.notes.back();
}

// Turned down: the brighter part before the step is darkened (brightening the part after would
// lift a floor that may be clipped at black).
TEST(LevelGainSteps, AGainTurnedDownDarkensThePartBefore) {
  Spectrogram s = Strip();
  Brighten(s, 0, kStep, 0.15f);
  const double after = FarMedian(s, kStep, 300);
  detail::LevelGainSteps(s);
  EXPECT_NEAR(FarMedian(s, 170, kStep), after, 0.02);
  EXPECT_NEAR(FarMedian(s, kStep + 5, 300), FarMedian(Strip(), kStep + 5, 300), 1e-6);
  ASSERT_TRUE(HasGainNote(s));
  EXPECT_NE(s.notes.back().find("2.5"), std::string::npos) << s.notes.back();
}

// The gain turned up from a setting whose reject level blackened most of the noise: a short
// dynamic range (30 dB) puts the speckle's spread over a fifth of the display, and 0.25 darker
// the part before the step reads its floor's median at black while its upper tail stays above
// it. The medians' change (0.15) understates the step; the tails' change measures it (the twelfth
// independent renderer's 10 dB step levelled by half of it left the brighter part's noise
// reading as flow).
TEST(LevelGainSteps, AStepFromAFloorClippedAtBlackIsMeasuredOnItsTail) {
  testing::SyntheticSpec spec;
  spec.cols = kCols;
  spec.signal_db = 20, spec.headroom_db = 4, spec.dynamic_range_db = 30;  // noise at 0.2
  std::vector<double> v(kCols, 0.0);
  for (int c = 100; c < 160; ++c) v[static_cast<size_t>(c)] = 40;
  Spectrogram s = testing::MakeSpectrogram(spec, v);
  Brighten(s, 0, kStep, -0.25f);  // clamped at 0
  ASSERT_LT(FarMedian(s, 170, kStep), 0.01);
  detail::LevelGainSteps(s);
  ASSERT_TRUE(HasGainNote(s));
  const std::string& note = s.notes.back();
  const double size = std::stod(note.substr(note.find('(') + 1));
  EXPECT_NEAR(size, 0.25, 0.04) << note;
}

TEST(LevelGainSteps, FlowIsNoGainStep) {
  Spectrogram s = Strip();
  // A reflux filling the side below to the end of the clip, and its wrap filling the side above
  // 0.2 s later: both floors rise and stay, but not at once.
  Brighten(s, 300, kCols, 0.5f, 121, 200);
  Brighten(s, 320, kCols, 0.5f, 0, 120);
  const cv::Mat1f before = s.intensity.clone();
  detail::LevelGainSteps(s);
  EXPECT_FALSE(HasGainNote(s));
  EXPECT_EQ(cv::norm(before, s.intensity, cv::NORM_INF), 0.0);
  // Nor does a burst filling both sides for half a second.
  Spectrogram burst = Strip();
  Brighten(burst, 200, 250, 0.5f);
  detail::LevelGainSteps(burst);
  EXPECT_FALSE(HasGainNote(burst));
}

// An erase bar (invalid columns) before a gain step: its columns have no floor, and levelling
// the step must leave them unknown, not read them as a black floor with steps at its edges
// (review of stop 34: two false steps darkened the strip before the bar by 0.32).
TEST(LevelGainSteps, AnEraseBarBeforeAStepMakesNoStepsOfItsOwn) {
  testing::SyntheticSpec spec;
  spec.cols = 800;
  Spectrogram s = testing::MakeSpectrogram(spec, std::vector<double>(800, 0.0));
  for (int c = 320; c < 400; ++c) s.column_valid[static_cast<size_t>(c)] = 0;
  Brighten(s, 0, 800, 0.3f);   // a gray noise floor
  Brighten(s, 0, 500, 0.15f);  // the gain turned down at column 500
  const double before = FarMedian(s, 100, 300);
  detail::LevelGainSteps(s);
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NEAR(FarMedian(s, 100, 300), before - 0.15, 0.02);
}

// Pixels clipped at the display's top stay there: the envelope reads them as saturated.
TEST(LevelGainSteps, ClippedPixelsKeepTheirLevel) {
  Spectrogram s = Strip();
  Brighten(s, kStep, kCols, 0.2f);
  for (int r = 60; r < 70; ++r) s.intensity(r, 400) = 1.0f;
  detail::LevelGainSteps(s);
  ASSERT_TRUE(HasGainNote(s));
  EXPECT_EQ(s.intensity(65, 400), 1.0f);
}

// Strips a few columns long at 0.2-0.5 s per column: too short for two 5-column windows and a
// 1 s hold on each side (no step, no read outside the floor series: the review of stop 34 found
// one), or just long enough (20 columns: a step at column 7 is levelled).
TEST(LevelGainSteps, ShortSlowStripsStayInsideTheirColumns) {
  for (const double spc : {0.2, 0.5}) {
    for (const int cols : {4, 10, 20}) {
      testing::SyntheticSpec spec;
      spec.cols = cols;
      Spectrogram s = testing::MakeSpectrogram(spec, std::vector<double>(cols, 0.0));
      s.seconds_per_column = spc;
      Brighten(s, 7, cols, 0.3f);
      detail::LevelGainSteps(s);
      EXPECT_EQ(HasGainNote(s), cols == 20) << cols << " columns at " << spc << " s";
      double lo = 0, hi = 0;
      cv::minMaxLoc(s.intensity, &lo, &hi);
      EXPECT_GE(lo, 0.0);
      EXPECT_LE(hi, 1.0);
    }
  }
}

}  // namespace
}  // namespace refluxscan::spectral
