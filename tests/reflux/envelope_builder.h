#pragma once
// Test helper: hand-made Envelope values from a true velocity waveform (no images needed).
#include <cmath>
#include <functional>
#include <numbers>
#include <random>

#include "refluxscan/core/spectrogram.h"

namespace refluxscan::reflux::testing {

// A raised-cosine pulse of `amplitude` starting at `start_s` and lasting `duration_s`.
inline double RaisedCosine(double t_s, double start_s, double duration_s, double amplitude) {
  if (t_s <= start_s || t_s >= start_s + duration_s) return 0;
  return 0.5 * amplitude * (1 - std::cos(2 * std::numbers::pi * (t_s - start_s) / duration_s));
}

// A trapezoid: linear ramps of `ramp_s` at both ends, flat top in between.
inline double Trapezoid(double t_s, double start_s, double duration_s, double ramp_s,
                        double amplitude) {
  const double x = t_s - start_s;
  if (x <= 0 || x >= duration_s) return 0;
  return amplitude * std::min({1.0, x / ramp_s, (duration_s - x) / ramp_s});
}

struct EnvelopeSpec {
  double seconds_per_column = 0.01;
  double duration_s = 4;
  double noise_velocity = 3;  // cm/s: below it the envelope shows no flow
  double jitter_cm_s = 0;     // Gaussian jitter on the detected envelope
  bool floor_noise = false;   // sub-threshold columns hold random values below the level
  unsigned seed = 1;
};

// Max-velocity envelopes of a signed true velocity (positive = up): where |v| exceeds the noise
// velocity the envelope shows |v| (+ jitter), elsewhere it shows nothing (0 or floor noise).
inline Envelope MakeEnvelope(const std::function<double(double)>& velocity,
                             const EnvelopeSpec& spec) {
  Envelope e;
  e.seconds_per_column = spec.seconds_per_column;
  e.noise_velocity = spec.noise_velocity;
  e.positive_limit = 100;
  e.negative_limit = -100;
  e.velocity_resolution = 0.5;
  std::mt19937 rng(spec.seed);
  std::normal_distribution<double> jitter(0, spec.jitter_cm_s > 0 ? spec.jitter_cm_s : 1);
  std::uniform_real_distribution<double> floor(0, 0.8 * spec.noise_velocity);
  const auto n = static_cast<size_t>(std::lround(spec.duration_s / spec.seconds_per_column));
  auto shown = [&](double magnitude) -> float {
    if (magnitude > spec.noise_velocity) {
      const double j = spec.jitter_cm_s > 0 ? jitter(rng) : 0;
      return static_cast<float>(std::max(spec.noise_velocity, magnitude + j));
    }
    return static_cast<float>(spec.floor_noise ? floor(rng) : 0.0);
  };
  for (size_t i = 0; i < n; ++i) {
    const double v = velocity(e.TimeOf(static_cast<double>(i)));
    e.max_forward.push_back(shown(std::max(v, 0.0)));
    e.max_reverse.push_back(shown(std::max(-v, 0.0)));
    e.mean.push_back(static_cast<float>(v / 2));
    e.confidence.push_back(1);
    e.flags.push_back(0);
  }
  return e;
}

}  // namespace refluxscan::reflux::testing
