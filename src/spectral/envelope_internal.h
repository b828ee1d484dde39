#pragma once
// Private pieces of the envelope estimator (envelope.cpp composes them).
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/spectrogram.h"

namespace refluxscan::spectral::detail {

struct NoiseEstimate {
  double level = 0;  // median display intensity of noise pixels (smoothed)
  double sigma = 0;  // robust spread (1.4826 MAD), floored
  double upper = 0;  // 99.5th percentile of the smoothed noise pixels: covers sparse specks on
                     // a black background, where the median and MAD are both 0
  double power = 0;  // mean linear power of the same (unsmoothed) noise pixels
};

// Spectrogram prepared for per-column scans: masked pixels filled by vertical interpolation,
// then a 3x3 box smoothing (reduces speckle; the 50% crossing of an edge does not move).
struct PreparedSpectrum {
  cv::Mat1f smoothed;        // 3x3 mean of display intensity: detection, noise
  cv::Mat1f power_smoothed;  // 3x3 mean of linear power, back in display units: edges
  // The same two transposed (row c = strip column c): the per-column scans read contiguous rows.
  cv::Mat1f smoothed_columns, power_smoothed_columns;

  cv::Mat1f filled;                   // unsmoothed, masked pixels interpolated
  cv::Mat1f power_unscaled;           // exp(filled * DR ln10 / 10): linear power / power_scale
  double power_scale = 1;             // LinearPower(filled) = power_unscaled * power_scale
  std::vector<uint8_t> interpolated;  // column had masked pixels outside drawn lines

  struct Stores {  // the memory behind the matrices above, kept from one strip to the next
    cv::Mat1f smoothed, power_smoothed, smoothed_columns, power_smoothed_columns, filled, power;
  } stores;
};
// Fills `p`, reusing its stores: a worker keeps one PreparedSpectrum for all its strips.
void PrepareSpectrum(const Spectrogram& s, PreparedSpectrum& p);
// cv::blur(src, dst, {3, 3}, {-1, -1}, cv::BORDER_REPLICATE), bit for bit (envelope_columns.cpp).
void BoxMean3x3(const cv::Mat1f& src, cv::Mat1f& dst);
// Linear power of a display intensity (undoes the log map): 10^((I - 1) DR / 10).
inline double LinearPower(double intensity, double dynamic_range_db) {
  // 10^(x/10) as exp: the same value, several times cheaper than pow in this per-pixel loop.
  return std::exp((intensity - 1.0) * dynamic_range_db * (std::numbers::ln10 / 10.0));
}

// Rows this close to the baseline belong to neither side (drawn line, clutter): side powers
// (Moments) and textures leave them out.
constexpr int kBaselineGuardRows = 2;

// Envelope::texture_forward / texture_reverse from the final envelopes (envelope_texture.cpp).
void MeasureSideTextures(const Spectrogram& s, const NoiseEstimate& noise, Envelope& env);

// Noise from the data: pixels far from the baseline in the quietest valid columns.
NoiseEstimate EstimateNoise(const PreparedSpectrum& prepared,
                            const std::vector<uint8_t>& column_valid, double baseline_row,
                            double dynamic_range_db);

// One side of one column as values ordered from the scale edge (index 0) toward the baseline
// (last). Edges are fractional indices in that order; -1 = no signal on that side.
struct SideRuns {
  double edge = -1;             // half-power edge of the signal region attached to the baseline
  int baseline_run_outer = -1;  // outermost index of that region (-1: none)
  int edge_run_end = -1;  // a region entering from the scale edge (index 0): its innermost index
  // The outermost region detached from the baseline region that ExtendOverDarkInterior left out
  // only for being shorter than the dark gap before it: [band_outer, band_inner], or -1. A
  // narrow band in time (the fast core of a small sample volume) is flow: AcceptDetachedBands.
  int band_outer = -1, band_inner = -1;
  // The inner (baseline-side) index of the outermost region beyond a dark interior with the
  // support a detached region needs, joined or not (-1: none; with edge_region_is_flow it may
  // reach the scale edge): a wrap's fastest velocity (WrapEpisodes).
  int outermost_inner = -1;
};
// Levels of one side scan, in display units.
struct SideLevels {
  double high = 0;             // a region must hold samples above this (detection)
  double low = 0;              // and stays above this (hysteresis)
  double half_power_drop = 0;  // 3 dB in display units (3 / dynamic range)
  int baseline_slack = 3;      // a baseline region may start this many samples from the baseline
  // A region detached from the baseline that reaches the scale edge is this side's flow, not a
  // wrap from the other side (which does not leave through its own edge): ExtendOverDarkInterior.
  bool edge_region_is_flow = false;
  // A detached region is flow however long its dark gap (the column continues a band in time:
  // AcceptDetachedBands); it still needs the support a detached region needs.
  bool detached_band_is_flow = false;
};
// Signal regions of one side (see docs/algorithms.md, "Envelope"): the region connected to the
// baseline (venous spectra touch it; isolated specks never do) and its half-power edge, plus a
// region entering from the scale edge (aliasing). Gaps of <= 2 samples do not split a region.
// `edge_profile` is the same side smoothed in linear power (see PreparedSpectrum): a mean of
// log values would put the edge at the innermost of the averaged columns.
SideRuns ThresholdRuns(const std::vector<float>& edge_to_base,
                       const std::vector<float>& edge_profile, const SideLevels& levels);
// A side's values in edge-to-baseline order, read in place from a column: element i is
// at[i * step] (step +1 for the upper side's rows, -1 for the lower side's, from its last row).
struct SideProfile {
  const float* at = nullptr;
  std::ptrdiff_t step = 1;
  float operator[](int i) const { return at[static_cast<std::ptrdiff_t>(i) * step]; }
};
// The same, the profile read in place: it is read only where a baseline region is found, and
// then only from that region outward (no copy of the whole side per column).
SideRuns ThresholdRuns(const std::vector<float>& edge_to_base, SideProfile edge_profile,
                       const SideLevels& levels);
// Modified geometric method: knee of the cumulative noise-subtracted linear power from the
// baseline outward (max distance above the chord). `power_edge_to_base` is linear power (log
// map undone). Returns -1 without enough signal power.
double GeometricEdge(const std::vector<double>& power_edge_to_base, double noise_power);

}  // namespace refluxscan::spectral::detail
