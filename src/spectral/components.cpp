// Connected components of sparse masks by runs (components.h).
#include "spectral/components.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <opencv2/core/hal/intrin.hpp>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

#if defined(__x86_64__) && defined(__GNUC__)
// AppendRuns' walk over the first columns with AVX2: 32 zero bytes skipped with one test, a run
// found from a block's bit masks. Stops at the first column from which 32 bytes cannot be read
// (returned; a run ending there may continue: `open` holds its first column, or -1).
[[gnu::target("avx2")]] int AppendRunsAvx2(const uchar* row, int r, int cols,
                                           std::vector<PixelRun>& runs, int& open) {
  int c = 0;
  open = -1;
  for (; c + 32 <= cols; c += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + c));
    auto set =
        ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_setzero_si256())));
    if (set == 0 && open < 0) continue;
    for (int k = 0; k < 32;) {  // alternate: a run of set bytes, then one of clear bytes
      if (open < 0) {
        const uint32_t ahead = set >> k;
        if (ahead == 0) break;
        k += __builtin_ctz(ahead);
        open = c + k;
      }
      const uint32_t clear_ahead = ~set >> k;  // bits of clear bytes from k on (k < 32)
      if (clear_ahead == 0) break;             // the run goes on into the next block
      k += __builtin_ctz(clear_ahead);
      runs.push_back({r, open, c + k - 1});
      open = -1;
    }
  }
  return c;
}
#endif

// Appends the runs of non-zero bytes of one row, skipping sixteen (then eight) zero bytes at a
// time.
void AppendRuns(const uchar* row, int r, int cols, std::vector<PixelRun>& runs) {
  int c = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    int open = -1;
    c = AppendRunsAvx2(row, r, cols, runs, open);
    if (open >= 0) {  // a run open at column c: finish it byte by byte
      while (c < cols && row[c] != 0) ++c;
      runs.push_back({r, open, c - 1});
    }
  }
#endif
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
