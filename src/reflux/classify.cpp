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

// Order of the rules (DOMAIN.md): a measured duration over the threshold is reflux whatever the
// quality (even truncated: the true reflux is at least that long). Below the threshold, a clip
// that ended during reflux, an aliased decisive interval or a weak signal cannot prove competence,
// so they are indeterminate rather than no_reflux.
ClassifiedFinding Classify(const RefluxMeasurement& measurement, std::optional<Segment> segment,
                           const Criteria& criteria) {
  if (!segment) return Indeterminate(kReasonUnknownSegment);
  const Criterion* criterion = criteria.For(Info(*segment).vein_class);
  if (criterion == nullptr) return Indeterminate(kReasonUnknownSegment);
  ClassifiedFinding f;
  f.threshold_ms = criterion->threshold_ms;
  f.criterion_source = criterion->source;
  if (!measurement.decisive || *measurement.decisive >= measurement.maneuvers.size()) {
    f.classification = Classification::kIndeterminate;
    f.reason = HasFlag(measurement, kReasonWeakSignal) ? kReasonWeakSignal : kReasonNoAugmentation;
    return f;
  }
  const Maneuver& m = measurement.maneuvers[*measurement.decisive];
  const double duration_ms = m.has_reflux ? m.reflux_duration_ms : 0.0;
  f.margin_ms = duration_ms - criterion->threshold_ms;
  const bool over = criterion->inclusive ? duration_ms >= criterion->threshold_ms
                                         : duration_ms > criterion->threshold_ms;
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

}  // namespace refluxscan::reflux
