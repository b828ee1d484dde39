// Masks of non-spectrum content in a rendered strip: thin vertical strokes hanging from a drawn
// overlay, such as an ECG trace's QRS spikes (docs/algorithms.md, "Display masks").
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <opencv2/core.hpp>

#include "spectral/strip_masks_internal.h"

namespace refluxscan::spectral::detail {

namespace {

// Per pixel, whether it is the core of a bright stroke at most 3 columns wide: at least
// kStrokeLevel, and kStrokeContrast above a pixel within kStrokeReach columns on either side (the
// nearer one may be the stroke's other pixel, or the one beyond a 1-column gap may be the next
// stroke of the same complex: a QRS draws down and up one column apart). Computed row by row
// with OpenCV's vectorized matrix operations and returned transposed: row c holds strip column
// c, so the vertical runs are then read contiguously too (a scalar walk cost 0.5 ms a strip, 60%
// of the whole strip stage). Columns within kStrokeReach of an edge are never cores.
cv::Mat1b ThinCoresByColumn(const cv::Mat1f& m) {
  static_assert(kStrokeReach == 2, "the shifted views below are written for a reach of 2");
  const int inner = m.cols - 2 * kStrokeReach;
  const cv::Range rows = cv::Range::all();
  const cv::Mat centre = m(rows, cv::Range(2, 2 + inner));
  const auto shifted = [&](int first) -> cv::Mat {
    return m(rows, cv::Range(first, first + inner));
  };
  thread_local cv::Mat left, right, bright, left_ok, right_ok;
  cv::min(shifted(0), shifted(1), left);
  cv::min(shifted(3), shifted(4), right);
  cv::subtract(centre, left, left);  // the contrast over each side's darker pixel
  cv::subtract(centre, right, right);
  cv::compare(centre, kStrokeLevel, bright, cv::CMP_GE);
  cv::compare(left, kStrokeContrast, left_ok, cv::CMP_GE);
  cv::compare(right, kStrokeContrast, right_ok, cv::CMP_GE);
  cv::Mat1b thin(m.size(), uchar{0});
  cv::Mat core = thin(rows, cv::Range(2, 2 + inner));
  cv::bitwise_and(bright, left_ok, core);
  cv::bitwise_and(core, right_ok, core);
  cv::Mat1b by_column;
  cv::transpose(thin, by_column);
  return by_column;
}

struct Stroke {
  int column = 0, first = 0, last = 0;  // rows [first, last]
};

// Vertical runs of >= kMinStrokeRows stroke cores in valid columns, none reaching within
// max(kStrokeBaselineRows, kStrokeBaselineShare of the rows) of the baseline.
std::vector<Stroke> Strokes(const cv::Mat1b& by_column, const std::vector<uint8_t>& column_valid,
                            double baseline_row) {
  const int rows = by_column.cols;
  const double guard_rows = std::max(kStrokeBaselineRows, kStrokeBaselineShare * rows);
  std::vector<Stroke> strokes;
  for (int c = kStrokeReach; c + kStrokeReach < by_column.rows; ++c) {
    if (!column_valid[static_cast<size_t>(c)]) continue;
    const uchar* core = by_column.ptr<uchar>(c);
    for (int r = 0; r < rows;) {
      uint64_t eight = 0;  // cores are sparse: eight empty rows passed over at once
      if (r + 8 <= rows && (std::memcpy(&eight, core + r, sizeof eight), eight == 0)) {
        r += 8;
        continue;
      }
      if (!core[r]) {
        ++r;
        continue;
      }
      const int first = r;
      while (r < rows && core[r]) ++r;
      const int last = r - 1;
      const bool near_baseline = std::isfinite(baseline_row) &&
                                 baseline_row >= first - guard_rows &&
                                 baseline_row <= last + guard_rows;
      if (last - first + 1 >= kMinStrokeRows && !near_baseline) {
        strokes.push_back({c, first, last});
      }
    }
  }
  return strokes;
}

// Whether any seed pixel lies in rows [first - 1, last + 1] of columns c - 1 .. c + 1.
bool Touches(const cv::Mat1b& seeds, const Stroke& s) {
  const int r0 = std::max(0, s.first - 1), r1 = std::min(seeds.rows - 1, s.last + 1);
  for (int r = r0; r <= r1; ++r) {
    const uchar* row = seeds.ptr<uchar>(r);
    if (row[s.column - 1] | row[s.column] | row[s.column + 1]) return true;
  }
  return false;
}

// One pass: the strokes touching `seeds` masked in `out`, with a column either side; whether
// any pixel was newly masked.
bool MaskStrokesTouching(const std::vector<Stroke>& strokes, const cv::Mat1b& seeds,
                         StripMasks& out) {
  bool masked = false;
  for (const Stroke& s : strokes) {
    if (!Touches(seeds, s)) continue;
    cv::Mat1b cells =
        out.valid(cv::Range(s.first, s.last + 1), cv::Range(s.column - 1, s.column + 2));
    masked = masked || cv::countNonZero(cells) > 0;
    cells.setTo(0);
  }
  return masked;
}

}  // namespace

void MaskAttachedStrokes(const cv::Mat1f& m, double baseline_row, StripMasks& out) {
  if (m.cols <= 2 * kStrokeReach) return;
  const std::vector<Stroke> strokes = Strokes(ThinCoresByColumn(m), out.column_valid, baseline_row);
  // A QRS complex is a chain of strokes (down, then up one column over): each pass reaches the
  // next link.
  for (int pass = 0; pass < kMaxStrokePasses && !strokes.empty(); ++pass) {
    if (!MaskStrokesTouching(strokes, out.valid == 0, out)) break;
  }
}

}  // namespace refluxscan::spectral::detail
