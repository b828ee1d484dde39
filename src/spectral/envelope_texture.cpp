// The lit spectrum's texture per column and side (docs/algorithms.md, "Envelope", texture):
// what tells blood flow from a coherent band of tissue clutter at the same velocities.
#include <algorithm>
#include <cmath>
#include <limits>

#include "spectral/envelope_internal.h"

namespace refluxscan::spectral::detail {
namespace {

// Blood is many scatterers in random motion: its spectrum is speckle, drawn afresh by every
// analysis window (5-25 ms on scanners, ~10 ms on the signal path). Tissue moving with the
// breath is a few scatterers moving together: a smooth band that changes over seconds. So the
// change over kTextureLagS (longer than any analysis window, far shorter than a breath) is
// large in flow and small in clutter.
constexpr double kTextureLagS = 0.03;
// A column side's texture needs this many lit pixels (a thin clutter band is 3-6 rows).
constexpr int kMinTexturePixels = 3;
// Above this a pixel is clipped at full brightness and keeps no texture (gain too high).
constexpr float kClippedLevel = 0.98f;

// Mean |intensity(r, c) - intensity(r, c + lag)| over rows [first, last] where both pixels are
// valid, lit (above `lit`) and unclipped; NaN with fewer than kMinTexturePixels.
float ColumnTexture(const Spectrogram& s, int c, int lag, int first, int last, double lit) {
  first = std::max(first, 0);
  last = std::min(last, s.Rows() - 1);
  double sum = 0;
  int n = 0;
  for (int r = first; r <= last; ++r) {
    const float a = s.intensity(r, c), b = s.intensity(r, c + lag);
    if (!s.valid.empty() && (s.valid(r, c) == 0 || s.valid(r, c + lag) == 0)) continue;
    if (a <= lit || b <= lit || a >= kClippedLevel || b >= kClippedLevel) continue;
    sum += std::abs(a - b);
    ++n;
  }
  return n >= kMinTexturePixels ? static_cast<float>(sum / n)
                                : std::numeric_limits<float>::quiet_NaN();
}

bool ColumnUsable(const Spectrogram& s, const Envelope& env, size_t c) {
  return (env.flags[c] & kColumnMasked) == 0 && (s.column_valid.empty() || s.column_valid[c] != 0);
}

}  // namespace

void MeasureSideTextures(const Spectrogram& s, const NoiseEstimate& noise, Envelope& env) {
  const size_t n = env.Size();
  constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
  env.texture_forward.assign(n, kNan);
  env.texture_reverse.assign(n, kNan);
  if (!(s.seconds_per_column > 0) || n != static_cast<size_t>(s.Columns())) return;
  const int lag = static_cast<int>(
      std::clamp(std::round(kTextureLagS / s.seconds_per_column), 1.0, static_cast<double>(n)));
  const double baseline = s.BaselineRow();
  const int up_last = static_cast<int>(std::ceil(baseline)) - kBaselineGuardRows - 1;
  const int down_first = static_cast<int>(std::floor(baseline)) + kBaselineGuardRows + 1;
  // Lit: above the smoothed noise's 99.5th percentile, which the noise floor's own specks
  // rarely pass in both columns of a pair.
  const double lit = noise.upper;
  for (size_t c = 0; c + static_cast<size_t>(lag) < n; ++c) {
    const size_t d = c + static_cast<size_t>(lag);
    if (!ColumnUsable(s, env, c) || !ColumnUsable(s, env, d)) continue;
    const int col = static_cast<int>(c);
    if (env.max_forward[c] > 0) {
      const int top = static_cast<int>(std::floor(s.RowOfVelocity(env.max_forward[c])));
      env.texture_forward[c] = ColumnTexture(s, col, lag, top, up_last, lit);
    }
    if (env.max_reverse[c] > 0) {
      const int bottom = static_cast<int>(std::ceil(s.RowOfVelocity(-env.max_reverse[c])));
      env.texture_reverse[c] = ColumnTexture(s, col, lag, down_first, bottom, lit);
    }
  }
}

}  // namespace refluxscan::spectral::detail
