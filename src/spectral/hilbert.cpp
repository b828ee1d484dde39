// Hilbert transform (FFT) and stereo directional audio -> complex I/Q.
#include <algorithm>
#include <cmath>

#include "refluxscan/spectral/signal.h"
#include "spectral/fft_plan.h"
#include "spectral/guard.h"

namespace refluxscan::spectral {
namespace {

using detail::FftBuffer;
using detail::FftDirection;
using detail::FftPlan;

// Analytic signal of the real sequence in `buffer` (first n elements), in place: forward FFT,
// keep DC (and Nyquist for even n) once, double positive frequencies, zero negative ones,
// inverse FFT / n. Exact for any n (FFTW handles all sizes), so no padding alters the ends.
void AnalyticInPlace(FftBuffer& buffer, size_t n) {
  FftBuffer spectrum(n);
  FftPlan::Get(n, FftDirection::kForward).Execute(buffer, spectrum);
  const size_t half = n / 2;
  for (size_t k = 1; k < n; ++k) {
    const bool positive = k < half || (k == half && n % 2 == 1);
    const bool nyquist = k == half && n % 2 == 0;
    spectrum[k] *= positive ? 2.0 : (nyquist ? 1.0 : 0.0);
  }
  FftPlan::Get(n, FftDirection::kInverse).Execute(spectrum, buffer);
  const double scale = 1.0 / static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) buffer[i] *= scale;
}

template <class T>
FftBuffer LoadReal(std::span<const T> x) {
  FftBuffer buffer(x.size());
  for (size_t i = 0; i < x.size(); ++i) buffer[i] = {static_cast<double>(x[i]), 0.0};
  return buffer;
}

}  // namespace

std::vector<std::complex<double>> AnalyticSignal(std::span<const double> x) {
  if (x.empty()) return {};
  try {
    FftBuffer buffer = LoadReal(x);
    AnalyticInPlace(buffer, x.size());
    return {buffer.data(), buffer.data() + x.size()};
  } catch (const std::exception&) {  // allocation failure: contract says no exception escapes
    return {};
  }
}

// Convention (documented in docs/algorithms.md): the complex baseband signal is
// iq(t) = p(t) + q(t), p holding the positive Doppler shifts (flow toward the probe) and q the
// negative ones. Scanners export forward = Re p on one channel and reverse = Re q on the other.
// Since analytic(Re p) = p and analytic(Re q) = conj(q) (conj(q) has only positive
// frequencies), iq = analytic(forward) + conj(analytic(reverse)).
Result<IqSignal> IqFromStereoAudio(std::span<const float> forward, std::span<const float> reverse,
                                   double sample_rate_hz) {
  if (forward.size() != reverse.size()) {
    return Fail(ErrorCode::kInvalidInput, "forward and reverse channels differ in length");
  }
  if (forward.size() < 4) return Fail(ErrorCode::kInvalidInput, "audio shorter than 4 samples");
  if (!(sample_rate_hz > 0) || !std::isfinite(sample_rate_hz)) {
    return Fail(ErrorCode::kInvalidInput, "audio sample rate must be positive");
  }
  return detail::Guarded("stereo audio", [&]() -> Result<IqSignal> {
    const size_t n = forward.size();
    FftBuffer f = LoadReal(forward), r = LoadReal(reverse);
    AnalyticInPlace(f, n);
    AnalyticInPlace(r, n);
    IqSignal iq;
    iq.prf_hz = sample_rate_hz;
    iq.samples.resize(n);
    for (size_t i = 0; i < n; ++i) {
      iq.samples[i] = std::complex<float>(f[i] + std::conj(r[i]));
    }
    return iq;
  });
}

}  // namespace refluxscan::spectral
