#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "refluxscan/report/report.h"
#include "report/fake_study.h"

namespace refluxscan::report {
namespace {

using nlohmann::json;
using testing::MakeFakeStudy;

json Parse(const StudyReport& r) { return json::parse(ToJson(r)); }

// Index of the clip with this file name in the fake study.
size_t ClipId(const StudyReport& r, std::string_view file) {
  for (size_t i = 0; i < r.clips.size(); ++i) {
    if (r.clips[i].file == file) return i;
  }
  ADD_FAILURE() << "no clip " << file;
  return 0;
}

TEST(ReportJson, TopLevelProvenance) {
  const json j = Parse(MakeFakeStudy());
  EXPECT_EQ(j["schema"], "refluxscan.report/1");
  EXPECT_EQ(j["tool"]["name"], "refluxscan");
  EXPECT_EQ(j["tool"]["version"], "0.1.0");
  EXPECT_EQ(j["generated_at"], "2024-03-16T09:30:00Z");
  EXPECT_EQ(j["options"]["threshold_superficial_ms"], "500");
  EXPECT_EQ(j["study"]["patient_id"], "PID-0042");
  EXPECT_EQ(j["study"]["study_date"], "20240315");
}

TEST(ReportJson, KeysAreInSchemaOrder) {
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(ToJson(MakeFakeStudy()));
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"schema", "tool", "generated_at", "options", "study",
                                            "clips", "segments", "limbs", "qa"}));
}

TEST(ReportJson, RefluxClipValuesAreRounded) {
  const StudyReport r = MakeFakeStudy();
  const json j = Parse(r);
  const json& sfj = j["clips"][ClipId(r, "R/GSV_SFJ.dcm")];
  EXPECT_EQ(sfj["laterality"], "R");
  EXPECT_EQ(sfj["segment"], "GSV_SFJ");
  EXPECT_EQ(sfj["vein_class"], "superficial");
  EXPECT_EQ(sfj["segment_source"], "dicom_tag");
  EXPECT_EQ(sfj["segment_source_detail"], "ImageComments");
  EXPECT_EQ(sfj["label_text"], "RT GSV SFJ");
  EXPECT_EQ(sfj["status"], "ok");
  EXPECT_TRUE(sfj["error"].is_null());
  EXPECT_EQ(sfj["classification"], "reflux");
  EXPECT_DOUBLE_EQ(sfj["reflux_duration_ms"].get<double>(), 1850.0);        // 1850.04 -> 0.1 ms
  EXPECT_DOUBLE_EQ(sfj["peak_reflux_velocity_cm_s"].get<double>(), 42.68);  // 42.678 -> 0.01
  EXPECT_DOUBLE_EQ(sfj["threshold_ms"].get<double>(), 500.0);
  EXPECT_DOUBLE_EQ(sfj["margin_ms"].get<double>(), 1350.0);
  EXPECT_EQ(sfj["antegrade_direction"], "up");
  ASSERT_EQ(sfj["maneuvers"].size(), 1u);
  const json& m = sfj["maneuvers"][0];
  EXPECT_DOUBLE_EQ(m["reflux_onset_s"].get<double>(), 2.05);
  EXPECT_DOUBLE_EQ(m["reflux_duration_ms"].get<double>(), 1850.0);
  EXPECT_FALSE(m["truncated"].get<bool>());
  EXPECT_EQ(sfj["calibration"]["region"], json({80, 420, 600, 200}));
  EXPECT_EQ(sfj["calibration"]["unit"], "cm/s");
  EXPECT_DOUBLE_EQ(sfj["calibration"]["doppler_angle_deg"].get<double>(), 60.0);
}

TEST(ReportJson, NoRefluxManeuverHasNullRefluxValues) {
  const StudyReport r = MakeFakeStudy();
  const json clip = Parse(r)["clips"][ClipId(r, "R/SSV_SPJ.dcm")];
  EXPECT_EQ(clip["antegrade_direction"], "down");
  EXPECT_TRUE(clip["reflux_duration_ms"].is_null());
  EXPECT_TRUE(clip["peak_reflux_velocity_cm_s"].is_null());
  EXPECT_DOUBLE_EQ(clip["peak_antegrade_velocity_cm_s"].get<double>(), 22.0);
  const json& m = clip["maneuvers"][0];
  EXPECT_TRUE(m["reflux_onset_s"].is_null());
  EXPECT_TRUE(m["reflux_duration_ms"].is_null());
  EXPECT_DOUBLE_EQ(m["release_s"].get<double>(), 2.0);
}

TEST(ReportJson, FailedAndSkippedClipsCarryTheirError) {
  const StudyReport r = MakeFakeStudy();
  const json j = Parse(r);
  const json& failed = j["clips"][ClipId(r, "L/POPV.dcm")];
  EXPECT_EQ(failed["status"], "error");
  EXPECT_EQ(failed["error"]["code"], ErrorCodeName(ErrorCode::kCorrupt));
  EXPECT_EQ(failed["error"]["message"], "JPEG stream ends after 12 of 40 frames");
  EXPECT_TRUE(failed["calibration"].is_null());
  EXPECT_TRUE(failed["antegrade_direction"].is_null());
  EXPECT_TRUE(failed["maneuvers"].empty());
  EXPECT_EQ(failed["quality"], json({"decode_error"}));
  const json& skipped = j["clips"][ClipId(r, "bmode/IMG0001.dcm")];
  EXPECT_EQ(skipped["status"], "skipped");
  EXPECT_TRUE(skipped["laterality"].is_null());
  EXPECT_TRUE(skipped["segment"].is_null());
  EXPECT_TRUE(skipped["vein_class"].is_null());
  EXPECT_EQ(skipped["segment_source"], "none");
}

TEST(ReportJson, SegmentsLimbsAndQa) {
  const StudyReport r = MakeFakeStudy();
  const json j = Parse(r);
  ASSERT_EQ(j["segments"].size(), r.segments.size());
  const json& first = j["segments"][0];
  EXPECT_EQ(first["laterality"], "R");
  EXPECT_EQ(first["segment"], "CFV");
  EXPECT_EQ(first["vein_class"], "deep_proximal");
  EXPECT_EQ(first["clip_ids"], json({0}));
  EXPECT_EQ(first["decisive_clip"], 0);
  ASSERT_EQ(j["limbs"].size(), 2u);
  EXPECT_EQ(j["limbs"][0]["gsv_reflux_extent"], "GSV_SFJ to GSV_KNEE");
  EXPECT_TRUE(j["limbs"][0]["ssv_reflux_extent"].is_null());
  EXPECT_EQ(j["limbs"][0]["sfj_competent"], false);
  EXPECT_EQ(j["limbs"][1]["spj_competent"], false);
  EXPECT_EQ(j["limbs"][0]["refluxing_segments"][0], "GSV_SFJ");
  EXPECT_EQ(j["qa"]["clips"].size(), r.clips.size());
  const json& protocol = j["qa"]["protocol"];
  EXPECT_EQ(protocol["required"].size(), 16u);
  EXPECT_EQ(protocol["missing"][0], json({{"laterality", "L"}, {"segment", "GSV_PROX_THIGH"}}));
  EXPECT_EQ(protocol["unmeasurable"].size(), 1u);
  EXPECT_FALSE(protocol["complete"].get<bool>());
}

TEST(ReportJson, ProtocolCompleteWhenNothingMissing) {
  StudyReport r = MakeFakeStudy();
  r.protocol.missing.clear();
  r.protocol.unmeasurable.clear();
  EXPECT_TRUE(Parse(r)["qa"]["protocol"]["complete"].get<bool>());
}

TEST(ReportJson, NonFiniteNumbersBecomeNull) {
  StudyReport r = MakeFakeStudy();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.clips[1].measurement->maneuvers[0].reflux_duration_ms = nan;
  r.clips[1].measurement->maneuvers[0].peak_reflux_velocity_cm_s =
      std::numeric_limits<double>::infinity();
  r.clips[1].finding.margin_ms = nan;
  r.segments[1].reflux_duration_ms = -std::numeric_limits<double>::infinity();
  const std::string text = ToJson(r);
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("inf"), std::string::npos);
  const json j = json::parse(text);
  EXPECT_TRUE(j["clips"][1]["maneuvers"][0]["reflux_duration_ms"].is_null());
  EXPECT_TRUE(j["clips"][1]["reflux_duration_ms"].is_null());
  EXPECT_TRUE(j["clips"][1]["peak_reflux_velocity_cm_s"].is_null());
  EXPECT_TRUE(j["clips"][1]["margin_ms"].is_null());
  EXPECT_TRUE(j["segments"][1]["reflux_duration_ms"].is_null());
}

TEST(ReportJson, InvalidUtf8FromDicomDoesNotThrow) {
  StudyReport r = MakeFakeStudy();
  r.study.patient_name = "M\xfcller^J\xf6rg";  // Latin-1, as DICOM often stores it
  r.clips[0].identity.label_text = "\xff\xfe bad";
  std::string text;
  ASSERT_NO_THROW(text = ToJson(r));
  const json j = json::parse(text);  // valid UTF-8 again
  EXPECT_EQ(j["study"]["patient_name"], "M\xef\xbf\xbdller^J\xef\xbf\xbdrg");
}

TEST(ReportJson, EmptyReportIsStillComplete) {
  const json j = Parse(StudyReport{});
  EXPECT_EQ(j["schema"], "refluxscan.report/1");
  EXPECT_TRUE(j["clips"].is_array() && j["clips"].empty());
  EXPECT_TRUE(j["study"]["patient_id"].is_null());
  EXPECT_TRUE(j["options"].is_object());
  EXPECT_TRUE(j["qa"]["protocol"]["complete"].get<bool>());
  EXPECT_FALSE(j["qa"]["protocol"]["assessed"].get<bool>());  // no spectral Doppler clip
}

// A study of B-mode / echo images only is no reflux study: its protocol is not assessed (the
// HTML says so; the JSON's missing levels are no finding there).
TEST(ReportJson, AStudyWithoutDopplerClipsIsNotAssessed) {
  StudyReport r = MakeFakeStudy();
  EXPECT_TRUE(Parse(r)["qa"]["protocol"]["assessed"].get<bool>());
  for (ClipResult& c : r.clips) c.status = ClipStatus::kSkipped;
  EXPECT_FALSE(Parse(r)["qa"]["protocol"]["assessed"].get<bool>());
}

}  // namespace
}  // namespace refluxscan::report
