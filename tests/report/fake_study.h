#pragma once
// A realistic hand-built StudyReport for the report writer tests: both legs, a refluxing right GSV
// from the SFJ to the knee, a refluxing left SSV, competent deep veins, a failed clip, a skipped
// non-spectral clip, a truncated (indeterminate) clip, and a clip with a hostile label and file
// name. Strips are synthesised spectral displays (time x velocity) with matching envelopes.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/study_report.h"

namespace refluxscan::testing {

struct FakeClipSpec {
  std::string file;
  std::optional<Laterality> side;
  std::optional<Segment> segment;
  double reflux_ms = 0;  // 0: no reflux after release
  double peak_reflux_cm_s = 0;
  double peak_antegrade_cm_s = 35;
  bool truncated = false;
  bool antegrade_up = true;
  Classification classification = Classification::kNoReflux;
  std::string reason;
  std::vector<std::string> quality;
  IdentitySource source = IdentitySource::kManifest;
  std::string label_text;
};

inline constexpr int kStripCols = 600, kStripRows = 200;
inline constexpr double kSecondsPerColumn = 0.01, kVelocityTop = 60, kStepPerRow = 0.6;
inline constexpr double kReleaseS = 2.0, kAugmentationStartS = 1.0;

// Reflux onset: shortly after release, or late enough that a truncated reflux runs off the strip.
inline double OnsetS(const FakeClipSpec& s) {
  const double end_s = kStripCols * kSecondsPerColumn;
  return s.truncated ? end_s - s.reflux_ms / 1000.0 : kReleaseS + 0.05;
}

// Antegrade-positive flow velocity (cm/s) at time t: a half-sine burst during augmentation, then
// retrograde flow (negative) that rises within 150 ms and decays until its offset.
inline double FlowAt(const FakeClipSpec& s, double t) {
  constexpr double kPi = 3.14159265358979;
  if (t >= kAugmentationStartS && t <= kReleaseS) {
    return s.peak_antegrade_cm_s * std::sin(kPi * (t - kAugmentationStartS));
  }
  const double onset = OnsetS(s), duration_s = s.reflux_ms / 1000.0;
  if (s.reflux_ms > 0 && t >= onset && t <= onset + duration_s) {
    const double u = t - onset;
    const double rise = std::min(1.0, u / 0.15);
    const double fall = s.truncated ? 1.0 : std::max(0.0, 1.0 - (u - 0.15) / (duration_s - 0.15));
    return -s.peak_reflux_cm_s * rise * std::min(1.0, fall * 1.3);
  }
  return 4.0 * std::sin(t * 2.1);  // slow phasic flow
}

// Displayed velocity (calibration sign) from the antegrade-positive flow.
inline double DisplayedAt(const FakeClipSpec& s, double t) {
  return s.antegrade_up ? FlowAt(s, t) : -FlowAt(s, t);
}

inline Envelope MakeEnvelope(const FakeClipSpec& s) {
  Envelope e;
  e.seconds_per_column = kSecondsPerColumn;
  e.positive_limit = kVelocityTop;
  e.negative_limit = kVelocityTop - (kStripRows - 1) * kStepPerRow;
  e.velocity_resolution = kStepPerRow;
  for (int c = 0; c < kStripCols; ++c) {
    const double v = DisplayedAt(s, c * kSecondsPerColumn);
    e.max_forward.push_back(static_cast<float>(std::max(v, 0.0) + 1.5));
    e.max_reverse.push_back(static_cast<float>(std::max(-v, 0.0) + 1.5));
    e.mean.push_back(static_cast<float>(v * 0.6));
    e.confidence.push_back(0.9f);
    e.flags.push_back(c >= 300 && c < 306 ? kColumnMasked : 0);  // a short erase bar
  }
  return e;
}

// A grayscale-on-black spectral display with a faint blue tint, like many scanners.
inline cv::Mat MakeStrip(const FakeClipSpec& s) {
  cv::Mat strip(kStripRows, kStripCols, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::RNG rng(static_cast<uint64_t>(s.file.size() * 7919 + 17));
  const int baseline_row = static_cast<int>(std::lround(kVelocityTop / kStepPerRow));
  for (int c = 0; c < kStripCols; ++c) {
    const double v = DisplayedAt(s, c * kSecondsPerColumn);
    for (int r = 0; r < kStripRows; ++r) {
      const double vr = kVelocityTop - r * kStepPerRow;
      double level = rng.uniform(0, 6);
      const bool inside = (v > 0 && vr >= 0 && vr <= v) || (v < 0 && vr <= 0 && vr >= v);
      if (inside) level = 200.0 * (1.0 - 0.55 * std::abs(vr / v)) + rng.uniform(-20, 20);
      const auto g = static_cast<uchar>(std::clamp(level, 0.0, 255.0));
      strip.at<cv::Vec3b>(r, c) = cv::Vec3b(static_cast<uchar>(std::min(255, g + 12)), g, g);
    }
    strip.at<cv::Vec3b>(baseline_row, c) = cv::Vec3b(230, 230, 230);
  }
  for (int r = 0; r < kStripRows; ++r) {  // erase bar
    for (int c = 300; c < 306; ++c) strip.at<cv::Vec3b>(r, c) = cv::Vec3b(0, 0, 0);
  }
  return strip;
}

inline RefluxMeasurement MakeMeasurement(const FakeClipSpec& s) {
  RefluxMeasurement m;
  m.antegrade = s.antegrade_up ? AntegradeDirection::kUp : AntegradeDirection::kDown;
  m.time_resolution_ms = kSecondsPerColumn * 1000.0;
  Maneuver man;
  man.augmentation_start_s = kAugmentationStartS;
  man.release_s = kReleaseS;
  man.peak_antegrade_velocity_cm_s = s.peak_antegrade_cm_s;
  man.offset_velocity_cm_s = 3.0;
  if (s.reflux_ms > 0) {
    man.has_reflux = true;
    man.reflux_onset_s = OnsetS(s);
    man.reflux_offset_s = OnsetS(s) + s.reflux_ms / 1000.0;
    man.reflux_duration_ms = s.reflux_ms;
    man.peak_reflux_velocity_cm_s = s.peak_reflux_cm_s;
    man.time_to_peak_ms = 150;
    man.reflux_vti_cm = s.peak_reflux_cm_s * s.reflux_ms / 1000.0 * 0.6;
    man.truncated = s.truncated;
  }
  m.maneuvers.push_back(man);
  m.decisive = 0;
  if (s.truncated) m.flags.push_back("truncated");
  return m;
}

inline double ThresholdMs(Segment segment) {
  switch (Info(segment).vein_class) {
    case VeinClass::kDeepProximal:
      return 1000;
    case VeinClass::kPerforator:
      return 350;
    default:
      return 500;
  }
}

inline CalibrationSummary MakeCalibration() {
  CalibrationSummary c;
  c.region_data_type = 3;
  c.region = cv::Rect(80, 420, kStripCols, kStripRows);
  c.seconds_per_column = kSecondsPerColumn;
  c.velocity_step_per_row = kStepPerRow;
  c.baseline_row = kVelocityTop / kStepPerRow;
  c.velocity_top = kVelocityTop;
  c.velocity_bottom = kVelocityTop - (kStripRows - 1) * kStepPerRow;
  c.doppler_angle_deg = 60;
  c.prf_hz = 3500;
  c.transducer_frequency_hz = 5.2e6;
  return c;
}

inline std::optional<VeinClass> VeinClassOrNone(std::optional<Segment> segment) {
  return segment ? std::optional(Info(*segment).vein_class) : std::nullopt;
}

inline ClipResult MakeOkClip(const FakeClipSpec& s) {
  ClipResult clip;
  clip.file = s.file;
  clip.sop_instance_uid = "1.2.826.0.1.3680043.8.498." + std::to_string(s.file.size() * 131);
  clip.identity = {s.side, s.segment, VeinClassOrNone(s.segment), s.source, "", s.label_text};
  if (s.source == IdentitySource::kManifest) clip.identity.source_detail = "manifest.csv";
  if (s.source == IdentitySource::kDicomTag) clip.identity.source_detail = "ImageComments";
  clip.calibration = MakeCalibration();
  clip.measurement = MakeMeasurement(s);
  clip.finding.classification = s.classification;
  clip.finding.reason = s.reason;
  if (s.segment) {
    clip.finding.threshold_ms = ThresholdMs(*s.segment);
    clip.finding.margin_ms = s.reflux_ms - ThresholdMs(*s.segment);
    clip.finding.criterion_source = "Labropoulos 2003 (J Vasc Surg 38:793)";
  }
  clip.quality = s.quality;
  clip.clip_duration_s = kStripCols * kSecondsPerColumn;
  clip.strip_bgr = MakeStrip(s);
  clip.envelope = MakeEnvelope(s);
  clip.strip_velocity_top = kVelocityTop;
  clip.strip_velocity_step_per_row = kStepPerRow;
  return clip;
}

inline FakeClipSpec Spec(std::string file, Laterality side, Segment segment, double reflux_ms,
                         double peak_reflux_cm_s, double peak_antegrade_cm_s, Classification c) {
  FakeClipSpec s;
  s.file = std::move(file);
  s.side = side;
  s.segment = segment;
  s.reflux_ms = reflux_ms;
  s.peak_reflux_cm_s = peak_reflux_cm_s;
  s.peak_antegrade_cm_s = peak_antegrade_cm_s;
  s.classification = c;
  return s;
}

inline std::vector<FakeClipSpec> FakeSpecs() {
  using enum Segment;
  using enum Classification;
  const auto R = Laterality::kRight, L = Laterality::kLeft;
  std::vector<FakeClipSpec> s = {
      Spec("R/CFV.dcm", R, kCfv, 420, 18, 48, kNoReflux),
      Spec("R/GSV_SFJ.dcm", R, kGsvSfj, 1850.04, 42.678, 38, kReflux),
      Spec("R/GSV_PROX_THIGH.dcm", R, kGsvProxThigh, 1620, 36, 33, kReflux),
      Spec("R/GSV_MID_THIGH.dcm", R, kGsvMidThigh, 1410, 31, 30, kReflux),
      Spec("R/GSV_DIST_THIGH.dcm", R, kGsvDistThigh, 1200, 28, 29, kReflux),
      Spec("R/GSV_KNEE.dcm", R, kGsvKnee, 910, 24, 27, kReflux),
      Spec("R/GSV_PROX_CALF.dcm", R, kGsvProxCalf, 210, 9, 25, kNoReflux),
      Spec("R/SSV_SPJ.dcm", R, kSsvSpj, 0, 0, 22, kNoReflux),
      Spec("R/POPV.dcm", R, kPopv, 380, 12, 40, kNoReflux),
      Spec("R/PERF_CALF.dcm", R, kPerfCalf, 620, 15, 20, kReflux),
      Spec("L/CFV.dcm", L, kCfv, 0, 0, 45, kNoReflux),
      Spec("L/GSV_SFJ.dcm", L, kGsvSfj, 160, 8, 36, kNoReflux),
      Spec("L/GSV_MID_THIGH.dcm", L, kGsvMidThigh, 380, 25, 30, kIndeterminate),
      Spec("L/SSV_SPJ.dcm", L, kSsvSpj, 1120, 30, 28, kReflux),
      Spec("L/SSV_PROX_CALF.dcm", L, kSsvProxCalf, 720, 22, 26, kReflux),
  };
  s[1].source = IdentitySource::kDicomTag;  // identified from the image annotation
  s[1].label_text = "RT GSV SFJ";
  s[6].source = IdentitySource::kFileName;
  s[7].antegrade_up = false;  // inverted display
  s[12].truncated = true;     // clip ends during reflux
  s[12].reason = "truncated_below_threshold";
  s[12].quality = {"truncated"};
  s[13].antegrade_up = false;
  s[14].quality = {"angle_missing", "scale_too_high"};
  return s;
}

inline ClipResult HostileClip() {
  FakeClipSpec s;
  s.file = "weird \"name\" 'x'.dcm";
  s.reflux_ms = 300;
  s.peak_reflux_cm_s = 10;
  s.classification = Classification::kIndeterminate;
  s.reason = "unknown_segment";
  s.quality = {"unknown_segment", "unknown_laterality", "made_up_flag<b>"};
  s.source = IdentitySource::kDicomTag;
  s.label_text = "<script>alert(1)</script>";
  return MakeOkClip(s);
}

inline ClipResult FailedClip() {
  ClipResult clip;
  clip.file = "L/POPV.dcm";
  clip.identity = {Laterality::kLeft,         Segment::kPopv, VeinClass::kDeepProximal,
                   IdentitySource::kManifest, "manifest.csv", "L POPV"};
  clip.status = ClipStatus::kError;
  clip.error = Error{ErrorCode::kCorrupt, "JPEG stream ends after 12 of 40 frames"};
  clip.finding.reason = "analysis_error";
  clip.quality = {"decode_error"};
  return clip;
}

inline ClipResult SkippedClip() {
  ClipResult clip;
  clip.file = "bmode/IMG0001.dcm";
  clip.status = ClipStatus::kSkipped;
  clip.error = Error{ErrorCode::kNotFound, "no spectral Doppler region in the image"};
  clip.quality = {"not_spectral"};
  return clip;
}

// One SegmentFinding per clip with a known laterality and segment that was analysed.
inline void AddSegments(StudyReport& r) {
  for (size_t i = 0; i < r.clips.size(); ++i) {
    const ClipResult& c = r.clips[i];
    if (!c.identity.laterality || !c.identity.segment || c.status != ClipStatus::kOk) continue;
    SegmentFinding s{*c.identity.laterality, *c.identity.segment, {i}, i, c.finding, {}, {}};
    const Maneuver& m = c.measurement->maneuvers.front();
    if (m.has_reflux) {
      s.reflux_duration_ms = m.reflux_duration_ms;
      s.peak_reflux_velocity_cm_s = m.peak_reflux_velocity_cm_s;
    }
    r.segments.push_back(s);
  }
}

inline void AddLimbsAndProtocol(StudyReport& r) {
  using enum Segment;
  const auto R = Laterality::kRight, L = Laterality::kLeft;
  r.limbs.push_back({R,
                     {kGsvSfj, kGsvProxThigh, kGsvMidThigh, kGsvDistThigh, kGsvKnee, kPerfCalf},
                     "GSV_SFJ to GSV_KNEE",
                     "",
                     false,
                     true,
                     {}});
  r.limbs.push_back({L, {kSsvSpj, kSsvProxCalf}, "", "SSV_SPJ to SSV_PROX_CALF", true, false, {}});
  ProtocolCompleteness& p = r.protocol;
  p.protocol_name = "default";
  for (Laterality side : {R, L}) {
    for (Segment seg :
         {kCfv, kGsvSfj, kGsvProxThigh, kGsvMidThigh, kGsvDistThigh, kGsvKnee, kSsvSpj, kPopv}) {
      p.required.push_back({side, seg});
    }
  }
  p.missing = {{L, kGsvProxThigh}, {L, kGsvDistThigh}, {L, kGsvKnee}, {L, kPopv}};
  p.unmeasurable = {{L, kGsvMidThigh}};
}

inline StudyReport MakeFakeStudy() {
  StudyReport r;
  r.study = {"1.2.826.0.1.3680043.8.498.1",
             "PID-0042",
             "DOE^JANE",
             "20240315",
             "Bilateral venous insufficiency mapping",
             "ACC123"};
  r.tool_version = "0.1.0";
  r.generated_at_utc = "2024-03-16T09:30:00Z";
  r.options = {{"criteria", "default"},
               {"threshold_superficial_ms", "500"},
               {"threshold_deep_proximal_ms", "1000"},
               {"perforator_rule", "labropoulos_350"}};
  for (const FakeClipSpec& s : FakeSpecs()) r.clips.push_back(MakeOkClip(s));
  r.clips.push_back(FailedClip());
  r.clips.push_back(SkippedClip());
  r.clips.push_back(HostileClip());
  AddSegments(r);
  AddLimbsAndProtocol(r);
  return r;
}

}  // namespace refluxscan::testing
