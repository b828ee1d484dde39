#pragma once
// Writing ultrasound DICOM images (used by the synthetic study generator).
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/error.h"
#include "refluxscan/core/ultrasound.h"

namespace refluxscan::dicom {

enum class TransferSyntax {
  kExplicitLittle,  // uncompressed
  kImplicitLittle,
  kDeflated,
  kRle,           // RLE lossless
  kJpegBaseline,  // lossy, YBR_FULL_422, quality from `jpeg_quality`
  kJpegLsLossless,
  kJpeg2000Lossless,  // "j2k": reversible 5/3 wavelet, YBR_RCT colour
  kJpeg2000,          // "j2k-lossy": irreversible 9/7 wavelet, YBR_ICT, `j2k_compression_ratio`
};
std::string_view TransferSyntaxName(
    TransferSyntax ts);  // "explicit", "rle", "jpeg", "jpegls", "j2k", ...
Result<TransferSyntax> TransferSyntaxFromName(std::string_view name);

struct UltrasoundWriteSpec {
  DicomTags tags;               // UIDs, patient/study/series, labels, laterality
  std::vector<cv::Mat> frames;  // 8-bit BGR (CV_8UC3) or gray, all the same size
  std::vector<UltrasoundRegion> regions;
  TransferSyntax transfer_syntax = TransferSyntax::kExplicitLittle;
  int jpeg_quality = 90;              // 1..100, kJpegBaseline only
  double j2k_compression_ratio = 12;  // > 1, kJpeg2000 only (raw bytes / compressed bytes)
  // JPEG 2000 encapsulation, as vendors vary it: frames split into fragments of at most this
  // many KiB (0: one fragment per frame), and the Basic Offset Table filled or left empty.
  unsigned j2k_fragment_kib = 0;
  bool j2k_offset_table = true;
  double frame_time_ms = 33.3;  // multi-frame only
};

// Writes US Image Storage (one frame) or US Multi-frame Image Storage (several frames).
Result<void> WriteUltrasound(const UltrasoundWriteSpec& spec, const std::string& path);

// A new globally unique UID under the DCMTK root (deterministic variants are the caller's job).
std::string NewUid();

}  // namespace refluxscan::dicom
