// Classification of one clip's measurement against the criterion of its vein class.
#include <algorithm>

#include "refluxscan/reflux/criteria.h"

namespace refluxscan::reflux {
namespace {

bool HasFlag(const RefluxMeasurement& m, std::string_view flag) {
  return std::find(m.flags.begin(), m.flags.end(), flag) != m.flags.end();
}

}  // namespace

ClassifiedFinding Indeterminate(std::string_view reason) {
  ClassifiedFinding f;
  f.classification = Classification::kIndeterminate;
  f.reason = std::string(reason);
  return f;
}

namespace {

// Order of the rules (DOMAIN.md): a measured duration over the threshold is reflux whatever the
// quality (even truncated: the true reflux is at least that long). Below the threshold, a clip
// that ended during reflux, an aliased decisive interval or a weak signal cannot prove competence,
// so they are indeterminate rather than no_reflux.
ClassifiedFinding ClassifyAgainst(const RefluxMeasurement& measurement,
                                  const Criterion& criterion) {
  ClassifiedFinding f;
  f.threshold_ms = criterion.threshold_ms;
  f.criterion_source = criterion.source;
  f.threshold_inclusive = criterion.inclusive;
  if (!measurement.decisive || *measurement.decisive >= measurement.maneuvers.size()) {
    f.classification = Classification::kIndeterminate;
    f.reason = HasFlag(measurement, kReasonWeakSignal) ? kReasonWeakSignal : kReasonNoAugmentation;
    return f;
  }
  const Maneuver& m = measurement.maneuvers[*measurement.decisive];
  const double duration_ms = m.has_reflux ? m.reflux_duration_ms : 0.0;
  // No reflux measured: there is no reflux time to compare, so no margin (null, as the reflux
  // time itself; "-threshold" read as a measured value in the JSON and CSV).
  if (m.has_reflux) f.margin_ms = duration_ms - criterion.threshold_ms;
  const bool over = criterion.inclusive ? duration_ms >= criterion.threshold_ms
                                        : duration_ms > criterion.threshold_ms;
  if (over) {
    f.classification = Classification::kReflux;
  } else if (m.truncated) {
    f.classification = Classification::kIndeterminate;
    f.reason = kReasonTruncated;
  } else if (m.aliased) {
    f.classification = Classification::kIndeterminate;
    f.reason = kReasonAliased;
  } else if (HasFlag(measurement, kReasonWeakSignal)) {
    f.classification = Classification::kIndeterminate;
    f.reason = kReasonWeakSignal;
  } else {
    f.classification = Classification::kNoReflux;
  }
  return f;
}

// Unknown segment: the vein class, hence the threshold, is unknown. The measurement is classified
// against every class's criterion; when all agree (e.g. a reflux longer than the largest threshold,
// or a complete maneuver at or below the smallest), that answer holds whatever the vein is.
// Otherwise indeterminate, `unknown_segment`. threshold_ms, margin_ms and the source stay empty:
// no single criterion applied (docs/criteria.md).
ClassifiedFinding ClassifyUnknownSegment(const RefluxMeasurement& measurement,
                                         const Criteria& criteria) {
  if (criteria.by_class.empty()) return Indeterminate(kReasonUnknownSegment);
  const ClassifiedFinding first = ClassifyAgainst(measurement, criteria.by_class.front());
  for (const Criterion& criterion : criteria.by_class) {
    const ClassifiedFinding f = ClassifyAgainst(measurement, criterion);
    if (f.classification != first.classification || f.reason != first.reason) {
      return Indeterminate(kReasonUnknownSegment);
    }
  }
  ClassifiedFinding f;
  f.classification = first.classification;
  f.reason = first.reason;
  return f;
}

}  // namespace

ClassifiedFinding ClassifyVeinClass(const RefluxMeasurement& measurement,
                                    std::optional<VeinClass> vein_class, const Criteria& criteria) {
  if (!vein_class) return ClassifyUnknownSegment(measurement, criteria);
  const Criterion* criterion = criteria.For(*vein_class);
  if (criterion == nullptr) return ClassifyUnknownSegment(measurement, criteria);
  return ClassifyAgainst(measurement, *criterion);
}

ClassifiedFinding Classify(const RefluxMeasurement& measurement, std::optional<Segment> segment,
                           const Criteria& criteria) {
  return ClassifyVeinClass(
      measurement, segment ? std::optional(Info(*segment).vein_class) : std::nullopt, criteria);
}

}  // namespace refluxscan::reflux
