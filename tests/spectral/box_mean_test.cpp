// detail::BoxMean3x3 against cv::blur (3x3, replicated border), bit for bit: the envelope's box
// means replace it, in the same double operations, and run as an AVX2 clone where the CPU has
// AVX2 (this test then checks that clone).
#include <gtest/gtest.h>

#include <cstring>

#include <opencv2/imgproc.hpp>

#include "spectral/envelope_internal.h"

namespace refluxscan::spectral::detail {
namespace {

// Whether two float matrices hold the same bits (NaN-safe, -0 != +0).
bool SameBits(const cv::Mat1f& a, const cv::Mat1f& b) {
  if (a.size() != b.size()) return false;
  for (int r = 0; r < a.rows; ++r) {
    if (std::memcmp(a.ptr<float>(r), b.ptr<float>(r), sizeof(float) * a.cols) != 0) return false;
  }
  return true;
}

TEST(BoxMean3x3, EqualsCvBlurBitForBit) {
  cv::RNG rng(31);
  for (int i = 0; i < 120; ++i) {
    const int rows = 1 + rng.uniform(0, i < 20 ? 6 : 300),
              cols = 1 + rng.uniform(0, i < 20 ? 6 : 900);
    cv::Mat1f m(rows, cols);
    switch (i % 4) {
      case 0:
        rng.fill(m, cv::RNG::UNIFORM, 0.0, 1.0);
        break;   // display intensities
      case 1: {  // the display grid: g / 255
        cv::Mat1b g(rows, cols);
        rng.fill(g, cv::RNG::UNIFORM, 0, 256);
        g.convertTo(m, CV_32F, 1.0 / 255.0);
        break;
      }
      case 2: {  // linear power: exp of up to 9.2
        rng.fill(m, cv::RNG::UNIFORM, 0.0, 9.2);
        cv::exp(m, m);
        break;
      }
      default:  // runs of zeros among values
        rng.fill(m, cv::RNG::UNIFORM, -1.0, 1.0);
        m.setTo(0.0f, m < 0.3f);
    }
    cv::Mat1f expected, got;
    cv::blur(m, expected, {3, 3}, {-1, -1}, cv::BORDER_REPLICATE);
    BoxMean3x3(m, got);
    EXPECT_TRUE(SameBits(got, expected)) << rows << "x" << cols << " kind " << i % 4;
  }
}

}  // namespace
}  // namespace refluxscan::spectral::detail
