#pragma once
// Connected components of sparse 8-bit masks (text strokes, scale marks: a few % of a strip).
#include <opencv2/core.hpp>

namespace refluxscan::spectral::detail {

// 8-connected components of the non-zero pixels of `mask`. Writes labels(r, c) = 1 .. n - 1 at
// every non-zero pixel and nothing elsewhere (`labels` must be mask-sized; its other pixels keep
// whatever they held). Returns n, the number of components + 1, as cv::connectedComponents(mask,
// labels, 8) does, with the same partition of the pixels; only the numbering may differ (callers
// group pixels by label and never read a background label). Runs of pixels are joined with the
// runs they touch in the row above (union-find), and zero bytes are skipped eight at a time:
// on a sparse mask this costs a fraction of OpenCV's labelling, which visits and writes every
// pixel.
int LabelComponents(const cv::Mat1b& mask, cv::Mat1i& labels);

}  // namespace refluxscan::spectral::detail
