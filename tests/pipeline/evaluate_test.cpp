// `refluxscan evaluate` on hand-made truth and reports: the scores, and reports that are data
// rather than typed values (a failed clip's null classification, foreign entries).
#include "refluxscan/pipeline/evaluate.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/fixtures.h"

namespace refluxscan::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json TruthEntry(const std::string& uid, const char* expected, double duration_ms) {
  return {{"file", uid + ".dcm"},
          {"sop_instance_uid", uid},
          {"transfer_syntax", "jpeg"},
          {"conditions", json::array({"tinted"})},
          {"display", {{"seconds_per_column", 0.01}}},
          {"expected_classification", expected},
          {"expected_reason", ""},
          {"threshold_ms", 500.0},
          {"reflux_duration_ms", duration_ms},
          {"peak_reflux_velocity_cm_s", duration_ms > 0 ? 20.0 : 0.0},
          {"segment", "GSV_SFJ"},
          {"laterality", "R"},
          {"label_in_vocabulary", true}};
}

void WriteJson(const fs::path& path, const json& j) { std::ofstream(path) << j.dump(1); }

struct Files {
  fs::path truth, report;
};

Files Write(const std::string& name, const json& clips) {
  const fs::path dir = refluxscan::testing::ScratchDir("evaluate_" + name);
  Files f{dir / "truth.json", dir / "out" / "study" / "report.json"};
  fs::create_directories(f.report.parent_path());
  WriteJson(f.truth, {{"schema", "refluxscan.truth/1"},
                      {"files",
                       {TruthEntry("1.1", "reflux", 800), TruthEntry("1.2", "no_reflux", 0),
                        TruthEntry("1.3", "reflux", 900)}}});
  WriteJson(f.report, {{"schema", "refluxscan.report/1"}, {"clips", clips}});
  return f;
}

TEST(Evaluate, ScoresDurationClassificationAndIdentity) {
  const Files f = Write("scores", json::array({
                                      {{"sop_instance_uid", "1.1"},
                                       {"classification", "reflux"},
                                       {"reflux_duration_ms", 830.0},
                                       {"peak_reflux_velocity_cm_s", 21.0},
                                       {"segment", "GSV_SFJ"},
                                       {"laterality", "R"}},
                                      {{"sop_instance_uid", "1.2"},
                                       {"classification", "no_reflux"},
                                       {"segment", "GSV_SFJ"},
                                       {"laterality", "L"}},
                                  }));
  const auto out = EvaluateReports(f.truth.string(), {f.report.parent_path().parent_path()});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_NE(out->table.find("matched: 2, missing from reports: 1"), std::string::npos)
      << out->table;
  // overall: 2 clips, one duration (30 ms = 3 columns), both classified right, identity 1 of 2.
  EXPECT_NE(out->table.find("overall                    2     30.0"), std::string::npos)
      << out->table;
  EXPECT_NE(out->table.find("100.0   100.0    50.0"), std::string::npos) << out->table;
  EXPECT_FALSE(out->targets_met);  // a clip is missing
}

// The antegrade direction is scored over clips with maneuvers in truth: sign +1 = "up" (the
// positive velocity side). Here one right, one wrong, and a clip without maneuvers not counted.
TEST(Evaluate, ScoresTheAntegradeDirection) {
  const fs::path dir = refluxscan::testing::ScratchDir("evaluate_direction");
  json a = TruthEntry("2.1", "reflux", 800), b = TruthEntry("2.2", "no_reflux", 0),
       c = TruthEntry("2.3", "indeterminate", 0);
  a["antegrade_sign"] = 1;
  a["maneuvers"] = json::array({json::object()});
  b["antegrade_sign"] = -1;
  b["maneuvers"] = json::array({json::object()});
  c["antegrade_sign"] = 1;
  c["maneuvers"] = json::array();
  WriteJson(dir / "truth.json", {{"schema", "refluxscan.truth/1"}, {"files", {a, b, c}}});
  fs::create_directories(dir / "out" / "study");
  WriteJson(dir / "out" / "study" / "report.json",
            {{"schema", "refluxscan.report/1"},
             {"clips",
              {{{"sop_instance_uid", "2.1"}, {"antegrade_direction", "up"}},
               {{"sop_instance_uid", "2.2"}, {"antegrade_direction", "up"}},
               {{"sop_instance_uid", "2.3"}, {"antegrade_direction", "down"}}}}});
  const auto out = EvaluateReports((dir / "truth.json").string(), {(dir / "out").string()});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  const size_t overall = out->table.find("overall");
  ASSERT_NE(overall, std::string::npos);
  const std::string row = out->table.substr(overall, out->table.find('\n', overall) - overall);
  EXPECT_EQ(row.substr(row.find_last_not_of(' ') - 3, 4), "50.0") << out->table;
}

TEST(Evaluate, NullAndForeignReportEntriesDoNotStopTheEvaluation) {
  const Files f = Write("nulls", json::array({
                                     {{"sop_instance_uid", "1.1"},
                                      {"status", "error"},
                                      {"classification", nullptr},
                                      {"reflux_duration_ms", nullptr},
                                      {"segment", nullptr},
                                      {"laterality", nullptr}},
                                     {{"sop_instance_uid", nullptr}, {"classification", 3}},
                                     "not a clip",
                                     {{"sop_instance_uid", "9.9"}, {"classification", "reflux"}},
                                 }));
  const auto out = EvaluateReports(f.truth.string(), {f.report.string()});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_NE(out->table.find("matched: 1"), std::string::npos) << out->table;
  EXPECT_NE(out->table.find("report clips not in truth: 2"), std::string::npos) << out->table;
}

// Truth written by another generator: nulls where ours writes strings or numbers (a
// thirteenth independent renderer's `"expected_reason": null` aborted evaluate-envelope with a
// JSON type error), and entries without a display or an envelope. Each is read as absent: the
// run completes, the unreadable files counted as failed.
TEST(Evaluate, NullsInTheTruthAreReadAsAbsent) {
  const fs::path dir = refluxscan::testing::ScratchDir("evaluate_truth_nulls");
  json entry = TruthEntry("1.1", "reflux", 800);
  entry["expected_reason"] = nullptr, entry["display"] = nullptr, entry["envelope"] = nullptr;
  json bare = {{"sop_instance_uid", "1.2"}, {"file", nullptr}, {"expected_reason", nullptr}};
  WriteJson(dir / "truth.json", {{"files", {entry, bare}}});
  const auto envelopes = EvaluateEnvelopes((dir / "truth.json").string(), 1);
  ASSERT_TRUE(envelopes.has_value()) << envelopes.error().message;
  EXPECT_NE(envelopes->table.find("failed the display path: 2"), std::string::npos)
      << envelopes->table;
  fs::create_directories(dir / "out" / "study");
  WriteJson(dir / "out" / "study" / "report.json",
            {{"clips", {{{"sop_instance_uid", "1.1"}, {"classification", "reflux"}}}}});
  const auto reports = EvaluateReports((dir / "truth.json").string(), {(dir / "out").string()});
  ASSERT_TRUE(reports.has_value()) << reports.error().message;
  EXPECT_NE(reports->table.find("matched: 1"), std::string::npos) << reports->table;
}

TEST(Evaluate, AReportThatIsNoReportIsAnError) {
  const Files f = Write("not_a_report", json::array());
  WriteJson(f.report, json::array({1, 2, 3}));
  const auto out = EvaluateReports(f.truth.string(), {f.report.string()});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::kInvalidInput);
}

// Reports of another set (or none): no clip matches, so there is no table to judge, and no
// target may print as MET on zero clips (far% and id% defaulted to 100 on empty tallies).
TEST(Evaluate, NoMatchingClipIsAnErrorNotAPass) {
  const Files f =
      Write("no_match", json::array({{{"sop_instance_uid", "9.9"}, {"classification", "reflux"}}}));
  const auto out = EvaluateReports(f.truth.string(), {f.report.string()});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::kNotFound);
  EXPECT_NE(out.error().message.find("nothing to evaluate"), std::string::npos);
}

}  // namespace
}  // namespace refluxscan::pipeline
