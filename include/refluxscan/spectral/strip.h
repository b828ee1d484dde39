#pragma once
// The display path: the spectral strip rendered in a DICOM image to a calibrated Spectrogram.
#include "refluxscan/core/error.h"
#include "refluxscan/core/spectrogram.h"
#include "refluxscan/core/ultrasound.h"

namespace refluxscan::spectral {

struct StripOptions {
  int frame_index = -1;  // which decoded frame; -1 = the last decoded (frozen strip)
  double assumed_dynamic_range_db = 40;  // display log map span when the file does not say
  bool mask_overlays = true;             // detect and mask baseline line, ticks, text, traces
  // Read a sweeping display's previous sweep (beyond its erase bar or sweep cursor) instead of
  // its current one: earlier data of the same recording, read when the current sweep shows no
  // maneuver (pipeline). The current sweep and the bar or cursor are masked.
  bool read_previous_sweep = false;
};

// Crops `region` out of the image, recovers display intensity (through tinted maps), builds the
// axes from the region calibration, masks non-spectrum pixels and blank/erased columns.
// Errors: kNotFound (no usable calibration: delta zero/absent, no reference row),
// kInvalidInput (region not spectral or empty), kUnsupported (units neither cm/s nor Hz).
Result<Spectrogram> SpectrogramFromDisplay(const UltrasoundImage& image,
                                           const UltrasoundRegion& region,
                                           const StripOptions& options = {});

// Display intensity of a BGR or gray strip in [0,1]: for a tinted map, the position along the
// map's colour ramp (estimated from the strip's own colours), not one channel.
cv::Mat1f DisplayIntensity(const cv::Mat& strip);

}  // namespace refluxscan::spectral
