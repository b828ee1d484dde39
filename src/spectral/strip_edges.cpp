// Masks of non-spectrum content in a rendered strip: scale labels and panel margins at the edges,
// dotted lines, the drawn baseline's check (docs/algorithms.md, "Display masks").
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "spectral/columns.h"
#include "spectral/components.h"
#include "spectral/strip_masks_internal.h"

namespace refluxscan::spectral::detail {

namespace {

// Median over the strip's columns of the pixels above the lit level that are neither marks nor
// line rows: the texture of this strip's noise background. A label margin is blank beside its
// marks; a spectrum column with a few speckle "marks" is not.
REFLUXSCAN_AVX2_CLONES double MedianLitPixels(const cv::Mat1f& m, const cv::Mat1b& text,
                                              const std::vector<uint8_t>& line_row,
                                              const std::vector<uint8_t>& valid, int zone) {
  std::vector<int> lit(static_cast<size_t>(m.cols), 0);
  for (int r = 0; r < m.rows; ++r) {
    if (line_row[static_cast<size_t>(r)]) continue;
    const float* __restrict row = m.ptr<float>(r);
    int* __restrict count = lit.data();
    // All lit pixels (a float -> int count that vectorizes), then the few marked ones taken off
    // again: the same count as testing the mark at every pixel.
    for (int c = 0, cols = m.cols; c < cols; ++c) count[c] += row[c] > 0.1f ? 1 : 0;
    ForEachNonZero(text.ptr<uchar>(r), m.cols, [&](int c) { count[c] -= row[c] > 0.1f ? 1 : 0; });
  }
  // Only the valid columns between the edge zones: labels, blank and erased columns are not
  // the texture a margin is compared with.
  std::vector<int> inner;
  for (int c = zone; c < m.cols - zone; ++c) {
    if (valid[static_cast<size_t>(c)]) inner.push_back(lit[static_cast<size_t>(c)]);
  }
  if (inner.empty()) return 0.0;
  std::nth_element(inner.begin(), inner.begin() + static_cast<long>(inner.size() / 2), inner.end());
  return inner[inner.size() / 2];
}

}  // namespace

std::vector<uint8_t> LineRows(const std::vector<Run>& lines, int rows) {
  std::vector<uint8_t> line_row(static_cast<size_t>(rows), 0);
  for (const Run& line : lines) {
    for (int r = std::max(0, line.first - 1); r <= std::min(rows - 1, line.last + 1); ++r) {
      line_row[static_cast<size_t>(r)] = 1;
    }
  }
  return line_row;
}

void MaskScaleEdges(const cv::Mat1f& m, const cv::Mat1b& text, const std::vector<uint8_t>& line_row,
                    StripMasks& out) {
  const int zone = std::max(1, static_cast<int>(kEdgeZoneShare * m.cols));
  const double background_lit = MedianLitPixels(m, text, line_row, out.column_valid, zone);
  for (int side = 0; side < 2; ++side) {
    int masked_to = -1;
    for (int k = 0; k < zone; ++k) {
      const int c = side == 0 ? k : m.cols - 1 - k;
      int marks = 0, lit = 0;  // direct reads: a column view makes OpenCV iterate row by row
      for (int r = 0; r < m.rows; ++r) {
        if (line_row[static_cast<size_t>(r)]) continue;
        const bool mark = text(r, c) != 0;
        marks += mark ? 1 : 0;
        lit += !mark && m(r, c) > 0.1f ? 1 : 0;
      }
      if (marks == 0 && out.column_valid[static_cast<size_t>(c)]) break;
      if (lit > m.rows / 5 || lit > std::max(kMinMarginLit, kMarginLitShare * background_lit)) {
        break;
      }
      masked_to = k;
    }
    for (int k = 0; k <= masked_to; ++k) {
      out.column_valid[static_cast<size_t>(side == 0 ? k : m.cols - 1 - k)] = 0;
    }
    if (masked_to >= 0) {
      out.notes.push_back(std::string(side == 0 ? "left" : "right") + " edge: " +
                          std::to_string(masked_to + 1) + " columns of scale/labels masked");
    }
  }
}

namespace {

struct TextureScratch {
  std::vector<float> col, sorted;
  std::vector<uchar> excluded;
};

// Texture of one column: the share of its pixels that differ from the column's median by more
// than kFaintStep, among those that are not drawn line rows (+-1) or `excluded` (TextureExclusion);
// infinite (display) when fewer than kMinEligibleShare of the rows are left: bright flow filling
// most of a column at the display's edge is no margin.
// A display's noise floor, however dim, differs from its median in many rows (measured on
// generated strips: a black floor with faint speckle 10-30% of the rows, a grey floor most of
// them); a panel margin beside the display (uniform, with ticks and labels) in almost none.
// `col` and `excluded`: the column's pixels and exclusion flags, top to bottom.
double TextureOf(const float* col, const uchar* excluded, const std::vector<uint8_t>& line_row,
                 int rows, std::vector<float>& sorted) {
  sorted.assign(col, col + rows);
  const float median = MedianInPlace(sorted);
  int textured = 0, eligible = 0;
  for (int r = 0; r < rows; ++r) {
    const auto i = static_cast<size_t>(r);
    const bool counted = excluded[i] == 0 && !line_row[i];
    eligible += counted ? 1 : 0;
    textured += counted && std::abs(col[i] - median) > kFaintStep ? 1 : 0;
  }
  if (eligible < kMinEligibleShare * rows) return std::numeric_limits<double>::infinity();
  return static_cast<double>(textured) / eligible;
}

// TextureOf column c of `m`.
double ColumnTexture(const cv::Mat1f& m, const cv::Mat1b& excluded,
                     const std::vector<uint8_t>& line_row, int c, TextureScratch& scratch) {
  scratch.col.resize(static_cast<size_t>(m.rows));
  scratch.excluded.resize(static_cast<size_t>(m.rows));
  for (int r = 0; r < m.rows; ++r) {
    scratch.col[static_cast<size_t>(r)] = m(r, c);
    scratch.excluded[static_cast<size_t>(r)] = excluded(r, c);
  }
  return TextureOf(scratch.col.data(), scratch.excluded.data(), line_row, m.rows, scratch.sorted);
}

// Marks and strokes at or above kMarkLevel (ticks, labels, bright flow) with kMarkHalo pixels
// around them: JPEG rings within the 8x8 blocks they touch, which put 10-30 "textured" rows into
// the margin columns beside a bright reflux band or green labels (held-out stress clip; with the
// halo 0-3, the display's edge columns 20-30).
cv::Mat1b TextureExclusion(const cv::Mat1f& m, const cv::Mat1b& marks) {
  cv::Mat1b excluded = (m >= kMarkLevel) | marks;
  const int size = 2 * kMarkHalo + 1;
  cv::dilate(excluded, excluded, cv::getStructuringElement(cv::MORPH_RECT, {size, size}));
  return excluded;
}

}  // namespace

void MaskUntexturedEdges(const cv::Mat1f& m, const cv::Mat1b& marks,
                         const std::vector<uint8_t>& line_row, StripMasks& out) {
  const int zone = std::max(1, static_cast<int>(kEdgeZoneShare * m.cols));
  const cv::Mat1b excluded = TextureExclusion(m, marks);
  TextureScratch scratch;
  // The interior's sampled columns gathered in one row-major pass (a column read walks a whole
  // row apart per pixel: a cache miss each), then measured in the same order as before.
  std::vector<int> sampled;
  for (int c = zone; c < m.cols - zone; c += kInteriorSampleStep) {
    if (out.column_valid[static_cast<size_t>(c)]) sampled.push_back(c);
  }
  const auto rows = static_cast<size_t>(m.rows);
  std::vector<float> pixels(sampled.size() * rows);  // sample j: [j * rows, (j + 1) * rows)
  std::vector<uchar> flags(sampled.size() * rows);
  for (int r = 0; r < m.rows; ++r) {
    const float* row = m.ptr<float>(r);
    const uchar* excluded_row = excluded.ptr<uchar>(r);
    for (size_t j = 0, at = static_cast<size_t>(r); j < sampled.size(); ++j, at += rows) {
      pixels[at] = row[sampled[j]];
      flags[at] = excluded_row[sampled[j]];
    }
  }
  std::vector<double> interior;
  for (size_t j = 0; j < sampled.size(); ++j) {
    const double texture = TextureOf(pixels.data() + j * rows, flags.data() + j * rows, line_row,
                                     m.rows, scratch.sorted);
    if (std::isfinite(texture)) interior.push_back(texture);
  }
  if (interior.empty()) return;
  const auto q = static_cast<long>(interior.size() / 4);
  std::nth_element(interior.begin(), interior.begin() + q, interior.end());
  const double floor_texture = interior[static_cast<size_t>(q)];
  if (floor_texture < std::max(kMinFloorTexture / m.rows, kMinFloorTextureShare)) return;
  for (int side = 0; side < 2; ++side) {
    int masked = 0;
    for (int k = 0; k < zone; ++k) {
      const auto c = static_cast<size_t>(side == 0 ? k : m.cols - 1 - k);
      if (out.column_valid[c]) {
        const double texture = ColumnTexture(m, excluded, line_row, static_cast<int>(c), scratch);
        if (texture >= kMarginTextureShare * floor_texture) break;
        out.column_valid[c] = 0;
        ++masked;
      }
    }
    if (masked > 0) {
      out.notes.push_back(std::string(side == 0 ? "left" : "right") +
                          " edge: " + std::to_string(masked) +
                          " columns without the display's noise texture masked (panel margin)");
    }
  }
}

cv::Mat1b LabelMarks(const cv::Mat1b& marks) {
  if (cv::countNonZero(marks) == 0) return marks;
  thread_local cv::Mat1i store;  // kept across strips (see ReuseBuffer)
  cv::Mat1i labels = ReuseBuffer(store, marks.rows, marks.cols);
  const int n = LabelComponents(marks, labels);  // labels only at the marked pixels
  std::vector<int> first(static_cast<size_t>(n), marks.cols), last(static_cast<size_t>(n), -1);
  for (int r = 0; r < marks.rows; ++r) {  // labelled pixels (l != 0) are the marked ones
    const int* l = labels.ptr<int>(r);
    ForEachNonZero(marks.ptr<uchar>(r), marks.cols, [&](int c) {
      const auto k = static_cast<size_t>(l[c]);
      first[k] = std::min(first[k], c);
      last[k] = std::max(last[k], c);
    });
  }
  const int zone = std::max(1, static_cast<int>(kEdgeZoneShare * marks.cols));
  std::vector<uchar> keep(static_cast<size_t>(n), 0);
  bool any_wide = false;
  for (size_t l = 1; l < keep.size(); ++l) {
    const bool wide = last[l] - first[l] + 1 > zone;
    keep[l] = wide ? 0 : 255;
    any_wide = any_wide || wide;
  }
  if (!any_wide) return marks;
  cv::Mat1b out(marks.size(), uchar{0});  // background: label 0, never kept
  for (int r = 0; r < marks.rows; ++r) {
    const int* l = labels.ptr<int>(r);
    uchar* o = out.ptr<uchar>(r);
    ForEachNonZero(marks.ptr<uchar>(r), marks.cols,
                   [&](int c) { o[c] = keep[static_cast<size_t>(l[c])]; });
  }
  return out;
}

namespace {

// Whether a line run is lit in every dark column kept as data (a silence): a drawn line is drawn
// through silences, a sliver of slow flow beside the baseline that only looks like one is not.
bool DrawnThroughSilences(const cv::Mat1f& m, const Run& line, const std::vector<ColumnKind>& kinds,
                          const std::vector<uint8_t>& column_valid) {
  for (int c = 0; c < m.cols; ++c) {
    const auto k = static_cast<size_t>(c);
    if (kinds[k] != ColumnKind::kData && column_valid[k] != 0 && !LineLitAt(m, line, c)) {
      return false;
    }
  }
  return true;
}

// Whether a pixel of level v is a 1-px-tall bright feature between vertical neighbours `above`
// and `below`: at kLineMinLevel or more with both neighbours below half its level. Only that
// thin: a dot blurred by JPEG into its neighbours, or a narrow band of steady flow (a blunt
// profile), is kept (masking 3-row features made a no-reflux clip read a 500 ms reflux; measured
// on 15 sets). Branch-free (an int 0/1), so that the row loops below vectorize.
int DotPixel(float above, float v, float below) {
  return static_cast<int>(v >= kLineMinLevel) & static_cast<int>(above < 0.5f * v) &
         static_cast<int>(below < 0.5f * v);
}

}  // namespace

REFLUXSCAN_AVX2_CLONES void MaskDottedLines(const cv::Mat1f& m,
                                            const std::vector<ColumnKind>& kinds, StripMasks& out) {
  const auto cols = static_cast<size_t>(m.cols);
  thread_local std::vector<uint8_t> is_data;  // 1 = a data column (the share is of them)
  is_data.resize(cols);
  int data_columns = 0;
  for (size_t c = 0; c < cols; ++c) {
    is_data[c] = kinds[c] == ColumnKind::kData ? 1 : 0;
    data_columns += is_data[c];
  }
  const double needed = kDottedLineShare * data_columns;
  const uint8_t* __restrict data = is_data.data();
  for (int r = 1; r + 1 < m.rows; ++r) {
    const float* __restrict above = m.ptr<float>(r - 1);
    const float* __restrict row = m.ptr<float>(r);
    const float* __restrict below = m.ptr<float>(r + 1);
    int thin = 0;
    for (size_t c = 0; c < cols; ++c) thin += data[c] & DotPixel(above[c], row[c], below[c]);
    if (thin < needed || thin == 0) continue;
    uchar* valid = out.valid.ptr<uchar>(r);
    for (size_t c = 0; c < cols; ++c) {
      if (DotPixel(above[c], row[c], below[c])) valid[c] = 0;
    }
  }
}

void MaskThinVerticalLines(const cv::Mat1f& m, StripMasks& out) {
  const auto cols = static_cast<size_t>(m.cols);
  // Per column: the current stretch's first row, its last row on the line, its thin pixels.
  std::vector<int> start(cols, 0), last(cols, -kMaxLineDotGap - 2), thin(cols, 0);
  std::vector<uint8_t> line(cols, 0);
  for (int r = 0; r < m.rows; ++r) {
    const float* row = m.ptr<float>(r);
    for (int c = 1; c + 1 < m.cols; ++c) {
      if (row[c] < kLineMinLevel) continue;  // the line is lit all along, its dots stand out
      const bool dot = DotPixel(row[c - 1], row[c], row[c + 1]) != 0;
      const auto k = static_cast<size_t>(c);
      if (r - last[k] > kMaxLineDotGap + 1) start[k] = r, thin[k] = 0;
      last[k] = r;
      thin[k] += dot ? 1 : 0;
      line[k] |= static_cast<uint8_t>(r - start[k] + 1 >= kThinVerticalLineSpan * m.rows &&
                                      thin[k] >= kThinVerticalLineShare * m.rows);
    }
  }
  for (int c = 1; c + 1 < m.cols; ++c) {
    if (!line[static_cast<size_t>(c)]) continue;
    for (int r = 0; r < m.rows; ++r) {
      const float* row = m.ptr<float>(r);
      if (DotPixel(row[c - 1], row[c], row[c + 1])) out.valid(r, c) = 0;
    }
  }
}

void CheckBaseline(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds,
                   const std::vector<Run>& lines, double expected_row, StripMasks& out) {
  const Run* nearest = nullptr;
  for (const Run& line : lines) {
    if (!DrawnThroughSilences(m, line, kinds, out.column_valid)) continue;
    const double centre = 0.5 * (line.first + line.last);
    if (std::abs(centre - expected_row) <= 15 &&
        (!nearest || std::abs(centre - expected_row) <
                         std::abs(0.5 * (nearest->first + nearest->last) - expected_row))) {
      nearest = &line;
    }
  }
  if (!nearest) return;
  out.drawn_baseline_row = 0.5 * (nearest->first + nearest->last);
  const double offset = *out.drawn_baseline_row - expected_row;
  if (std::abs(offset) > 2.0) {
    out.warnings.push_back("drawn baseline " + std::to_string(std::lround(std::abs(offset))) +
                           " rows " + (offset > 0 ? "below" : "above") +
                           " the calibrated zero row (ReferencePixelY0)");
  }
}

}  // namespace refluxscan::spectral::detail
