#pragma once
// Private pieces of the envelope estimator (envelope.cpp composes them).
#include <cmath>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/spectrogram.h"

namespace refluxscan::spectral::detail {

struct NoiseEstimate {
  double level = 0;  // median display intensity of noise pixels
  double sigma = 0;  // robust spread (1.4826 MAD), floored
  double power = 0;  // mean linear power of the same (unsmoothed) noise pixels
};

// Spectrogram prepared for per-column scans: masked pixels filled by vertical interpolation,
// then a 3x3 box smoothing (reduces speckle; the 50% crossing of an edge does not move).
struct PreparedSpectrum {
  cv::Mat1f smoothed;
  cv::Mat1f filled;                   // unsmoothed, masked pixels interpolated
  std::vector<uint8_t> interpolated;  // column had masked pixels outside drawn lines
};
PreparedSpectrum PrepareSpectrum(const Spectrogram& s);

// Noise from the data: pixels far from the baseline in the quietest valid columns.
NoiseEstimate EstimateNoise(const PreparedSpectrum& prepared,
                            const std::vector<uint8_t>& column_valid, double baseline_row,
                            double dynamic_range_db);

// One side of one column as values ordered from the scale edge (index 0) toward the baseline
// (last). Edges are fractional indices in that order; -1 = no signal on that side.
struct SideRuns {
  double edge = -1;         // the chosen estimator's outer signal edge
  int edge_run_start = -1;  // hysteresis run found from the scale edge: first index (0 = touches)
  int edge_run_end = -1;    //   ... its last index toward the baseline
  double baseline_run_edge = -1;  // outer edge of the run attached to the baseline, if any
};
// Threshold crossing with hysteresis: the outermost run that exceeds `high` (and stays above
// `low` for 3 samples), extended outward while above `low`; the edge is interpolated where the
// profile crosses halfway between the run's plateau and the noise level.
SideRuns ThresholdRuns(const std::vector<float>& edge_to_base, double noise, double high,
                       double low);
// Modified geometric method: knee of the cumulative noise-subtracted linear power from the
// baseline outward (max distance above the chord). `power_edge_to_base` is linear power (log
// map undone). Returns -1 without enough signal power.
double GeometricEdge(const std::vector<double>& power_edge_to_base, double noise_power);
// Linear power of a display intensity (undoes the log map): 10^((I - 1) DR / 10).
inline double LinearPower(double intensity, double dynamic_range_db) {
  return std::pow(10.0, (intensity - 1.0) * dynamic_range_db / 10.0);
}

}  // namespace refluxscan::spectral::detail
