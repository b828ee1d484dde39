// White-box tests of one side's threshold scan (detail::ThresholdRuns): which regions join the
// spectrum attached to the baseline (docs/algorithms.md, "Envelope").
#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>
#include <vector>

#include "spectral/envelope_internal.h"

namespace refluxscan::spectral::detail {
namespace {

constexpr float kDark = 0.1f, kBright = 0.9f;
constexpr int kSamples = 100;  // index 0 = scale edge, 99 = baseline

SideLevels Levels() { return SideLevels{.high = 0.5, .low = 0.3, .half_power_drop = 0.05}; }

// A side with bright samples at [begin, end) (edge-to-baseline order), dark elsewhere.
std::vector<float> Side(std::initializer_list<std::pair<int, int>> bright) {
  std::vector<float> v(kSamples, kDark);
  for (const auto& [begin, end] : bright) {
    for (int i = begin; i < end; ++i) v[static_cast<size_t>(i)] = kBright;
  }
  return v;
}

SideRuns Scan(const std::vector<float>& v) { return ThresholdRuns(v, v, Levels()); }

TEST(SideScan, RegionTouchingTheBaselineIsTheSpectrum) {
  const SideRuns r = Scan(Side({{70, 100}}));
  EXPECT_EQ(r.baseline_run_outer, 70);
  EXPECT_NEAR(r.edge, 70, 1);
  EXPECT_EQ(r.edge_run_end, -1);
}

TEST(SideScan, IsolatedRegionWithoutTheBaselineIsNoSpectrum) {
  // Far from the baseline, shorter than the dark gap inside it: a speck, not a blunt band.
  const SideRuns r = Scan(Side({{40, 46}}));
  EXPECT_EQ(r.baseline_run_outer, -1);
  EXPECT_LT(r.edge, 0);
}

TEST(SideScan, BluntBandBeyondADarkInteriorJoinsTheSpectrum) {
  // Baseline region 90..99, dark 75..89 (15 samples), band 55..74 (20 >= 15): one spectrum.
  EXPECT_EQ(Scan(Side({{90, 100}, {55, 75}})).baseline_run_outer, 55);
}

TEST(SideScan, BrightSpeckShorterThanTheGapIsNotJoined) {
  // 8 bright samples (support enough) beyond a 20-sample gap: shorter than the gap.
  EXPECT_EQ(Scan(Side({{90, 100}, {62, 70}})).baseline_run_outer, 90);
}

TEST(SideScan, DimSpeckWithTooFewBrightSamplesIsNotJoined) {
  // Beyond a 4-sample gap, a 5-sample region holding only 4 samples above `high`.
  std::vector<float> v = Side({{90, 100}, {82, 86}});
  v[81] = 0.4f;  // above `low`, below `high`
  EXPECT_EQ(Scan(v).baseline_run_outer, 90);
}

TEST(SideScan, RegionReachingTheScaleEdgeIsLeftToAliasing) {
  const SideRuns r = Scan(Side({{90, 100}, {0, 30}}));
  EXPECT_EQ(r.baseline_run_outer, 90);
  EXPECT_EQ(r.edge_run_end, 29);
}

// The same band when the caller knows the other side holds no flow that could wrap into this
// one (SideLevels::edge_region_is_flow): it joins this side's spectrum over the dark notch.
TEST(SideScan, RegionReachingTheScaleEdgeJoinsWhenNothingCanWrapIntoIt) {
  SideLevels l = Levels();
  l.edge_region_is_flow = true;
  const std::vector<float> v = Side({{0, 80}});  // dark 80..99: a wide wall-filter notch
  const SideRuns r = ThresholdRuns(v, v, l);
  EXPECT_EQ(r.baseline_run_outer, 0);
  EXPECT_GE(r.edge, 0);
  EXPECT_EQ(Scan(v).baseline_run_outer, -1);  // without that knowledge: left to aliasing
}

}  // namespace
}  // namespace refluxscan::spectral::detail
