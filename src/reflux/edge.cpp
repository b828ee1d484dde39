#include "reflux/edge.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace refluxscan::reflux::detail {
namespace {

// Edge fit (docs/criteria.md "Onset and offset"): the samples from the detection level up to
// kTopLevels times that level (and at most half the peak) describe the edge near zero velocity.
constexpr double kTopLevels = 3.0;
constexpr double kTopPeakFraction = 0.5;
constexpr size_t kMinEdgePoints = 3;
// Candidate shapes v ~ (t - t0)^p: concave tails (p < 1), straight edges, zero-slope starts (p =
// 2).
constexpr double kMinPower = 0.5, kMaxPower = 2.0, kPowerStep = 0.05;
// A curved shape must cut the squared error of the straight fit by this factor to be chosen, so
// envelope noise does not pick a curvature the edge does not have.
constexpr double kCurvedFitGain = 0.7;
constexpr size_t kMinCurvedPoints = 3;  // a curvature needs at least three samples

struct Point {
  double x = 0;  // column, mirrored for falling edges so every edge rises with x
  double v = 0;
};

struct PowerFit {
  double power = 1;
  double a = 0, b = 0;  // v^(1/power) = a + b * x
  double sse = std::numeric_limits<double>::infinity();
};

// Least-squares line through (x, v^(1/p)); the error is measured back in velocity units so the
// candidate shapes compete on the same scale.
PowerFit FitPower(std::span<const Point> points, double power) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const Point& p : points) {
    const double y = std::pow(std::max(p.v, 0.0), 1.0 / power);
    sx += p.x, sy += y, sxx += p.x * p.x, sxy += p.x * y;
  }
  const auto n = static_cast<double>(points.size());
  const double denom = n * sxx - sx * sx;
  PowerFit fit{.power = power};
  if (denom <= 0) return fit;
  fit.b = (n * sxy - sx * sy) / denom;
  fit.a = (sy - fit.b * sx) / n;
  if (fit.b <= 0) return fit;  // not a rising edge: unusable
  fit.sse = 0;
  for (const Point& p : points) {
    const double model = std::pow(std::max(fit.a + fit.b * p.x, 0.0), power);
    fit.sse += (model - p.v) * (model - p.v) / (p.v * p.v);  // relative: the low end matters most
  }
  return fit;
}

// Samples of the edge from the level crossing inward up to half the peak (at least two).
std::vector<Point> CollectEdge(std::span<const float> v, size_t first, int step, double level,
                               double peak) {
  std::vector<Point> points;
  double max_so_far = 0;
  for (long col = static_cast<long>(first); col >= 0 && col < static_cast<long>(v.size());
       col += step) {
    const double value = v[static_cast<size_t>(col)];
    if (!(value > level) || value < 0.8 * max_so_far) break;  // left the run or past a peak
    max_so_far = std::max(max_so_far, value);
    points.push_back({static_cast<double>(step * col), value});
    const bool top = value >= kTopPeakFraction * peak || value >= kTopLevels * level;
    if (top && points.size() >= kMinEdgePoints) break;
  }
  return points;
}

// Too few samples for a fit: interpolate the level crossing with the sample before the run and
// extrapolate that chord to zero (at most one column further).
EdgeEstimate ChordEstimate(std::span<const float> v, size_t first, int step, double level) {
  const double x_first = step * static_cast<double>(first);
  const long prev = static_cast<long>(first) - step;
  double below = 0;
  if (prev >= 0 && prev < static_cast<long>(v.size())) {
    below = std::clamp(static_cast<double>(v[static_cast<size_t>(prev)]), 0.0, level);
  }
  const double rise = v[first] - below;  // per column, > 0 because v[first] > level >= below
  const double x_cross = x_first - (v[first] - level) / rise;
  const double x_zero = std::max(x_first - v[first] / rise, x_cross - 1.0);
  return {step * x_cross, step * x_zero, 1};
}

}  // namespace

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

std::vector<float> RunningMedian(std::span<const float> x, size_t half) {
  std::vector<float> out(x.size());
  std::vector<float> window;
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t lo = i >= half ? i - half : 0;
    const size_t hi = std::min(x.size(), i + half + 1);
    window.assign(x.begin() + static_cast<long>(lo), x.begin() + static_cast<long>(hi));
    std::nth_element(window.begin(), window.begin() + static_cast<long>(window.size() / 2),
                     window.end());
    out[i] = window[window.size() / 2];
  }
  return out;
}

EdgeEstimate EstimateEdge(std::span<const float> v, size_t first, int step, double level,
                          double peak) {
  const std::vector<Point> points = CollectEdge(v, first, step, level, peak);
  if (points.size() < 2) return ChordEstimate(v, first, step, level);
  const PowerFit straight = FitPower(points, 1.0);
  PowerFit curved;
  for (double power = kMinPower; power <= kMaxPower + 1e-9; power += kPowerStep) {
    const PowerFit fit = FitPower(points, power);
    if (std::abs(power - 1.0) > 1e-9 && fit.sse < curved.sse) curved = fit;
  }
  const bool enough = points.size() >= kMinCurvedPoints;
  const PowerFit best = enough && curved.sse < kCurvedFitGain * straight.sse ? curved : straight;
  if (!std::isfinite(best.sse)) return ChordEstimate(v, first, step, level);
  const double x_first = points.front().x;
  const double x_cross =
      std::clamp((std::pow(level, 1.0 / best.power) - best.a) / best.b, x_first - 1.0, x_first);
  const double span = points.back().x - x_cross;
  const double extrapolation = std::clamp(x_cross + best.a / best.b, 0.0, 2.0 * (span + 1.0));
  return {step * x_cross, step * (x_cross - extrapolation), best.power};
}

}  // namespace refluxscan::reflux::detail
