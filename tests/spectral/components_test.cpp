// White-box test of the sparse mask labelling (detail::LabelComponents): the same partition of
// the pixels as cv::connectedComponents with 8-connectivity, on masks of every density.
#include <gtest/gtest.h>

#include <map>

#include <opencv2/imgproc.hpp>

#include "spectral/components.h"

namespace refluxscan::spectral::detail {
namespace {

// Whether two labellings of `mask` group its non-zero pixels alike (a bijection of labels).
bool SamePartition(const cv::Mat1b& mask, const cv::Mat1i& a, const cv::Mat1i& b) {
  std::map<int, int> a_to_b, b_to_a;
  for (int r = 0; r < mask.rows; ++r) {
    for (int c = 0; c < mask.cols; ++c) {
      if (mask(r, c) == 0) continue;
      const auto ab = a_to_b.emplace(a(r, c), b(r, c)).first;  // the first pairing seen
      const auto ba = b_to_a.emplace(b(r, c), a(r, c)).first;
      if (ab->second != b(r, c) || ba->second != a(r, c)) return false;
    }
  }
  return true;
}

TEST(LabelComponents, SamePartitionAsOpenCvOnRandomMasks) {
  cv::RNG rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int rows = rng.uniform(1, 60), cols = rng.uniform(1, 90);
    const double density = rng.uniform(0.0, 1.0) * rng.uniform(0.0, 1.0);  // mostly sparse
    cv::Mat1b mask(rows, cols);
    for (auto& px : mask) px = rng.uniform(0.0, 1.0) < density ? uchar{255} : uchar{0};
    if (trial % 3 == 0) cv::dilate(mask, mask, cv::Mat());  // blobs, as the text mask groups
    cv::Mat1i expected, labels(rows, cols, -1);
    const int n_expected = cv::connectedComponents(mask, expected, 8, CV_32S);
    const int n = LabelComponents(mask, labels);
    ASSERT_EQ(n, n_expected) << "trial " << trial;
    ASSERT_TRUE(SamePartition(mask, expected, labels)) << "trial " << trial;
    for (int r = 0; r < rows; ++r) {  // background pixels are not written
      for (int c = 0; c < cols; ++c) {
        const bool in_range = labels(r, c) >= 1 && labels(r, c) < n;
        ASSERT_TRUE(mask(r, c) == 0 ? labels(r, c) == -1 : in_range) << r << "," << c;
      }
    }
  }
}

TEST(LabelComponents, DiagonalNeighboursJoinAndEmptyMaskHasNone) {
  cv::Mat1b mask(3, 3, uchar{0});
  mask(0, 0) = mask(1, 1) = mask(2, 2) = 1;
  mask(0, 2) = 1;  // touches (1, 1) diagonally too
  cv::Mat1i labels(3, 3, 0);
  EXPECT_EQ(LabelComponents(mask, labels), 2);
  cv::Mat1i empty_labels(4, 20, 0);
  EXPECT_EQ(LabelComponents(cv::Mat1b(4, 20, uchar{0}), empty_labels), 1);
}

}  // namespace
}  // namespace refluxscan::spectral::detail
