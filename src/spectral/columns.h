#pragma once
// Whole-matrix column statistics: one vectorized pass instead of a strided scan per column.
#include <vector>

#include <opencv2/core.hpp>

namespace refluxscan::spectral::detail {

// Non-zero pixels in each column of an 8-bit mask (e.g. the result of `m >= level`).
inline std::vector<int> CountPerColumn(const cv::Mat& mask) {
  cv::Mat1i sums;
  cv::reduce(mask / 255, sums, 0, cv::REDUCE_SUM, CV_32S);
  return std::vector<int>(sums.begin(), sums.end());
}

}  // namespace refluxscan::spectral::detail
