#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "refluxscan/report/report.h"
#include "report/fake_study.h"
#include "testing/csv.h"

namespace refluxscan::report {
namespace {

using Table = std::vector<std::vector<std::string>>;

using testing::ParseCsv;

// Rows as maps from column name to cell.
std::vector<std::map<std::string, std::string>> Records(const Table& t) {
  std::vector<std::map<std::string, std::string>> out;
  for (size_t r = 1; r < t.size(); ++r) {
    std::map<std::string, std::string> rec;
    for (size_t c = 0; c < t[0].size() && c < t[r].size(); ++c) rec[t[0][c]] = t[r][c];
    out.push_back(rec);
  }
  return out;
}

TEST(ReportCsv, OneRowPerClipAndPerSegmentWithFixedColumns) {
  const StudyReport r = refluxscan::testing::MakeFakeStudy();
  const Table t = ParseCsv(ToCsv(r));
  ASSERT_EQ(t.size(), 1 + r.clips.size() + r.segments.size());
  for (const auto& row : t) EXPECT_EQ(row.size(), t[0].size());
  EXPECT_EQ(t[0][0], "level");
  const auto recs = Records(t);
  size_t clips = 0, segments = 0;
  for (const auto& rec : recs) {
    clips += rec.at("level") == "clip";
    segments += rec.at("level") == "segment";
  }
  EXPECT_EQ(clips, r.clips.size());
  EXPECT_EQ(segments, r.segments.size());
  // Every row names its study (concatenated per-study files of a batch stay traceable).
  ASSERT_FALSE(r.study.study_instance_uid.empty());
  for (const auto& rec : recs) {
    EXPECT_EQ(rec.at("study_instance_uid"), r.study.study_instance_uid);
    EXPECT_EQ(rec.at("study_date"), r.study.study_date);
  }
}

TEST(ReportCsv, PlainUnitsAndNumbers) {
  const StudyReport r = refluxscan::testing::MakeFakeStudy();
  const auto recs = Records(ParseCsv(ToCsv(r)));
  const auto& sfj = recs[1];  // clip 1: R GSV_SFJ
  EXPECT_EQ(sfj.at("file"), "R/GSV_SFJ.dcm");
  EXPECT_EQ(sfj.at("laterality"), "R");
  EXPECT_EQ(sfj.at("segment"), "GSV_SFJ");
  EXPECT_EQ(sfj.at("reflux_duration_ms"), "1850.0");
  EXPECT_EQ(sfj.at("peak_reflux_velocity_cm_s"), "42.68");
  EXPECT_EQ(sfj.at("threshold_ms"), "500.0");
  EXPECT_EQ(sfj.at("margin_ms"), "1350.0");
  EXPECT_EQ(sfj.at("classification"), "reflux");
  ASSERT_FALSE(r.clips[1].identity.source_detail.empty());
  EXPECT_EQ(sfj.at("segment_source_detail"), r.clips[1].identity.source_detail);
  EXPECT_EQ(sfj.at("antegrade_direction"), "up");
  EXPECT_EQ(sfj.at("antegrade_direction_source"), "augmentation");
  EXPECT_EQ(recs[7].at("antegrade_direction"), "down");  // inverted display
  const auto& cfv = recs[0];
  EXPECT_EQ(cfv.at("margin_ms"), "-580.0");  // negative numbers stay numbers (no ' prefix)
  const auto& segment = recs[r.clips.size()];
  EXPECT_EQ(segment.at("level"), "segment");
  EXPECT_EQ(segment.at("clip_ids"), "0");
  EXPECT_EQ(segment.at("decisive_clip_id"), "0");
  EXPECT_EQ(segment.at("file"), "");
}

TEST(ReportCsv, FlagsJoinedAndErrorsFlattened) {
  const StudyReport r = refluxscan::testing::MakeFakeStudy();
  const auto recs = Records(ParseCsv(ToCsv(r)));
  EXPECT_EQ(recs[14].at("quality_flags"), "angle_missing;scale_too_high");
  EXPECT_EQ(recs[15].at("status"), "error");
  EXPECT_EQ(recs[15].at("error_code"), "corrupt");
  EXPECT_EQ(recs[15].at("error_message"), "JPEG stream ends after 12 of 40 frames");
  EXPECT_EQ(recs[15].at("reflux_duration_ms"), "");          // unknown = empty cell
  EXPECT_EQ(recs[17].at("file"), "weird \"name\" 'x'.dcm");  // quotes survive round trip
  // A segment row carries its decisive clip's flags (a borderline answer shows on it).
  size_t flagged = 0;
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const SegmentFinding& s = r.segments[i];
    if (!s.decisive_clip) continue;
    std::string joined;
    for (const std::string& f : r.clips[*s.decisive_clip].quality) {
      joined += (joined.empty() ? "" : ";") + f;
    }
    EXPECT_EQ(recs[r.clips.size() + i].at("quality_flags"), joined) << i;
    flagged += joined.empty() ? 0 : 1;
  }
  EXPECT_GT(flagged, 0u);
}

TEST(ReportCsv, FormulaInjectionIsDefused) {
  StudyReport r = refluxscan::testing::MakeFakeStudy();
  r.clips[0].identity.label_text = "=HYPERLINK(\"http://x\",\"click\")";
  r.clips[0].file = "+cmd|' /C calc'!A0.dcm";
  r.clips[1].identity.label_text = "@SUM(1,2)";
  r.clips[2].identity.label_text = "line1\nline2,\"x\"";
  const std::string csv = ToCsv(r);
  const auto recs = Records(ParseCsv(csv));
  EXPECT_EQ(recs[0].at("label_text").front(), '\'');
  EXPECT_EQ(recs[0].at("file").front(), '\'');
  EXPECT_EQ(recs[1].at("label_text").front(), '\'');
  EXPECT_EQ(recs[2].at("label_text"), "line1 line2,\"x\"");  // no row break inside a field
  EXPECT_EQ(ParseCsv(csv).size(), 1 + r.clips.size() + r.segments.size());
  for (const auto& rec : recs) {
    for (const auto& [column, cell] : rec) {
      if (cell.empty()) continue;
      EXPECT_NE(cell.front(), '=') << column;
      EXPECT_NE(cell.front(), '+') << column;
      EXPECT_NE(cell.front(), '@') << column;
    }
  }
}

TEST(ReportCsv, EmptyReportHasOnlyTheHeader) {
  const Table t = ParseCsv(ToCsv(StudyReport{}));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].front(), "level");
  EXPECT_EQ(t[0].back(), "decisive_maneuver_kind");
}

}  // namespace
}  // namespace refluxscan::report
