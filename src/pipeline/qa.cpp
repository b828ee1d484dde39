#include "qa.h"

#include <algorithm>
#include <cmath>

namespace refluxscan::pipeline {
namespace {

// Angles above 60 degrees make velocity estimates unreliable (cos error grows steeply).
constexpr double kLargeAngleDeg = 60.0;
// The flow should use at least a quarter of the scale, else the trace is too small to time well.
constexpr double kScaleUseFraction = 0.25;
// A decision this close to its threshold can turn on the timing (the edges of a trace are a few
// display columns wide; manual repeat readings agree in 93-94%): within the larger of 50 ms and
// kNearThresholdColumns display columns, the clip is flagged for a second look.
constexpr double kNearThresholdMs = 50.0;
constexpr double kNearThresholdColumns = 3.0;

void AddCalibrationFlags(const ClipResult& clip, std::vector<std::string>& flags) {
  if (!clip.calibration) return;
  const CalibrationSummary& cal = *clip.calibration;
  if (!cal.doppler_angle_deg) {
    flags.emplace_back("angle_missing");
  } else if (std::abs(*cal.doppler_angle_deg) > kLargeAngleDeg) {
    flags.emplace_back("angle_large");
  }
  if (cal.unit == VelocityUnit::kHertz) flags.emplace_back("hz_units");
  if (!cal.warnings.empty()) flags.emplace_back("calibration_inconsistent");
}

void AddEnvelopeFlags(const Envelope& envelope, std::vector<std::string>& flags) {
  if (envelope.aliased) flags.emplace_back("aliasing");
  if (envelope.saturated) flags.emplace_back("saturated");
  if (envelope.weak_signal) flags.emplace_back("weak_signal");
  float peak = 0;
  for (size_t i = 0; i < envelope.Size(); ++i) {
    if (std::isfinite(envelope.max_forward[i])) peak = std::max(peak, envelope.max_forward[i]);
    if (std::isfinite(envelope.max_reverse[i])) peak = std::max(peak, envelope.max_reverse[i]);
  }
  const double scale = std::max(envelope.positive_limit, -envelope.negative_limit);
  if (!envelope.aliased && scale > 0 && peak < kScaleUseFraction * scale) {
    flags.emplace_back("scale_too_high");
  }
}

void AddMeasurementFlags(const RefluxMeasurement& m, const ClassifiedFinding& finding,
                         std::vector<std::string>& flags) {
  if (m.maneuvers.empty()) flags.emplace_back("no_augmentation");
  const double near_ms = std::max(kNearThresholdMs, kNearThresholdColumns * m.time_resolution_ms);
  if (finding.classification != Classification::kIndeterminate && finding.margin_ms &&
      std::abs(*finding.margin_ms) <= near_ms) {
    flags.emplace_back("near_threshold");
  }
  for (const char* flag : {"pulsatile_signal", "weak_augmentation", "faint_tail"}) {
    if (std::find(m.flags.begin(), m.flags.end(), flag) != m.flags.end()) flags.emplace_back(flag);
  }
  // A truncated maneuver with reflux: the clip ended during it; without: the clip ended too
  // soon after the release to see whether reflux follows (told apart: "ends while reflux
  // continues" on a clip with no reflux sent sonographers looking for one).
  for (const Maneuver& maneuver : m.maneuvers) {
    if (maneuver.truncated)
      flags.emplace_back(maneuver.has_reflux ? "truncated" : "short_after_release");
  }
}

}  // namespace

std::vector<std::string> QualityFlags(const ClipResult& clip, const Envelope* envelope) {
  std::vector<std::string> flags;
  AddCalibrationFlags(clip, flags);
  if (envelope != nullptr) AddEnvelopeFlags(*envelope, flags);
  if (clip.measurement) AddMeasurementFlags(*clip.measurement, clip.finding, flags);
  if (!clip.identity.segment) flags.emplace_back("unknown_segment");
  if (!clip.identity.laterality) flags.emplace_back("unknown_laterality");
  if (clip.identity.label_mismatch) flags.emplace_back("label_mismatch");
  std::sort(flags.begin(), flags.end());
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());
  return flags;
}

}  // namespace refluxscan::pipeline
