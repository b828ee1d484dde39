// Masks of non-spectrum content in a rendered strip: column kinds (data, blank, uniform) and the
// drawn horizontal lines (docs/algorithms.md, "Display masks").
#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include <opencv2/core/hal/intrin.hpp>

#include "spectral/columns.h"
#include "spectral/strip_masks_internal.h"

namespace refluxscan::spectral::detail {

float MedianInPlace(std::vector<float>& v) {
  if (v.empty()) return 0;
  thread_local std::vector<float> scratch;
  return SelectKthByCounting(v.data(), v.size(), v.size() / 2, scratch);
}

namespace {

// An upper bound on how many of `v` lie within +-tol of any one level: the most values in 4
// consecutive bins of width tol (a window of 2 tol touches at most 4 bins). When it is below the
// share a test needs, the exact median-and-count test cannot pass and is skipped.
int MostWithin(std::span<const float> v, float tol, std::vector<int>& bins) {
  const float inv = 1.0f / tol;
  const int nb = static_cast<int>(inv) + 2;
  const auto nbs = static_cast<size_t>(nb);
  // Four partial histograms, lane l of each block counting into histogram l: a column's values
  // crowd a few bins, and increments of one counter queue behind each other's store and reload.
  // Integer counts: their sums are the single histogram's.
  bins.assign(4 * nbs, 0);
  int* const h0 = bins.data();
  int* const h1 = h0 + nbs;
  int* const h2 = h1 + nbs;
  int* const h3 = h2 + nbs;
  auto bin = [&](float x) { return std::clamp(static_cast<int>(x * inv), 0, nb - 1); };
  size_t i = 0;
#if CV_SIMD128
  // Four bins at a time: the same float product, truncation (cvttps2dq, as the scalar
  // conversion) and clamp.
  const cv::v_float32x4 inv4 = cv::v_setall_f32(inv);
  const cv::v_int32x4 last = cv::v_setall_s32(nb - 1), zero = cv::v_setzero_s32();
  for (; i + 4 <= v.size(); i += 4) {
    alignas(16) int b4[4];
    cv::v_store_aligned(b4,
                        cv::v_min(cv::v_max(cv::v_trunc(cv::v_load(&v[i]) * inv4), zero), last));
    ++h0[b4[0]], ++h1[b4[1]], ++h2[b4[2]], ++h3[b4[3]];
  }
#endif
  for (; i < v.size(); ++i) ++h0[bin(v[i])];
  for (size_t b = 0; b < nbs; ++b) h0[b] += h1[b] + h2[b] + h3[b];
  int best = 0;
  for (int j = 0; j + 3 < nb; ++j) {
    const auto b = static_cast<size_t>(j);
    best = std::max(best, h0[b] + h0[b + 1] + h0[b + 2] + h0[b + 3]);
  }
  return best;
}

// Uniform: non-black median with kUniformShare of the values within tolerance of it. `black`:
// how many of `column` are at or below kBlackLevel (the median is non-black exactly when at most
// half of them are). `col` receives a copy of the column only when the median is needed.
bool IsUniform(std::span<const float> column, int black, std::vector<int>& bins,
               std::vector<float>& col) {
  const double needed = kUniformShare * static_cast<double>(column.size());
  if (static_cast<size_t>(black) > column.size() / 2) return false;
  if (static_cast<double>(MostWithin(column, kUniformTolerance, bins)) < needed) return false;
  col.assign(column.begin(), column.end());
  const float med = MedianInPlace(col);
  const auto near = std::count_if(col.begin(), col.end(),
                                  [&](float v) { return std::abs(v - med) <= kUniformTolerance; });
  return static_cast<double>(near) >= needed;
}

// Dark: 98% of the column at most kDarkLevel (given that nothing in it is above kDarkMax). The
// value std::nth_element puts at k = 0.98 (n - 1) is at most kDarkLevel exactly when at least
// k + 1 values are, i.e. when at most n - 1 - k are above it (intensities are finite: a total
// order), so the count of the row-major pass below answers without a copy or a selection.
bool IsDarkBelowMax(size_t rows, int above_dark_level) {
  const auto k = static_cast<size_t>(kDarkShare * static_cast<double>(rows - 1));
  return static_cast<size_t>(above_dark_level) <= rows - 1 - k;
}

// Per column: whether any pixel is above kDarkMax (then it is not dark), how many are above
// kDarkLevel (IsDarkBelowMax) and how many at or below kBlackLevel (more than half: a black
// median, so not uniform). One branch-free row-major pass: most columns are decided by these
// numbers alone, without a copy of the column.
struct ColumnLevels {
  std::vector<int> above_dark_max;  // 0 / 1; int, as wide as a float: the loop vectorizes
  std::vector<int> above_dark_level;
  std::vector<int> black;
};

REFLUXSCAN_AVX2_CLONES ColumnLevels ColumnLevelCounts(const cv::Mat1f& m) {
  const auto cols = static_cast<size_t>(m.cols);
  ColumnLevels out{std::vector<int>(cols, 0), std::vector<int>(cols, 0), std::vector<int>(cols, 0)};
  int* __restrict above = out.above_dark_max.data();
  int* __restrict dark_above = out.above_dark_level.data();
  int* __restrict black = out.black.data();
  for (int r = 0; r < m.rows; ++r) {
    const float* __restrict row = m.ptr<float>(r);
    for (size_t c = 0; c < cols; ++c) {
      above[c] |= row[c] > kDarkMax ? 1 : 0;
      dark_above[c] += row[c] > kDarkLevel ? 1 : 0;
      black[c] += row[c] <= kBlackLevel ? 1 : 0;
    }
  }
  return out;
}

}  // namespace

std::vector<ColumnKind> ClassifyColumns(const cv::Mat1f& m) {
  std::vector<ColumnKind> kinds(static_cast<size_t>(m.cols), ColumnKind::kData);
  const ColumnLevels levels = ColumnLevelCounts(m);
  const auto rows = static_cast<size_t>(m.rows);
  thread_local std::vector<uint8_t> undecided;
  undecided.assign(static_cast<size_t>(m.cols), 0);
  for (size_t c = 0; c < kinds.size(); ++c) {
    if (levels.above_dark_max[c] == 0 && IsDarkBelowMax(rows, levels.above_dark_level[c])) {
      kinds[c] = ColumnKind::kBlank;
    } else {
      undecided[c] = static_cast<size_t>(levels.black[c]) > rows / 2 ? 0 : 1;
    }
  }
  thread_local cv::Mat1f store;                            // kept across strips (see ReuseBuffer)
  cv::Mat1f columns = ReuseBuffer(store, m.cols, m.rows);  // each strip column is one row
  TransposeWanted(m, undecided, columns);
  std::vector<float> col;  // a column's copy for IsUniform's median
  std::vector<int> bins;
  for (int c = 0; c < m.cols; ++c) {
    const auto cs = static_cast<size_t>(c);
    if (!undecided[cs]) continue;
    const std::span<const float> column(columns.ptr<float>(c), rows);
    if (IsUniform(column, levels.black[cs], bins, col)) kinds[cs] = ColumnKind::kUniform;
  }
  return kinds;
}

namespace {

// Whether the median of the values of `row` in `runs` (`count` of them) is at least `level`:
// exactly when at most count/2 of them are below it. Counted in place, before the row's data
// columns are copied (most rows fail here and need no copy); an int count of a branch-free
// comparison (the size_t count of the copy vectorized two lanes wide).
REFLUXSCAN_AVX2_CLONES bool MedianAtLeastInRuns(const float* __restrict row,
                                                const std::vector<Run>& runs, size_t count,
                                                float level) {
  int below = 0;
  for (const Run& run : runs) {
    for (int c = run.first, last = run.last; c <= last; ++c) below += row[c] < level ? 1 : 0;
  }
  return static_cast<size_t>(below) <= count / 2;
}

// A drawn line's row, given a median at least kLineMinLevel (MedianAtLeastInRuns): kLineShare of
// the values within tolerance.
bool IsLine(std::vector<float>& row, std::vector<int>& bins) {
  const double needed = kLineShare * static_cast<double>(row.size());
  if (static_cast<double>(MostWithin(row, kLineTolerance, bins)) < needed) return false;
  const float med = MedianInPlace(row);
  const auto near = std::count_if(row.begin(), row.end(),
                                  [&](float v) { return std::abs(v - med) <= kLineTolerance; });
  return static_cast<double>(near) >= needed;
}

}  // namespace

std::vector<Run> LineRuns(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds) {
  std::vector<Run> runs;
  // The row's values IsLine sees: the data columns in column order, copied run by run.
  std::vector<Run> data_runs;
  size_t data_count = 0;
  for (int c = 0; c < m.cols; ++c) {
    if (kinds[static_cast<size_t>(c)] != ColumnKind::kData) continue;
    ++data_count;
    if (!data_runs.empty() && data_runs.back().last == c - 1) {
      data_runs.back().last = c;
    } else {
      data_runs.push_back({c, c});
    }
  }
  std::vector<float> row(data_count);
  std::vector<int> bins;
  if (data_count == 0) return runs;
  for (int r = 0; r < m.rows; ++r) {
    const float* data = m.ptr<float>(r);
    if (!MedianAtLeastInRuns(data, data_runs, data_count, kLineMinLevel)) continue;
    float* out = row.data();  // IsLine may reorder the row, never resize it
    for (const Run& run : data_runs) out = std::copy(data + run.first, data + run.last + 1, out);
    if (!IsLine(row, bins)) continue;
    if (!runs.empty() && runs.back().last == r - 1) {
      runs.back().last = r;
    } else {
      runs.push_back({r, r});
    }
  }
  std::erase_if(runs, [](const Run& run) { return run.Width() > 4; });  // a band, not a line
  return runs;
}

}  // namespace refluxscan::spectral::detail
