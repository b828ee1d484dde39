// Per-segment, per-limb aggregation and protocol completeness.
#include "refluxscan/study/aggregate.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "testing/fixtures.h"

namespace refluxscan::study {
namespace {

using enum Segment;
constexpr auto kL = Laterality::kLeft;
constexpr auto kR = Laterality::kRight;

ClipResult Clip(Laterality side, Segment segment, Classification c, double duration_ms,
                std::string reason = "") {
  ClipResult clip;
  clip.identity.laterality = side;
  clip.identity.segment = segment;
  clip.finding.classification = c;
  clip.finding.reason = std::move(reason);
  RefluxMeasurement m;
  Maneuver man;
  man.has_reflux = duration_ms > 0;
  man.reflux_duration_ms = duration_ms;
  man.peak_reflux_velocity_cm_s = duration_ms / 100;
  m.maneuvers.push_back(man);
  m.decisive = 0;
  clip.measurement = m;
  return clip;
}

const SegmentFinding* Find(const StudyReport& r, Laterality side, Segment s) {
  for (const SegmentFinding& f : r.segments) {
    if (f.laterality == side && f.segment == s) return &f;
  }
  return nullptr;
}

TEST(Aggregate, RefluxInAnyClipDecidesAndTheLongestIsDecisive) {
  StudyReport r;
  r.clips = {Clip(kL, kGsvSfj, Classification::kNoReflux, 200),
             Clip(kL, kGsvSfj, Classification::kReflux, 900),
             Clip(kL, kGsvSfj, Classification::kReflux, 1400),
             Clip(kL, kGsvSfj, Classification::kIndeterminate, 0, "no_augmentation")};
  Aggregate(r, DefaultProtocol());
  const SegmentFinding* f = Find(r, kL, kGsvSfj);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->clip_indices.size(), 4u);
  EXPECT_EQ(f->decisive_clip, 2u);
  EXPECT_EQ(f->finding.classification, Classification::kReflux);
  EXPECT_EQ(f->reflux_duration_ms, 1400);
  EXPECT_EQ(f->peak_reflux_velocity_cm_s, 14);
}

TEST(Aggregate, NoRefluxBeatsIndeterminateAndIndeterminateKeepsTheBestReason) {
  StudyReport r;
  r.clips = {Clip(kR, kCfv, Classification::kIndeterminate, 300, "truncated_below_threshold"),
             Clip(kR, kCfv, Classification::kNoReflux, 100),
             Clip(kR, kPopv, Classification::kIndeterminate, 0, "no_augmentation"),
             Clip(kR, kPopv, Classification::kIndeterminate, 600, "truncated_below_threshold")};
  Aggregate(r, DefaultProtocol());
  EXPECT_EQ(Find(r, kR, kCfv)->finding.classification, Classification::kNoReflux);
  EXPECT_EQ(Find(r, kR, kCfv)->decisive_clip, 1u);
  const SegmentFinding* pop = Find(r, kR, kPopv);
  EXPECT_EQ(pop->finding.classification, Classification::kIndeterminate);
  EXPECT_EQ(pop->finding.reason, "truncated_below_threshold");
  EXPECT_EQ(pop->decisive_clip, 3u);
}

// A segment decided by a clip without reflux has no reflux time, as the clip has none (null in
// the JSON, "—" in the HTML): it read 0 ms and 0 cm/s, as if measured.
TEST(Aggregate, NoRefluxSegmentHasNoRefluxTime) {
  StudyReport r;
  r.clips = {Clip(kR, kGsvSfj, Classification::kNoReflux, 0)};
  Aggregate(r, DefaultProtocol());
  const SegmentFinding* f = Find(r, kR, kGsvSfj);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.classification, Classification::kNoReflux);
  EXPECT_FALSE(f->reflux_duration_ms.has_value());
  EXPECT_FALSE(f->peak_reflux_velocity_cm_s.has_value());
}

// A labelled B-mode image (skipped: no spectral region) measured nothing: the level stays
// decided by its Doppler clips, or missing from the protocol when it has none.
TEST(Aggregate, SkippedClipsDoNotMakeASegment) {
  StudyReport r;
  r.clips = {Clip(kR, kGsvSfj, Classification::kIndeterminate, 0, "no_calibration"),
             Clip(kR, kCfv, Classification::kIndeterminate, 0, "no_calibration"),
             Clip(kR, kCfv, Classification::kNoReflux, 100)};
  r.clips[0].status = r.clips[1].status = ClipStatus::kSkipped;
  Aggregate(r, DefaultProtocol());
  EXPECT_EQ(Find(r, kR, kGsvSfj), nullptr);
  const SegmentFinding* cfv = Find(r, kR, kCfv);
  ASSERT_NE(cfv, nullptr);
  EXPECT_EQ(cfv->clip_indices, std::vector<size_t>{2});
  EXPECT_EQ(cfv->finding.classification, Classification::kNoReflux);
}

TEST(Aggregate, ClipsWithoutLateralityOrSegmentAreNotGrouped) {
  StudyReport r;
  r.clips = {Clip(kL, kCfv, Classification::kReflux, 1500)};
  r.clips[0].identity.laterality.reset();
  Aggregate(r, DefaultProtocol());
  EXPECT_TRUE(r.segments.empty());
}

// A refluxing clip whose label named its side but no level ("L GSV thigh") makes no segment, but
// its leg lists it, so no summary leaves the reflux out; a clip without reflux, or of unknown
// side, is not listed.
TEST(Aggregate, ARefluxAtALevelNotIdentifiedIsListedOnItsLeg) {
  StudyReport r;
  r.clips = {Clip(kR, kCfv, Classification::kNoReflux, 0),
             Clip(kL, kGsvSfj, Classification::kReflux, 2234),
             Clip(kL, kGsvSfj, Classification::kNoReflux, 200),
             Clip(kL, kGsvSfj, Classification::kReflux, 900)};
  for (size_t i = 1; i < 4; ++i) r.clips[i].identity.segment.reset();
  r.clips[3].identity.laterality.reset();
  Aggregate(r, Protocol{});
  ASSERT_EQ(r.limbs.size(), 2u);  // the left leg has no segment, but a reflux to show
  EXPECT_TRUE(r.limbs[0].unplaced_reflux_clips.empty());
  EXPECT_EQ(r.limbs[1].laterality, kL);
  EXPECT_EQ(r.limbs[1].unplaced_reflux_clips, std::vector<size_t>{1});
  EXPECT_TRUE(r.limbs[1].refluxing.empty());
}

TEST(Aggregate, LimbSummaryExtentJunctionsAndDeepReflux) {
  StudyReport r;
  r.clips = {Clip(kL, kGsvProxCalf, Classification::kReflux, 800),
             Clip(kL, kGsvSfj, Classification::kReflux, 2000),
             Clip(kL, kGsvMidThigh, Classification::kReflux, 1200),
             Clip(kL, kGsvKnee, Classification::kNoReflux, 100),
             Clip(kL, kSsvSpj, Classification::kNoReflux, 0),
             Clip(kL, kSsvProxCalf, Classification::kReflux, 700),
             Clip(kL, kPopv, Classification::kReflux, 1600),
             Clip(kL, kCfv, Classification::kNoReflux, 0),
             Clip(kR, kGsvSfj, Classification::kIndeterminate, 0, "no_augmentation"),
             Clip(kR, kGsvMidThigh, Classification::kReflux, 900)};
  Aggregate(r, DefaultProtocol());
  ASSERT_EQ(r.limbs.size(), 2u);
  const LimbSummary& right = r.limbs[0];
  const LimbSummary& left = r.limbs[1];
  EXPECT_EQ(left.laterality, kL);
  EXPECT_EQ(left.refluxing,
            (std::vector<Segment>{kGsvSfj, kGsvMidThigh, kGsvProxCalf, kPopv, kSsvProxCalf}));
  // The competent knee splits the GSV's reflux (the unmeasured proximal thigh does not).
  EXPECT_EQ(left.gsv_reflux_extent, "GSV_SFJ to GSV_MID_THIGH; GSV_PROX_CALF");
  EXPECT_EQ(left.ssv_reflux_extent, "SSV_PROX_CALF");
  EXPECT_EQ(left.sfj_competent, false);
  EXPECT_EQ(left.spj_competent, true);
  EXPECT_EQ(left.deep_reflux, std::vector<Segment>{kPopv});
  EXPECT_EQ(right.laterality, kR);
  EXPECT_EQ(right.gsv_reflux_extent, "GSV_MID_THIGH");
  EXPECT_EQ(right.ssv_reflux_extent, "");
  EXPECT_FALSE(right.sfj_competent);  // indeterminate junction: unknown
  EXPECT_FALSE(right.spj_competent);  // not measured
  EXPECT_TRUE(right.deep_reflux.empty());
}

TEST(Aggregate, ProtocolCompletenessListsMissingAndUnmeasurableLevels) {
  Protocol p;
  p.name = "mini";
  p.required = {{kL, kCfv}, {kL, kFv}, {kL, kGsvSfj}, {kL, kPopv}, {kR, kCfv}};
  StudyReport r;
  r.clips = {Clip(kL, kCfv, Classification::kNoReflux, 0),
             Clip(kL, kFvMid, Classification::kNoReflux, 0),  // satisfies FV
             Clip(kL, kGsvSfj, Classification::kIndeterminate, 0, "weak_signal")};
  Aggregate(r, p);
  EXPECT_EQ(r.protocol.protocol_name, "mini");
  EXPECT_EQ(r.protocol.required, p.required);
  EXPECT_EQ(r.protocol.missing,
            (std::vector<std::pair<Laterality, Segment>>{{kL, kPopv}, {kR, kCfv}}));
  EXPECT_EQ(r.protocol.unmeasurable, (std::vector<std::pair<Laterality, Segment>>{{kL, kGsvSfj}}));
}

TEST(Protocol, DefaultCoversBothLegs) {
  const Protocol p = DefaultProtocol();
  EXPECT_EQ(p.required.size(), 22u);
  for (Laterality side : {kL, kR}) {
    for (Segment s : {kCfv, kGsvSfj, kGsvProxThigh, kGsvMidThigh, kGsvDistThigh, kGsvKnee,
                      kGsvProxCalf, kFv, kPopv, kSsvSpj, kSsvProxCalf}) {
      EXPECT_NE(std::find(p.required.begin(), p.required.end(), std::pair{side, s}),
                p.required.end());
    }
  }
}

TEST(Protocol, LoadsBothJsonForms) {
  const auto dir = refluxscan::testing::ScratchDir("protocol");
  std::ofstream(dir / "a.json") << R"({"name": "sfj only", "segments": ["GSV_SFJ", "CFV"]})";
  auto a = LoadProtocol((dir / "a.json").string());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->name, "sfj only");
  EXPECT_EQ(a->required.size(), 4u);
  std::ofstream(dir / "b.json") << R"({"required": [{"laterality": "L", "segment": "POPV"}]})";
  auto b = LoadProtocol((dir / "b.json").string());
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->required, (std::vector<std::pair<Laterality, Segment>>{{kL, kPopv}}));
  std::ofstream(dir / "c.json") << R"({"segments": ["GSV_NOWHERE"]})";
  EXPECT_EQ(LoadProtocol((dir / "c.json").string()).error().code, ErrorCode::kInvalidInput);
  std::ofstream(dir / "d.json") << R"({"segments": ["CFV"], "legs": 2})";
  EXPECT_NE(LoadProtocol((dir / "d.json").string()).error().message.find("unknown key"),
            std::string::npos);
  std::ofstream(dir / "e.json") << "{";
  EXPECT_EQ(LoadProtocol((dir / "e.json").string()).error().code, ErrorCode::kInvalidInput);
}

// "left"/"right" as in manifests, each level once however often listed, and an error that names
// the value it could not use.
TEST(Protocol, AcceptsWordsDedupesAndNamesBadValues) {
  const auto dir = refluxscan::testing::ScratchDir("protocol_words");
  std::ofstream(dir / "a.json") << R"({"required": [{"laterality": "left", "segment": "POPV"},
                                                    {"laterality": " L ", "segment": "POPV"}],
                                       "segments": ["CFV", "CFV"]})";
  auto a = LoadProtocol((dir / "a.json").string());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->required.size(), 3u);  // R CFV, L CFV, L POPV
  std::ofstream(dir / "b.json") << R"({"segments": ["CFV", "GSV_NOWHERE"]})";
  EXPECT_NE(LoadProtocol((dir / "b.json").string()).error().message.find("GSV_NOWHERE"),
            std::string::npos);
  std::ofstream(dir / "c.json") << R"({"required": [{"laterality": "both", "segment": "CFV"}]})";
  EXPECT_NE(LoadProtocol((dir / "c.json").string()).error().message.find("\"both\""),
            std::string::npos);
}

}  // namespace
}  // namespace refluxscan::study
