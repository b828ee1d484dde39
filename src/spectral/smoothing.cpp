// Zero-phase Gaussian low-pass through the FFT wrapper (docs/algorithms.md, "Smoothing").
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "refluxscan/spectral/envelope.h"
#include "spectral/fft_plan.h"

namespace refluxscan::spectral {
namespace {

// Linear interpolation across NaN runs; leading/trailing NaNs take the nearest finite value.
// Returns false when nothing is finite.
bool BridgeNans(std::vector<double>& x) {
  long last = -1;
  const long n = static_cast<long>(x.size());
  for (long i = 0; i < n; ++i) {
    if (!std::isfinite(x[static_cast<size_t>(i)])) continue;
    const double xi = x[static_cast<size_t>(i)];
    const double xl = last >= 0 ? x[static_cast<size_t>(last)] : xi;
    for (long j = last + 1; j < i; ++j) {
      const double u =
          last >= 0 ? static_cast<double>(j - last) / static_cast<double>(i - last) : 1;
      x[static_cast<size_t>(j)] = xl + u * (xi - xl);
    }
    last = i;
  }
  if (last < 0) return false;
  for (long j = last + 1; j < n; ++j) x[static_cast<size_t>(j)] = x[static_cast<size_t>(last)];
  return true;
}

// Sampled Gaussian kernel of standard deviation sigma (samples), truncated at +/- half and
// normalized to unit sum, placed circularly (index m mod size) for an FFT of `size`.
detail::FftBuffer GaussianKernel(double sigma, size_t half, size_t size) {
  detail::FftBuffer h(size);
  double sum = 0;
  for (size_t m = 0; m <= half; ++m)
    sum += (m == 0 ? 1.0 : 2.0) * std::exp(-0.5 * m * m / (sigma * sigma));
  for (size_t m = 0; m <= half; ++m) {
    const double w = std::exp(-0.5 * m * m / (sigma * sigma)) / sum;
    h[m] = w;
    if (m > 0) h[size - m] = w;
  }
  return h;
}

// Mirror padding (reflection about both end samples) of x to `size` samples, x starting at pad.
void LoadMirrored(const std::vector<double>& x, size_t pad, detail::FftBuffer& buf) {
  const long n = static_cast<long>(x.size());
  for (size_t i = 0; i < buf.size(); ++i) {
    long j = static_cast<long>(i) - static_cast<long>(pad);
    if (j < 0) j = -j;
    if (j >= n) j = 2 * n - 2 - j;
    buf[i] = x[static_cast<size_t>(std::clamp(j, 0L, n - 1))];
  }
}

}  // namespace

// A Gaussian low-pass applied by FFT convolution: zero phase (symmetric kernel), and, as the
// sampled kernel is positive, a monotone step response: no ringing, and an onset keeps its 50%
// crossing. sigma_t = sqrt(ln 2) / (2 pi fc) puts the -3 dB point of the continuous Gaussian at
// fc. The ends are mirror-padded by the kernel half-width so the circular convolution never wraps
// one end into the other.
std::vector<float> SmoothZeroPhase(std::span<const float> x, double cutoff_hz, double rate_hz) {
  std::vector<float> out(x.begin(), x.end());
  if (x.size() < 3 || !(cutoff_hz > 0) || !(rate_hz > 0)) return out;
  try {
    std::vector<double> v(x.begin(), x.end());
    if (!BridgeNans(v)) return out;
    const size_t n = v.size();
    const double sigma = rate_hz * std::sqrt(std::log(2.0)) / (2 * std::numbers::pi * cutoff_hz);
    // A fuzzed time step (5e-324 s: an infinite rate and cut-off) makes sigma NaN or huge: no
    // float-to-integer conversion of it (undefined; stop-30 review,
    // -fsanitize=float-cast-overflow).
    if (!std::isfinite(sigma)) return out;
    const double half_samples = std::ceil(4 * sigma) + 1;
    const size_t half =
        half_samples >= static_cast<double>(n) ? n : static_cast<size_t>(half_samples);
    const size_t size = detail::FastFftSize(n + 2 * half + 1);
    detail::FftBuffer buf(size), spec(size), kernel_spec(size);
    LoadMirrored(v, half, buf);
    const auto forward = detail::FftPlan::Get(size, detail::FftDirection::kForward);
    forward.Execute(GaussianKernel(sigma, half, size), kernel_spec);
    forward.Execute(buf, spec);
    for (size_t k = 0; k < size; ++k) spec[k] *= kernel_spec[k] / static_cast<double>(size);
    detail::FftPlan::Get(size, detail::FftDirection::kInverse).Execute(spec, buf);
    for (size_t i = 0; i < n; ++i) {
      out[i] = std::isfinite(x[i]) ? static_cast<float>(buf[half + i].real()) : x[i];
    }
  } catch (const std::exception&) {  // allocation failure: return the input unsmoothed
    return {x.begin(), x.end()};
  }
  return out;
}

}  // namespace refluxscan::spectral
