#pragma once
// Guideline thresholds (configurable, cited) and classification against them.
#include <optional>
#include <string>
#include <vector>

#include "refluxscan/core/error.h"
#include "refluxscan/core/measurement.h"
#include "refluxscan/core/segments.h"

namespace refluxscan::reflux {

struct Criterion {
  VeinClass vein_class;
  double threshold_ms = 500;  // reflux when duration > threshold (>= when `inclusive`)
  bool inclusive = false;
  std::string source;  // citation
};

struct Criteria {
  std::string name = "default";
  std::vector<Criterion> by_class;
  // A loaded file whose threshold was edited but whose "source" still holds the default's
  // citation (which names another number): that source is marked as edited in the reports, and
  // this says so, for the run to warn.
  std::vector<std::string> warnings;
  const Criterion* For(VeinClass c) const;
};

Criteria DefaultCriteria();         // DOMAIN.md table, perforators > 350 ms
std::string DefaultCriteriaJson();  // the same, as an editable file (docs/criteria.md)
Result<Criteria> ParseCriteriaJson(std::string_view text);
Result<Criteria> LoadCriteria(const std::string& path);

// Why a clip or segment cannot be classified (reason strings in the report).
inline constexpr std::string_view kReasonTruncated = "truncated_below_threshold";
inline constexpr std::string_view kReasonNoAugmentation = "no_augmentation";
inline constexpr std::string_view kReasonWeakSignal = "weak_signal";
inline constexpr std::string_view kReasonAliased = "aliased";
inline constexpr std::string_view kReasonUnknownSegment = "unknown_segment";
inline constexpr std::string_view kReasonNoCalibration = "no_calibration";
inline constexpr std::string_view kReasonNotSpectral = "not_spectral";  // skipped: no Doppler
inline constexpr std::string_view kReasonError = "analysis_error";

// Classifies one clip's measurement for `segment` (nullopt = unknown segment -> indeterminate).
ClassifiedFinding Classify(const RefluxMeasurement& measurement, std::optional<Segment> segment,
                           const Criteria& criteria);
// The same for a vein's threshold class: a label may name the vein without a level we map
// ("L SSV 2"), which is enough for the threshold. nullopt = unknown: indeterminate unless every
// class's criterion gives the same answer.
ClassifiedFinding ClassifyVeinClass(const RefluxMeasurement& measurement,
                                    std::optional<VeinClass> vein_class, const Criteria& criteria);
ClassifiedFinding Indeterminate(std::string_view reason);

}  // namespace refluxscan::reflux
