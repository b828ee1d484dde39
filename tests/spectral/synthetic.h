#pragma once
// Synthetic spectral strips for the spectral tests: a parabolic-flow Doppler spectrum (uniform
// from 0 to v_max) with speckle (multiplicative exponential noise), log-compressed over a dynamic
// range, plus an additive noise floor. Deterministic for a given seed.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/spectrogram.h"
#include "refluxscan/core/ultrasound.h"

namespace refluxscan::spectral::testing {

struct SyntheticSpec {
  int rows = 200, cols = 300;
  double velocity_top = 60, step = 0.5;  // cm/s at row 0, cm/s per row (baseline row 120)
  double signal_db = 30;                 // mean signal power above the mean noise power
  double dynamic_range_db = 40;
  double headroom_db = 6;  // intensity 1 = signal mean + headroom
  unsigned seed = 7;
};

// v_max per column (signed: > 0 above the baseline, < 0 below; 0 = no flow).
inline Spectrogram MakeSpectrogram(const SyntheticSpec& spec, const std::vector<double>& v_max) {
  Spectrogram s;
  s.intensity = cv::Mat1f(spec.rows, spec.cols);
  s.valid = cv::Mat1b(spec.rows, spec.cols, uchar{255});
  s.column_valid.assign(static_cast<size_t>(spec.cols), 1);
  s.seconds_per_column = 0.01;
  s.velocity_top = spec.velocity_top;
  s.velocity_step_per_row = spec.step;
  s.dynamic_range_db = spec.dynamic_range_db;
  std::mt19937 rng(spec.seed);
  std::exponential_distribution<double> speckle(1.0);
  const double signal = std::pow(10.0, spec.signal_db / 10.0);
  const double ref_db = spec.signal_db + spec.headroom_db;
  for (int c = 0; c < spec.cols; ++c) {
    const double v = v_max[static_cast<size_t>(c)];
    for (int r = 0; r < spec.rows; ++r) {
      const double vr = s.VelocityAtRow(r);
      // Beyond the scale the spectrum wraps around by the full span (aliasing).
      const double span = spec.rows * spec.step;
      const bool inside = v > 0 ? ((vr >= 0 && vr <= v) || vr + span <= v)
                                : ((vr <= 0 && vr >= v) || vr - span >= v);
      const double p = speckle(rng) + (inside && v != 0 ? signal * speckle(rng) : 0.0);
      const double i = (10 * std::log10(p) - ref_db) / spec.dynamic_range_db + 1.0;
      s.intensity(r, c) = static_cast<float>(std::clamp(i, 0.0, 1.0));
    }
  }
  return s;
}

// 8-bit gray rendering of a spectrogram's intensity.
inline cv::Mat1b ToGray8(const cv::Mat1f& intensity) {
  cv::Mat1b out;
  intensity.convertTo(out, CV_8U, 255.0);
  return out;
}

// The DICOM region of a strip drawn at (x0, y0), `cols` x `rows` pixels, with MakeSpectrogram's
// default calibration: baseline at row 120, 0.5 cm/s per row growing upward, 10 ms per column.
inline UltrasoundRegion StripRegion(int x0, int y0, int cols, int rows) {
  UltrasoundRegion r;
  r.spatial_format = 3;
  r.data_type = 3;
  r.min_x0 = x0, r.min_y0 = y0, r.max_x1 = x0 + cols - 1, r.max_y1 = y0 + rows - 1;
  r.reference_pixel_y0 = 120;
  r.reference_physical_y = 0.0;
  r.units_y = 7, r.delta_y = -0.5;
  r.units_x = 4, r.delta_x = 0.01;
  return r;
}

}  // namespace refluxscan::spectral::testing
