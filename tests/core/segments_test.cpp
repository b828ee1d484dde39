#include "refluxscan/core/segments.h"

#include <set>

#include <gtest/gtest.h>

namespace refluxscan {
namespace {

TEST(Segments, VocabularyIsCompleteAndUnique) {
  std::set<std::string_view> names;
  std::set<int> ids;
  for (const SegmentInfo& info : AllSegments()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_TRUE(ids.insert(static_cast<int>(info.segment)).second) << info.name;
    EXPECT_EQ(Info(info.segment).name, info.name);
    EXPECT_EQ(SegmentFromName(info.name), info.segment);
  }
  // Every enumerator from kGsvSfj to kPerf is in the table.
  EXPECT_EQ(ids.size(), static_cast<size_t>(Segment::kPerf) + 1);
}

TEST(Segments, VeinClassesFollowTheGuidelineTable) {
  EXPECT_EQ(Info(Segment::kGsvSfj).vein_class, VeinClass::kSuperficial);
  EXPECT_EQ(Info(Segment::kCfv).vein_class, VeinClass::kDeepProximal);
  EXPECT_EQ(Info(Segment::kPopv).vein_class, VeinClass::kDeepProximal);
  EXPECT_EQ(Info(Segment::kDfv).vein_class, VeinClass::kDeepDistal);
  EXPECT_EQ(Info(Segment::kGastroc).vein_class, VeinClass::kDeepDistal);
  EXPECT_EQ(Info(Segment::kPerfCalf).vein_class, VeinClass::kPerforator);
  EXPECT_EQ(Info(Segment::kTributary).vein_class, VeinClass::kSuperficial);  // DOMAIN.md
  EXPECT_EQ(Info(Segment::kTributary).name, "TRIBUTARY");
}

TEST(Segments, LookupIsCaseInsensitiveAndStrict) {
  EXPECT_EQ(SegmentFromName("gsv_knee"), Segment::kGsvKnee);
  EXPECT_FALSE(SegmentFromName("GSV KNEE").has_value());
  EXPECT_EQ(LateralityFromCode("r"), Laterality::kRight);
  EXPECT_FALSE(LateralityFromCode("X").has_value());
  EXPECT_EQ(LateralityFromCode(" Left "), Laterality::kLeft);
  EXPECT_EQ(LateralityFromCode("RIGHT"), Laterality::kRight);
  EXPECT_FALSE(LateralityFromCode("lft").has_value());
}

}  // namespace
}  // namespace refluxscan
