#pragma once
// Private to the reflux module: series helpers and the zero-crossing estimate of an envelope edge.
#include <cstddef>
#include <span>
#include <vector>

namespace refluxscan::reflux::detail {

// NaN (masked) samples replaced by linear interpolation between their finite neighbours; leading
// and trailing NaN runs take the nearest finite value. An all-NaN series becomes zeros.
std::vector<float> BridgeMasked(std::span<const float> x);
// Running median of 2 * half + 1 samples (shorter at the ends). A median keeps monotone edges
// exactly where they are, so it removes single-column spikes without biasing onset/offset.
std::vector<float> RunningMedian(std::span<const float> x, size_t half);

// One edge of a run of samples above `level`, as fractional column positions.
struct EdgeEstimate {
  double level_crossing_col = 0;  // where the edge crosses `level` (the detection threshold)
  double zero_crossing_col = 0;   // where the edge, extrapolated, reaches zero velocity
  double power = 1;               // shape of the fitted edge, v ~ |t - t0|^power (1, 1.5 or 2)
};

// `first` is the first sample of a run above `level`; `step` = +1 estimates the rising (onset)
// edge, -1 the falling (offset) edge, walking inward from `first`. `peak` is the run's maximum.
// The edge is fitted from `level` up to 3 * level (at most half the peak, at least three samples)
// with v = c * |t - t0|^p, p in [0.5, 2]; a curved p is kept only when it fits clearly better than
// a straight edge. t0, the zero crossing, is extrapolated at most twice the fitted span plus one
// column beyond the level crossing (a bad fit cannot run away).
EdgeEstimate EstimateEdge(std::span<const float> v, size_t first, int step, double level,
                          double peak);

}  // namespace refluxscan::reflux::detail
