// Masks of non-spectrum content in a rendered strip: thin vertical strokes hanging from a drawn
// overlay, such as an ECG trace's QRS spikes (docs/algorithms.md, "Display masks").
#include <algorithm>
#include <cmath>
#include <vector>

#include "spectral/strip_masks_internal.h"

namespace refluxscan::spectral::detail {

namespace {

// Whether pixel (r, c) is the core of a bright stroke at most 3 columns wide: at least
// kStrokeLevel, and kStrokeContrast above a pixel within kStrokeReach columns on either side (the
// nearer one may be the stroke's other pixel, or the one beyond a 1-column gap may be the next
// stroke of the same complex: a QRS draws down and up one column apart).
bool ThinAcross(const cv::Mat1f& m, int r, int c) {
  const float v = m(r, c);
  if (v < kStrokeLevel) return false;
  const float* row = m.ptr<float>(r);
  float left = row[c - 1], right = row[c + 1];
  for (int k = 2; k <= kStrokeReach; ++k) {
    left = std::min(left, row[c - k]);
    right = std::min(right, row[c + k]);
  }
  return v - left >= kStrokeContrast && v - right >= kStrokeContrast;
}

// Whether any seed pixel lies in rows [first - 1, last + 1] of columns c - 1 .. c + 1.
bool Touches(const cv::Mat1b& seeds, int first, int last, int c) {
  const int r0 = std::max(0, first - 1), r1 = std::min(seeds.rows - 1, last + 1);
  for (int r = r0; r <= r1; ++r) {
    const uchar* s = seeds.ptr<uchar>(r);
    if (s[c - 1] | s[c] | s[c + 1]) return true;
  }
  return false;
}

}  // namespace

namespace {

// One pass over the columns: strokes touching `seeds` masked in `out`; whether any was.
bool MaskStrokesTouching(const cv::Mat1f& m, const cv::Mat1b& seeds, double baseline_row,
                         StripMasks& out) {
  const double guard_rows = std::max(kStrokeBaselineRows, kStrokeBaselineShare * m.rows);
  bool masked = false;
  for (int c = kStrokeReach; c + kStrokeReach < m.cols; ++c) {
    if (!out.column_valid[static_cast<size_t>(c)]) continue;
    for (int r = 0; r < m.rows;) {
      if (!ThinAcross(m, r, c)) {
        ++r;
        continue;
      }
      const int first = r;
      while (r < m.rows && ThinAcross(m, r, c)) ++r;
      const int last = r - 1;
      const bool near_baseline = std::isfinite(baseline_row) &&
                                 baseline_row >= first - guard_rows &&
                                 baseline_row <= last + guard_rows;
      if (last - first + 1 < kMinStrokeRows || near_baseline || !Touches(seeds, first, last, c)) {
        continue;
      }
      cv::Mat1b cells = out.valid(cv::Range(first, last + 1), cv::Range(c - 1, c + 2));
      masked = masked || cv::countNonZero(cells) > 0;
      cells.setTo(0);
    }
  }
  return masked;
}

}  // namespace

void MaskAttachedStrokes(const cv::Mat1f& m, double baseline_row, StripMasks& out) {
  if (m.cols <= 2 * kStrokeReach) return;
  // A QRS complex is a chain of strokes (down, then up one column over): each pass reaches the
  // next link.
  for (int pass = 0; pass < kMaxStrokePasses; ++pass) {
    if (!MaskStrokesTouching(m, out.valid == 0, baseline_row, out)) break;
  }
}

}  // namespace refluxscan::spectral::detail
