#pragma once
// Reflux measurement on an Envelope: maneuvers, onset/offset, duration, peaks (pure functions).
#include <optional>

#include "refluxscan/core/error.h"
#include "refluxscan/core/measurement.h"
#include "refluxscan/core/spectrogram.h"

namespace refluxscan::reflux {

struct RefluxOptions {
  std::optional<AntegradeDirection> antegrade_override;  // skip inference from the augmentation
  double min_augmentation_velocity_cm_s = 0;  // 0 = adaptive (from the trace and noise velocity)
  double min_reflux_velocity_cm_s = 0;        // 0 = adaptive (the envelope's noise velocity)
  double min_gap_between_maneuvers_s = 0.8;   // bursts closer than this merge into one
};

// Errors: kInvalidInput (empty envelope or non-positive time step). A trace with no
// augmentation is a valid result with the "no_augmentation" flag and no maneuvers.
Result<RefluxMeasurement> MeasureReflux(const Envelope& envelope,
                                        const RefluxOptions& options = {});

}  // namespace refluxscan::reflux
