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
// Hampel identifier over 2 * half + 1 samples (shorter at the ends; x finite): a sample further
// from its window's median than max(n_sigma x 1.4826 x MAD, min_deviation) is replaced by that
// median. Removes outlier bursts shorter than half the window (a speckle excursion of the
// envelope lasting a few columns), keeps steps and smooth peaks (their MAD grows with the slope).
std::vector<float> HampelFilter(std::span<const float> x, size_t half, double n_sigma,
                                double min_deviation);
// Running mean of 2 * half + 1 samples (shorter at the ends). x must be finite.
std::vector<float> RunningMean(std::span<const float> x, size_t half);

// Whether the series never falls back to `fraction` x its maximum over [burst_begin, burst_end)
// anywhere in [burst_end, data_end) (non-finite samples skipped). An empty tail: true (nothing
// fell). Used on the smoothed antegrade trace: a squeeze's flow falls back after its release.
bool NeverFallsBack(std::span<const float> v, size_t burst_begin, size_t burst_end, size_t data_end,
                    double fraction);

// Whether the burst over [burst_begin, burst_end) is a slow crest: the series takes more than
// `min_edge` samples both to rise and to fall, each edge counted from the end of the run of
// samples at >= `high` x peak around the peak (the burst's largest finite sample) to the first
// sample at <= `low` x peak beyond it. An edge that does not reach `low` before the series ends,
// or meets a non-finite sample, is no evidence: false.
bool SlowCrest(std::span<const float> v, size_t burst_begin, size_t burst_end, size_t min_edge,
               double low, double high);

// Where one edge of a reflux run crosses `lo`, as a fractional column: from `anchor` (a column
// of the run above `lo`) outward — backward for the onset (`step` = +1), forward for the offset
// (`step` = -1) — to the first sample at or below `lo`, interpolated linearly between the two.
// Without a sample below `lo` (the series ends) the outermost sample above it.
// Why a level crossing and no extrapolation to zero: docs/criteria.md "Onset and offset".
double LevelCrossing(std::span<const float> v, size_t anchor, int step, double lo);

}  // namespace refluxscan::reflux::detail
