#pragma once
// The aggregated result of one study: what the report writers consume.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/error.h"
#include "refluxscan/core/measurement.h"
#include "refluxscan/core/spectrogram.h"

namespace refluxscan {

// The calibration the analysis used, as a user would check it against the scanner screen.
struct CalibrationSummary {
  int region_data_type = 0;  // 3 PW, 4 CW
  cv::Rect region;           // spectral region in image pixels
  double seconds_per_column = 0;
  double velocity_step_per_row = 0;  // in `unit`
  VelocityUnit unit = VelocityUnit::kCmPerSecond;
  double baseline_row = 0;                       // within the region
  double velocity_top = 0, velocity_bottom = 0;  // scale limits
  std::optional<double> doppler_angle_deg, prf_hz, transducer_frequency_hz;
  int frame_index = 0, frames_total = 1;
  // What was measured: the display strip, or the raw signal beside the file (--source auto).
  SpectrogramSource source = SpectrogramSource::kDisplay;
  std::vector<std::string> warnings;  // inconsistencies (QA flag calibration_inconsistent)
  std::vector<std::string> notes;     // how the display was read (masks, tint, conversions)
};

enum class ClipStatus { kOk, kError, kSkipped };
std::string_view ClipStatusName(ClipStatus s);  // "ok" / "error" / "skipped"

// Everything known about one input file after analysis (or its failure).
struct ClipResult {
  std::string file;  // path as given / relative to the input root
  std::string sop_instance_uid;
  std::string series_description;  // raw
  SegmentId identity;
  ClipStatus status = ClipStatus::kOk;
  std::optional<Error> error;
  std::optional<CalibrationSummary> calibration;
  std::optional<RefluxMeasurement> measurement;
  ClassifiedFinding finding;
  std::vector<std::string> quality;  // QA flags, see docs/qa-flags.md
  double clip_duration_s = 0;
  // Evidence for the HTML report: the strip as displayed (BGR) and the envelopes over it.
  cv::Mat strip_bgr;
  std::optional<Envelope> envelope;
  // Velocity at the displayed strip's row 0 and per row (negative step: velocity grows
  // downward on that display): row = (strip_velocity_top - v) / strip_velocity_step_per_row.
  double strip_velocity_top = 0, strip_velocity_step_per_row = 0;
};

// Per laterality + segment: all clips of that level and the one that decides it.
struct SegmentFinding {
  Laterality laterality = Laterality::kLeft;
  Segment segment = Segment::kGsvSfj;
  std::vector<size_t> clip_indices;  // into StudyReport::clips
  std::optional<size_t> decisive_clip;
  ClassifiedFinding finding;
  std::optional<double> reflux_duration_ms;
  std::optional<double> peak_reflux_velocity_cm_s;
};

// Per leg: the vein map a physician reads before planning treatment.
struct LimbSummary {
  Laterality laterality = Laterality::kLeft;
  std::vector<Segment> refluxing;  // anatomical order
  std::string gsv_reflux_extent;   // e.g. "GSV_SFJ to GSV_PROX_CALF", empty if none
  std::string ssv_reflux_extent;
  std::optional<bool> sfj_competent;  // nullopt: not measured or indeterminate
  std::optional<bool> spj_competent;
  std::vector<Segment> deep_reflux;  // deep segments with reflux
  // Clips of this leg classified reflux whose label named no level of the map (a vein only, "GSV
  // thigh", or nothing): a reflux the segments above cannot show (StudyReport::clips indices).
  std::vector<size_t> unplaced_reflux_clips{};
  // How much of the leg the answers above rest on: its segments classified reflux or no_reflux,
  // and those indeterminate. "No reflux listed" with 0 decided means "not assessed".
  int segments_decided = 0, segments_indeterminate = 0;
};

struct ProtocolCompleteness {
  std::string protocol_name;
  std::vector<std::pair<Laterality, Segment>> required;
  std::vector<std::pair<Laterality, Segment>> missing;
  std::vector<std::pair<Laterality, Segment>> unmeasurable;  // present but indeterminate
};

struct StudyInfo {
  std::string study_instance_uid, patient_id, patient_name, study_date, study_description,
      accession_number;  // raw DICOM text: untrusted, and identifying (never logged)
};

struct StudyReport {
  StudyInfo study;
  std::vector<ClipResult> clips;
  std::vector<SegmentFinding> segments;
  std::vector<LimbSummary> limbs;
  ProtocolCompleteness protocol;
  std::vector<std::pair<std::string, std::string>> options;  // provenance: option name -> value
  std::string tool_version;
  std::string generated_at_utc;
  // The study's folder under the output folder (sanitized, unique in the run; a StudyInstanceUID
  // shared by several patients is split into <name>_p1, _p2, ...); empty outside `analyze`.
  std::string output_folder;
};

}  // namespace refluxscan
