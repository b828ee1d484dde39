// report.csv: one flat table, one row per clip and one per segment (`level` column), for
// spreadsheets and batch analysis. Units live in the column names; empty cell = unknown.
// Every text cell goes through EscapeCsvField (quoting and the formula-injection guard).
#include <array>
#include <string>
#include <vector>

#include "refluxscan/core/text.h"
#include "refluxscan/report/report.h"
#include "report/internal.h"

namespace refluxscan::report {
namespace {

using detail::Fixed;

constexpr std::array<std::string_view, 35> kColumns = {
    "level",
    "clip_id",
    "file",
    "sop_instance_uid",
    "laterality",
    "segment",
    "vein_class",
    "segment_source",
    "label_text",
    "status",
    "error_code",
    "error_message",
    "classification",
    "reason",
    "reflux_duration_ms",
    "threshold_ms",
    "margin_ms",
    "peak_reflux_velocity_cm_s",
    "peak_antegrade_velocity_cm_s",
    "maneuver_count",
    "time_resolution_ms",
    "doppler_angle_deg",
    "measured_from",
    "quality_flags",
    "clip_ids",
    "decisive_clip_id",
    "criterion_source",
    // Last, so that the columns above keep their positions: which study a row belongs to once
    // the per-study files of a batch are concatenated.
    "study_instance_uid",
    "study_date",
    "reflux_duration_is_lower_bound",
    "study_folder",
    // Which way antegrade flow is drawn (up/down) and what decided it (augmentation,
    // resting_flow, override): a reviewer checking a user override or an inverted display.
    "antegrade_direction",
    "antegrade_direction_source",
    // Which tag, manifest or file name decided the segment, and what the image's label reads
    // when a manifest row contradicts it (QA flag label_mismatch).
    "segment_source_detail",
    // What provoked the decisive maneuver's reflux: augmentation or valsalva (docs/report.md).
    "decisive_maneuver_kind",
};

using Row = std::array<std::string, kColumns.size()>;

// Column index by name, resolved at compile time (a typo fails the build).
consteval size_t Col(std::string_view name) {
  for (size_t i = 0; i < kColumns.size(); ++i) {
    if (kColumns[i] == name) return i;
  }
  throw "unknown CSV column";
}

std::string Join(const std::vector<std::string>& items, char separator) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out.push_back(separator);
    out += s;
  }
  return out;
}

void FillFinding(Row& row, const ClassifiedFinding& f) {
  row[Col("classification")] = ClassificationName(f.classification);
  row[Col("reason")] = f.reason;
  row[Col("threshold_ms")] = Fixed(f.threshold_ms, 1);
  row[Col("margin_ms")] = Fixed(f.margin_ms, 1);
  row[Col("criterion_source")] = f.criterion_source;
}

Row ClipRow(const ClipResult& clip, size_t id) {
  Row row;
  row[Col("level")] = "clip";
  row[Col("clip_id")] = std::to_string(id);
  row[Col("file")] = clip.file;
  row[Col("sop_instance_uid")] = clip.sop_instance_uid;
  if (clip.identity.laterality) row[Col("laterality")] = LateralityCode(*clip.identity.laterality);
  row[Col("segment")] = detail::SegmentName(clip).value_or("");
  row[Col("vein_class")] = detail::VeinClassOf(clip).value_or("");
  row[Col("segment_source")] = IdentitySourceName(clip.identity.source);
  row[Col("label_text")] = clip.identity.label_text;
  row[Col("segment_source_detail")] = clip.identity.source_detail;
  row[Col("status")] = ClipStatusName(clip.status);
  if (clip.error) {
    row[Col("error_code")] = ErrorCodeName(clip.error->code);
    row[Col("error_message")] = clip.error->message;
  }
  FillFinding(row, clip.finding);
  row[Col("reflux_duration_ms")] = Fixed(detail::LongestRefluxMs(clip), 1);
  row[Col("reflux_duration_is_lower_bound")] = detail::RefluxIsLowerBound(clip) ? "true" : "false";
  row[Col("peak_reflux_velocity_cm_s")] = Fixed(detail::PeakRefluxCmS(clip), 2);
  row[Col("peak_antegrade_velocity_cm_s")] = Fixed(detail::PeakAntegradeCmS(clip), 2);
  if (clip.measurement) {
    row[Col("maneuver_count")] = std::to_string(clip.measurement->maneuvers.size());
    row[Col("time_resolution_ms")] = Fixed(clip.measurement->time_resolution_ms, 3);
    row[Col("antegrade_direction")] = AntegradeDirectionName(clip.measurement->antegrade);
    row[Col("antegrade_direction_source")] =
        AntegradeSourceName(clip.measurement->antegrade_source);
    if (const auto& d = clip.measurement->decisive) {
      row[Col("decisive_maneuver_kind")] = ManeuverKindName(clip.measurement->maneuvers[*d].kind);
    }
  }
  if (clip.calibration) {
    row[Col("doppler_angle_deg")] = Fixed(clip.calibration->doppler_angle_deg, 1);
    row[Col("measured_from")] = SpectrogramSourceName(clip.calibration->source);
  }
  row[Col("quality_flags")] = Join(clip.quality, ';');
  return row;
}

Row SegmentRow(const StudyReport& report, const SegmentFinding& s) {
  Row row;
  const SegmentInfo& info = Info(s.segment);
  row[Col("level")] = "segment";
  row[Col("laterality")] = LateralityCode(s.laterality);
  row[Col("segment")] = info.name;
  row[Col("vein_class")] = VeinClassName(info.vein_class);
  FillFinding(row, s.finding);
  row[Col("reflux_duration_ms")] = Fixed(s.reflux_duration_ms, 1);
  row[Col("reflux_duration_is_lower_bound")] =
      detail::RefluxIsLowerBound(report, s) ? "true" : "false";
  row[Col("peak_reflux_velocity_cm_s")] = Fixed(s.peak_reflux_velocity_cm_s, 2);
  std::vector<std::string> ids;
  for (size_t id : s.clip_indices) ids.push_back(std::to_string(id));
  row[Col("clip_ids")] = Join(ids, ';');
  if (s.decisive_clip) row[Col("decisive_clip_id")] = std::to_string(*s.decisive_clip);
  // The decisive clip's flags: a segment's `near_threshold` (borderline) shows on its own row.
  if (s.decisive_clip && *s.decisive_clip < report.clips.size()) {
    row[Col("quality_flags")] = Join(report.clips[*s.decisive_clip].quality, ';');
  }
  return row;
}

template <class Cells>
void AppendLine(std::string& out, const Cells& cells) {
  bool first = true;
  for (const auto& cell : cells) {
    if (!first) out.push_back(',');
    first = false;
    out += EscapeCsvField(cell);
  }
  out += "\r\n";  // RFC 4180 line ending
}

void FillStudy(Row& row, const StudyReport& report) {
  row[Col("study_instance_uid")] = report.study.study_instance_uid;
  row[Col("study_date")] = report.study.study_date;
  row[Col("study_folder")] = report.output_folder;
}

}  // namespace

std::string ToCsv(const StudyReport& report) {
  std::string out;
  AppendLine(out, kColumns);
  for (size_t i = 0; i < report.clips.size(); ++i) {
    Row row = ClipRow(report.clips[i], i);
    FillStudy(row, report);
    AppendLine(out, row);
  }
  for (const SegmentFinding& s : report.segments) {
    Row row = SegmentRow(report, s);
    FillStudy(row, report);
    AppendLine(out, row);
  }
  return out;
}

}  // namespace refluxscan::report
