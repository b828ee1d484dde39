#pragma once
// Velocity envelopes from a Spectrogram (shared by the display and signal paths).
#include <span>
#include <vector>

#include "refluxscan/core/error.h"
#include "refluxscan/core/spectrogram.h"

namespace refluxscan::spectral {

enum class EnvelopeMethod {
  kThresholdHysteresis,  // outermost run above noise + k sigma, with hysteresis
  kModifiedGeometric,    // MGM: knee of the integrated spectrum
};

struct EnvelopeOptions {
  EnvelopeMethod method = EnvelopeMethod::kThresholdHysteresis;
  double threshold_sigma = 0;  // 0 = method default; detection level above the noise floor
  double smoothing_cutoff_hz =
      0;  // zero-phase low-pass; 0 = auto from the time resolution, < 0 off
  bool unwrap_aliasing = true;
};

// Errors: kInvalidInput for an empty spectrogram.
Result<Envelope> EstimateEnvelope(const Spectrogram& spectrogram,
                                  const EnvelopeOptions& options = {});

// Zero-phase low-pass in the frequency domain (FFTW), cut-off in Hz for samples at `rate_hz`.
// NaN samples are bridged by linear interpolation first and restored after.
std::vector<float> SmoothZeroPhase(std::span<const float> x, double cutoff_hz, double rate_hz);

}  // namespace refluxscan::spectral
