// Sonographer QA flags of one clip (docs/qa-flags.md).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../../src/pipeline/qa.h"  // private helper under test

namespace refluxscan::pipeline {
namespace {

bool Has(const std::vector<std::string>& flags, const std::string& flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

ClipResult ClipWithCalibration() {
  ClipResult clip;
  clip.calibration = CalibrationSummary{};
  clip.calibration->doppler_angle_deg = 45;
  return clip;
}

// How the display was read (tint, masked erase bar or labels, Hz converted) is a note, not an
// inconsistency: only a failed check raises calibration_inconsistent.
TEST(QualityFlags, CalibrationInconsistentOnlyForFailedChecks) {
  ClipResult read = ClipWithCalibration();
  read.calibration->notes = {"tinted display map: intensity read along its colour ramp",
                             "erase bar at columns 10-17: 80 columns of the previous sweep masked"};
  EXPECT_FALSE(Has(QualityFlags(read, nullptr), "calibration_inconsistent"));
  ClipResult off = ClipWithCalibration();
  off.calibration->warnings = {"drawn baseline 10 rows below the calibrated zero row"};
  EXPECT_TRUE(Has(QualityFlags(off, nullptr), "calibration_inconsistent"));
}

// A manifest row contradicting the image's own label is flagged; agreeing, it is not.
TEST(QualityFlags, LabelMismatchIsFlagged) {
  ClipResult clip = ClipWithCalibration();
  EXPECT_FALSE(Has(QualityFlags(clip, nullptr), "label_mismatch"));
  clip.identity.label_mismatch = true;
  EXPECT_TRUE(Has(QualityFlags(clip, nullptr), "label_mismatch"));
}

// A decided clip within max(50 ms, 3 display columns) of its threshold is flagged for a second
// look; farther, or indeterminate, it is not.
TEST(QualityFlags, NearThresholdDecisionsAreFlagged) {
  ClipResult clip = ClipWithCalibration();
  clip.measurement = RefluxMeasurement{};
  clip.measurement->maneuvers.emplace_back();
  clip.measurement->time_resolution_ms = 10;  // 3 columns = 30 ms: 50 ms applies
  clip.finding.classification = Classification::kNoReflux;
  clip.finding.margin_ms = -38;  // 462 ms against 500
  EXPECT_TRUE(Has(QualityFlags(clip, nullptr), "near_threshold"));
  clip.finding.margin_ms = -51;
  EXPECT_FALSE(Has(QualityFlags(clip, nullptr), "near_threshold"));
  clip.measurement->time_resolution_ms = 20;  // 3 columns = 60 ms
  EXPECT_TRUE(Has(QualityFlags(clip, nullptr), "near_threshold"));
  clip.finding.classification = Classification::kIndeterminate;
  EXPECT_FALSE(Has(QualityFlags(clip, nullptr), "near_threshold"));
}

// A maneuver cut by the end of the clip: "truncated" (reflux still running) only when it has
// reflux; without reflux the clip merely ended too soon after the release to tell.
TEST(QualityFlags, TruncatedOnlyWithRefluxElseShortAfterRelease) {
  ClipResult clip = ClipWithCalibration();
  clip.measurement = RefluxMeasurement{};
  Maneuver cut;
  cut.truncated = true;
  clip.measurement->maneuvers = {cut};
  auto flags = QualityFlags(clip, nullptr);
  EXPECT_TRUE(Has(flags, "short_after_release"));
  EXPECT_FALSE(Has(flags, "truncated"));
  clip.measurement->maneuvers[0].has_reflux = true;
  flags = QualityFlags(clip, nullptr);
  EXPECT_TRUE(Has(flags, "truncated"));
  EXPECT_FALSE(Has(flags, "short_after_release"));
}

// Findings of the measurement a sonographer can act on travel into the clip's QA flags.
TEST(QualityFlags, WeakAugmentationAndPulsesFromTheMeasurement) {
  ClipResult clip = ClipWithCalibration();
  clip.measurement = RefluxMeasurement{};
  clip.measurement->maneuvers.emplace_back();
  EXPECT_FALSE(Has(QualityFlags(clip, nullptr), "weak_augmentation"));
  clip.measurement->flags = {"weak_augmentation", "pulsatile_signal"};
  const auto flags = QualityFlags(clip, nullptr);
  EXPECT_TRUE(Has(flags, "weak_augmentation"));
  EXPECT_TRUE(Has(flags, "pulsatile_signal"));
  EXPECT_FALSE(Has(flags, "weak_signal"));
}

}  // namespace
}  // namespace refluxscan::pipeline
