#pragma once
// Test helper: hand-made Envelope values from a true velocity waveform (no images needed).
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <vector>

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

// A calf squeeze (45 cm/s raised cosine over 0.6 s from `aug_s`, antegrade positive) and a
// trapezoid reflux (negative) of `reflux_s` at `reflux_cm_s`, 0.06 s ramps, from its release.
inline double Squeeze(double t_s, double aug_s, double reflux_s, double reflux_cm_s) {
  return RaisedCosine(t_s, aug_s, 0.6, 45) -
         Trapezoid(t_s, aug_s + 0.6, reflux_s, 0.06, reflux_cm_s);
}

struct EnvelopeSpec {
  double seconds_per_column = 0.01;
  double duration_s = 4;
  double noise_velocity = 3;  // cm/s: the noise floor's top (and Envelope::noise_velocity)
  double jitter_cm_s = 0;     // Gaussian jitter on the detected envelope
  bool floor_noise = false;   // both sides hold random values in [0, noise_velocity) under the flow
  int blur_cols = 3;          // Hann window (columns) smearing the true course in time, as the
                              // STFT window and the display do; symmetric, so edges stay centred
  unsigned seed = 1;
};

// The true velocity course convolved with a normalized Hann window of `cols` columns (the
// window's zero end points excluded, so 1 column = no blur).
inline std::vector<double> HannBlur(const std::vector<double>& x, int cols) {
  if (cols <= 1) return x;
  std::vector<double> w(static_cast<size_t>(cols));
  double sum = 0;
  for (int k = 0; k < cols; ++k) {
    w[static_cast<size_t>(k)] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * (k + 1) / (cols + 1));
    sum += w[static_cast<size_t>(k)];
  }
  std::vector<double> out(x.size(), 0);
  const int half = cols / 2;
  for (size_t i = 0; i < x.size(); ++i) {
    for (int k = 0; k < cols; ++k) {
      const long j = static_cast<long>(i) + k - half;
      if (j >= 0 && j < static_cast<long>(x.size())) {
        out[i] += w[static_cast<size_t>(k)] / sum * x[static_cast<size_t>(j)];
      }
    }
  }
  return out;
}

// Max-velocity envelopes of a signed true velocity (positive = up): each side shows the blurred
// magnitude of its flow (+ jitter); where that is below the noise floor, the floor shows instead
// (a real envelope does not drop to zero below the noise, it reads the noise).
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
  std::uniform_real_distribution<double> floor(0, spec.noise_velocity);
  const auto n = static_cast<size_t>(std::lround(spec.duration_s / spec.seconds_per_column));
  std::vector<double> truth(n), up(n), down(n);
  for (size_t i = 0; i < n; ++i) {
    truth[i] = velocity(e.TimeOf(static_cast<double>(i)));
    up[i] = std::max(truth[i], 0.0);
    down[i] = std::max(-truth[i], 0.0);
  }
  up = HannBlur(up, spec.blur_cols);
  down = HannBlur(down, spec.blur_cols);
  auto shown = [&](double magnitude) -> float {
    double v = magnitude;
    if (spec.jitter_cm_s > 0 && magnitude > 0) v += jitter(rng);
    if (spec.floor_noise) v = std::max(v, floor(rng));
    return static_cast<float>(std::max(v, 0.0));
  };
  for (size_t i = 0; i < n; ++i) {
    e.max_forward.push_back(shown(up[i]));
    e.max_reverse.push_back(shown(down[i]));
    e.mean.push_back(static_cast<float>(truth[i] / 2));
    e.confidence.push_back(1);
    e.flags.push_back(0);
  }
  return e;
}

}  // namespace refluxscan::reflux::testing
