#include <regex>
#include <string>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "refluxscan/report/report.h"
#include "report/fake_study.h"

namespace refluxscan::report {
namespace {

using refluxscan::testing::MakeFakeStudy;

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The opening tag of the element with this id.
std::string TagWithId(const std::string& html, const std::string& id) {
  const size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t open = html.rfind('<', at);
  return html.substr(open, html.find('>', at) - open + 1);
}

class ReportHtml : public ::testing::Test {
 protected:
  StudyReport report_ = MakeFakeStudy();
  std::string html_ = ToHtml(report_);
};

TEST_F(ReportHtml, IsSelfContained) {
  EXPECT_EQ(html_.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html_.find("default-src 'none'"), std::string::npos);  // CSP: nothing external loads
  // No external fetch anywhere: the only URL is the SVG namespace identifier.
  const std::regex external(R"((src|href)\s*=\s*"(https?:|//))");
  EXPECT_FALSE(std::regex_search(html_, external));
  EXPECT_EQ(html_.find("url(http"), std::string::npos);
  EXPECT_EQ(html_.find("@import"), std::string::npos);
  EXPECT_EQ(html_.find("<link"), std::string::npos);
  EXPECT_EQ(Count(html_, "<script"), 1u);  // only the pinned render check
}

TEST_F(ReportHtml, HeaderShowsStudyProvenanceAndCriteria) {
  EXPECT_NE(html_.find("2024-03-15"), std::string::npos);
  EXPECT_NE(html_.find("Bilateral venous insufficiency mapping"), std::string::npos);
  EXPECT_NE(html_.find("PID-0042"), std::string::npos);
  EXPECT_NE(html_.find("refluxscan 0.1.0"), std::string::npos);
  EXPECT_NE(html_.find("2024-03-16T09:30:00Z"), std::string::npos);
  EXPECT_NE(html_.find("&gt; 1000 ms"), std::string::npos);  // deep proximal threshold
  EXPECT_NE(html_.find("&gt; 350 ms"), std::string::npos);   // perforator threshold
  EXPECT_NE(html_.find("threshold_superficial_ms"), std::string::npos);
}

// An inclusive criterion (the SVS/AVF perforator alternative, ">= 500 ms") is printed as such in
// the criteria table and on the clip cards, never as "> 500 ms".
TEST(ReportHtmlCriteria, InclusiveThresholdIsPrintedAsAtLeast) {
  StudyReport report = MakeFakeStudy();
  for (ClipResult& clip : report.clips) {
    if (clip.finding.threshold_ms == 350.0) clip.finding.threshold_inclusive = true;
  }
  for (SegmentFinding& s : report.segments) {
    if (s.finding.threshold_ms == 350.0) s.finding.threshold_inclusive = true;
  }
  const std::string html = ToHtml(report);
  EXPECT_NE(html.find("\u2265 350 ms"), std::string::npos);
  EXPECT_EQ(html.find("&gt; 350 ms"), std::string::npos);
  EXPECT_NE(html.find("&gt; 1000 ms"), std::string::npos);  // the others stay exclusive
}

TEST_F(ReportHtml, VeinMapHasEverySegmentColouredByClassification) {
  for (const SegmentFinding& s : report_.segments) {
    const std::string id = std::string("seg-") + std::string(LateralityCode(s.laterality)) + "-" +
                           std::string(Info(s.segment).name);
    const std::string tag = TagWithId(html_, id);
    ASSERT_FALSE(tag.empty()) << id;
    EXPECT_NE(tag.find(std::string("data-classification=\"") +
                       std::string(ClassificationName(s.finding.classification)) + "\""),
              std::string::npos)
        << tag;
  }
  EXPECT_NE(TagWithId(html_, "seg-L-GSV_KNEE").find("data-classification=\"not_measured\""),
            std::string::npos);
  EXPECT_NE(TagWithId(html_, "seg-R-SSV_SPJ").find("post"), std::string::npos);  // dashed
  // Labels carry the reflux time; the truncated one is a lower bound.
  EXPECT_NE(html_.find("1850 ms"), std::string::npos);
  EXPECT_NE(html_.find("\u2265 380 ms"), std::string::npos);
  EXPECT_NE(html_.find("leg (R) is on the viewer's left"), std::string::npos);  // convention stated
}

// A tributary (level unspecified) is drawn only when measured, and then listed like any segment.
TEST(ReportHtmlVeinMap, ATributaryIsDrawnOnlyWhenMeasured) {
  StudyReport report = MakeFakeStudy();
  EXPECT_TRUE(TagWithId(ToHtml(report), "seg-L-TRIBUTARY").empty());
  SegmentFinding tributary = report.segments.back();
  tributary.laterality = Laterality::kLeft;
  tributary.segment = Segment::kTributary;
  report.segments.push_back(tributary);
  const std::string html = ToHtml(report);
  EXPECT_NE(TagWithId(html, "seg-L-TRIBUTARY").find("class=\"seg sup measured\""),
            std::string::npos);
  EXPECT_TRUE(TagWithId(html, "seg-R-TRIBUTARY").empty());
  EXPECT_NE(html.find("finding-L-TRIBUTARY"), std::string::npos);  // the findings table lists it
}

TEST_F(ReportHtml, FindingsTablesLinkTheDecisiveClip) {
  const std::string row = TagWithId(html_, "finding-R-GSV_SFJ");
  ASSERT_FALSE(row.empty());
  const size_t at = html_.find(row);
  const std::string rest = html_.substr(at, html_.find("</tr>", at) - at);
  EXPECT_NE(rest.find("1850 ms"), std::string::npos);
  EXPECT_NE(rest.find("+1350 ms"), std::string::npos);
  EXPECT_NE(rest.find("42.7 cm/s"), std::string::npos);
  EXPECT_NE(rest.find("href=\"#clip-1\""), std::string::npos);
  EXPECT_FALSE(TagWithId(html_, "clip-1").empty());
}

TEST_F(ReportHtml, ClipsShowStripWithOverlayInPixelCoordinates) {
  // One PNG per analysed clip (16 of the 18 clips have strips).
  EXPECT_EQ(Count(html_, "src=\"data:image/jpeg;base64,/9j/"), 16u);
  EXPECT_NE(html_.find("viewBox=\"0 0 600 200\""), std::string::npos);
  // Baseline at row (top - 0) / step = 60 / 0.6 = 100.
  EXPECT_NE(html_.find("class=\"baseline\" x1=\"0\" y1=\"100.00\""), std::string::npos);
  // Release at 2.0 s = column 200; reflux band of the SFJ clip from 2.05 s for 1.85 s.
  EXPECT_NE(html_.find("class=\"release\" x1=\"200.00\""), std::string::npos);
  EXPECT_NE(html_.find("class=\"reflux-band\" x=\"205.00\" y=\"0\" width=\"185.00\""),
            std::string::npos);
  EXPECT_GE(Count(html_, "class=\"env antegrade\""), 16u);
  EXPECT_GE(Count(html_, "class=\"env retrograde\""), 16u);
  // Retrograde intervals are red only where the clip is `reflux`; grey (not-reflux) elsewhere.
  const size_t figures = Count(html_, "<figure class=\"strip");
  EXPECT_GT(Count(html_, "<figure class=\"strip not-reflux\">"), 0u);
  EXPECT_LT(Count(html_, "<figure class=\"strip not-reflux\">"), figures);
  EXPECT_NE(html_.find("measured retrograde flow (not reflux by the criterion)"),
            std::string::npos);
}

// Each strip carries its axes (a reader checks an interval or a velocity against the image) and
// its clip the file's own name (the scanner's image number).
TEST_F(ReportHtml, StripsHaveTimeAndVelocityAxesAndClipsTheirFileName) {
  // 600 columns x 0.01 s: ticks every 0.5 s, labels inside the strip, the unit on the last.
  EXPECT_NE(html_.find("<span class=\"tick-label t\" style=\"left:50.00%\">3.0</span>"),
            std::string::npos);
  EXPECT_NE(html_.find(">5.5 s</span>"), std::string::npos);
  EXPECT_EQ(html_.find("style=\"left:100.00%\""), std::string::npos);  // at the edge: cut off
  // +60 .. -60 cm/s over 200 rows: at most 5 ticks (35 rows apart), so every 50 cm/s; the unit
  // on the top-most label (+50).
  EXPECT_NE(html_.find("<span class=\"tick-label v\" style=\"top:8.33%\">50 cm/s</span>"),
            std::string::npos);
  EXPECT_NE(html_.find("<span class=\"tick-label v\" style=\"top:50.00%\">0</span>"),
            std::string::npos);
  EXPECT_NE(html_.find("<line class=\"tick\" x1=\"300.00\" y1=\"194\""), std::string::npos);
  EXPECT_NE(html_.find("<span class=\"clip-file\">GSV_SFJ.dcm</span>"), std::string::npos);
  // A strip too small for two ticks has no axes.
  StudyReport tiny;
  ClipResult clip = refluxscan::testing::MakeOkClip(refluxscan::testing::FakeSpecs()[0]);
  clip.strip_bgr = clip.strip_bgr(cv::Rect(0, 0, 40, 30)).clone();
  tiny.clips.push_back(clip);
  const std::string small = ToHtml(tiny);
  EXPECT_EQ(small.find("<span class=\"tick-label"), std::string::npos);
  EXPECT_EQ(small.find("class=\"tick\""), std::string::npos);
}

// A refluxing clip at a level the labels did not name is shown on its leg's card, with a link.
TEST(ReportHtmlLimbs, ARefluxAtALevelNotIdentifiedIsListedOnItsLeg) {
  StudyReport r = MakeFakeStudy();
  r.clips[13].identity.segment.reset();
  r.clips[13].identity.label_text = "L - GSV thigh - 8";
  r.limbs[1].unplaced_reflux_clips = {13};
  const std::string html = ToHtml(r);
  EXPECT_NE(html.find("Reflux at a level not identified</dt><dd><span class=\"bad\"><a "
                      "href=\"#clip-13\">clip 13</a> &ldquo;L - GSV thigh - 8&rdquo; 1120 ms"),
            std::string::npos);
  EXPECT_NE(html.find("refluxing clips not on the map"), std::string::npos);
}

TEST_F(ReportHtml, EnvelopePolylineFollowsVelocityToRowMapping) {
  StudyReport r;
  ClipResult clip = refluxscan::testing::MakeOkClip(refluxscan::testing::FakeSpecs()[0]);
  Envelope& e = *clip.envelope;
  e.max_forward = {30.0f, 0.0f, 12.0f};
  e.max_reverse = {6.0f, 60.0f, 0.0f};
  e.flags = {0, 0, 0};
  r.clips.push_back(clip);
  const std::string html = ToHtml(r);
  // row = (60 - v) / 0.6: +30 -> 50, 0 -> 100, +12 -> 80; -6 -> 110, -60 -> 200, 0 -> 100.
  EXPECT_NE(html.find("points=\"0.00,50.00 1.00,100.00 2.00,80.00\""), std::string::npos);
  EXPECT_NE(html.find("points=\"0.00,110.00 1.00,200.00 2.00,100.00\""), std::string::npos);
}

// A segment whose decisive clip is near its threshold is marked borderline in the findings
// table and "≈" on the vein map, not shown as a plain answer.
TEST_F(ReportHtml, ABorderlineSegmentIsMarkedWhereItsAnswerIsShown) {
  StudyReport r;
  ClipResult clip = refluxscan::testing::MakeOkClip(refluxscan::testing::FakeSpecs()[0]);
  clip.quality = {"near_threshold"};
  r.clips.push_back(clip);
  SegmentFinding s;
  s.laterality = clip.identity.laterality.value_or(Laterality::kLeft);
  s.segment = clip.identity.segment.value_or(Segment::kGsvSfj);
  s.clip_indices = {0};
  s.decisive_clip = 0;
  s.finding.classification = Classification::kNoReflux;
  s.reflux_duration_ms = 486;
  r.segments.push_back(s);
  LimbSummary limb;
  limb.laterality = s.laterality;
  r.limbs.push_back(limb);
  const std::string html = ToHtml(r);
  EXPECT_EQ(Count(html, "<span class=\"borderline\""), 1u);
  EXPECT_NE(html.find("\u2248 486 ms"), std::string::npos);
  // The leg's card names it too: its extent lists only refluxing segments.
  EXPECT_NE(html.find("Borderline (check the interval)</dt><dd>CFV no reflux 486 ms</dd>"),
            std::string::npos);
  r.clips[0].quality.clear();
  const std::string plain = ToHtml(r);
  EXPECT_EQ(Count(plain, "<span class=\"borderline\""), 0u);
  EXPECT_EQ(plain.find("\u2248 486 ms"), std::string::npos);
  EXPECT_EQ(plain.find("Borderline (check"), std::string::npos);
}

// The calibration names the scale's ends as the strip shows them: an inverted display (velocity
// growing downward) reads top to bottom, not upside down.
TEST_F(ReportHtml, TheScaleIsGivenTopToBottomAsDisplayed) {
  StudyReport r;
  ClipResult clip = refluxscan::testing::MakeOkClip(refluxscan::testing::FakeSpecs()[0]);
  r.clips.push_back(clip);
  EXPECT_NE(ToHtml(r).find("scale 60.0 (top) to -59.4 (bottom) cm/s;"), std::string::npos);
  r.clips[0].strip_velocity_top = -59.4;
  r.clips[0].strip_velocity_step_per_row = -0.6;
  EXPECT_NE(ToHtml(r).find("scale -59.4 (top) to 60.0 (bottom) cm/s, display inverted"),
            std::string::npos);
}

TEST_F(ReportHtml, MaskedColumnsBreakTheEnvelope) {
  // The fake envelope masks columns 300..305 (erase bar): each side is two polylines per clip.
  const size_t start = html_.find("id=\"clip-0\"");
  const std::string card = html_.substr(start, html_.find("</article>", start) - start);
  EXPECT_EQ(Count(card, "class=\"env antegrade\""), 2u);
  EXPECT_EQ(Count(card, "class=\"env retrograde\""), 2u);
  // ... and are shaded over the strip, with a key, so that stale flow there is not read.
  EXPECT_NE(card.find("class=\"masked\" x=\"300\" y=\"0\" width=\"6\" height=\"200\""),
            std::string::npos);
  EXPECT_NE(card.find("class=\"key k-masked\""), std::string::npos);
}

// Columns read through an aliasing wrap: their unwrapped velocity (beyond the scale) is drawn
// where the display shows it, wrapped round by the span, dashed; the columns are marked along the
// strip's edges, with a key.
TEST_F(ReportHtml, AliasedColumnsShowTheWrapAsDisplayed) {
  StudyReport r;
  ClipResult clip = refluxscan::testing::MakeOkClip(refluxscan::testing::FakeSpecs()[0]);
  ASSERT_TRUE(clip.envelope.has_value());
  Envelope& env = *clip.envelope;  // strip: 200 rows, +60 cm/s at the top, 0.6 cm/s per row
  for (size_t c = 100; c < 110; ++c) {
    env.flags[c] |= kColumnAliased | kColumnUnwrapped;
    env.max_forward[c] = 66.0f;  // 10 rows past the top edge: shown 10 rows above the bottom
  }
  r.clips.push_back(clip);
  const std::string html = ToHtml(r);
  const size_t at = html.find("class=\"env antegrade wrapped\" points=\"100.00,190.00 ");
  EXPECT_NE(at, std::string::npos);
  EXPECT_NE(html.find("class=\"aliased\" x=\"100\" y=\"0\" width=\"10\" height=\"3\""),
            std::string::npos);
  EXPECT_NE(html.find("class=\"aliased\" x=\"100\" y=\"197\" width=\"10\" height=\"3\""),
            std::string::npos);
  EXPECT_NE(html.find("class=\"key k-aliased\""), std::string::npos);
  EXPECT_EQ(ToHtml(StudyReport{}).find("class=\"key k-aliased\""), std::string::npos);
}

// The arterial beats the measurement bridged over are shaded on the strip, with a legend entry,
// and the QA section explains the flag.
TEST_F(ReportHtml, ArterialBeatsAreShadedOnTheStrip) {
  StudyReport r;
  ClipResult clip = refluxscan::testing::MakeOkClip(refluxscan::testing::FakeSpecs()[0]);
  ASSERT_TRUE(clip.measurement.has_value());
  clip.measurement->cardiac_pulses_s = {{0.5, 0.65}, {1.3, 1.45}};
  clip.measurement->flags.push_back("pulsatile_signal");
  clip.quality.push_back("pulsatile_signal");
  r.clips.push_back(clip);
  const std::string html = ToHtml(r);
  EXPECT_EQ(Count(html, "<rect class=\"beat\""), 2u);
  EXPECT_NE(html.find("class=\"key k-beat\""), std::string::npos);
  EXPECT_NE(html.find("Pulses at the heart&#39;s rhythm in the trace"), std::string::npos);
  EXPECT_EQ(html_.find("<rect class=\"beat\""), std::string::npos);  // none without beats
}

TEST_F(ReportHtml, FailedAndSkippedClipsListTheirErrors) {
  EXPECT_NE(html_.find("JPEG stream ends after 12 of 40 frames"), std::string::npos);
  EXPECT_NE(html_.find("no spectral Doppler region in the image"), std::string::npos);
  EXPECT_NE(html_.find("class=\"clip status-error\""), std::string::npos);
  EXPECT_NE(html_.find("class=\"clip status-skipped\""), std::string::npos);
}

TEST_F(ReportHtml, QaSectionExplainsFlagsAndProtocolGaps) {
  const std::string qa = html_.substr(html_.find("<section id=\"qa\">"));
  EXPECT_NE(qa.find("Velocity scale too high"), std::string::npos);
  EXPECT_NE(qa.find("Doppler correction angle not recorded"), std::string::npos);
  EXPECT_NE(qa.find("The clip ends while reflux continues"), std::string::npos);
  EXPECT_NE(qa.find("Not a spectral Doppler image"), std::string::npos);
  EXPECT_NE(qa.find("made_up_flag&lt;b&gt;"), std::string::npos);  // unknown flags still shown
  EXPECT_NE(qa.find("Incomplete"), std::string::npos);
  EXPECT_EQ(Count(qa, "class=\"level missing\""), 4u + 1u);  // 4 levels + legend
  EXPECT_EQ(Count(qa, "class=\"level unmeasurable\""), 1u + 1u);
  // Flags read as words; the code stays in data-flag (and report.json).
  EXPECT_NE(qa.find("<span class=\"chip\" data-flag=\"angle_missing\">angle missing</span>"),
            std::string::npos);
  EXPECT_EQ(html_.find(">angle_missing<"), std::string::npos);
}

TEST_F(ReportHtml, UntrustedTextIsEscapedEverywhere) {
  StudyReport r = MakeFakeStudy();
  r.study.patient_id = "<img src=x onerror=alert(2)>";
  r.study.study_description = "\"><svg onload=alert(3)>";
  r.options.push_back({"<b>opt</b>", "</style><script>alert(4)</script>"});
  r.clips[0].error = Error{ErrorCode::kIo, "<iframe>"};
  r.limbs[0].gsv_reflux_extent = "GSV_SFJ to <i>x</i>";
  const std::string html = ToHtml(r);
  for (const char* raw : {"<script>alert", "<img src=x", "<svg onload", "<b>opt", "<iframe",
                          "</style><script>", "weird \"name\"", "<i>x"}) {
    EXPECT_EQ(html.find(raw), std::string::npos) << raw;
  }
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("weird &quot;name&quot; &#39;x&#39;.dcm"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
}

TEST_F(ReportHtml, EmptyReportStillRenders) {
  const std::string html = ToHtml(StudyReport{});
  EXPECT_NE(html.find("id=\"legmap\""), std::string::npos);
  EXPECT_NE(html.find("seg-R-GSV_SFJ"), std::string::npos);  // gray, not measured
  EXPECT_NE(html.find("No clips."), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

// A study of B-mode / echo images only (every clip skipped) is no reflux study: its protocol is
// not assessed, rather than 22 levels "missing".
TEST_F(ReportHtml, AStudyWithoutDopplerClipsHasNoProtocolVerdict) {
  StudyReport r = report_;
  for (ClipResult& c : r.clips) c.status = ClipStatus::kSkipped;
  const std::string html = ToHtml(r);
  EXPECT_NE(html.find("Not assessed: this study holds no spectral Doppler clip"),
            std::string::npos);
  EXPECT_EQ(html.find("protocol levels missing or unmeasurable"), std::string::npos);
  EXPECT_NE(html_.find("protocol levels missing or unmeasurable"), std::string::npos);
}

// A reflux over the threshold that ran into the end of its clip is a lower bound wherever its
// time is shown: the clip card's title and "Reflux time" row, the findings table and the vein map
// (only the strip overlay said "\u2265" before; the rest read like a complete measurement).
TEST_F(ReportHtml, ATruncatedRefluxIsALowerBoundEverywhere) {
  StudyReport r = report_;
  const SegmentFinding* sfj = nullptr;
  for (const SegmentFinding& s : r.segments) {
    if (s.laterality == Laterality::kRight && s.segment == Segment::kGsvSfj) sfj = &s;
  }
  ASSERT_TRUE(sfj != nullptr && sfj->decisive_clip);
  ClipResult& clip = r.clips[*sfj->decisive_clip];
  ASSERT_TRUE(clip.measurement && !clip.measurement->maneuvers.empty());
  for (Maneuver& m : clip.measurement->maneuvers) m.truncated = m.has_reflux;
  const std::string html = ToHtml(r);
  const std::string row = TagWithId(html, "finding-R-GSV_SFJ");
  const size_t at = html.find(row);
  EXPECT_NE(html.substr(at, html.find("</tr>", at) - at).find("\u2265 1850 ms"), std::string::npos);
  const std::string card = TagWithId(html, "clip-" + std::to_string(*sfj->decisive_clip));
  const size_t card_at = html.find(card);
  const std::string card_html = html.substr(card_at, html.find("</article>", card_at) - card_at);
  size_t bounds = 0;
  for (size_t p = card_html.find("\u2265 1850"); p != std::string::npos;
       p = card_html.find("\u2265 1850", p + 1)) {
    ++bounds;
  }
  EXPECT_GE(bounds, 2u);  // title and the "Reflux time" row
  const size_t map = html.find("<svg");
  ASSERT_NE(map, std::string::npos);
  EXPECT_NE(html.substr(map, html.find("</svg>", map) - map).find("\u2265 1850 ms"),
            std::string::npos);
  // The JSON says it too (a boolean beside the time, for clip and segment); before the change
  // the same segment reads false.
  auto sfj_bound = [](const StudyReport& report) {
    const nlohmann::json parsed = nlohmann::json::parse(ToJson(report));
    for (const auto& seg : parsed["segments"]) {
      if (seg["laterality"] == "R" && seg["segment"] == "GSV_SFJ") {
        return seg["reflux_duration_is_lower_bound"].get<bool>();
      }
    }
    return false;
  };
  EXPECT_TRUE(sfj_bound(r));
  EXPECT_FALSE(sfj_bound(report_));
}

// A leg with nothing decided (no clip analysed, or only indeterminate ones) is "not assessed",
// never "none" (a finding a physician would read as competent veins); an indeterminate segment
// with no reflux seen shows no time, no margin and no "\u2265 0 ms".
TEST_F(ReportHtml, NothingDecidedIsNotAssessedAndHasNoTime) {
  StudyReport r;
  SegmentFinding s;
  s.laterality = Laterality::kLeft;
  s.segment = Segment::kFvMid;
  s.finding.classification = Classification::kIndeterminate;
  s.finding.reason = "truncated_below_threshold";
  s.finding.threshold_ms = 1000;
  s.finding.margin_ms = -1000;
  s.reflux_duration_ms = 0.0;
  s.peak_reflux_velocity_cm_s = 0.0;
  r.segments.push_back(s);
  for (Laterality side : {Laterality::kRight, Laterality::kLeft}) {
    LimbSummary limb;
    limb.laterality = side;
    r.limbs.push_back(limb);
  }
  const std::string html = ToHtml(r);
  EXPECT_EQ(html.find(">none<"), std::string::npos);
  EXPECT_NE(html.find("not assessed"), std::string::npos);
  EXPECT_EQ(html.find("\u2265 0 ms"), std::string::npos);
  EXPECT_EQ(html.find("-1000 ms"), std::string::npos);
  // With a decided segment the leg's "none" is a finding again.
  s.finding.classification = Classification::kNoReflux;
  s.finding.reason.clear();
  r.segments.push_back(s);
  r.segments.back().segment = Segment::kGsvSfj;
  EXPECT_NE(ToHtml(r).find(">none<"), std::string::npos);
}

TEST_F(ReportHtml, UnencodableStripFallsBackToANote) {
  StudyReport r = MakeFakeStudy();
  r.clips[0].strip_bgr = cv::Mat(10, 10, CV_32FC1, cv::Scalar(0.5));
  const std::string html = ToHtml(r);
  EXPECT_NE(html.find("No spectral strip image available."), std::string::npos);
}

}  // namespace
}  // namespace refluxscan::report
