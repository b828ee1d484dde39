// Accuracy of reflux timing against a known true velocity (the zero crossings).
#include <algorithm>
#include <cmath>
#include <numbers>
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

// The retrograde part of Waveform convolved with the builder's Hann window (HannBlur), in
// continuous time.
double BlurredRetro(double t, Shape shape, double reflux_s, double reflux_cm_s, double spc_s,
                    int cols) {
  double sum = 0, out = 0;
  for (int k = 0; k < cols; ++k) {
    const double w = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * (k + 1) / (cols + 1));
    out += w * std::max(0.0, -Waveform(t + (k - cols / 2) * spc_s, shape, reflux_s, reflux_cm_s));
    sum += w;
  }
  return out / sum;
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
      // Below the noise level the true course is invisible, and the display only shows it
      // blurred by its window. So the reference is where the blurred true retrograde course
      // (continuous in time) crosses the level the measurement reports (offset_velocity_cm_s):
      // the rule must find those crossings within one column despite sampling, noise and jitter.
      const double level = man.offset_velocity_cm_s;
      EXPECT_LE(level, c.noise_cm_s) << "the noise estimate stays below the floor's top";
      // Where the course is between that level and the floor's top, a noise value can exceed
      // it: the crossing is uncertain by that band (time per edge, both edges), not more.
      double on = 2 + reflux_s, off = 1.4, on_top = 2 + reflux_s, off_top = 1.4;
      for (double t = 1.4; t < 1.6 + reflux_s; t += c.spc_s / 200) {
        const double v = BlurredRetro(t, c.shape, reflux_s, amplitude, c.spc_s, spec.blur_cols);
        if (v > level) on = std::min(on, t), off = t;
        if (v > c.noise_cm_s) on_top = std::min(on_top, t), off_top = t;
      }
      // And 10% of the noise columns exceed the level (it is their 90th percentile): one next to
      // an edge survives the 3-column median and extends the run by up to a column per edge.
      const double band =
          c.floor_noise ? std::max(0.0, (on_top - on) + (off - off_top)) / c.spc_s + 2.0 : 0.0;
      const double err = (man.reflux_duration_ms / 1000 - (off - on)) / c.spc_s;
      errors_cols.push_back(std::max(0.0, std::abs(err) - band));
      EXPECT_LE(std::abs(err), c.tolerance_cols + band)
          << "reflux " << reflux_s << " s, peak " << amplitude << " cm/s, level " << level
          << ": onset " << *man.reflux_onset_s << " offset " << *man.reflux_offset_s;
      EXPECT_NEAR(*man.reflux_onset_s, on, (c.tolerance_cols + band) * c.spc_s);
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
