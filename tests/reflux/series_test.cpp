// Series helpers of the reflux module (src/reflux/edge.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "../../src/reflux/edge.h"  // private helper under test

namespace refluxscan::reflux::detail {
namespace {

// A squeeze's flow falls back after its release; a swell of phasic flow that rises and stays up
// does not (MeasureReflux drops such a last burst without reflux: it is no maneuver).
TEST(NeverFallsBack, TellsASwellThatStaysUpFromAReleasedSqueeze) {
  const std::vector<float> swell = {0, 2, 8, 10, 9, 7, 6, 6.5, 7, 6};  // burst [2, 5), then ~6-7
  EXPECT_TRUE(NeverFallsBack(swell, 2, 5, swell.size(), 0.5));
  std::vector<float> released = swell;
  released[7] = 4.5;  // falls to 45% of the plateau once
  EXPECT_FALSE(NeverFallsBack(released, 2, 5, released.size(), 0.5));
  // Only the data up to data_end counts, and masked (non-finite) samples are skipped.
  EXPECT_TRUE(NeverFallsBack(released, 2, 5, 7, 0.5));
  released[7] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(NeverFallsBack(released, 2, 5, released.size(), 0.5));
  // A burst running to the end of the data leaves nothing after it: nothing fell.
  EXPECT_TRUE(NeverFallsBack(swell, 2, swell.size(), swell.size(), 0.5));
}

// The Hampel filter replaces a burst shorter than half its window, and keeps steps and smooth
// peaks: their samples are never several robust sigmas from the window's median.
TEST(HampelFilter, RemovesShortBurstsKeepsStepsAndSmoothPeaks) {
  std::vector<float> flat(30, 12.0f);
  for (size_t i = 0; i < flat.size(); ++i) flat[i] += (i % 3 == 0) ? 0.5f : -0.25f;  // jitter
  std::vector<float> spiked = flat;
  spiked[14] = 20, spiked[15] = 39, spiked[16] = 38, spiked[17] = 19;  // a 4-sample excursion
  const std::vector<float> cleaned = HampelFilter(spiked, 5, 3.0, 2.0);
  for (size_t i = 0; i < cleaned.size(); ++i) EXPECT_NEAR(cleaned[i], flat[i], 1.0) << i;

  std::vector<float> step(30);
  for (size_t i = 0; i < step.size(); ++i) step[i] = i < 15 ? 2.0f : 30.0f;
  EXPECT_EQ(HampelFilter(step, 5, 3.0, 2.0), step);

  std::vector<float> peak(41);  // a half sine of 25 over 40 samples
  for (size_t i = 0; i < peak.size(); ++i) {
    peak[i] = static_cast<float>(25 * std::sin(std::numbers::pi * static_cast<double>(i) / 40));
  }
  EXPECT_EQ(HampelFilter(peak, 5, 3.0, 2.0), peak);
  // Below the minimum deviation nothing is replaced, however small the MAD.
  std::vector<float> small = flat;
  small[16] += 1.5f;  // 1.5 above the median of 11.75
  EXPECT_EQ(HampelFilter(small, 5, 3.0, 2.0), small);
}

// A respiratory crest rises and falls over many columns; a squeeze's flow rises fast or falls
// fast at its release. Edges are counted from the last sample at >= 80% of the peak to the first
// at <= 20% of it.
TEST(SlowCrest, NeedsBothEdgesSlow) {
  std::vector<float> crest(41);
  for (size_t i = 0; i < crest.size(); ++i) {  // a half sine over 40 samples, peak 10 at 20
    crest[i] = static_cast<float>(10 * std::sin(std::numbers::pi * static_cast<double>(i) / 40));
  }
  // sin >= 0.8 from sample 12 to 28, <= 0.2 up to 2 and from 38: both edges 10 samples.
  EXPECT_TRUE(SlowCrest(crest, 15, 25, 9, 0.2, 0.8));
  EXPECT_FALSE(SlowCrest(crest, 15, 25, 10, 0.2, 0.8));
  std::vector<float> released = crest;  // the same rise, released at the peak plateau's end
  for (size_t i = 29; i < released.size(); ++i) released[i] = 0.5f;
  EXPECT_FALSE(SlowCrest(released, 15, 25, 3, 0.2, 0.8));
  std::vector<float> squeeze = crest;  // a fast rise, then the same slow fall
  for (size_t i = 0; i < 11; ++i) squeeze[i] = 0.5f;
  EXPECT_FALSE(SlowCrest(squeeze, 15, 25, 3, 0.2, 0.8));
  // An edge that runs off the data or into a masked sample is no evidence.
  const std::vector<float> cut(crest.begin() + 5, crest.end());
  EXPECT_FALSE(SlowCrest(cut, 10, 20, 3, 0.2, 0.8));
  std::vector<float> masked = crest;
  masked[33] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(SlowCrest(masked, 15, 25, 3, 0.2, 0.8));
}

// The small-window networks against the nth_element they replace: random series with repeated
// levels (ties), every length from 0 to 12, half 1 and 2; and series with a NaN or -0 (the
// nth_element path itself).
TEST(RunningMedian, NetworksMatchNthElementBitForBit) {
  auto reference = [](const std::vector<float>& x, size_t half) {
    std::vector<float> out(x.size()), window;
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t lo = i >= half ? i - half : 0;
      const size_t hi = std::min(x.size(), i + half + 1);
      window.assign(x.begin() + static_cast<long>(lo), x.begin() + static_cast<long>(hi));
      std::nth_element(window.begin(), window.begin() + static_cast<long>(window.size() / 2),
                       window.end());
      out[i] = window[window.size() / 2];
    }
    return out;
  };
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> level(0, 6);
  std::uniform_real_distribution<float> any(-50.0f, 50.0f);
  for (int trial = 0; trial < 4000; ++trial) {
    const size_t n = static_cast<size_t>(trial % 13);
    std::vector<float> x(n);
    for (float& v : x) v = trial % 2 == 0 ? static_cast<float>(level(rng)) : any(rng);
    if (trial % 7 == 3 && n > 0) x[static_cast<size_t>(trial) % n] = -0.0f;
    if (trial % 11 == 5 && n > 0) x[static_cast<size_t>(trial) % n] = std::nanf("");
    for (size_t half : {size_t{1}, size_t{2}}) {
      const std::vector<float> got = RunningMedian(x, half);
      const std::vector<float> want = reference(x, half);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(std::signbit(got[i]), std::signbit(want[i])) << trial << " " << i;
        if (std::isnan(want[i])) {
          ASSERT_TRUE(std::isnan(got[i]));
        } else {
          ASSERT_EQ(got[i], want[i]) << trial << " " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace refluxscan::reflux::detail
