#pragma once
// Sonographer QA flags for one clip (docs/qa-flags.md lists them).
#include <string>
#include <vector>

#include "refluxscan/core/measurement.h"
#include "refluxscan/core/spectrogram.h"
#include "refluxscan/core/study_report.h"

namespace refluxscan::pipeline {

// Flags from the evidence: scale_too_high, aliasing, saturated, weak_signal, no_augmentation,
// truncated, short_after_release, near_threshold, angle_missing, angle_large,
// calibration_inconsistent, unknown_segment, unknown_laterality, label_mismatch, hz_units,
// pulsatile_signal (docs/qa-flags.md).
std::vector<std::string> QualityFlags(const ClipResult& clip, const Envelope* envelope);

}  // namespace refluxscan::pipeline
