#include "synth/truth.h"

#include <cmath>
#include <filesystem>

#include "refluxscan/core/text.h"
#include "refluxscan/dicom/write.h"

namespace refluxscan::synth {
namespace {

using nlohmann::ordered_json;

// Rounded for a readable, stable file; steps are far below any measurement tolerance.
double R6(double x) { return std::round(x * 1e6) / 1e6; }
double R2(double x) { return std::round(x * 100) / 100; }

ordered_json OptionalSeconds(const std::optional<double>& t) {
  return t ? ordered_json(R6(*t)) : ordered_json(nullptr);
}

ordered_json ManeuverJson(const ManeuverTruth& m) {
  ordered_json j = {{"kind", m.valsalva ? "valsalva" : "augmentation"},
                    {"augmentation_start_s", R6(m.augmentation_start_s)},
                    {"release_s", R6(m.release_s)},
                    {"peak_antegrade_velocity_cm_s", R6(m.peak_antegrade_velocity_cm_s)},
                    {"has_reflux", m.has_reflux},
                    {"reflux_onset_s", OptionalSeconds(m.reflux_onset_s)},
                    {"reflux_offset_s", OptionalSeconds(m.reflux_offset_s)},
                    {"reflux_duration_ms", R6(m.reflux_duration_ms)},
                    {"peak_reflux_velocity_cm_s", R6(m.peak_reflux_velocity_cm_s)},
                    {"truncated", m.truncated}};
  if (m.cuff_hold_s > 0) j["cuff_hold_s"] = R6(m.cuff_hold_s);  // only cuffs: other clips as before
  return j;
}

ordered_json DisplayJson(const ClipSpec& s, const ClipTruth& t) {
  const DisplaySpec& d = s.display;
  ordered_json invalid = ordered_json::array();
  for (const auto& [c0, c1] : t.invalid_columns) invalid.push_back({c0, c1});
  ordered_json out = {
      {"region",
       {d.strip.x, d.strip.y, d.strip.x + d.strip.width - 1, d.strip.y + d.strip.height - 1}},
      {"seconds_per_column", R6(d.seconds_per_column)},
      {"cm_s_per_row", R6(t.cm_s_per_row)},
      {"hz_per_row", R6(DopplerShiftHz(s.signal, t.cm_s_per_row))},
      {"baseline_row", d.baseline_row},
      {"velocity_top_cm_s", R6(t.velocity_top_cm_s)},
      {"velocity_bottom_cm_s", R6(t.velocity_bottom_cm_s)},
      {"inverted_display", d.inverted_display},
      {"units", d.hz_units ? "Hz" : "cm/s"},
      {"region_data_type", d.continuous_wave ? 4 : 3},
      {"tint", TintName(d.tint)},
      {"dynamic_range_db", R6(d.dynamic_range_db)},
      {"aliasing", t.aliasing},
      {"invalid_columns", invalid}};
  // Only when present: sets without margins (the bundled sample) keep their truth byte for byte.
  if (d.margin_left + d.margin_top + d.margin_right + d.margin_bottom > 0) {
    out["region_margin"] = {d.margin_left, d.margin_top, d.margin_right, d.margin_bottom};
  }
  return out;
}

ordered_json SignalJson(const SignalSpec& s, const DisplaySpec& d, double iq_t0_s) {
  ordered_json j = {{"prf_hz", R6(s.prf_hz)},
                    {"transducer_frequency_hz", std::round(s.transducer_hz)},
                    {"doppler_angle_deg", R6(s.angle_deg)},
                    {"snr_db", R6(s.snr_db)},
                    {"profile", ProfileName(s.profile)},
                    {"scatterers", s.scatterers},
                    {"wall_filter_hz", R6(d.wall_filter_hz)},
                    {"stft_window_ms", R6(d.window_ms)},
                    {"iq_t0_s", R6(iq_t0_s)}};
  if (s.mirror_db > 0) j["mirror_db"] = R6(s.mirror_db);
  if (s.gate_radius < 1) j["gate_radius"] = R6(s.gate_radius);  // core_gate
  if (s.artery_db > 0) {
    j["artery_db"] = R6(s.artery_db);
    j["artery_peak_cm_s"] = R6(s.artery_peak_cm_s);
    j["heart_rate_bpm"] = R6(s.heart_rate_bpm);
    j["artery_phase_s"] = R6(s.artery_phase_s);
  }
  if (s.clutter_db > 0) {
    j["clutter_db"] = R6(s.clutter_db);
    j["clutter_cm_s"] = R6(s.clutter_cm_s);
    j["clutter_period_s"] = R6(s.clutter_period_s);
    j["clutter_phase_rad"] = R6(s.clutter_phase_rad);
  }
  if (s.thump_db > 0) {
    j["thump_db"] = R6(s.thump_db);
    j["thump_cm_s"] = R6(s.thump_cm_s);
    j["thump_s"] = R6(s.thump_s);
  }
  return j;
}

ordered_json EnvelopeJson(const EnvelopeTruth& e) {
  ordered_json fwd = ordered_json::array(), rev = ordered_json::array();
  for (double v : e.max_forward_cm_s) fwd.push_back(R2(v));
  for (double v : e.max_reverse_cm_s) rev.push_back(R2(v));
  return {{"t0_s", 0},
          {"seconds_per_column", R6(e.seconds_per_column)},
          {"max_forward_cm_s", fwd},
          {"max_reverse_cm_s", rev},
          {"valid", e.valid}};
}

std::string BaseName(const std::string& relative_path) {
  return std::filesystem::path(relative_path).replace_extension().string();
}

}  // namespace

ordered_json TruthEntry(const PlannedClip& clip, const ClipTruth& t, double iq_t0_s,
                        bool signal_files) {
  const ClipSpec& s = clip.spec;
  ordered_json maneuvers = ordered_json::array();
  for (const ManeuverTruth& m : t.maneuvers) maneuvers.push_back(ManeuverJson(m));
  ordered_json e;
  e["file"] = clip.relative_path;
  e["sop_instance_uid"] = clip.tags.sop_instance_uid;
  e["study_instance_uid"] = clip.tags.study_instance_uid;
  e["laterality"] = LateralityCode(s.laterality);
  e["segment"] = s.segment ? ordered_json(Info(*s.segment).name) : ordered_json(nullptr);
  e["vein_class"] = VeinClassName(s.vein_class);
  e["label_text"] = s.label_text;
  e["label_in_vocabulary"] = s.segment.has_value();
  e["transfer_syntax"] = dicom::TransferSyntaxName(s.transfer_syntax);
  e["frames"] = s.display.frames;
  e["conditions"] = t.conditions;
  e["display"] = DisplayJson(s, t);
  e["signal"] = SignalJson(s.signal, s.display, iq_t0_s);
  if (signal_files) {
    e["iq_file"] = BaseName(clip.relative_path) + ".iq";
    e["wav_file"] = BaseName(clip.relative_path) + ".wav";
  }
  e["antegrade_sign"] = t.antegrade_sign;
  e["maneuvers"] = maneuvers;
  e["reflux_duration_ms"] = R6(t.reflux_duration_ms);
  e["peak_reflux_velocity_cm_s"] = R6(t.peak_reflux_velocity_cm_s);
  e["threshold_ms"] = t.threshold_ms;
  e["expected_classification"] = t.expected_classification;
  e["expected_reason"] = t.expected_reason;
  e["envelope"] = EnvelopeJson(t.envelope);
  return e;
}

std::string TruthDocument(const ordered_json& generator, const std::vector<ordered_json>& entries) {
  std::string out = "{\n \"schema\": \"refluxscan.truth/1\",\n \"generator\": " + generator.dump() +
                    ",\n \"files\": [\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    out += "  " + entries[i].dump() + (i + 1 < entries.size() ? ",\n" : "\n");
  }
  return out + " ]\n}\n";
}

std::string ManifestCsv(const std::vector<PlannedClip>& clips) {
  std::string out = "file,laterality,segment\n";
  for (const PlannedClip& c : clips) {
    if (!c.spec.segment) continue;
    out += EscapeCsvField(c.relative_path) + "," + std::string(LateralityCode(c.spec.laterality)) +
           "," + std::string(Info(*c.spec.segment).name) + "\n";
  }
  return out;
}

}  // namespace refluxscan::synth
