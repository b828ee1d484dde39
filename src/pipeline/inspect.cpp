// `refluxscan inspect`: header, regions and decodability of one DICOM file as JSON.
// Uses only the dicom module's API. Patient name and ID are never printed.
#include "refluxscan/pipeline/inspect.h"

#include <algorithm>
#include <exception>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "refluxscan/core/text.h"
#include "refluxscan/core/ultrasound.h"
#include "refluxscan/dicom/read.h"

namespace refluxscan::pipeline {
namespace {

using nlohmann::json;

json ErrorJson(const Error& e) {
  return {{"code", std::string(ErrorCodeName(e.code))},
          {"message", SanitizeForLog(e.message, 400)}};
}

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json Optional(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

// "0.00964 s/px" style: what one pixel step means along an axis.
std::string AxisSummary(double delta, int units) {
  std::ostringstream os;
  os << delta << ' ' << PhysicalUnitsName(units) << "/px";
  return os.str();
}

json AxisJson(double delta, int units, const std::optional<int>& ref_pixel,
              const std::optional<double>& ref_value) {
  return {{"units", PhysicalUnitsName(units)},
          {"per_pixel", delta},
          {"reference_pixel", Optional(ref_pixel)},
          {"reference_value", Optional(ref_value)},
          {"readable", AxisSummary(delta, units)}};
}

json RegionJson(const UltrasoundRegion& r, size_t index) {
  json j = {
      {"index", index},
      {"spatial_format", r.spatial_format},
      {"data_type", r.data_type},
      {"data_type_name", RegionDataTypeName(r.data_type)},
      {"flags", r.flags},
      {"bounds",
       {{"min_x0", r.min_x0}, {"min_y0", r.min_y0}, {"max_x1", r.max_x1}, {"max_y1", r.max_y1}}},
      {"calibration",
       {{"x", AxisJson(r.delta_x, r.units_x, r.reference_pixel_x0, r.reference_physical_x)},
        {"y", AxisJson(r.delta_y, r.units_y, r.reference_pixel_y0, r.reference_physical_y)}}},
      {"doppler_correction_angle_deg", Optional(r.doppler_correction_angle_deg)},
      {"transducer_frequency_hz", Optional(r.transducer_frequency_hz)},
      {"pulse_repetition_frequency_hz", Optional(r.pulse_repetition_frequency_hz)},
      {"warnings", json::array()}};
  for (const std::string& w : r.warnings) j["warnings"].push_back(SanitizeForLog(w));
  return j;
}

json TagsJson(const DicomTags& t) {
  return {{"laterality", SanitizeForLog(t.laterality)},
          {"image_laterality", SanitizeForLog(t.image_laterality)},
          {"image_comments", SanitizeForLog(t.image_comments)},
          {"series_description", SanitizeForLog(t.series_description)},
          {"protocol_name", SanitizeForLog(t.protocol_name)},
          {"acquisition_device_processing_description",
           SanitizeForLog(t.acquisition_device_processing_description)}};
}

json HeaderJson(const UltrasoundImage& img) {
  const DicomTags& t = img.tags;
  json j = {{"path", img.path},
            {"ok", true},
            {"sop_class", {{"uid", SanitizeForLog(t.sop_class_uid)}, {"name", t.sop_class_name}}},
            {"transfer_syntax",
             {{"uid", SanitizeForLog(t.transfer_syntax_uid)}, {"name", t.transfer_syntax_name}}},
            {"is_ultrasound_sop", img.is_ultrasound_sop},
            {"is_secondary_capture", img.is_secondary_capture},
            {"rows", img.rows},
            {"columns", img.columns},
            {"frames", img.number_of_frames},
            {"photometric_interpretation", SanitizeForLog(img.photometric_interpretation)},
            {"samples_per_pixel", img.samples_per_pixel},
            {"manufacturer", SanitizeForLog(t.manufacturer)},
            {"model", SanitizeForLog(t.model)},
            {"tags", TagsJson(t)},
            {"warnings", json::array()},
            {"regions", json::array()}};
  for (const std::string& w : img.warnings) j["warnings"].push_back(SanitizeForLog(w));
  for (size_t i = 0; i < img.regions.size(); ++i)
    j["regions"].push_back(RegionJson(img.regions[i], i));
  return j;
}

// Either the spectral region indices or a precise reason why there are none (the same wording
// `analyze` uses: UltrasoundImage::NoSpectralReason).
void AddSpectralVerdict(const UltrasoundImage& img, json& j) {
  std::vector<size_t> spectral;
  for (size_t i = 0; i < img.regions.size(); ++i) {
    if (img.regions[i].IsSpectral()) spectral.push_back(i);
  }
  if (spectral.empty()) {
    j["reason"] = img.NoSpectralReason();
  } else {
    j["spectral_regions"] = spectral;
  }
}

// Decodes the last frame only; a corrupt pixel stream makes the whole entry not ok.
void AddDecode(const std::string& path, json& j) {
  dicom::ReadOptions options;
  options.frames = dicom::FrameSelection::kLast;
  const Result<UltrasoundImage> full = dicom::ReadUltrasound(path, options);
  if (full && !full->frames.empty()) {
    const cv::Mat& f = full->frames.back();
    j["decode"] = {{"ok", true},
                   {"frame", full->decoded_frame_indices.back()},
                   {"width", f.cols},
                   {"height", f.rows},
                   {"channels", f.channels()}};
    return;
  }
  const Error e = full ? Error{ErrorCode::kInternal, "no frame decoded"} : full.error();
  j["decode"] = {{"ok", false}, {"error", ErrorJson(e)}};
  if (e.code == ErrorCode::kCorrupt) {
    j["ok"] = false;
    j["error"] = ErrorJson(e);
  }
}

// The path is the caller's own (the command line), printed as given so it still names the file
// (UTF-8 names included); JSON escapes control characters and invalid UTF-8 becomes U+FFFD.
std::string Dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }

InspectResult InspectOrThrow(const std::string& path) {
  dicom::ReadOptions header_only;
  header_only.frames = dicom::FrameSelection::kNone;
  const Result<UltrasoundImage> header = dicom::ReadUltrasound(path, header_only);
  if (!header) {
    const json j = {{"path", path}, {"ok", false}, {"error", ErrorJson(header.error())}};
    return {Dump(j), false};
  }
  json j = HeaderJson(*header);
  AddSpectralVerdict(*header, j);
  AddDecode(path, j);
  return {Dump(j), j["ok"].get<bool>()};
}

}  // namespace

InspectResult Inspect(const std::string& path) {
  try {
    return InspectOrThrow(path);
  } catch (const std::exception& e) {
    const json j = {{"path", path},
                    {"ok", false},
                    {"error", {{"code", "internal"}, {"message", SanitizeForLog(e.what())}}}};
    return {Dump(j), false};
  }
}

}  // namespace refluxscan::pipeline
