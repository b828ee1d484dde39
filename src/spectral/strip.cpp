#include "refluxscan/spectral/strip.h"

namespace refluxscan::spectral {

// Interim: the display path lands in the next commit.
Result<Spectrogram> SpectrogramFromDisplay(const UltrasoundImage&, const UltrasoundRegion&,
                                           const StripOptions&) {
  return Fail(ErrorCode::kUnsupported, "display path not implemented yet");
}

cv::Mat1f DisplayIntensity(const cv::Mat&) { return {}; }

}  // namespace refluxscan::spectral
