#include "reflux/edge.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace refluxscan::reflux::detail {

std::vector<float> BridgeMasked(std::span<const float> x) {
  std::vector<float> out(x.begin(), x.end());
  long last_finite = -1;
  for (long i = 0; i <= static_cast<long>(out.size()); ++i) {
    const bool at_end = i == static_cast<long>(out.size());
    if (!at_end && !std::isfinite(out[static_cast<size_t>(i)])) continue;
    const float left = last_finite >= 0 ? out[static_cast<size_t>(last_finite)] : NAN;
    const float right = at_end ? left : out[static_cast<size_t>(i)];
    for (long j = last_finite + 1; j < i; ++j) {
      const double frac =
          static_cast<double>(j - last_finite) / static_cast<double>(i - last_finite);
      const float l = std::isfinite(left) ? left : right;
      out[static_cast<size_t>(j)] = static_cast<float>(l + frac * (right - l));
    }
    last_finite = i;
  }
  for (float& value : out) {
    if (!std::isfinite(value)) value = 0;  // all-NaN input
  }
  return out;
}

namespace {

// Whether `x` holds a NaN or a negative zero: the only floats for which nth_element's answer
// depends on the order it meets them (a NaN is unordered; -0 == +0 but prints apart). Without
// them equal floats have equal bits, so any exact selection returns nth_element's bits.
bool HasNanOrNegativeZero(std::span<const float> x) {
  bool odd = false;  // branch-free: the loop vectorizes
  for (const float v : x) odd |= std::isnan(v) | ((v == 0.0f) & std::signbit(v));
  return odd;
}

// In-place compare-exchange: p <= q afterwards.
void Order(float& p, float& q) {
  const float low = std::min(p, q);
  q = std::max(p, q);
  p = low;
}

// The (k + 1)-th smallest of x[0, n), n <= 5 (the ends of a running window), by insertion.
float KthOfFew(const float* x, size_t n, size_t k) {
  float a[5];
  for (size_t i = 0; i < n; ++i) {
    size_t j = i;
    for (; j > 0 && x[i] < a[j - 1]; --j) a[j] = a[j - 1];
    a[j] = x[i];
  }
  return a[k];
}

// Median of five by a sorting network (Knuth's nine comparators for n = 5).
float MedianOf5(const float* x) {
  float a = x[0], b = x[1], c = x[2], d = x[3], e = x[4];
  Order(a, b), Order(d, e), Order(c, e), Order(c, d), Order(a, d);
  Order(a, c), Order(b, e), Order(b, d), Order(b, c);
  return c;
}

float MedianOf3(float a, float b, float c) {
  return std::max(std::min(a, b), std::min(std::max(a, b), c));
}

}  // namespace

std::vector<float> RunningMedian(std::span<const float> x, size_t half) {
  std::vector<float> out(x.size());
  const size_t n = x.size();
  // Windows of 3 and 5 without NaN or -0 (nearly always): the same values by small networks
  // instead of a copy and nth_element per sample (checked against it in series_test.cpp).
  if ((half == 1 || half == 2) && !HasNanOrNegativeZero(x)) {
    const float* v = x.data();
    for (size_t i = 0; i < n; ++i) {
      const size_t lo = i >= half ? i - half : 0;
      const size_t hi = std::min(n, i + half + 1);
      if (hi - lo < 2 * half + 1) {
        out[i] = KthOfFew(v + lo, hi - lo, (hi - lo) / 2);
      } else {
        out[i] = half == 1 ? MedianOf3(v[lo], v[lo + 1], v[lo + 2]) : MedianOf5(v + lo);
      }
    }
    return out;
  }
  std::vector<float> window;
  for (size_t i = 0; i < n; ++i) {
    const size_t lo = i >= half ? i - half : 0;
    const size_t hi = std::min(n, i + half + 1);
    window.assign(x.begin() + static_cast<long>(lo), x.begin() + static_cast<long>(hi));
    std::nth_element(window.begin(), window.begin() + static_cast<long>(window.size() / 2),
                     window.end());
    out[i] = window[window.size() / 2];
  }
  return out;
}

std::vector<float> HampelFilter(std::span<const float> x, size_t half, double n_sigma,
                                double min_deviation) {
  std::vector<float> out(x.begin(), x.end());
  std::vector<float> window, deviation;
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t lo = i >= half ? i - half : 0;
    const size_t hi = std::min(x.size(), i + half + 1);
    window.assign(x.begin() + static_cast<long>(lo), x.begin() + static_cast<long>(hi));
    const auto mid = window.begin() + static_cast<long>(window.size() / 2);
    std::nth_element(window.begin(), mid, window.end());
    const float median = *mid;
    deviation.clear();
    for (float v : window) deviation.push_back(std::abs(v - median));
    const auto dmid = deviation.begin() + static_cast<long>(deviation.size() / 2);
    std::nth_element(deviation.begin(), dmid, deviation.end());
    const double limit = std::max(n_sigma * 1.4826 * *dmid, min_deviation);
    if (std::abs(x[i] - median) > limit) out[i] = median;
  }
  return out;
}

std::vector<float> RunningMean(std::span<const float> x, size_t half) {
  std::vector<double> prefix(x.size() + 1, 0.0);
  for (size_t i = 0; i < x.size(); ++i) prefix[i + 1] = prefix[i] + x[i];
  std::vector<float> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t lo = i >= half ? i - half : 0;
    const size_t hi = std::min(x.size(), i + half + 1);
    out[i] = static_cast<float>((prefix[hi] - prefix[lo]) / static_cast<double>(hi - lo));
  }
  return out;
}

double LevelCrossing(std::span<const float> v, size_t anchor, int step, double lo) {
  long col = static_cast<long>(anchor);
  const auto n = static_cast<long>(v.size());
  while (col - step >= 0 && col - step < n && v[static_cast<size_t>(col - step)] > lo) col -= step;
  const long below = col - step;
  if (below < 0 || below >= n) return static_cast<double>(col);
  const double above_v = v[static_cast<size_t>(col)], below_v = v[static_cast<size_t>(below)];
  if (!(above_v > below_v)) return static_cast<double>(col);
  const double frac = std::clamp((above_v - lo) / (above_v - below_v), 0.0, 1.0);
  return static_cast<double>(col) - step * frac;
}

bool NeverFallsBack(std::span<const float> v, size_t burst_begin, size_t burst_end, size_t data_end,
                    double fraction) {
  data_end = std::min(data_end, v.size());
  burst_end = std::min(burst_end, data_end);
  float peak = 0;
  for (size_t c = burst_begin; c < burst_end; ++c) {
    if (std::isfinite(v[c])) peak = std::max(peak, v[c]);
  }
  for (size_t c = burst_end; c < data_end; ++c) {
    if (std::isfinite(v[c]) && v[c] <= fraction * peak) return false;
  }
  return true;
}

namespace {

// Samples from the last one at >= high_level (walking from `peak` by `step`) to the first at <=
// low_level; nullopt when the series ends first or a sample is not finite.
std::optional<size_t> EdgeSamples(std::span<const float> v, size_t peak, int step, double low_level,
                                  double high_level) {
  size_t c = peak, high_end = peak;
  while (true) {
    if (step < 0 ? c == 0 : c + 1 >= v.size()) return std::nullopt;
    c = step < 0 ? c - 1 : c + 1;
    if (!std::isfinite(v[c])) return std::nullopt;
    if (v[c] >= high_level && (step < 0 ? c + 1 == high_end : c == high_end + 1)) high_end = c;
    if (v[c] <= low_level) break;
  }
  return step < 0 ? high_end - c : c - high_end;
}

}  // namespace

bool SlowCrest(std::span<const float> v, size_t burst_begin, size_t burst_end, size_t min_edge,
               double low, double high) {
  burst_end = std::min(burst_end, v.size());
  if (burst_begin >= burst_end) return false;
  std::optional<size_t> peak_at;
  for (size_t c = burst_begin; c < burst_end; ++c) {
    if (std::isfinite(v[c]) && (!peak_at || v[c] > v[*peak_at])) peak_at = c;
  }
  if (!peak_at || !(v[*peak_at] > 0)) return false;
  const size_t peak = *peak_at;
  const double p = v[peak];
  const auto rise = EdgeSamples(v, peak, -1, low * p, high * p);
  const auto fall = EdgeSamples(v, peak, +1, low * p, high * p);
  return rise && fall && *rise > min_edge && *fall > min_edge;
}

}  // namespace refluxscan::reflux::detail
