#pragma once
// What a DICOM ultrasound file holds, as plain values (no DCMTK types).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace refluxscan {

// PS3.3 C.8.5.5.1.1 RegionSpatialFormat.
enum class RegionSpatialFormat : int {
  kNone = 0,
  kTissue2D = 1,
  kMMode = 2,
  kSpectral = 3,
  kWaveform = 4,
  kGraphics = 5
};
// PS3.3 C.8.5.5.1.2 RegionDataType (subset named; other values kept as their number).
enum class RegionDataType : int {
  kNone = 0,
  kTissue = 1,
  kColorFlow = 2,
  kPwSpectral = 3,
  kCwSpectral = 4,
  kDopplerMeanTrace = 5,
  kDopplerModeTrace = 6,
  kDopplerMaxTrace = 7,
  kVolumeTrace = 8,
  kEcgTrace = 10,
  kPulseTrace = 11,
  kPhonocardiogram = 12,
  kGrayBar = 13,
  kColorBar = 14,
};
// PS3.3 C.8.5.5.1.15 PhysicalUnitsX/YDirection.
enum class PhysicalUnits : int {
  kNone = 0,
  kPercent = 1,
  kDecibel = 2,
  kCm = 3,
  kSeconds = 4,
  kHertz = 5,
  kDecibelPerSecond = 6,
  kCmPerSecond = 7,
  kSquareCm = 8,
  kSquareCmPerSecond = 9,
  kCubicCm = 0xA,
  kCubicCmPerSecond = 0xB,
  kDegrees = 0xC,
};
std::string RegionDataTypeName(int data_type);  // "pw_spectral", "tissue", "ecg_trace", "type_42"
std::string PhysicalUnitsName(int units);       // "s", "cm/s", "Hz", "cm", "none", "units_17"

// One item of the Sequence of Ultrasound Regions (0018,6011), validated against the image.
struct UltrasoundRegion {
  int spatial_format = 0;  // RegionSpatialFormat value as stored
  int data_type = 0;       // RegionDataType value as stored
  uint32_t flags = 0;      // RegionFlags (0018,6016)
  // Bounds in image pixels, inclusive, already clamped to the image (see warnings).
  int min_x0 = 0, min_y0 = 0, max_x1 = 0, max_y1 = 0;
  // Reference pixel relative to the region's top-left corner; may be negative or absent.
  std::optional<int> reference_pixel_x0, reference_pixel_y0;
  std::optional<double> reference_physical_x, reference_physical_y;
  int units_x = 0, units_y = 0;     // PhysicalUnits values as stored
  double delta_x = 0, delta_y = 0;  // physical units per pixel; delta_y < 0: value grows upward
  std::optional<double> doppler_correction_angle_deg;   // (0018,6034)
  std::optional<double> transducer_frequency_hz;        // (0018,6030) is kHz in DICOM; stored as Hz
  std::optional<double> pulse_repetition_frequency_hz;  // (0018,6032)
  std::vector<std::string> warnings;                    // clamping, zero deltas, unexpected units

  bool IsSpectral() const { return data_type == 3 || data_type == 4; }
  int Width() const { return max_x1 - min_x0 + 1; }
  int Height() const { return max_y1 - min_y0 + 1; }
  cv::Rect Rect() const { return {min_x0, min_y0, Width(), Height()}; }
};

// Header attributes the product uses. All strings are raw DICOM text: untrusted; sanitize before
// they reach a file name, CSV, HTML or a log (see core/text.h). Patient fields never go to logs.
struct DicomTags {
  std::string sop_class_uid, sop_class_name;  // name: "US Image Storage", "Secondary Capture", ...
  std::string sop_instance_uid, study_instance_uid, series_instance_uid;
  std::string transfer_syntax_uid, transfer_syntax_name;
  std::string modality, manufacturer, model;
  std::string patient_id, patient_name, study_date, study_description, accession_number;
  // Label-bearing tags, in the priority order used by segment identification.
  std::string laterality, image_laterality, image_comments, series_description, protocol_name,
      acquisition_device_processing_description;
};

// A read ultrasound file: header, regions, and the decoded frames that were requested.
struct UltrasoundImage {
  std::string path;
  DicomTags tags;
  int rows = 0, columns = 0, number_of_frames = 1, samples_per_pixel = 1, bits_allocated = 8;
  std::string photometric_interpretation;
  bool is_ultrasound_sop = false;  // US Image / US Multi-frame / retired US classes
  bool is_secondary_capture = false;
  std::vector<UltrasoundRegion> regions;
  // Decoded frames: 8-bit, CV_8UC1 (gray) or CV_8UC3 (BGR). Which ones depends on ReadOptions;
  // decoded_frame_indices[i] is the 0-based frame number of frames[i].
  std::vector<cv::Mat> frames;
  std::vector<int> decoded_frame_indices;
  std::vector<std::string> warnings;

  std::vector<const UltrasoundRegion*> SpectralRegions() const;
  // Why SpectralRegions() is empty: "no ultrasound regions" or
  // "regions but none spectral: tissue, ecg_trace". Empty when a spectral region exists.
  std::string NoSpectralReason() const;
};

}  // namespace refluxscan
