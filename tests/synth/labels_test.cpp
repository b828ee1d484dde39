// Generated labels: every spelling names its truth (the parser reads back side and segment),
// unknown labels never parse to a segment, and the generator is deterministic for a seed.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "refluxscan/study/identify.h"
#include "synth/labels.h"

namespace refluxscan::synth {
namespace {

constexpr Laterality kSides[] = {Laterality::kLeft, Laterality::kRight};

TEST(Labels, EveryVariedSpellingParsesBackToItsTruth) {
  for (const SegmentInfo& info : AllSegments()) {
    for (Laterality side : kSides) {
      for (uint64_t seed = 0; seed < 400; ++seed) {
        Rng rng(seed * 1000 + static_cast<uint64_t>(info.anatomical_order));
        const std::string label = MakeLabel(side, info.segment, rng, LabelStyle::kVaried);
        const study::ParsedLabel parsed = study::ParseLabel(label);
        ASSERT_EQ(parsed.segment, info.segment) << '"' << label << "\" for " << info.name;
        ASSERT_EQ(parsed.laterality, side) << '"' << label << '"';
        ASSERT_LE(label.size(), 64u) << label;  // a DICOM LO value
      }
    }
  }
}

TEST(Labels, ClassicSpellingsParseBackToo) {
  for (const SegmentInfo& info : AllSegments()) {
    for (Laterality side : kSides) {
      for (uint64_t seed = 0; seed < 50; ++seed) {
        Rng rng(seed);
        const std::string label = MakeLabel(side, info.segment, rng, LabelStyle::kClassic);
        const study::ParsedLabel parsed = study::ParseLabel(label);
        EXPECT_EQ(parsed.segment, info.segment) << label;
        EXPECT_EQ(parsed.laterality, side) << label;
      }
    }
  }
}

TEST(Labels, UnknownLabelsNeverNameASegmentButKeepTheSide) {
  for (LabelStyle style : {LabelStyle::kClassic, LabelStyle::kVaried}) {
    for (Laterality side : kSides) {
      for (uint64_t seed = 0; seed < 300; ++seed) {
        Rng rng(seed);
        const std::string label = MakeUnknownLabel(side, rng, style);
        const study::ParsedLabel parsed = study::ParseLabel(label);
        EXPECT_FALSE(parsed.segment.has_value()) << label;
        EXPECT_EQ(parsed.laterality, side) << label;
      }
    }
  }
}

TEST(Labels, VariedLabelsAreVariedAndDeterministic) {
  std::set<std::string> distinct;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Rng a(seed), b(seed);
    const std::string label =
        MakeLabel(Laterality::kRight, Segment::kGsvProxThigh, a, LabelStyle::kVaried);
    EXPECT_EQ(label, MakeLabel(Laterality::kRight, Segment::kGsvProxThigh, b, LabelStyle::kVaried));
    distinct.insert(label);
  }
  EXPECT_GT(distinct.size(), 150u);
}

}  // namespace
}  // namespace refluxscan::synth
