#pragma once
// Frame decoding for ReadUltrasound (private to the dicom module).
#include "refluxscan/core/error.h"
#include "refluxscan/core/ultrasound.h"
#include "refluxscan/dicom/read.h"

namespace refluxscan::dicom::internal {

// Bytes the requested frames need once decoded (Rows x Columns x frames x samples x bytes).
uint64_t DecodedPixelBytes(const UltrasoundImage& header, FrameSelection frames);

// Decodes the frames `options` asks for into image.frames (8-bit gray or BGR), after the memory
// guard. `image` holds the header already read from image.path.
Result<void> DecodeFrames(UltrasoundImage& image, const ReadOptions& options);

}  // namespace refluxscan::dicom::internal
