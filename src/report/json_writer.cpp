// report.json (schema refluxscan.report/1, docs/report.schema.json, docs/report.md).
// Key order follows the schema so the file reads top-down; unknown values are null, never NaN.
#include <nlohmann/json.hpp>

#include "refluxscan/report/report.h"
#include "report/internal.h"

namespace refluxscan::report {
namespace {

using Json = nlohmann::ordered_json;
using detail::Rounded;

// Rounding steps: ms to 0.1, velocities to 0.01 cm/s, times on the strip to 0.1 ms.
constexpr double kMsStep = 0.1;
constexpr double kVelocityStep = 0.01;
constexpr double kSecondsStep = 0.0001;
constexpr double kCmStep = 0.001;
constexpr double kCalibrationStep = 1e-9;

Json Number(const std::optional<double>& value, double step) {
  const std::optional<double> v = Rounded(value, step);
  return v ? Json(*v) : Json(nullptr);
}

// Empty text is "unknown" in the report: null.
Json TextOrNull(std::string_view text) { return text.empty() ? Json(nullptr) : Json(text); }

Json StringArray(const std::vector<std::string>& items) {
  Json out = Json::array();
  for (const std::string& s : items) out.push_back(s);
  return out;
}

Json BoolOrNull(const std::optional<bool>& value) { return value ? Json(*value) : Json(nullptr); }

Json CalibrationJson(const CalibrationSummary& c) {
  Json j;
  j["region"] = {c.region.x, c.region.y, c.region.width, c.region.height};
  j["region_data_type"] = c.region_data_type;
  j["seconds_per_column"] = Number(c.seconds_per_column, kCalibrationStep);
  j["velocity_step_per_row"] = Number(c.velocity_step_per_row, kCalibrationStep);
  j["unit"] = VelocityUnitName(c.unit);
  j["baseline_row"] = Number(c.baseline_row, 0.01);
  j["velocity_top"] = Number(c.velocity_top, kVelocityStep);
  j["velocity_bottom"] = Number(c.velocity_bottom, kVelocityStep);
  j["doppler_angle_deg"] = Number(c.doppler_angle_deg, 0.1);
  j["prf_hz"] = Number(c.prf_hz, 0.1);
  j["transducer_frequency_hz"] = Number(c.transducer_frequency_hz, 1.0);
  j["frame_index"] = c.frame_index;
  j["frames_total"] = c.frames_total;
  j["source"] = SpectrogramSourceName(c.source);
  j["warnings"] = StringArray(c.warnings);
  j["notes"] = StringArray(c.notes);
  return j;
}

// Values of a maneuver without reflux (onset, duration, peaks) are null, not 0.
Json ManeuverJson(const Maneuver& m) {
  auto if_reflux = [&](double v) { return m.has_reflux ? std::optional<double>(v) : std::nullopt; };
  Json j;
  j["kind"] = ManeuverKindName(m.kind);
  j["augmentation_start_s"] = Number(m.augmentation_start_s, kSecondsStep);
  j["release_s"] = Number(m.release_s, kSecondsStep);
  j["reflux_onset_s"] = Number(m.has_reflux ? m.reflux_onset_s : std::nullopt, kSecondsStep);
  j["reflux_offset_s"] = Number(m.has_reflux ? m.reflux_offset_s : std::nullopt, kSecondsStep);
  j["reflux_duration_ms"] = Number(if_reflux(m.reflux_duration_ms), kMsStep);
  j["peak_reflux_velocity_cm_s"] = Number(if_reflux(m.peak_reflux_velocity_cm_s), kVelocityStep);
  j["time_to_peak_ms"] = Number(if_reflux(m.time_to_peak_ms), kMsStep);
  j["reflux_vti_cm"] = Number(if_reflux(m.reflux_vti_cm), kCmStep);
  j["peak_antegrade_velocity_cm_s"] = Number(m.peak_antegrade_velocity_cm_s, kVelocityStep);
  j["offset_velocity_cm_s"] = Number(m.offset_velocity_cm_s, kVelocityStep);
  j["truncated"] = m.truncated;
  j["aliased"] = m.aliased;
  return j;
}

void AddIdentity(Json& j, const ClipResult& clip) {
  const SegmentId& id = clip.identity;
  j["laterality"] = id.laterality ? Json(LateralityCode(*id.laterality)) : Json(nullptr);
  const auto segment = detail::SegmentName(clip);
  j["segment"] = segment ? Json(*segment) : Json(nullptr);
  const auto vein_class = detail::VeinClassOf(clip);
  j["vein_class"] = vein_class ? Json(*vein_class) : Json(nullptr);
  j["segment_source"] = IdentitySourceName(id.source);
  j["segment_source_detail"] = TextOrNull(id.source_detail);
  j["label_text"] = TextOrNull(id.label_text);
}

void AddMeasurement(Json& j, const ClipResult& clip) {
  const RefluxMeasurement* m = clip.measurement ? &*clip.measurement : nullptr;
  j["antegrade_direction"] = m ? Json(AntegradeDirectionName(m->antegrade)) : Json(nullptr);
  j["antegrade_direction_source"] =
      m ? Json(AntegradeSourceName(m->antegrade_source)) : Json(nullptr);
  j["time_resolution_ms"] = Number(m ? std::optional(m->time_resolution_ms) : std::nullopt, 0.001);
  j["maneuvers"] = Json::array();
  if (m) {
    for (const Maneuver& man : m->maneuvers) j["maneuvers"].push_back(ManeuverJson(man));
  }
  j["reflux_duration_ms"] = Number(detail::LongestRefluxMs(clip), kMsStep);
  j["reflux_duration_is_lower_bound"] = detail::RefluxIsLowerBound(clip);
  j["peak_reflux_velocity_cm_s"] = Number(detail::PeakRefluxCmS(clip), kVelocityStep);
  j["peak_antegrade_velocity_cm_s"] = Number(detail::PeakAntegradeCmS(clip), kVelocityStep);
}

void AddFinding(Json& j, const ClassifiedFinding& f) {
  j["classification"] = ClassificationName(f.classification);
  j["threshold_ms"] = Number(f.threshold_ms, kMsStep);
  j["margin_ms"] = Number(f.margin_ms, kMsStep);
  j["reason"] = TextOrNull(f.reason);
}

Json ClipJson(const ClipResult& clip, size_t id) {
  Json j;
  j["id"] = id;
  j["file"] = clip.file;
  j["sop_instance_uid"] = TextOrNull(clip.sop_instance_uid);
  AddIdentity(j, clip);
  j["status"] = ClipStatusName(clip.status);
  j["error"] =
      clip.error ? Json{{"code", ErrorCodeName(clip.error->code)}, {"message", clip.error->message}}
                 : Json(nullptr);
  j["calibration"] = clip.calibration ? CalibrationJson(*clip.calibration) : Json(nullptr);
  AddMeasurement(j, clip);
  AddFinding(j, clip.finding);
  j["criterion_source"] = TextOrNull(clip.finding.criterion_source);
  j["quality"] = StringArray(clip.quality);
  j["measurement_flags"] = clip.measurement ? StringArray(clip.measurement->flags) : Json::array();
  return j;
}

Json IdArray(const std::vector<size_t>& ids) {
  Json out = Json::array();
  for (size_t id : ids) out.push_back(id);
  return out;
}

Json SegmentJson(const StudyReport& report, const SegmentFinding& s) {
  const SegmentInfo& info = Info(s.segment);
  Json j;
  j["laterality"] = LateralityCode(s.laterality);
  j["segment"] = info.name;
  j["vein_class"] = VeinClassName(info.vein_class);
  j["clip_ids"] = IdArray(s.clip_indices);
  j["decisive_clip"] = s.decisive_clip ? Json(*s.decisive_clip) : Json(nullptr);
  AddFinding(j, s.finding);
  j["reflux_duration_ms"] = Number(s.reflux_duration_ms, kMsStep);
  j["reflux_duration_is_lower_bound"] = detail::RefluxIsLowerBound(report, s);
  j["peak_reflux_velocity_cm_s"] = Number(s.peak_reflux_velocity_cm_s, kVelocityStep);
  return j;
}

Json SegmentNames(const std::vector<Segment>& segments) {
  Json out = Json::array();
  for (Segment s : segments) out.push_back(Info(s).name);
  return out;
}

Json LimbJson(const LimbSummary& limb) {
  Json j;
  j["laterality"] = LateralityCode(limb.laterality);
  j["refluxing_segments"] = SegmentNames(limb.refluxing);
  j["gsv_reflux_extent"] = TextOrNull(limb.gsv_reflux_extent);
  j["ssv_reflux_extent"] = TextOrNull(limb.ssv_reflux_extent);
  j["sfj_competent"] = BoolOrNull(limb.sfj_competent);
  j["spj_competent"] = BoolOrNull(limb.spj_competent);
  j["deep_reflux"] = SegmentNames(limb.deep_reflux);
  j["unplaced_reflux_clips"] = IdArray(limb.unplaced_reflux_clips);
  j["segments_decided"] = limb.segments_decided;
  j["segments_indeterminate"] = limb.segments_indeterminate;
  return j;
}

Json LevelList(const std::vector<std::pair<Laterality, Segment>>& levels) {
  Json out = Json::array();
  for (const auto& [side, segment] : levels) {
    out.push_back({{"laterality", LateralityCode(side)}, {"segment", Info(segment).name}});
  }
  return out;
}

Json QaJson(const StudyReport& report) {
  Json clips = Json::array();
  for (size_t i = 0; i < report.clips.size(); ++i) {
    clips.push_back({{"id", i},
                     {"file", report.clips[i].file},
                     {"flags", StringArray(report.clips[i].quality)}});
  }
  const ProtocolCompleteness& p = report.protocol;
  Json protocol;
  protocol["name"] = TextOrNull(p.protocol_name);
  protocol["required"] = LevelList(p.required);
  protocol["missing"] = LevelList(p.missing);
  protocol["unmeasurable"] = LevelList(p.unmeasurable);
  protocol["complete"] = detail::ProtocolComplete(p);
  protocol["assessed"] = detail::ProtocolAssessed(report);
  return {{"clips", std::move(clips)}, {"protocol", std::move(protocol)}};
}

Json HeaderJson(const StudyReport& report) {
  Json j;
  j["schema"] = kSchemaId;
  j["tool"] = {{"name", "refluxscan"}, {"version", report.tool_version}};
  j["generated_at"] = TextOrNull(report.generated_at_utc);
  Json options = Json::object();
  for (const auto& [name, value] : report.options) options[name] = value;
  j["options"] = std::move(options);
  const StudyInfo& s = report.study;
  j["study"] = {{"study_instance_uid", TextOrNull(s.study_instance_uid)},
                {"patient_id", TextOrNull(s.patient_id)},
                {"patient_name", TextOrNull(s.patient_name)},
                {"study_date", TextOrNull(s.study_date)},
                {"study_description", TextOrNull(s.study_description)},
                {"accession_number", TextOrNull(s.accession_number)},
                {"output_folder", TextOrNull(report.output_folder)}};
  return j;
}

}  // namespace

std::string ToJson(const StudyReport& report) {
  Json j = HeaderJson(report);
  j["clips"] = Json::array();
  for (size_t i = 0; i < report.clips.size(); ++i)
    j["clips"].push_back(ClipJson(report.clips[i], i));
  j["segments"] = Json::array();
  for (const SegmentFinding& s : report.segments) j["segments"].push_back(SegmentJson(report, s));
  j["limbs"] = Json::array();
  for (const LimbSummary& limb : report.limbs) j["limbs"].push_back(LimbJson(limb));
  j["qa"] = QaJson(report);
  // DICOM text is often Latin-1, not UTF-8: replace invalid bytes (U+FFFD) instead of throwing.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace refluxscan::report
