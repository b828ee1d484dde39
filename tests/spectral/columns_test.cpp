// White-box test of the column selection helper (detail::KthSmallest): the value std::nth_element
// places at k, whatever the guess.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include <opencv2/core.hpp>

#include "spectral/columns.h"

namespace refluxscan::spectral::detail {
namespace {

TEST(KthSmallest, SameValueAsNthElementForAnyGuess) {
  cv::RNG rng(11);
  std::vector<float> scratch;
  for (int trial = 0; trial < 2000; ++trial) {
    const auto n = static_cast<size_t>(rng.uniform(1, 400));
    std::vector<float> v(n);
    for (float& x : v)
      x = trial % 2 ? rng.uniform(0.0f, 1.0f) : static_cast<float>(rng.uniform(0, 8));
    const size_t k = static_cast<size_t>(rng.uniform(0, static_cast<int>(n)));
    const float guess = rng.uniform(-0.5f, 1.5f);
    std::vector<float> sorted = v;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(k), sorted.end());
    ASSERT_EQ(KthSmallest(v.data(), n, k, guess, scratch), sorted[k]) << "trial " << trial;
  }
}

}  // namespace
}  // namespace refluxscan::spectral::detail
