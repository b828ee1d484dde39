#pragma once
// Reading ultrasound DICOM files into UltrasoundImage values (DCMTK stays inside src/dicom).
#include <cstdint>
#include <string>

#include "refluxscan/core/error.h"
#include "refluxscan/core/ultrasound.h"

namespace refluxscan::dicom {

enum class FrameSelection {
  kNone,  // header and regions only: pixel data is not even loaded
  kLast,  // the frozen strip of a cine: the last frame (default for analysis)
  kAll,   // every frame
};

struct ReadOptions {
  FrameSelection frames = FrameSelection::kLast;
  // Refuse before allocating when Rows x Columns x Frames x Samples exceeds this (bytes, > 0).
  uint64_t max_pixel_bytes = uint64_t{2} << 30;
};

// Reads one file. Errors: kIo (cannot open), kCorrupt (not DICOM, truncated, bad pixel data),
// kUnsupported (transfer syntax or photometric interpretation we cannot decode: the message
// names it), kResourceLimit (memory guard). Region problems are warnings, not errors.
Result<UltrasoundImage> ReadUltrasound(const std::string& path, const ReadOptions& options = {});

// Cheap check (preamble "DICM" or a plausible first group) used by discovery to skip non-DICOM.
bool LooksLikeDicom(const std::string& path);

}  // namespace refluxscan::dicom
