// Accuracy of reflux timing against a known true velocity (the zero crossings).
#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "reflux/envelope_builder.h"
#include "refluxscan/reflux/measure.h"

namespace refluxscan::reflux {
namespace {

using testing::EnvelopeSpec;
using testing::MakeEnvelope;
using testing::RaisedCosine;
using testing::Trapezoid;

enum class Shape { kRaisedCosine, kTrapezoid };

// Augmentation burst of 0.7 s at 40 cm/s from 0.8 s, then reflux of `reflux_s` right at release.
double Waveform(double t, Shape shape, double reflux_s, double reflux_cm_s) {
  const double aug = RaisedCosine(t, 0.8, 0.7, 40);
  const double ref = shape == Shape::kRaisedCosine ? RaisedCosine(t, 1.5, reflux_s, reflux_cm_s)
                                                   : Trapezoid(t, 1.5, reflux_s, 0.12, reflux_cm_s);
  return aug - ref;
}

struct Case {
  Shape shape;
  double noise_cm_s, spc_s, jitter_cm_s;
  bool floor_noise;
  double min_peak_cm_s = 15;
  double tolerance_cols = 1;  // per measurement
};

class DurationAccuracy : public ::testing::TestWithParam<Case> {};

// The reflux duration must estimate the true zero-crossing duration, not the threshold
// crossings: within one column for every tested reflux length and noise level.
TEST_P(DurationAccuracy, WithinOneColumnOfTheTrueDuration) {
  const Case c = GetParam();
  std::vector<double> errors_cols;
  for (double reflux_s : {0.3, 0.45, 0.55, 0.8, 1.1, 1.6}) {
    for (double amplitude : {c.min_peak_cm_s, 2 * c.min_peak_cm_s, 4 * c.min_peak_cm_s}) {
      EnvelopeSpec spec{.seconds_per_column = c.spc_s,
                        .duration_s = 4.5,
                        .noise_velocity = c.noise_cm_s,
                        .jitter_cm_s = c.jitter_cm_s,
                        .floor_noise = c.floor_noise};
      spec.seed = static_cast<unsigned>(reflux_s * 1000 + amplitude);
      const Envelope e =
          MakeEnvelope([&](double t) { return Waveform(t, c.shape, reflux_s, amplitude); }, spec);
      auto m = MeasureReflux(e);
      ASSERT_TRUE(m.has_value());
      ASSERT_EQ(m->maneuvers.size(), 1u);
      const Maneuver& man = m->maneuvers[0];
      ASSERT_TRUE(man.has_reflux) << reflux_s << " " << amplitude;
      const double err = (man.reflux_duration_ms / 1000 - reflux_s) / c.spc_s;
      errors_cols.push_back(std::abs(err));
      EXPECT_LE(std::abs(err), c.tolerance_cols)
          << "reflux " << reflux_s << " s, peak " << amplitude << " cm/s: onset "
          << *man.reflux_onset_s << " offset " << *man.reflux_offset_s;
      EXPECT_NEAR(*man.reflux_onset_s, 1.5, c.tolerance_cols * c.spc_s);
    }
  }
  std::sort(errors_cols.begin(), errors_cols.end());
  EXPECT_LE(errors_cols[errors_cols.size() / 2], 0.5 * c.tolerance_cols);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, DurationAccuracy,
    ::testing::Values(
        // Straight edges: the extrapolation recovers the zero crossing within one column.
        Case{Shape::kTrapezoid, 2, 0.01, 0, false}, Case{Shape::kTrapezoid, 5, 0.01, 0, false},
        Case{Shape::kTrapezoid, 5, 0.004, 0, true}, Case{Shape::kTrapezoid, 8, 0.012, 0, true},
        // Raised cosine: starts and ends with zero slope, so the part below the noise velocity is
        // invisible; the power-law fit recovers most of it (docs/criteria.md: known bias).
        Case{Shape::kRaisedCosine, 0.5, 0.01, 0, false, 15, 1.5},
        Case{Shape::kRaisedCosine, 1, 0.01, 0, false, 30, 1.5},
        Case{Shape::kRaisedCosine, 1, 0.015, 0, true, 30, 1.5},
        Case{Shape::kRaisedCosine, 2, 0.005, 0, false, 60, 3},
        // A jittery envelope (0.15 cm/s) around straight edges.
        Case{Shape::kTrapezoid, 3, 0.01, 0.15, true, 15, 3}));

}  // namespace
}  // namespace refluxscan::reflux
