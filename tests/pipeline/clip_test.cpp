// One clip through the pipeline's stages (AnalyzeImage) on a synthetic display strip.
#include "pipeline/clip.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "refluxscan/reflux/criteria.h"
#include "spectral/synthetic.h"

namespace refluxscan::pipeline {
namespace {

constexpr int kRows = 200, kCols = 400, kX0 = 40, kY0 = 30;

// A frame holding the flow `v` (cm/s per column) as a gray strip, with an erase bar's black
// columns [220, 228).
UltrasoundImage SweepImage(const std::vector<double>& v) {
  spectral::testing::SyntheticSpec spec;
  spec.cols = kCols;
  spec.seed = 11;
  cv::Mat1b strip =
      spectral::testing::ToGray8(spectral::testing::MakeSpectrogram(spec, v).intensity);
  strip.colRange(220, 228).setTo(0);
  UltrasoundImage image;
  image.path = "sweep.dcm";
  image.rows = kRows + 2 * kY0, image.columns = kCols + 2 * kX0;
  cv::Mat1b frame(image.rows, image.columns, uchar{0});
  strip.copyTo(frame(cv::Rect(kX0, kY0, kCols, kRows)));
  image.frames.push_back(frame);
  image.decoded_frame_indices.push_back(0);
  image.regions.push_back(spectral::testing::StripRegion(kX0, kY0, kCols, kRows));
  return image;
}

bool HasNote(const ClipResult& clip, const std::string& part) {
  if (!clip.calibration) return false;
  const std::vector<std::string>& notes = clip.calibration->notes;
  return std::ranges::any_of(notes, [&](const std::string& n) { return n.contains(part); });
}

// A sweeping display frozen with only resting flow in its current sweep (left of the bar) and
// the squeeze in the previous sweep beyond it: the previous sweep is the same recording of the
// same vein, read when the current one shows no maneuver. The strip's ends both hold resting
// flow (a sweep's ends join) while the bar separates resting flow from silence, so it is masked
// as a sweep first. Control: resting flow on both sides, no maneuver anywhere, stays
// `no_augmentation` without the note.
TEST(AnalyzeImage, AManeuverOnlyInThePreviousSweepIsRead) {
  std::vector<double> v(kCols, 10.0);
  for (int c = 228; c < 330; ++c) v[static_cast<size_t>(c)] = 0.0;
  for (int c = 250; c < 290; ++c) v[static_cast<size_t>(c)] = 40.0;  // the squeeze
  const reflux::Criteria criteria = reflux::DefaultCriteria();
  ClipContext context;
  context.criteria = &criteria;
  context.keep_evidence = false;
  context.read_burned_labels = false;
  const ClipOutcome out = AnalyzeImage(SweepImage(v), context);
  ASSERT_TRUE(out.result.measurement.has_value()) << out.result.error->message;
  ASSERT_FALSE(out.result.measurement->maneuvers.empty());
  EXPECT_NEAR(out.result.measurement->maneuvers.front().release_s, 2.9, 0.1);
  EXPECT_TRUE(HasNote(out.result, "were read instead"));

  const ClipOutcome rest = AnalyzeImage(SweepImage(std::vector<double>(kCols, 10.0)), context);
  ASSERT_TRUE(rest.result.measurement.has_value());
  EXPECT_TRUE(rest.result.measurement->maneuvers.empty());
  EXPECT_FALSE(HasNote(rest.result, "were read instead"));
}

}  // namespace
}  // namespace refluxscan::pipeline
