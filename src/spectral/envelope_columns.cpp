// Per-column building blocks of the envelope: preparation, noise, the two edge estimators.
#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "spectral/envelope_internal.h"

namespace refluxscan::spectral::detail {
namespace {

constexpr double kMinNoiseSigma = 0.01;     // display units; a clamped-black floor has MAD 0
constexpr double kQuietColumnShare = 0.3;   // noise from the quietest 30% of valid columns
constexpr double kMgmMinSignalRatio = 3.0;  // excess power >= 3x the side's noise power

bool ColumnValid(const Spectrogram& s, int c) {
  return s.column_valid.empty() || s.column_valid[static_cast<size_t>(c)] != 0;
}

// Masked pixels of a column: linear interpolation between the nearest valid rows.
void FillColumn(cv::Mat1f& m, const cv::Mat1b& valid, int c) {
  int last = -1;
  for (int r = 0; r <= m.rows; ++r) {
    if (r < m.rows && !valid(r, c)) continue;
    for (int k = last + 1; k < r; ++k) {
      const float a = last >= 0 ? m(last, c) : (r < m.rows ? m(r, c) : 0.0f);
      const float b = r < m.rows ? m(r, c) : a;
      const float u = static_cast<float>(k - last) / static_cast<float>(r - last);
      m(k, c) = last >= 0 ? a + u * (b - a) : b;
    }
    last = r;
  }
}

}  // namespace

PreparedSpectrum PrepareSpectrum(const Spectrogram& s) {
  PreparedSpectrum p;
  p.filled = s.intensity.clone();
  p.interpolated.assign(static_cast<size_t>(s.Columns()), 0);
  const bool have_mask = s.valid.size() == s.intensity.size();
  int nearest_valid = -1;
  for (int c = 0; c < s.Columns(); ++c) {
    if (!ColumnValid(s, c)) continue;
    if (have_mask) {
      const int masked = s.Rows() - cv::countNonZero(s.valid.col(c));
      p.interpolated[static_cast<size_t>(c)] = masked > std::max(3, s.Rows() / 50) ? 1 : 0;
      if (masked > 0 && masked < s.Rows()) FillColumn(p.filled, s.valid, c);
    }
    // Invalid columns take the nearest valid column so smoothing does not pull edges down.
    for (int k = nearest_valid + 1; k < c; ++k) p.filled.col(c).copyTo(p.filled.col(k));
    nearest_valid = c;
  }
  for (int k = nearest_valid + 1; nearest_valid >= 0 && k < s.Columns(); ++k) {
    p.filled.col(nearest_valid).copyTo(p.filled.col(k));
  }
  cv::blur(p.filled, p.smoothed, {3, 3}, {-1, -1}, cv::BORDER_REPLICATE);
  return p;
}

NoiseEstimate EstimateNoise(const PreparedSpectrum& prepared,
                            const std::vector<uint8_t>& column_valid, double baseline_row,
                            double dynamic_range_db) {
  const cv::Mat1f& smoothed = prepared.smoothed;
  const int rows = smoothed.rows;
  const double far = std::max(5.0, 0.2 * rows);
  std::vector<std::pair<double, int>> quiet;  // (mean of far rows, column)
  for (int c = 0; c < smoothed.cols; ++c) {
    if (!column_valid.empty() && !column_valid[static_cast<size_t>(c)]) continue;
    double sum = 0;
    int n = 0;
    for (int r = 0; r < rows; ++r) {
      if (std::abs(r - baseline_row) >= far) sum += smoothed(r, c), ++n;
    }
    if (n > 0) quiet.emplace_back(sum / n, c);
  }
  std::sort(quiet.begin(), quiet.end());
  quiet.resize(std::max<size_t>(1, static_cast<size_t>(kQuietColumnShare * quiet.size())));
  std::vector<float> v;
  double power = 0;
  for (const auto& [mean, c] : quiet) {
    for (int r = 0; r < rows; ++r) {
      if (std::abs(r - baseline_row) < far && quiet.size() >= 2) continue;
      v.push_back(smoothed(r, c));
      power += LinearPower(prepared.filled(r, c), dynamic_range_db);
    }
  }
  if (v.empty()) return {0.0, kMinNoiseSigma, LinearPower(0.0, dynamic_range_db)};
  power /= static_cast<double>(v.size());
  auto median = [](std::vector<float>& x) {
    std::nth_element(x.begin(), x.begin() + static_cast<long>(x.size() / 2), x.end());
    return static_cast<double>(x[x.size() / 2]);
  };
  const double level = median(v);
  for (float& x : v) x = static_cast<float>(std::abs(x - level));
  return {level, std::max(kMinNoiseSigma, 1.4826 * median(v)), power};
}

SideRuns ThresholdRuns(const std::vector<float>& v, double noise, double high, double low) {
  SideRuns out;
  const int n = static_cast<int>(v.size());
  auto above_low = [&](int i) { return i < n && v[static_cast<size_t>(i)] > low; };
  auto low_or_end = [&](int i) { return i >= n || v[static_cast<size_t>(i)] > low; };
  for (int i = 0; i < n && out.edge_run_start < 0; ++i) {  // a spike alone does not start a run
    if (v[static_cast<size_t>(i)] > high && low_or_end(i + 1) && low_or_end(i + 2)) {
      out.edge_run_start = i;
    }
  }
  if (out.edge_run_start < 0) return out;
  while (out.edge_run_start > 0 && above_low(out.edge_run_start - 1)) --out.edge_run_start;
  out.edge_run_end = out.edge_run_start;
  while (above_low(out.edge_run_end + 1)) ++out.edge_run_end;
  // Sub-row edge: where the profile crosses halfway between noise and the run's plateau.
  std::vector<float> plateau(v.begin() + out.edge_run_start,
                             v.begin() + std::min(n, out.edge_run_start + 8));
  std::nth_element(plateau.begin(), plateau.begin() + static_cast<long>(plateau.size() / 2),
                   plateau.end());
  const double level = std::max(low, 0.5 * (noise + plateau[plateau.size() / 2]));
  int m = out.edge_run_start;
  while (m <= out.edge_run_end && v[static_cast<size_t>(m)] < level) ++m;
  if (m == 0 || m > out.edge_run_end) {
    out.edge = m == 0 ? 0.0 : out.edge_run_start;
  } else {
    const double a = v[static_cast<size_t>(m - 1)], b = v[static_cast<size_t>(m)];
    out.edge = (m - 1) + std::clamp((level - a) / std::max(1e-9, b - a), 0.0, 1.0);
  }
  // The run attached to the baseline (for the other side of an aliased column).
  int k = n - 1;
  while (k >= 0 && v[static_cast<size_t>(k)] > low) --k;
  if (k < n - 1) out.baseline_run_edge = k + 0.5;
  return out;
}

double GeometricEdge(const std::vector<double>& p, double noise_power) {
  const int n = static_cast<int>(p.size());
  if (n < 3) return -1;
  std::vector<double> cum(static_cast<size_t>(n));
  double total = 0;
  for (int k = 0; k < n; ++k) {  // k = 0 next to the baseline
    total += std::max(0.0, p[static_cast<size_t>(n - 1 - k)] - noise_power);
    cum[static_cast<size_t>(k)] = total;
  }
  if (total < kMgmMinSignalRatio * noise_power * n) return -1;
  int knee = 0;
  double best = -1;
  for (int k = 0; k < n; ++k) {
    const double d = cum[static_cast<size_t>(k)] - total * k / (n - 1);
    if (d > best) best = d, knee = k;
  }
  // The knee row is the last row holding signal: its outer boundary is half a row further.
  const double edge_from_base = std::min<double>(n - 1, knee + 0.5);
  return (n - 1) - edge_from_base;
}

}  // namespace refluxscan::spectral::detail
