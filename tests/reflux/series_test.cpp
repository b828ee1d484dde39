// Series helpers of the reflux module (src/reflux/edge.h).
#include <cmath>
#include <limits>
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

}  // namespace
}  // namespace refluxscan::reflux::detail
