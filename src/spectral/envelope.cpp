#include "refluxscan/spectral/envelope.h"

namespace refluxscan::spectral {

// Interim: the envelope lands in a later commit.
Result<Envelope> EstimateEnvelope(const Spectrogram&, const EnvelopeOptions&) {
  return Fail(ErrorCode::kUnsupported, "envelope not implemented yet");
}

std::vector<float> SmoothZeroPhase(std::span<const float> x, double, double) {
  return {x.begin(), x.end()};
}

}  // namespace refluxscan::spectral
