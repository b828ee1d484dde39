// White-box tests of the column helpers: the selection (detail::KthSmallest: the value
// std::nth_element places at k, whatever the guess) and the tiled transpose.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>
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

// Guesses near the answer (as the envelope's column percentiles give): the AVX2 path's lowered
// and raised levels and its selection by counting among <= 64 kept values, ties included.
TEST(KthSmallest, SameValueAsNthElementForGuessesNearTheAnswer) {
  cv::RNG rng(17);
  std::vector<float> scratch;
  for (int trial = 0; trial < 4000; ++trial) {
    const auto n = static_cast<size_t>(rng.uniform(1, 700));
    std::vector<float> v(n);
    for (float& x : v) {
      x = trial % 3 ? rng.uniform(0.0f, 1.0f) : static_cast<float>(rng.uniform(0, 40)) / 40.0f;
    }
    const size_t k =
        trial % 4 ? n * 95 / 100 : static_cast<size_t>(rng.uniform(0, static_cast<int>(n)));
    std::vector<float> sorted = v;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(k), sorted.end());
    const float guess = sorted[k] + rng.uniform(-0.3f, 0.3f);
    ASSERT_EQ(KthSmallest(v.data(), n, k, guess, scratch), sorted[k]) << "trial " << trial;
  }
}

// One input value of kind 0-5 for the selection tests (the rng is drawn in the same order as
// the tests always did, so the inputs are unchanged).
float TestValue(cv::RNG& rng, int kind) {
  switch (kind) {
    case 0:
      return rng.uniform(0.0f, 1.0f);  // display units
    case 1:
      return static_cast<float>(rng.uniform(0, 5)) * 0.25f;  // few distinct levels
    case 2:
      return static_cast<float>(rng.gaussian(1e30));  // a wide range
    case 3:
      return rng.uniform(0.0f, 1.0f) < 0.5f ? 0.0f : -0.0f;  // both zeros
    case 4:
      return rng.uniform(0.3f, 0.3f + 1e-6f);  // a narrow range
    default:                                   // a crowded level with outliers
      return rng.uniform(0.0f, 1.0f) < 0.9f ? 0.1f + 0.01f * static_cast<float>(rng.gaussian(1.0))
                                            : 1.0f;
  }
}

TEST(SelectKthByCounting, SameValueAndBitsAsNthElement) {
  cv::RNG rng(19);
  std::vector<float> scratch;
  for (int trial = 0; trial < 6000; ++trial) {
    const auto n = static_cast<size_t>(rng.uniform(1, 1500));
    std::vector<float> v(n);
    const int kind = trial % 6;
    for (float& x : v) x = TestValue(rng, kind);
    const auto k = static_cast<size_t>(rng.uniform(0, static_cast<int>(n)));
    std::vector<float> sorted = v;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(k), sorted.end());
    const std::vector<float> before = v;
    const float got = SelectKthByCounting(v.data(), n, k, scratch);
    ASSERT_EQ(got, sorted[k]) << "trial " << trial;
    ASSERT_EQ(std::signbit(got), std::signbit(sorted[k])) << "trial " << trial;
    ASSERT_EQ(v, before) << "trial " << trial;  // not reordered
  }
}

TEST(SelectKth, SameValueAndBitsAsNthElement) {
  cv::RNG rng(13);
  std::vector<float> scratch;
  for (int trial = 0; trial < 400; ++trial) {
    const auto n = static_cast<size_t>(rng.uniform(1, 20000));
    std::vector<float> v(n);
    const int kind = trial % 5;
    for (float& x : v) x = TestValue(rng, kind);
    const auto k = static_cast<size_t>(rng.uniform(0, static_cast<int>(n)));
    std::vector<float> sorted = v;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(k), sorted.end());
    const float got = SelectKth(v, k, scratch);
    ASSERT_EQ(got, sorted[k]) << "trial " << trial;
    ASSERT_EQ(std::signbit(got), std::signbit(sorted[k])) << "trial " << trial;
  }
}

}  // namespace
}  // namespace refluxscan::spectral::detail

namespace refluxscan::spectral::detail {
namespace {

// TransposeTiled (8x8 AVX blocks where the CPU has AVX, else 4x4 SSE blocks, then scalar edges)
// against cv::transpose, on sizes that leave every kind of edge.
TEST(TransposeTiled, EqualsCvTranspose) {
  cv::RNG rng(8);
  for (const auto& [rows, cols] : {std::pair{1, 1}, std::pair{3, 5}, std::pair{8, 8},
                                   std::pair{33, 70}, std::pair{64, 64}, std::pair{301, 917}}) {
    cv::Mat1f m(rows, cols), expected, got;
    rng.fill(m, cv::RNG::UNIFORM, -1.0, 1.0);
    cv::transpose(m, expected);
    TransposeTiled(m, got);
    EXPECT_EQ(cv::norm(got, expected, cv::NORM_INF), 0.0) << rows << "x" << cols;
  }
}

// TransposeWanted: every wanted column's row equals cv::transpose's (the others are not read).
TEST(TransposeWanted, WantedColumnsEqualCvTranspose) {
  cv::RNG rng(9);
  for (const auto& [rows, cols] :
       {std::pair{1, 1}, std::pair{3, 5}, std::pair{33, 70}, std::pair{301, 917}}) {
    cv::Mat1f m(rows, cols), expected, got;
    rng.fill(m, cv::RNG::UNIFORM, -1.0, 1.0);
    cv::transpose(m, expected);
    std::vector<uint8_t> wanted(static_cast<size_t>(cols));
    for (auto& w : wanted) w = rng.uniform(0, 5) == 0 ? 1 : 0;
    wanted.back() = 1;
    TransposeWanted(m, wanted, got);
    for (int c = 0; c < cols; ++c) {
      if (!wanted[static_cast<size_t>(c)]) continue;
      EXPECT_EQ(cv::norm(got.row(c), expected.row(c), cv::NORM_INF), 0.0)
          << rows << "x" << cols << " column " << c;
    }
  }
}

}  // namespace
}  // namespace refluxscan::spectral::detail
