#pragma once
// JPEG 2000 (ISO 15444-1) frames through OpenJPEG, private to the dicom module. The only code
// that includes OpenJPEG; it knows nothing of DICOM: decode.cpp hands it one frame's
// codestream, write.cpp takes the codestream it returns.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/error.h"

namespace refluxscan::dicom::internal {

// What the DICOM header says the frame is; the codestream must agree before anything is
// decoded (a codestream claiming another size could otherwise make us allocate its claim).
struct J2kFrameShape {
  int rows = 0;
  int columns = 0;
  int samples_per_pixel = 1;
  // (0028,0004). Three components are RGB once the codestream's own multi-component transform
  // (YBR_RCT / YBR_ICT) is undone by the decoder, and also when the codestream has none (the
  // components are then RGB whatever the label says); YBR_FULL without that transform is
  // converted from YCbCr here. MONOCHROME1 is inverted.
  std::string photometric_interpretation;
};

// Decodes a raw codestream (SOC marker FF4F) or a JP2 file (signature box) into 8-bit gray
// (CV_8UC1) or BGR (CV_8UC3). Components of more than 8 bits are shifted down to their top 8
// bits, fewer are scaled up; signed components are offset to unsigned. Errors: kCorrupt for a
// codestream OpenJPEG cannot decode or whose size disagrees with `shape`; kUnsupported for
// subsampled components or component counts other than 1 and 3.
Result<cv::Mat> DecodeJ2k(std::span<const uint8_t> codestream, const J2kFrameShape& shape);

struct J2kEncoded {
  std::vector<uint8_t> codestream;         // raw J2K codestream (no JP2 boxes), as DICOM wants
  std::string photometric_interpretation;  // MONOCHROME2, YBR_RCT (lossless) or YBR_ICT (lossy)
};

// Encodes an 8-bit gray or BGR image: reversible 5/3 wavelet and RCT when `lossless`, else the
// irreversible 9/7 wavelet and ICT at `compression_ratio` (> 1) in one quality layer.
Result<J2kEncoded> EncodeJ2k(const cv::Mat& image, bool lossless, double compression_ratio);

}  // namespace refluxscan::dicom::internal
