// Criteria file format, validation and classification against thresholds.
#include "refluxscan/reflux/criteria.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "reflux/envelope_builder.h"
#include "refluxscan/reflux/measure.h"
#include "testing/fixtures.h"

namespace refluxscan::reflux {
namespace {

RefluxMeasurement WithReflux(double duration_ms, bool truncated = false, bool aliased = false) {
  RefluxMeasurement m;
  Maneuver man;
  man.has_reflux = duration_ms > 0;
  man.reflux_duration_ms = duration_ms;
  man.truncated = truncated;
  man.aliased = aliased;
  m.maneuvers.push_back(man);
  m.decisive = 0;
  return m;
}

TEST(Criteria, DefaultsFollowTheGuidelineTable) {
  const Criteria c = DefaultCriteria();
  ASSERT_NE(c.For(VeinClass::kSuperficial), nullptr);
  EXPECT_EQ(c.For(VeinClass::kSuperficial)->threshold_ms, 500);
  EXPECT_EQ(c.For(VeinClass::kDeepProximal)->threshold_ms, 1000);
  EXPECT_EQ(c.For(VeinClass::kDeepDistal)->threshold_ms, 500);
  EXPECT_EQ(c.For(VeinClass::kPerforator)->threshold_ms, 350);
  for (const Criterion& criterion : c.by_class) {
    EXPECT_FALSE(criterion.inclusive);
    EXPECT_NE(criterion.source.find("Labropoulos 2003"), std::string::npos);
  }
}

TEST(Criteria, JsonRoundTrip) {
  auto parsed = ParseCriteriaJson(DefaultCriteriaJson());
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Criteria d = DefaultCriteria();
  ASSERT_EQ(parsed->by_class.size(), d.by_class.size());
  for (size_t i = 0; i < d.by_class.size(); ++i) {
    EXPECT_EQ(parsed->by_class[i].vein_class, d.by_class[i].vein_class);
    EXPECT_EQ(parsed->by_class[i].threshold_ms, d.by_class[i].threshold_ms);
    EXPECT_EQ(parsed->by_class[i].inclusive, d.by_class[i].inclusive);
    EXPECT_EQ(parsed->by_class[i].source, d.by_class[i].source);
  }
  EXPECT_EQ(parsed->name, "default");
}

TEST(Criteria, ShippedFileMatchesTheBuiltInDefault) {
  const auto path = refluxscan::testing::SourceDir() / "criteria" / "default.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), DefaultCriteriaJson()) << "regenerate criteria/default.json";
  auto loaded = LoadCriteria(path.string());
  ASSERT_TRUE(loaded) << loaded.error().message;
}

std::string FileWith(std::string_view perforator) {
  return std::string(R"({"name": "x", "criteria": [
    {"vein_class": "superficial", "threshold_ms": 500},
    {"vein_class": "deep_proximal", "threshold_ms": 1000},
    {"vein_class": "deep_distal", "threshold_ms": 500})") +
         std::string(perforator) + "]}";
}

TEST(Criteria, SvsPerforatorAlternativeIsSelectableByEditingTheFile) {
  auto c = ParseCriteriaJson(FileWith(
      R"(, {"vein_class": "perforator", "threshold_ms": 500, "inclusive": true, "source": "SVS/AVF 2011"})"));
  ASSERT_TRUE(c) << c.error().message;
  const auto finding = Classify(WithReflux(500), Segment::kPerfCalf, *c);
  EXPECT_EQ(finding.classification, Classification::kReflux);  // >= 500 ms
  EXPECT_EQ(finding.criterion_source, "SVS/AVF 2011");
  EXPECT_EQ(Classify(WithReflux(499), Segment::kPerfCalf, *c).classification,
            Classification::kNoReflux);
}

void ExpectInvalid(std::string_view text, std::string_view message_part) {
  auto c = ParseCriteriaJson(text);
  ASSERT_FALSE(c) << text;
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(c.error().message.find(message_part), std::string::npos) << c.error().message;
}

// An edited threshold whose "source" still cites the default (which names another number) must
// not reach the report as that citation: the source says it was edited, and a warning is made.
// A source edited too is the user's citation: kept, no warning.
TEST(Criteria, AnEditedThresholdUnderTheDefaultCitationIsMarked) {
  std::string text = DefaultCriteriaJson();
  const std::string from = "\"threshold_ms\": 350";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "\"threshold_ms\": 500");
  auto edited = ParseCriteriaJson(text);
  ASSERT_TRUE(edited) << edited.error().message;
  const Criterion* perforator = edited->For(VeinClass::kPerforator);
  ASSERT_NE(perforator, nullptr);
  EXPECT_EQ(perforator->threshold_ms, 500);
  EXPECT_EQ(perforator->source.rfind("threshold edited by the user (> 500 ms)", 0), 0u);
  ASSERT_EQ(edited->warnings.size(), 1u);
  EXPECT_NE(edited->warnings[0].find("perforator is now > 500 ms"), std::string::npos);
  EXPECT_EQ(edited->For(VeinClass::kSuperficial)->source,
            DefaultCriteria().For(VeinClass::kSuperficial)->source);  // unchanged: untouched
  const std::string cite = "Labropoulos 2003 (J Vasc Surg 38:793): perforators > 350 ms";
  ASSERT_NE(text.find(cite), std::string::npos);
  text.replace(text.find(cite), cite.size(), "our lab: perforators > 500 ms");
  auto cited = ParseCriteriaJson(text);
  ASSERT_TRUE(cited) << cited.error().message;
  EXPECT_EQ(cited->For(VeinClass::kPerforator)->source, "our lab: perforators > 500 ms");
  EXPECT_TRUE(cited->warnings.empty());
}

TEST(Criteria, ValidationErrorsAreClear) {
  ExpectInvalid("{not json", "not valid JSON");
  ExpectInvalid("{\n  \"criteria\": [\n    {\"vein_class\": \"deep\",, }\n  ]\n}",
                "not valid JSON at line 3, column");  // where a hand edit broke it
  ExpectInvalid("[]", "expected an object");
  ExpectInvalid(FileWith(""), "no criterion for vein_class \"perforator\"");
  ExpectInvalid(FileWith(R"(, {"vein_class": "perforator", "threshold_ms": -1})"), "> 0");
  ExpectInvalid(FileWith(R"(, {"vein_class": "perforator", "threshold_ms": 60000})"), "< 60000");
  ExpectInvalid(FileWith(R"(, {"vein_class": "perforator", "threshold_ms": 350, "thresh": 1})"),
                "unknown key \"thresh\"");
  ExpectInvalid(FileWith(R"(, {"vein_class": "venules", "threshold_ms": 350})"),
                "unknown vein_class");
  ExpectInvalid(FileWith(R"(, {"vein_class": "superficial", "threshold_ms": 350})"), "twice");
  ExpectInvalid(FileWith(R"(, {"vein_class": "perforator", "threshold_ms": "350"})"),
                "threshold_ms");
  ExpectInvalid(R"({"criteria": [], "extra": 1})", "unknown key \"extra\"");
  EXPECT_EQ(LoadCriteria("/nonexistent/criteria.json").error().code, ErrorCode::kIo);
}

struct ThresholdCase {
  Segment segment;
  double threshold_ms;
};

class ClassifyAtThreshold : public ::testing::TestWithParam<ThresholdCase> {};

TEST_P(ClassifyAtThreshold, JustUnderIsNoRefluxJustOverIsReflux) {
  const auto [segment, threshold] = GetParam();
  const Criteria c = DefaultCriteria();
  const auto under = Classify(WithReflux(threshold - 1), segment, c);
  EXPECT_EQ(under.classification, Classification::kNoReflux);
  EXPECT_EQ(under.threshold_ms, threshold);
  EXPECT_NEAR(*under.margin_ms, -1, 1e-9);
  const auto at = Classify(WithReflux(threshold), segment, c);
  EXPECT_EQ(at.classification, Classification::kNoReflux);  // "> threshold" is exclusive
  const auto over = Classify(WithReflux(threshold + 1), segment, c);
  EXPECT_EQ(over.classification, Classification::kReflux);
  EXPECT_NEAR(*over.margin_ms, 1, 1e-9);
  EXPECT_FALSE(over.criterion_source.empty());
}

INSTANTIATE_TEST_SUITE_P(
    VeinClasses, ClassifyAtThreshold,
    ::testing::Values(ThresholdCase{Segment::kGsvSfj, 500},
                      ThresholdCase{Segment::kSsvProxCalf, 500}, ThresholdCase{Segment::kCfv, 1000},
                      ThresholdCase{Segment::kFvMid, 1000}, ThresholdCase{Segment::kPopv, 1000},
                      ThresholdCase{Segment::kDfv, 500}, ThresholdCase{Segment::kPtv, 500},
                      ThresholdCase{Segment::kPerfCalf, 350}));

TEST(Classify, TruncatedAboveThresholdIsRefluxBelowIsIndeterminate) {
  const Criteria c = DefaultCriteria();
  EXPECT_EQ(Classify(WithReflux(700, true), Segment::kGsvSfj, c).classification,
            Classification::kReflux);
  const auto below = Classify(WithReflux(300, true), Segment::kGsvSfj, c);
  EXPECT_EQ(below.classification, Classification::kIndeterminate);
  EXPECT_EQ(below.reason, kReasonTruncated);
}

TEST(Classify, AliasedMattersOnlyBelowThreshold) {
  const Criteria c = DefaultCriteria();
  EXPECT_EQ(Classify(WithReflux(800, false, true), Segment::kGsvSfj, c).classification,
            Classification::kReflux);
  const auto below = Classify(WithReflux(300, false, true), Segment::kGsvSfj, c);
  EXPECT_EQ(below.classification, Classification::kIndeterminate);
  EXPECT_EQ(below.reason, kReasonAliased);
}

TEST(Classify, NoAugmentationWeakSignalAndUnknownSegmentAreIndeterminate) {
  const Criteria c = DefaultCriteria();
  RefluxMeasurement none;
  none.flags = {"no_augmentation"};
  EXPECT_EQ(Classify(none, Segment::kGsvSfj, c).reason, kReasonNoAugmentation);
  RefluxMeasurement weak = WithReflux(100);
  weak.flags = {"weak_signal"};
  const auto w = Classify(weak, Segment::kGsvSfj, c);
  EXPECT_EQ(w.classification, Classification::kIndeterminate);
  EXPECT_EQ(w.reason, kReasonWeakSignal);
  const auto unknown = Classify(WithReflux(900), std::nullopt, c);
  EXPECT_EQ(unknown.classification, Classification::kIndeterminate);
  EXPECT_EQ(unknown.reason, kReasonUnknownSegment);
  EXPECT_EQ(Indeterminate(kReasonError).reason, kReasonError);
}

// Unknown segment: only an answer that holds for every vein class is given (> 1000 ms is reflux
// for all, a complete maneuver <= 350 ms is competent for all); no threshold or margin applies.
TEST(Classify, UnknownSegmentIsClassifiedWhenEveryVeinClassAgrees) {
  const Criteria c = DefaultCriteria();
  const auto long_reflux = Classify(WithReflux(1001), std::nullopt, c);
  EXPECT_EQ(long_reflux.classification, Classification::kReflux);
  EXPECT_FALSE(long_reflux.threshold_ms.has_value());
  EXPECT_FALSE(long_reflux.margin_ms.has_value());
  EXPECT_EQ(Classify(WithReflux(1000), std::nullopt, c).reason, kReasonUnknownSegment);
  EXPECT_EQ(Classify(WithReflux(351), std::nullopt, c).reason, kReasonUnknownSegment);
  const auto short_reflux = Classify(WithReflux(350), std::nullopt, c);
  EXPECT_EQ(short_reflux.classification, Classification::kNoReflux);
  EXPECT_FALSE(short_reflux.threshold_ms.has_value());
  EXPECT_FALSE(short_reflux.margin_ms.has_value());
  EXPECT_EQ(Classify(WithReflux(0), std::nullopt, c).classification, Classification::kNoReflux);
}

// A known vein class without a segment ("L SSV 2": the level is not in the vocabulary) has its
// threshold: 748 ms is reflux for a superficial vein, where the unknown segment was indeterminate.
TEST(Classify, VeinClassWithoutSegmentUsesItsThreshold) {
  const Criteria c = DefaultCriteria();
  const auto superficial = ClassifyVeinClass(WithReflux(748), VeinClass::kSuperficial, c);
  EXPECT_EQ(superficial.classification, Classification::kReflux);
  ASSERT_TRUE(superficial.threshold_ms.has_value());
  EXPECT_EQ(*superficial.threshold_ms, 500);
  EXPECT_EQ(ClassifyVeinClass(WithReflux(748), VeinClass::kDeepProximal, c).classification,
            Classification::kNoReflux);
  EXPECT_EQ(ClassifyVeinClass(WithReflux(748), std::nullopt, c).reason, kReasonUnknownSegment);
}

TEST(Classify, UnknownSegmentShortButIncompleteManeuverIsIndeterminate) {
  const Criteria c = DefaultCriteria();
  const auto truncated = Classify(WithReflux(200, true), std::nullopt, c);
  EXPECT_EQ(truncated.classification, Classification::kIndeterminate);
  EXPECT_EQ(truncated.reason, kReasonTruncated);
  EXPECT_EQ(Classify(WithReflux(200, false, true), std::nullopt, c).reason, kReasonAliased);
  RefluxMeasurement weak = WithReflux(100);
  weak.flags = {"weak_signal"};
  EXPECT_EQ(Classify(weak, std::nullopt, c).reason, kReasonWeakSignal);
  RefluxMeasurement none;
  none.flags = {"no_augmentation"};
  EXPECT_EQ(Classify(none, std::nullopt, c).reason, kReasonNoAugmentation);
}

TEST(Classify, UnknownSegmentEndToEndOnMeasuredEnvelopes) {
  using testing::EnvelopeSpec;
  using testing::RaisedCosine;
  using testing::Trapezoid;
  const EnvelopeSpec spec{.seconds_per_column = 0.01, .duration_s = 4, .blur_cols = 1};
  auto classify = [&](double reflux_s) {
    const Envelope e = testing::MakeEnvelope(
        [&](double t) {
          return RaisedCosine(t, 0.5, 0.6, 45) - Trapezoid(t, 1.1, reflux_s, 0.06, 25);
        },
        spec);
    const auto m = MeasureReflux(e);
    EXPECT_TRUE(m);
    return Classify(*m, std::nullopt, DefaultCriteria());
  };
  EXPECT_EQ(classify(1.5).classification, Classification::kReflux);
  EXPECT_EQ(classify(0.2).classification, Classification::kNoReflux);
  EXPECT_EQ(classify(0.7).reason, kReasonUnknownSegment);
}

TEST(Classify, CompetentManeuverWithoutRefluxIsNoReflux) {
  const auto f = Classify(WithReflux(0), Segment::kCfv, DefaultCriteria());
  EXPECT_EQ(f.classification, Classification::kNoReflux);
  EXPECT_EQ(f.threshold_ms, 1000);
  EXPECT_FALSE(f.margin_ms.has_value());  // no reflux time, so no margin to it
}

}  // namespace
}  // namespace refluxscan::reflux
