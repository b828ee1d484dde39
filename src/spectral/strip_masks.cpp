// Masks of non-spectrum content in a rendered strip (docs/algorithms.md, "Display masks"): the
// pieces (strip_masks_internal.h) composed.
#include <algorithm>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "spectral/strip_masks_internal.h"

namespace refluxscan::spectral::detail {

StripMasks DetectMasks(const IntensityMap& map, double expected_baseline_row, bool mask_overlays,
                       bool keep_previous_sweep) {
  const cv::Mat1f& m = map.intensity;
  StripMasks out;
  out.valid = cv::Mat1b(m.size(), uchar{255});
  out.column_valid.assign(static_cast<size_t>(m.cols), 1);
  const std::vector<ColumnKind> kinds = ClassifyColumns(m);
  const std::vector<Run> lines = LineRuns(m, kinds);
  cv::Mat1b overlay, text;  // off-ramp colour and text: not spectrum (empty: not masked)
  cv::Mat1b drawn;          // off-ramp colour as drawn (not dilated)
  if (mask_overlays) {
    drawn = map.off_ramp > kOffRampRgb;
    cv::dilate(drawn, overlay, cv::Mat());
    text = TextMask(m, expected_baseline_row);
  }
  cv::Mat1b panels;        // readout boxes
  cv::Mat1b not_spectrum;  // overlays with their anti-aliased fringe (one pixel more)
  if (mask_overlays) {
    panels = PanelMask(m, text);
    cv::dilate(text | overlay | panels, not_spectrum, cv::Mat());
  }
  MaskEmptyColumns(m, kinds, lines, not_spectrum, drawn, expected_baseline_row, keep_previous_sweep,
                   out);
  CheckBaseline(m, kinds, lines, expected_baseline_row, out);
  if (mask_overlays) {
    for (const Run& line : lines) out.valid.rowRange(line.first, line.last + 1).setTo(0);
    MaskDottedLines(m, kinds, out);
    MaskThinVerticalLines(m, out);
    out.valid.setTo(0, text);
    out.valid.setTo(0, overlay);
    out.valid.setTo(0, panels);
    MaskAttachedStrokes(m, expected_baseline_row, out);
    const cv::Mat1b marks = LabelMarks((text == kWhiteText) | overlay);
    const std::vector<uint8_t> line_row = LineRows(lines, m.rows);
    MaskScaleEdges(m, marks, line_row, out);
    MaskUntexturedEdges(m, marks, line_row, out);
  }
  // Invalid columns cleared row by row (a setTo per column view walks it one row at a time).
  if (std::find(out.column_valid.begin(), out.column_valid.end(), 0) != out.column_valid.end()) {
    const uint8_t* __restrict keep = out.column_valid.data();
    for (int r = 0; r < m.rows; ++r) {
      uchar* __restrict row = out.valid.ptr<uchar>(r);
      for (int c = 0, cols = m.cols; c < cols; ++c) row[c] = keep[c] ? row[c] : 0;
    }
  }
  return out;
}

}  // namespace refluxscan::spectral::detail
