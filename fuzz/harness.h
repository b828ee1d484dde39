#pragma once
// Fuzz harness bodies shared by the libFuzzer targets (fuzz/*_fuzz.cpp) and the regression test
// that replays tests/robustness/corpus/ (tests/robustness/corpus_test.cpp). Each takes arbitrary
// bytes and must return without crashing, hanging or allocating without bound; errors are fine.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "refluxscan/dicom/read.h"
#include "refluxscan/reflux/criteria.h"
#include "refluxscan/reflux/measure.h"
#include "refluxscan/spectral/envelope.h"
#include "refluxscan/spectral/strip.h"
#include "refluxscan/study/aggregate.h"
#include "refluxscan/study/identify.h"

namespace refluxscan::fuzz {

// A per-process scratch file (the dicom and study APIs take paths).
inline std::string ScratchPath(std::string_view name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("refluxscan-fuzz-" + std::to_string(::getpid()));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return (dir / name).string();
}

inline void WriteFile(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

// Strip -> spectrogram -> envelope -> reflux -> classification on one region of `image`.
inline void RunStages(const UltrasoundImage& image, const UltrasoundRegion& region) {
  Result<Spectrogram> spectrogram = spectral::SpectrogramFromDisplay(image, region);
  if (!spectrogram) return;
  Result<Envelope> envelope = spectral::EstimateEnvelope(*spectrogram);
  if (!envelope) return;
  Result<RefluxMeasurement> measurement = reflux::MeasureReflux(*envelope);
  if (!measurement) return;
  (void)reflux::Classify(*measurement, Segment::kGsvSfj, reflux::DefaultCriteria());
  (void)reflux::Classify(*measurement, std::nullopt, reflux::DefaultCriteria());
}

// (a) DICOM bytes: read (last frame, 64 MiB budget), then every spectral region's stages.
inline void RunDicomInput(const uint8_t* data, size_t size) {
  const std::string path = ScratchPath("input.dcm");
  WriteFile(path, data, size);
  (void)dicom::LooksLikeDicom(path);
  dicom::ReadOptions options;
  options.frames = dicom::FrameSelection::kLast;
  options.max_pixel_bytes = uint64_t{64} << 20;
  Result<UltrasoundImage> image = dicom::ReadUltrasound(path, options);
  if (!image) return;
  (void)image->NoSpectralReason();
  (void)study::IdentifySegment(path, image->tags, nullptr);
  for (const UltrasoundRegion* region : image->SpectralRegions()) RunStages(*image, *region);
}

// (b) Configuration text: the first byte picks the parser, the rest is the text.
inline void RunConfigInput(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      const std::string path = ScratchPath("manifest.csv");
      WriteFile(path, data + 1, size - 1);
      Result<study::Manifest> manifest = study::LoadManifest(path);
      if (manifest) {
        (void)study::IdentifySegment(ScratchPath("IMG_0001.dcm"), DicomTags{}, &*manifest);
      }
      break;
    }
    case 1: {
      Result<reflux::Criteria> criteria = reflux::ParseCriteriaJson(text);
      if (criteria) {
        RefluxMeasurement m;
        Maneuver maneuver;
        maneuver.has_reflux = true;
        maneuver.reflux_duration_ms = 700;
        m.maneuvers.push_back(maneuver);
        m.decisive = 0;
        for (const SegmentInfo& s : AllSegments()) (void)reflux::Classify(m, s.segment, *criteria);
      }
      break;
    }
    case 2: {
      const std::string path = ScratchPath("protocol.json");
      WriteFile(path, data + 1, size - 1);
      Result<study::Protocol> protocol = study::LoadProtocol(path);
      if (protocol) {
        StudyReport report;
        study::Aggregate(report, *protocol);
      }
      break;
    }
    default: {
      (void)study::ParseLabel(text);
      DicomTags tags;
      tags.image_comments = std::string(text);
      tags.series_description = std::string(text);
      (void)study::IdentifySegment(std::string(text), tags, nullptr);
      break;
    }
  }
}

// Reads bytes off the front of the fuzz input (zeros once exhausted).
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(Byte() | (Byte() << 8)); }
  // A calibration value: mostly plausible, sometimes zero, negative, NaN, infinite or huge.
  double Calibration() {
    switch (Byte() % 10) {
      case 0:
        return 0.0;
      case 1:
        return std::numeric_limits<double>::quiet_NaN();
      case 2:
        return std::numeric_limits<double>::infinity();
      case 3:
        return -std::numeric_limits<double>::infinity();
      case 4:
        return 1e300;
      case 5:
        return -1e-300;
      case 6:
        return std::numeric_limits<double>::denorm_min();
      default: {
        double v = 0;
        for (int i = 0; i < 4; ++i) v = v * 256 + Byte();
        return (Byte() & 1 ? -1 : 1) * v / 1e6;
      }
    }
  }
  const uint8_t* Rest(size_t* size) {
    *size = pos_ < size_ ? size_ - pos_ : 0;
    return data_ + (pos_ < size_ ? pos_ : size_);
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// (c) A fuzz-sized strip (<= 256 x 256, gray or BGR, pixels from the input) with a fuzz-chosen
// spectral region and calibration, straight into the stages (no DICOM).
inline void RunStripInput(const uint8_t* data, size_t size) {
  ByteReader in(data, size);
  const int rows = 1 + in.Byte();
  const int cols = 1 + in.Byte();
  const bool color = in.Byte() & 1;
  UltrasoundImage image;
  image.rows = rows;
  image.columns = cols;
  image.samples_per_pixel = color ? 3 : 1;
  UltrasoundRegion region;
  region.spatial_format = 3;
  region.data_type = 3 + (in.Byte() & 1);
  region.min_x0 = in.Byte() % cols;
  region.min_y0 = in.Byte() % rows;
  region.max_x1 = region.min_x0 + in.Byte() % (cols - region.min_x0);
  region.max_y1 = region.min_y0 + in.Byte() % (rows - region.min_y0);
  const uint8_t present = in.Byte();
  if (present & 1) region.reference_pixel_x0 = static_cast<int16_t>(in.U16());
  if (present & 2) region.reference_pixel_y0 = static_cast<int16_t>(in.U16());
  if (present & 4) region.reference_physical_x = in.Calibration();
  if (present & 8) region.reference_physical_y = in.Calibration();
  if (present & 16) region.doppler_correction_angle_deg = in.Calibration();
  if (present & 32) region.transducer_frequency_hz = in.Calibration();
  if (present & 64) region.pulse_repetition_frequency_hz = in.Calibration();
  const uint8_t units = in.Byte();
  region.units_x = (units & 1) ? 4 : units % 16;
  region.units_y = (units & 2) ? 7 : (units & 4) ? 5 : (units >> 3) % 16;
  region.delta_x = in.Calibration();
  region.delta_y = in.Calibration();
  size_t pixel_bytes = 0;
  const uint8_t* pixels = in.Rest(&pixel_bytes);
  cv::Mat frame(rows, cols, color ? CV_8UC3 : CV_8UC1, cv::Scalar::all(0));
  const size_t need = frame.total() * frame.elemSize();
  // Tile the remaining bytes over the frame (a short input still fills it deterministically).
  for (size_t i = 0; pixel_bytes > 0 && i < need; ++i) frame.data[i] = pixels[i % pixel_bytes];
  image.frames.push_back(frame);
  image.decoded_frame_indices.push_back(0);
  image.regions.push_back(region);
  RunStages(image, region);
}

}  // namespace refluxscan::fuzz
