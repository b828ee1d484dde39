// Connected components of sparse masks by runs (components.h).
#include "spectral/components.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <opencv2/core/hal/intrin.hpp>

namespace refluxscan::spectral::detail {
namespace {

struct PixelRun {
  int row = 0, first = 0, last = 0;  // columns first .. last (inclusive)
};

// The root of run `i`'s set, halving the path on the way (roots are the smallest run of a set).
int Root(std::vector<int>& parent, int i) {
  while (parent[static_cast<size_t>(i)] != i) {
    const auto k = static_cast<size_t>(i);
    parent[k] = parent[static_cast<size_t>(parent[k])];
    i = parent[k];
  }
  return i;
}

void Join(std::vector<int>& parent, int a, int b) {
  a = Root(parent, a), b = Root(parent, b);
  if (a < b) parent[static_cast<size_t>(b)] = a;
  if (b < a) parent[static_cast<size_t>(a)] = b;
}

// Appends the runs of non-zero bytes of one row, skipping sixteen (then eight) zero bytes at a
// time.
void AppendRuns(const uchar* row, int r, int cols, std::vector<PixelRun>& runs) {
  int c = 0;
  while (c < cols) {
#if CV_SIMD128
    if (c + 16 <= cols && !cv::v_check_any(cv::v_load(row + c) != cv::v_setzero_u8())) {
      c += 16;
      continue;
    }
#endif
    uint64_t word;
    if (c + 8 <= cols && (std::memcpy(&word, row + c, sizeof word), word == 0)) {
      c += 8;
      continue;
    }
    if (row[c] == 0) {
      ++c;
      continue;
    }
    const int first = c;
    while (c < cols && row[c] != 0) ++c;
    runs.push_back({r, first, c - 1});
  }
}

}  // namespace

int LabelComponents(const cv::Mat1b& mask, cv::Mat1i& labels) {
  thread_local std::vector<PixelRun> runs;
  thread_local std::vector<int> parent, label;
  runs.clear();
  parent.clear();
  size_t above_begin = 0, above_end = 0;  // the previous row's runs
  for (int r = 0; r < mask.rows; ++r) {
    const size_t begin = runs.size();
    AppendRuns(mask.ptr<uchar>(r), r, mask.cols, runs);
    size_t a = above_begin;  // runs of both rows are in column order: one merge-like walk
    for (size_t i = begin; i < runs.size(); ++i) {
      parent.push_back(static_cast<int>(i));
      const PixelRun& run = runs[i];
      // 8-connected: a run above touches this one when it reaches a column within one of it.
      while (a < above_end && runs[a].last < run.first - 1) ++a;
      for (size_t k = a; k < above_end && runs[k].first <= run.last + 1; ++k) {
        Join(parent, static_cast<int>(k), static_cast<int>(i));
      }
    }
    above_begin = begin, above_end = runs.size();
  }
  // Labels 1, 2, ... in the order of each component's first run (raster order).
  label.assign(runs.size(), 0);
  int n = 1;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto root = static_cast<size_t>(Root(parent, static_cast<int>(i)));
    if (label[root] == 0) label[root] = n++;
    const PixelRun& run = runs[i];
    int* out = labels.ptr<int>(run.row);
    for (int c = run.first; c <= run.last; ++c) out[c] = label[root];
  }
  return n;
}

}  // namespace refluxscan::spectral::detail
