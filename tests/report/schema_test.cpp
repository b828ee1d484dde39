// report.json against docs/report.schema.json, with a subset validator (schema_validator.h).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "refluxscan/report/report.h"
#include "report/fake_study.h"
#include "report/schema_validator.h"
#include "testing/fixtures.h"

namespace refluxscan::report {
namespace {

using nlohmann::json;
using refluxscan::testing::SchemaValidator;

json LoadSchema() {
  std::ifstream in(refluxscan::testing::SourceDir() / "docs" / "report.schema.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

std::string Joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const std::string& e : errors) out += e + "\n";
  return out;
}

// Every subschema reachable from `schema`, for keyword checks.
void Walk(const json& schema, std::vector<const json*>& out) {
  if (!schema.is_object()) return;
  out.push_back(&schema);
  for (const char* key : {"properties", "$defs"}) {
    if (schema.contains(key)) {
      for (const auto& [name, sub] : schema.at(key).items()) Walk(sub, out);
    }
  }
  if (schema.contains("items")) Walk(schema.at("items"), out);
  if (schema.contains("additionalProperties")) Walk(schema.at("additionalProperties"), out);
  if (schema.contains("anyOf")) {
    for (const auto& sub : schema.at("anyOf")) Walk(sub, out);
  }
}

class ReportSchema : public ::testing::Test {
 protected:
  json schema_ = LoadSchema();
  SchemaValidator validator_{schema_};
  json report_ = json::parse(ToJson(refluxscan::testing::MakeFakeStudy()));
};

TEST_F(ReportSchema, IsDraft202012AndUsesOnlyValidatedKeywords) {
  EXPECT_EQ(schema_["$schema"], "https://json-schema.org/draft/2020-12/schema");
  std::vector<const json*> all;
  Walk(schema_, all);
  EXPECT_GT(all.size(), 50u);
  for (const json* sub : all) {
    for (const auto& [key, unused] : sub->items()) {
      EXPECT_TRUE(SchemaValidator::Supported().contains(key)) << key;
    }
  }
}

TEST_F(ReportSchema, SegmentEnumIsTheCanonicalVocabulary) {
  std::vector<std::string> names;
  for (const SegmentInfo& info : AllSegments()) names.emplace_back(info.name);
  EXPECT_EQ(schema_["$defs"]["segment"]["enum"].get<std::vector<std::string>>(), names);
}

TEST_F(ReportSchema, FakeStudyValidates) {
  const auto errors = validator_.Validate(report_);
  EXPECT_TRUE(errors.empty()) << Joined(errors);
}

TEST_F(ReportSchema, EmptyAndDegenerateReportsValidate) {
  EXPECT_TRUE(validator_.Validate(json::parse(ToJson(StudyReport{}))).empty());
  StudyReport r = refluxscan::testing::MakeFakeStudy();
  r.clips[1].calibration->doppler_angle_deg.reset();
  r.clips[2].measurement.reset();
  r.clips[3].finding.threshold_ms.reset();
  r.segments[0].decisive_clip.reset();
  r.limbs[0].sfj_competent.reset();
  const auto errors = validator_.Validate(json::parse(ToJson(r)));
  EXPECT_TRUE(errors.empty()) << Joined(errors);
}

// A label naming only the vein: segment null, its threshold class known. Valid JSON, and every
// format says which class applied.
TEST_F(ReportSchema, VeinOnlyClipValidatesAndEveryFormatShowsItsClass) {
  StudyReport r = refluxscan::testing::MakeFakeStudy();
  ClipResult& clip = r.clips[0];
  clip.identity.segment.reset();
  clip.identity.vein_class = VeinClass::kDeepProximal;
  clip.identity.source = IdentitySource::kDicomTag;
  clip.identity.source_detail = "ImageComments, vein only: level unknown";
  clip.identity.label_text = "R FV 3";
  const json j = json::parse(ToJson(r));
  EXPECT_TRUE(validator_.Validate(j).empty()) << Joined(validator_.Validate(j));
  EXPECT_TRUE(j["clips"][0]["segment"].is_null());
  EXPECT_EQ(j["clips"][0]["vein_class"], "deep_proximal");
  EXPECT_NE(ToCsv(r).find(",deep_proximal,"), std::string::npos);
  EXPECT_NE(ToHtml(r).find("unknown segment (deep proximal vein)"), std::string::npos);
}

TEST_F(ReportSchema, MissingRequiredFieldFails) {
  report_["clips"][0].erase("classification");
  const auto errors = validator_.Validate(report_);
  ASSERT_EQ(errors.size(), 1u) << Joined(errors);
  EXPECT_NE(errors[0].find("/clips/0"), std::string::npos);
  EXPECT_NE(errors[0].find("classification"), std::string::npos);
}

TEST_F(ReportSchema, MissingTopLevelFieldFails) {
  report_.erase("qa");
  EXPECT_FALSE(validator_.Validate(report_).empty());
}

TEST_F(ReportSchema, WrongEnumValuesFail) {
  for (const auto& [pointer, value] :
       std::vector<std::pair<std::string, json>>{{"/clips/0/status", "done"},
                                                 {"/clips/0/classification", "maybe"},
                                                 {"/clips/0/laterality", "X"},
                                                 {"/segments/0/segment", "GSV_SOMEWHERE"},
                                                 {"/schema", "refluxscan.report/2"}}) {
    json broken = report_;
    broken[json::json_pointer(pointer)] = value;
    const auto errors = validator_.Validate(broken);
    ASSERT_EQ(errors.size(), 1u) << pointer << "\n" << Joined(errors);
    EXPECT_NE(errors[0].find("not in enum"), std::string::npos) << errors[0];
  }
}

TEST_F(ReportSchema, WrongTypesAndExtraPropertiesFail) {
  json wrong_type = report_;
  wrong_type["clips"][1]["reflux_duration_ms"] = "long";
  EXPECT_FALSE(validator_.Validate(wrong_type).empty());
  json extra = report_;
  extra["segments"][0]["colour"] = "red";
  const auto errors = validator_.Validate(extra);
  ASSERT_EQ(errors.size(), 1u) << Joined(errors);
  EXPECT_NE(errors[0].find("not allowed"), std::string::npos);
  json bad_region = report_;
  bad_region["clips"][0]["calibration"]["region"] = {1, 2, 3};
  EXPECT_FALSE(validator_.Validate(bad_region).empty());
  json negative = report_;
  negative["clips"][0]["reflux_duration_ms"] = -5;
  EXPECT_FALSE(validator_.Validate(negative).empty());
}

}  // namespace
}  // namespace refluxscan::report
