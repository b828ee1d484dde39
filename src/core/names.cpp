// String names of core enumerations (the spellings used in reports and JSON).
#include <string>

#include "refluxscan/core/measurement.h"
#include "refluxscan/core/spectrogram.h"
#include "refluxscan/core/study_report.h"
#include "refluxscan/core/ultrasound.h"

namespace refluxscan {

std::string RegionDataTypeName(int data_type) {
  switch (data_type) {
    case 0:
      return "none";
    case 1:
      return "tissue";
    case 2:
      return "color_flow";
    case 3:
      return "pw_spectral";
    case 4:
      return "cw_spectral";
    case 5:
      return "doppler_mean_trace";
    case 6:
      return "doppler_mode_trace";
    case 7:
      return "doppler_max_trace";
    case 8:
      return "volume_trace";
    case 10:
      return "ecg_trace";
    case 11:
      return "pulse_trace";
    case 12:
      return "phonocardiogram";
    case 13:
      return "gray_bar";
    case 14:
      return "color_bar";
    default:
      return "type_" + std::to_string(data_type);
  }
}

std::string PhysicalUnitsName(int units) {
  switch (units) {
    case 0:
      return "none";
    case 1:
      return "percent";
    case 2:
      return "dB";
    case 3:
      return "cm";
    case 4:
      return "s";
    case 5:
      return "Hz";
    case 6:
      return "dB/s";
    case 7:
      return "cm/s";
    case 8:
      return "cm2";
    case 9:
      return "cm2/s";
    case 10:
      return "cm3";
    case 11:
      return "cm3/s";
    case 12:
      return "degrees";
    default:
      return "units_" + std::to_string(units);
  }
}

std::vector<const UltrasoundRegion*> UltrasoundImage::SpectralRegions() const {
  std::vector<const UltrasoundRegion*> out;
  for (const UltrasoundRegion& r : regions) {
    if (r.IsSpectral()) out.push_back(&r);
  }
  return out;
}

std::string UltrasoundImage::NoSpectralReason() const {
  if (regions.empty()) return "no ultrasound regions";
  if (!SpectralRegions().empty()) return "";
  std::string kinds;
  for (const UltrasoundRegion& r : regions) {
    const std::string name = RegionDataTypeName(r.data_type);
    if (kinds.find(name) != std::string::npos) continue;
    kinds += (kinds.empty() ? "" : ", ") + name;
  }
  return "regions but none spectral: " + kinds;
}

std::string_view VelocityUnitName(VelocityUnit u) {
  return u == VelocityUnit::kCmPerSecond ? "cm/s" : "Hz";
}

std::string_view SpectrogramSourceName(SpectrogramSource s) {
  switch (s) {
    case SpectrogramSource::kDisplay:
      return "display";
    case SpectrogramSource::kIq:
      return "iq";
    case SpectrogramSource::kAudio:
      return "audio";
  }
  return "display";
}

std::string_view AntegradeDirectionName(AntegradeDirection d) {
  return d == AntegradeDirection::kUp ? "up" : "down";
}

std::string_view AntegradeSourceName(AntegradeSource s) {
  switch (s) {
    case AntegradeSource::kAugmentation:
      return "augmentation";
    case AntegradeSource::kRestingFlow:
      return "resting_flow";
    case AntegradeSource::kOverride:
      return "override";
  }
  return "augmentation";
}

std::string_view ManeuverKindName(ManeuverKind k) {
  switch (k) {
    case ManeuverKind::kAugmentation:
      return "augmentation";
    case ManeuverKind::kValsalva:
      return "valsalva";
  }
  return "augmentation";
}

std::string_view IdentitySourceName(IdentitySource s) {
  switch (s) {
    case IdentitySource::kManifest:
      return "manifest";
    case IdentitySource::kDicomTag:
      return "dicom_tag";
    case IdentitySource::kFileName:
      return "file_name";
    case IdentitySource::kBurnedIn:
      return "burned_in";
    case IdentitySource::kNone:
      return "none";
  }
  return "none";
}

std::string_view ClassificationName(Classification c) {
  switch (c) {
    case Classification::kReflux:
      return "reflux";
    case Classification::kNoReflux:
      return "no_reflux";
    case Classification::kIndeterminate:
      return "indeterminate";
  }
  return "indeterminate";
}

std::string_view ClipStatusName(ClipStatus s) {
  switch (s) {
    case ClipStatus::kOk:
      return "ok";
    case ClipStatus::kError:
      return "error";
    case ClipStatus::kSkipped:
      return "skipped";
  }
  return "error";
}

}  // namespace refluxscan
