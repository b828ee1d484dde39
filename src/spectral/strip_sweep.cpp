// Masks of non-spectrum content in a rendered strip: a sweeping display's erase bar or cursor and
// the previous sweep beyond it; empty columns (docs/algorithms.md, "Display masks").
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "spectral/columns.h"
#include "spectral/strip_masks_internal.h"

namespace refluxscan::spectral::detail {

namespace {

// Pixels per column above kBlackLevel.
REFLUXSCAN_AVX2_CLONES std::vector<int> LitPerColumn(const cv::Mat1f& m) {
  return CountPerColumnIf(m, [](float x) { return x > kBlackLevel; });
}

// Median over the data columns of the share of their pixels above kBlackLevel: how much of a
// column the strip's noise texture lights (0 on a black floor).
double BackgroundLitShare(const std::vector<int>& lit_per_column, int rows,
                          const std::vector<ColumnKind>& kinds) {
  std::vector<float> lit;
  for (size_t c = 0; c < kinds.size(); ++c) {
    if (kinds[c] != ColumnKind::kData) continue;
    lit.push_back(static_cast<float>(lit_per_column[c]) / static_cast<float>(rows));
  }
  return lit.empty() ? 0.0 : MedianInPlace(lit);
}

std::vector<Run> EmptyRuns(const std::vector<ColumnKind>& kinds) {
  std::vector<Run> runs;
  for (int c = 0; c < static_cast<int>(kinds.size()); ++c) {
    if (kinds[static_cast<size_t>(c)] == ColumnKind::kData) continue;
    if (!runs.empty() && runs.back().last == c - 1) {
      runs.back().last = c;
    } else {
      runs.push_back({c, c});
    }
  }
  return runs;
}

// An erase bar is kMinBarColumns or more wide and lies outside the edge zones, where scale labels
// and the gaps between their glyphs are.
// In the right edge zone a run is a candidate when it does not reach the edge and no overlay
// (text: a label's glyphs) borders it: a scanner frozen late in its sweep leaves its bar there
// (an independent renderer's bars at 90% and 94% of the width were missed, and the previous
// sweep beyond them read as the recording going on). Not in the left zone: a bar there would
// mask nearly the whole strip as the previous sweep.
// The drawn baseline, masked as an overlay when its colour is off the map's ramp, crosses every
// column: its rows (within kBaselineOverlayRows of the zero row) do not border a run (stop 21: a
// third renderer's teal baseline "bordered" every bar in the right edge zone).
bool IsBarCandidate(const cv::Mat1f& m, const Run& run, const cv::Mat1b& overlays,
                    double baseline_row) {
  const int zone = static_cast<int>(kEdgeZoneShare * m.cols);
  if (run.Width() < kMinBarColumns || run.first < zone) return false;
  if (run.last < m.cols - zone) return true;
  if (overlays.empty() || run.last + 1 >= m.cols) return false;
  const auto bordered = [&](int c) {
    for (int r = 0; r < m.rows; ++r) {
      const bool on_baseline = std::abs(r - baseline_row) <= kBaselineOverlayRows;  // NaN: never
      if (overlays(r, c) != 0 && !on_baseline) return true;
    }
    return false;
  };
  return !bordered(run.first - 1) && !bordered(run.last + 1);
}

// Whether a run of kMinBarColumns or more reaches into the right edge zone, short of the strip's
// edge (a bar may straddle the zone's border: the eighth renderer's at 85-88% of the width).
// There a run that erased the noise, which goes on up to both its edges (NoiseUpToBothEdges), is
// a bar whatever overlays border it: a gap between a label's glyphs lies in a label panel or on
// the noise, never in a blank cut through it, and an ECG or auto-trace line crosses every column,
// so it borders a bar the way glyphs border their gaps (stop 26: ten generated sweeps frozen in
// the last 12% of the strip beside an ECG trace or a label were not masked, their previous sweep
// read as the recording going on). Likewise a painted run whose level differs from the columns
// beside it (PaintedApart). Such a run is taken only when no candidate outside the zone is found
// (MaskEmptyColumns): a false one there would unmask the stale sweep after a true bar.
bool InRightZone(const cv::Mat1f& m, const Run& run) {
  const int zone = static_cast<int>(kEdgeZoneShare * m.cols);
  return run.Width() >= kMinBarColumns && run.last >= m.cols - zone && run.last + 1 < m.cols;
}

// Whether pixel (r, c) is bright spectrum: at kAbruptLevel with a bright pixel above or below it
// (spectrum is a band along the velocity axis; a lone bright pixel is a grid dot, a 1-px drawn
// line, a speck), and not marked in `overlays` (text, off-ramp colour; empty: none).
bool BrightSpectrumPixel(const cv::Mat1f& m, int r, int c, const cv::Mat1b& overlays) {
  if (m(r, c) < kAbruptLevel || (!overlays.empty() && overlays(r, c) != 0)) return false;
  return (r > 0 && m(r - 1, c) >= kAbruptLevel) || (r + 1 < m.rows && m(r + 1, c) >= kAbruptLevel);
}

// Whether column c holds bright spectrum away from the baseline (at least kAbruptBaselineShare
// of the rows from `baseline_row`; NaN: anywhere).
bool BrightSpectrumAway(const cv::Mat1f& m, int c, const cv::Mat1b& overlays, double baseline_row) {
  const double min_distance = kAbruptBaselineShare * m.rows;
  for (int r = 0; r < m.rows; ++r) {
    if (std::abs(r - baseline_row) < min_distance) continue;  // false for NaN: counts
    if (BrightSpectrumPixel(m, r, c, overlays)) return true;
  }
  return false;
}

// Farthest row from `baseline_row` of bright spectrum in column c; -1 when there is none.
double BrightExtentRows(const cv::Mat1f& m, int c, const cv::Mat1b& overlays, double baseline_row) {
  double extent = -1;
  for (int r = 0; r < m.rows; ++r) {
    if (BrightSpectrumPixel(m, r, c, overlays))
      extent = std::max(extent, std::abs(r - baseline_row));
  }
  return extent;
}

// Whether the flow beside a dark run meets the baseline there: the extent of its column next to
// the run (`edge`) is well below (kGrowthShare x) the median over the kGrowthColumns beyond it
// (`step` = +1: the flow right of the run grows out of the baseline; -1: the flow left of it
// falls into the baseline; the median: one column's speck or tick does not make a trend). Flow
// around a silence does both (a squeeze ending at its release, a reflux after it); a sweep's
// erase bar cuts the flow at whatever extent it had.
bool MeetsBaseline(const cv::Mat1f& m, int edge, int step, const cv::Mat1b& overlays,
                   double baseline_row) {
  const double at_edge = BrightExtentRows(m, edge, overlays, baseline_row);
  std::array<double, kGrowthColumns> beyond{};
  int n = 0;
  for (int k = 1; k <= kGrowthColumns; ++k) {
    const int c = edge + step * k;
    if (c < 0 || c >= m.cols) break;
    beyond[static_cast<size_t>(n++)] = BrightExtentRows(m, c, overlays, baseline_row);
  }
  if (n == 0 || at_edge < 0) return false;
  std::sort(beyond.begin(), beyond.begin() + n);
  return at_edge <= kGrowthShare * beyond[static_cast<size_t>(n / 2)];
}

// Whether bright spectrum goes on beyond column c (step +1: to its right, -1: to its left): at
// least two of the kGrowthColumns columns there hold some. Flow cut by a bar goes on away from
// it; a thin vertical line beside a silence (a time mark, a cursor, a grid line: one or two
// bright columns) does not (stop 21: a third independent renderer's 2-pixel marks either side of
// the pause before a squeeze read as a bar, and the squeeze and its reflux were masked).
bool SpectrumGoesOn(const cv::Mat1f& m, int c, int step, const cv::Mat1b& overlays,
                    double baseline_row) {
  int with = 0;
  for (int k = 1; k <= kGrowthColumns; ++k) {
    const int x = c + step * k;
    if (x >= 0 && x < m.cols && BrightExtentRows(m, x, overlays, baseline_row) >= 0) ++with;
  }
  return with >= 2;
}

// Side of the baseline (+1 above, -1 below, 0 none) of column c's farthest bright spectrum.
int BrightSide(const cv::Mat1f& m, int c, const cv::Mat1b& overlays, double baseline_row) {
  double extent = -1;
  int side = 0;
  for (int r = 0; r < m.rows; ++r) {
    if (!BrightSpectrumPixel(m, r, c, overlays) || std::abs(r - baseline_row) <= extent) continue;
    extent = std::abs(r - baseline_row);
    side = r < baseline_row ? +1 : -1;
  }
  return side;
}

// Whether the flow reverses across a dark run: it fell into the baseline just before the run (its
// last bright column, within kReversalLookback of it, lies near the baseline or well below the
// flow before it) on one side, and resumes on the other side.
// That is a release and its reflux: the squeeze's flow ends at the release, the valves leave a
// gap of tens of ms, and the reflux may then rise within a column (measured: an independent
// renderer's reflux reached 29 cm/s in its first column after an 84 ms gap, read as an erase bar
// and masked with all the clip after it). A sweep's bar lines the two sweeps up at random: the
// current one ending exactly at the bar on one side, the previous one starting there on the
// other, is a coincidence.
bool ReversesAcross(const cv::Mat1f& m, const Run& run, const cv::Mat1b& overlays,
                    double baseline_row) {
  if (!std::isfinite(baseline_row) || run.last + 1 >= m.cols) return false;
  const int after = BrightSide(m, run.last + 1, overlays, baseline_row);
  for (int k = 1; k <= kReversalLookback && run.first - k >= 0; ++k) {
    const int c = run.first - k;
    const int before = BrightSide(m, c, overlays, baseline_row);
    if (before == 0) continue;
    const bool fell = !BrightSpectrumAway(m, c, overlays, baseline_row) ||
                      MeetsBaseline(m, c, -1, overlays, baseline_row);
    return before == -after && fell;
  }
  return false;
}

// The first column after a spike starting at column c (step +1: rightward), else c. A spike is a
// few columns (kMaxSpikeColumns at most) of bright spectrum on one side of the baseline followed
// directly by bright spectrum on the other side only: flow does not switch sides from one column
// to the next, but a wall thump at the squeeze's compression is drawn beside the squeeze's start,
// on either side. Flow that a sweep's bar cut goes on as it was (stop 23: a fifth independent
// renderer's thump after the quiet 0.3 s before a squeeze read as flow cut by an erase bar, and
// the squeeze and its 903 ms reflux were masked as the previous sweep). A spike on the flow's
// own side is not told from its speckle, so it is left alone (speckle thins a column's extent
// anywhere in a burst).
int AfterSpike(const cv::Mat1f& m, int c, int step, const cv::Mat1b& overlays,
               double baseline_row) {
  const int side = BrightSide(m, c, overlays, baseline_row);
  if (side == 0) return c;
  for (int k = 1; k < kMaxSpikeColumns; ++k) {
    const int x = c + step * k;
    if (x < 0 || x >= m.cols) return c;
    const int x_side = BrightSide(m, x, overlays, baseline_row);
    if (x_side != side) return x_side == -side ? x : c;  // into silence: says nothing
  }
  return c;
}

// Whether bright spectrum is cut at a bar candidate, and the flow does not meet the baseline
// there (MeetsBaseline): the column just before it holds bright spectrum anywhere (a sweep's bar
// cuts the newest flow wherever it is), or the column just after holds bright spectrum away from
// the baseline (flow resuming after a silence starts from the baseline). Flow stopping and
// resuming around a silence meets the baseline on both sides (a squeeze falling to zero at its
// release, a reflux growing after it). Overlay text is no spectrum. Each of these read as erase
// bars and masked the reflux ("Gn 3 WF 175Hz" ending at a release; a reflux's first column at
// 0.31, two rows from the baseline; the valve gap after a squeeze on a display without noise or
// a drawn baseline).
// `flow_after_counts`: whether the flow after the run alone may make it a bar (MaskEmptyColumns).
bool AbruptEdge(const cv::Mat1f& m, const Run& run, const cv::Mat1b& overlays, double baseline_row,
                bool flow_after_counts) {
  if (!IsBarCandidate(m, run, overlays, baseline_row)) return false;
  constexpr double kAnywhere = std::numeric_limits<double>::quiet_NaN();
  const auto cut = [&](int c, int step, double baseline_for_away) {
    return c >= 0 && c < m.cols && BrightSpectrumAway(m, c, overlays, baseline_for_away) &&
           !MeetsBaseline(m, c, step, overlays, baseline_row) &&
           SpectrumGoesOn(m, c, step, overlays, baseline_row);
  };
  if (cut(run.first - 1, -1, kAnywhere)) return true;
  if (!flow_after_counts) return false;
  const int after = AfterSpike(m, run.last + 1, +1, overlays, baseline_row);
  return cut(after, +1, baseline_row) && !ReversesAcross(m, run, overlays, baseline_row);
}

// Whether a line run is the drawn baseline: within kBaselineLineRows of the row of zero velocity
// (a renderer may round the drawn line a row off; NaN: unknown, never). Every sweeping display
// draws its baseline across the whole strip, so its gap marks the erase bar. A row that only
// looks like a line (a thin sliver of slow flow beside the baseline, outside the wall filter's
// notch; a grid line; a flat stretch of ECG) is missing across a silence too: it says nothing
// about a bar (LineCutAt also wants the line up to both sides of the gap).
bool AtBaseline(const Run& line, double baseline_row) {
  return baseline_row >= line.first - kBaselineLineRows &&
         baseline_row <= line.last + kBaselineLineRows;
}

// Whether no pixel of the drawn line's rows is above kLineMinLevel across the run.
bool LineMissingAcross(const cv::Mat1f& m, const Run& line, const Run& run) {
  return cv::countNonZero(m(cv::Range(line.first, line.last + 1),
                            cv::Range(run.first, run.last + 1)) > kLineMinLevel) == 0;
}

}  // namespace

bool LineLitAt(const cv::Mat1f& m, const Run& line, int c) {
  if (c < 0 || c >= m.cols) return false;
  for (int r = line.first; r <= line.last; ++r) {
    if (m(r, c) > kLineMinLevel) return true;
  }
  return false;
}

namespace {

// Whether a drawn baseline (AtBaseline) is lit in every column of the run.
bool BaselineDrawnThrough(const cv::Mat1f& m, const std::vector<Run>& lines, const Run& run,
                          double baseline_row) {
  for (const Run& line : lines) {
    if (!AtBaseline(line, baseline_row)) continue;
    bool lit = true;
    for (int c = run.first; c <= run.last && lit; ++c) lit = LineLitAt(m, line, c);
    if (lit) return true;
  }
  return false;
}

// Whether a drawn line is cut by the dark run: missing across all of it, and there right up to
// it on both sides. A sweep's erase bar erases the line with everything else, exactly over the
// bar. A row that only looked like a line (a thin sliver of slow flow along the baseline, a
// dotted grid line) is also missing across a silence, but not up to both of its edges: the flow
// fades before the silence, the dots have gaps of their own.
bool LineCutAt(const cv::Mat1f& m, const Run& line, const Run& run) {
  const bool missing = LineMissingAcross(m, line, run);
  const auto lit_near = [&](int edge, int step) {
    for (int k = 0; k < kLineResumeColumns; ++k) {
      if (LineLitAt(m, line, edge + step * k)) return true;
    }
    return false;
  };
  return missing && lit_near(run.first - 1, -1) && lit_near(run.last + 1, +1);
}

// The lit (dashes) and dark (gaps) stretches of a drawn line strictly inside the strip, in
// columns; gaps longer than kMaxDashGapColumns are left out (a silence a bar erased, the data's
// end).
struct DashStretches {
  std::vector<int> dashes, gaps;
};

DashStretches Stretches(const cv::Mat1f& m, const Run& line) {
  DashStretches out;
  for (int c = 0; c < m.cols;) {
    const bool lit = LineLitAt(m, line, c);
    const int first = c;
    while (c < m.cols && LineLitAt(m, line, c) == lit) ++c;
    if (first == 0 || c == m.cols) continue;  // touches an edge: its width is unknown
    if (lit) {
      out.dashes.push_back(c - first);
    } else if (c - first <= kMaxDashGapColumns) {
      out.gaps.push_back(c - first);
    }
  }
  return out;
}

// Whether a drawn line (its Stretches) is dashed: missing over kMinDashGaps or more separate
// stretches of at most kMaxDashGapColumns columns. A solid line is missing only where a bar erased
// it; a dashed line's gaps cross every silence (stop 23: a sixth independent renderer's dashed
// baseline made each gap in a quiet stretch an "erase bar", and the squeeze after it was masked
// as the previous sweep).
bool Dashed(const DashStretches& line) {
  return line.gaps.size() >= static_cast<size_t>(kMinDashGaps);
}

// Quartiles of `x` (sorted in place, not empty): {25th, 50th, 75th percentile}.
std::array<int, 3> Quartiles(std::vector<int>& x) {
  std::sort(x.begin(), x.end());
  const size_t n = x.size() - 1;
  return {x[n / 4], x[n / 2], x[3 * n / 4]};
}

// The row within one of `baseline_row` lit (above kLineMinLevel) in the most columns: a renderer
// may draw its baseline a row off the calibrated zero. -1 when none is lit or the row is unknown.
int MostLitBaselineRow(const cv::Mat1f& m, double baseline_row) {
  if (!std::isfinite(baseline_row)) return -1;
  const int zero = static_cast<int>(std::lround(baseline_row));
  int best = -1, most_lit = 0;
  for (int r = zero - 1; r <= zero + 1; ++r) {
    if (r < 0 || r >= m.rows) continue;
    const int lit = cv::countNonZero(m.row(r) > kLineMinLevel);
    if (lit > most_lit) best = r, most_lit = lit;
  }
  return best;
}

// The widest gap of a dashed baseline (the upper quartile of its gaps: dash periods resampled to
// the screen alternate, e.g. 5 and 6 columns), 0 when there is none. From a dashed drawn line at
// the baseline (AtBaseline, Dashed), else from the baseline's own row when its dashes and gaps
// are regular (kMinRegularDashes or more of each, each within kDashRegularityColumns between
// their quartiles): a dashed line lit in half of its columns or less is no drawn line to the line
// finder (kLineShare), and flow crossing the row breaks the pattern only where it is.
// `stretches`: each of `lines`' Stretches.
int DashGapColumns(const cv::Mat1f& m, const std::vector<Run>& lines,
                   const std::vector<DashStretches>& stretches, double baseline_row) {
  int widest = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!AtBaseline(lines[i], baseline_row) || !Dashed(stretches[i])) continue;
    std::vector<int> gaps = stretches[i].gaps;
    widest = std::max(widest, Quartiles(gaps)[2]);
  }
  const int row = widest > 0 ? -1 : MostLitBaselineRow(m, baseline_row);
  if (row < 0) return widest;
  DashStretches row_stretches = Stretches(m, Run{row, row});
  if (row_stretches.gaps.size() < kMinRegularDashes ||
      row_stretches.dashes.size() < kMinRegularDashes) {
    return 0;
  }
  const auto gaps = Quartiles(row_stretches.gaps), dashes = Quartiles(row_stretches.dashes);
  const bool regular = gaps[2] - gaps[0] <= kDashRegularityColumns &&
                       dashes[2] - dashes[0] <= kDashRegularityColumns;
  return regular ? gaps[2] : 0;
}

// Whether a dark run on a noise background holds an erase bar that erased that noise:
// kMinBarColumns consecutive columns (all of a narrower run) each lit (above kBlackLevel) at most
// kBarLitShareOfBackground x the background's share. An erase bar is blank (measured: 0-3% lit
// in a JPEG bar beside a 54% background); a dim noise floor mapped mostly below kDarkLevel
// leaves columns dark by chance that keep a good part of their texture (11-18% beside a 30%
// background read a 4-column "bar" at a release and masked the reflux after it). The run may
// also hold silent columns beside the bar (the whole run is then masked, as before).
bool ErasesTheNoise(const std::vector<int>& lit_per_column, int rows, const Run& run,
                    double background_lit) {
  const double max_lit = kBarLitShareOfBackground * background_lit * rows;
  const int needed = std::min(kMinBarColumns, run.Width());  // a 1-2 column run: all of it
  int blank = 0;
  for (int c = run.first; c <= run.last; ++c) {
    blank = lit_per_column[static_cast<size_t>(c)] <= max_lit ? blank + 1 : 0;
    if (blank >= needed) return true;
  }
  return false;
}

// Whether a dark run reaching one edge of the strip is outside the recording rather than
// silence, on a display without a noise background (where both are black): beside it (the
// column before a run at the right edge, after one at the left edge) bright spectrum does not
// meet the baseline there (a sweep, the recording's end or a scroll not yet filled cut the flow
// wherever it was; flow after the left run must also lie away from the baseline, as for
// AbruptEdge), or the drawn baseline runs right up to it and is missing across it. Silence before
// a squeeze or after a reflux meets the baseline. Stop 20: masked as no data, a silent vein's
// pause made the squeeze after it look risen before the recording (its reflux then set the
// polarity), and the quiet after a reflux made it "truncated".
bool OutsideTheRecording(const cv::Mat1f& m, const Run& run, const std::vector<Run>& lines,
                         const cv::Mat1b& overlays, double baseline_row) {
  constexpr double kAnywhere = std::numeric_limits<double>::quiet_NaN();
  const bool at_end = run.first > 0;
  const int beside = at_end ? run.first - 1 : run.last + 1;
  if (beside < 0 || beside >= m.cols) return true;  // the whole strip
  const int step = at_end ? -1 : +1;
  if (BrightSpectrumAway(m, beside, overlays, at_end ? kAnywhere : baseline_row) &&
      !MeetsBaseline(m, beside, step, overlays, baseline_row)) {
    return true;
  }
  for (const Run& line : lines) {
    if (!AtBaseline(line, baseline_row)) continue;
    if (LineMissingAcross(m, line, run) && LineLitAt(m, line, beside)) return true;
  }
  return false;
}

// A sweep cursor: the vertical line some scanners draw at a sweeping display's write position,
// with or without an erase bar after it (a fourth independent renderer: a 1-px yellow or white
// line followed by 0-2 dark columns, which JPEG ringing keeps above the dark level: no bar).
// A column is line-lit where >= kCursorRowShare of its rows are overlay (off-ramp colour, text;
// dilated: a 1-px line marks up to 9 columns) or bright and within kCursorTolerance of the
// column's median bright level (a drawn line is flat; speckled spectrum, even a full-height
// click, is not). The cursor is the only run of line-lit columns, at most kMaxCursorColumns
// wide, whose columns kCursorClearance beyond either side are line-lit on under half their rows,
// outside the left edge zone (a cursor there would leave almost nothing) and off the right edge.
// Several such lines are calipers or a grid, not a cursor: none is taken.
constexpr double kCursorRowShare = 0.9;
constexpr float kCursorLevel = 0.5f, kCursorTolerance = 0.1f;
constexpr int kMaxCursorColumns = 9, kCursorClearance = 2;
constexpr int kCursorBarColumns = 3;  // MaskEmptyColumns: a bar this close to the cursor is its own

// Per column, the pixels at kCursorLevel or marked in `overlays` (empty: none). Branch-free row
// loops, so that they vectorize.
REFLUXSCAN_AVX2_CLONES std::vector<int> CursorLitPerColumn(const cv::Mat1f& m,
                                                           const cv::Mat1b& overlays) {
  const auto cols = static_cast<size_t>(m.cols);
  std::vector<int> lit(cols, 0);
  for (int r = 0; r < m.rows; ++r) {
    const float* __restrict row = m.ptr<float>(r);
    int* __restrict count = lit.data();
    if (overlays.empty()) {
      for (size_t c = 0; c < cols; ++c) count[c] += row[c] >= kCursorLevel ? 1 : 0;
    } else {
      const uchar* __restrict over = overlays.ptr<uchar>(r);
      for (size_t c = 0; c < cols; ++c) {
        count[c] += static_cast<int>(row[c] >= kCursorLevel) | static_cast<int>(over[c] != 0);
      }
    }
  }
  return lit;
}

// Whether the columns of `run` (with one either side: a line's anti-aliased fringe) draw a solid
// line: kCursorRowShare of the rows hold a pixel at kCursorLevel or of off-ramp colour (`drawn`,
// not dilated; empty: none). A sonographer's caliper is a dotted line, which the dilated overlay
// mask fills in (stop 23: a fifth independent renderer's 1-px dotted caliper at a reflux's onset
// read as a sweep cursor, and the 1.32 s reflux after it as the previous sweep).
bool SolidLine(const cv::Mat1f& m, const cv::Mat1b& drawn, const Run& run) {
  const int first = std::max(0, run.first - 1), last = std::min(m.cols - 1, run.last + 1);
  int rows = 0;
  for (int r = 0; r < m.rows; ++r) {
    bool on = false;
    for (int c = first; c <= last && !on; ++c) {
      on = m(r, c) >= kCursorLevel || (!drawn.empty() && drawn(r, c) != 0);
    }
    rows += on ? 1 : 0;
  }
  return rows >= kCursorRowShare * m.rows;
}

std::optional<Run> SweepCursor(const cv::Mat1f& m, const cv::Mat1b& overlays,
                               const cv::Mat1b& drawn) {
  const std::vector<int> lit = CursorLitPerColumn(m, overlays);
  const auto line_lit = [&](int c) {
    if (static_cast<double>(lit[static_cast<size_t>(c)]) < kCursorRowShare * m.rows) return false;
    std::vector<float> bright;  // the non-overlay bright pixels: flat for a drawn line
    for (int r = 0; r < m.rows; ++r) {
      if (overlays.empty() || overlays(r, c) == 0) {
        if (m(r, c) >= kCursorLevel) bright.push_back(m(r, c));
      }
    }
    if (bright.empty()) return true;
    const float med = MedianInPlace(bright);
    const auto flat = std::count_if(bright.begin(), bright.end(),
                                    [&](float v) { return std::abs(v - med) <= kCursorTolerance; });
    return static_cast<double>(flat) >= kCursorRowShare * static_cast<double>(bright.size());
  };
  const int zone = static_cast<int>(kEdgeZoneShare * m.cols);
  std::optional<Run> cursor;
  for (int c = 0; c < m.cols; ++c) {
    if (!line_lit(c)) continue;
    Run run{c, c};
    while (run.last + 1 < m.cols && line_lit(run.last + 1)) ++run.last;
    c = run.last;
    const int before = run.first - kCursorClearance, after = run.last + kCursorClearance;
    const bool narrow = run.Width() <= kMaxCursorColumns && before >= 0 && after < m.cols &&
                        lit[static_cast<size_t>(before)] < m.rows / 2 &&
                        lit[static_cast<size_t>(after)] < m.rows / 2;
    if (!narrow || run.first < zone) return std::nullopt;
    if (!SolidLine(m, drawn, run)) continue;  // a dotted caliper: no cursor, no second line
    if (cursor) return std::nullopt;          // a second line: calipers or a grid
    cursor = run;
  }
  return cursor;
}

// Masks the previous sweep: the columns from `stale_first` to the strip's end, beyond `mark` (an
// erase bar, or a sweep cursor, which the stale columns include), and says so in a note. With
// `keep`, the previous sweep is read instead: the current sweep and the mark are masked (the
// two sweeps meet at the mark seconds apart, and flow stepping there reads as a release).
void MaskPreviousSweep(const char* mark_name, const Run& mark, int stale_first, int cols, bool keep,
                       StripMasks& out) {
  const std::string where = std::string(mark_name) + " at columns " + std::to_string(mark.first) +
                            "-" + std::to_string(mark.last) + ": ";
  if (keep) {
    for (int c = 0; c <= mark.last; ++c) out.column_valid[static_cast<size_t>(c)] = 0;
    out.notes.push_back(where + "no maneuver before it (the current sweep); the " +
                        std::to_string(cols - 1 - mark.last) +
                        " columns of the previous sweep after it were read instead");
    return;
  }
  const Run stale{stale_first, cols - 1};
  for (int c = stale.first; c <= stale.last; ++c) out.column_valid[static_cast<size_t>(c)] = 0;
  out.previous_sweep_columns = stale.Width();
  out.notes.push_back(where + std::to_string(stale.Width()) +
                      " columns of the previous sweep masked (time axis kept continuous)");
}

// The floor's level: the median of the strip's top and bottom kFloorEdgeShare of rows (every
// other column), the scale's far ends, where flow seldom reaches: black, a flat gray floor, or a
// noise floor's typical level. Not a median over the data columns: where flow fills most of each
// column (a shifted baseline, tall squeezes) that is the spectrum's level, and every silence of a
// flat floor would read as painted (review of stop 26). NaN for an empty strip.
double FloorLevel(const cv::Mat1f& m) {
  const int edge_rows = std::max(1, static_cast<int>(kFloorEdgeShare * m.rows));
  std::vector<float> sample;
  for (int r = 0; r < m.rows; ++r) {
    if (r >= edge_rows && r < m.rows - edge_rows) continue;
    const float* row = m.ptr<float>(r);
    for (int c = 0; c < m.cols; c += 2) sample.push_back(row[c]);
  }
  return sample.empty() ? NAN : MedianInPlace(sample);
}

// Median of every kFloorSampleStep-th row of the columns [first, last] (only those of kind
// `only` in `kinds`, when given); NaN when there are none.
double ColumnsLevel(const cv::Mat1f& m, int first, int last,
                    const std::vector<ColumnKind>* kinds = nullptr,
                    ColumnKind only = ColumnKind::kUniform) {
  std::vector<float> level;
  for (int c = std::max(first, 0); c <= std::min(last, m.cols - 1); ++c) {
    if (kinds != nullptr && (*kinds)[static_cast<size_t>(c)] != only) continue;
    for (int r = 0; r < m.rows; r += kFloorSampleStep) level.push_back(m(r, c));
  }
  return level.empty() ? NAN : MedianInPlace(level);
}

// Whether a run's uniform columns hold a level other than the floor's (`uniform_level`, their
// median, more than kFloorLevelTolerance from `floor_level`): a painted bar, whatever crosses it or
// reverses across it. A silence on a flat floor is the floor's level (ReversesAcross and
// BaselineDrawnThrough tell such a silence from a bar of the floor's colour); a sweep's bar may be
// painted in a colour of its own (stop 26: an eighth independent renderer's green bars, on a
// black floor under the drawn baseline and on a heat map's noise, read as silence where the
// reflux before them and the previous sweep's resting flow after them reversed across them, and
// the reflux cut by the bar read as complete). NaN levels: false.
bool OffTheFloor(double uniform_level, double floor_level) {
  return std::abs(uniform_level - floor_level) > kFloorLevelTolerance;  // NaN: false
}

// Whether a painted run differs in level from kFlankColumns columns on each side of it: a
// bar is painted over the spectrum, while a gap between a label's glyphs is the label panel that
// surrounds the glyphs (IsBarCandidate's concern in the edge zones). Stop 26: an eighth
// independent renderer's gray and green bars at 85-88% of the width, beside an ECG trace that
// "bordered" them like glyphs, were missed.
// `uniform_level` is the run's (the level of its uniform columns, as for OffTheFloor).
bool PaintedApart(const cv::Mat1f& m, const Run& run, double uniform_level) {
  // The kFlankColumns nearest columns are skipped: a JPEG bar's edges blur into them.
  const double before =
      ColumnsLevel(m, run.first - 2 * kFlankColumns, run.first - kFlankColumns - 1);
  const double after = ColumnsLevel(m, run.last + kFlankColumns + 1, run.last + 2 * kFlankColumns);
  return std::abs(uniform_level - before) > kFloorLevelTolerance &&
         std::abs(uniform_level - after) > kFloorLevelTolerance;  // NaN: false
}

// Whether a dark run cuts the noise texture sharply: the two columns beyond it on each side are
// lit at least kBarEdgeShare x the background's share. A sweep's bar cuts through the noise,
// which goes on at full density up to its edges; a quiet gap in a sparse noise texture fades in
// and out with the noise's own blobs (measured: bars' neighbours 0.65-1.07 x the background,
// gaps' 0.05-0.39 x on our generator's sparse low-SNR strips, where 1-10 column gaps under the
// drawn baseline read as bars: stress sets lost 0.2-0.5 points).
constexpr double kBarEdgeShare = 0.6;

bool CutsTheNoiseSharply(const std::vector<int>& lit_per_column, int rows, const Run& run,
                         double background_lit) {
  const double needed = kBarEdgeShare * background_lit * rows;
  for (const int c : {run.first - 2, run.first - 1, run.last + 1, run.last + 2}) {
    if (c < 0 || c >= static_cast<int>(lit_per_column.size())) return false;
    if (lit_per_column[static_cast<size_t>(c)] < needed) return false;
  }
  return true;
}

// Whether the noise goes on up to both edges of a dark run: the mean lit share of the
// kFlankColumns columns beyond it on each side is at least kBarEdgeShare x the background's
// share. A mean, not each column (CutsTheNoiseSharply): a JPEG bar's edge column is half erased.
// Needs kFlankColumns columns each side.
bool NoiseUpToBothEdges(const std::vector<int>& lit_per_column, int rows, const Run& run,
                        double background_lit) {
  const auto cols = static_cast<int>(lit_per_column.size());
  if (run.first < kFlankColumns || run.last + kFlankColumns >= cols) return false;
  int before = 0, after = 0;
  for (int k = 1; k <= kFlankColumns; ++k) {
    before += lit_per_column[static_cast<size_t>(run.first - k)];
    after += lit_per_column[static_cast<size_t>(run.last + k)];
  }
  const double needed = kBarEdgeShare * background_lit * rows * kFlankColumns;
  return before >= needed && after >= needed;
}

// `kinds` with the data columns that are dark but for the drawn lines crossing them (each line's
// rows and one row either side: its anti-aliasing) made kBlank. A renderer may draw its baseline
// over the erase bar: a fourth independent renderer's 3-15 column black bars under the drawn
// baseline were data columns, so the previous sweep beyond them was read as the recording going
// on (its older squeeze and reflux measured instead of the current ones).
// Likewise a column whose noise is erased but for a drawn trace crossing it (an ECG or an
// auto-trace: a few bright pixels per column, brighter than kDarkMax, so not dark): outside the
// lines' rows at most kBarLitShareOfBackground x the background's lit share (ErasesTheNoise's
// test per column). Such bars were read as the recording going on, and truncated clips as
// complete ones, on our generator (an ECG across black bars on slate and navy floors), the sixth,
// eighth and ninth independent renderers (stop 32). The runs these columns make still need the
// noise cut sharply on both sides (MaskEmptyColumns), so an edge or a fading gap is no bar.
// Known limit (review of stop 32): a bar's edge column thinned to 5-20% of its noise passes this
// test too, widens the run, and a column beyond it keeping only 40-55% of its noise then fails
// the sharp cut, so such a bar is missed (a constructed profile; JPEG-encoded bars at quality
// 30-90 and the 51 evaluation runs lost none). Trimming such columns from a run's ends, or
// exempting a run whose own dark columns erase the noise, each lost clips on the evaluation runs.
std::vector<ColumnKind> BlankAcrossLines(const cv::Mat1f& m, const std::vector<Run>& lines,
                                         std::vector<ColumnKind> kinds, double background_lit) {
  std::vector<uint8_t> line_row(static_cast<size_t>(m.rows), 0);
  for (const Run& line : lines) {
    for (int r = std::max(0, line.first - 1); r <= std::min(m.rows - 1, line.last + 1); ++r)
      line_row[static_cast<size_t>(r)] = 1;
  }
  const auto cols = static_cast<size_t>(m.cols);
  std::vector<int> above_max(cols, 0), above_dark(cols, 0), lit(cols, 0);
  int rows_outside = 0;
  for (int r = 0; r < m.rows; ++r) {
    if (line_row[static_cast<size_t>(r)]) continue;
    ++rows_outside;
    const float* __restrict row = m.ptr<float>(r);
    for (size_t c = 0; c < cols; ++c) {
      above_max[c] |= row[c] > kDarkMax ? 1 : 0;
      above_dark[c] += row[c] > kDarkLevel ? 1 : 0;
      lit[c] += row[c] > kBlackLevel ? 1 : 0;
    }
  }
  const double max_above_dark = (1 - kDarkShare) * rows_outside;
  const double max_lit = kBarLitShareOfBackground * background_lit * rows_outside;
  for (size_t c = 0; c < cols; ++c) {
    if (kinds[c] != ColumnKind::kData) continue;
    const bool dark_but_lines = above_max[c] == 0 && above_dark[c] <= max_above_dark;
    if (dark_but_lines || lit[c] <= max_lit) kinds[c] = ColumnKind::kBlank;
  }
  return kinds;
}

// `kinds` with each single data column between two uniform ones made uniform when it is nearly
// uniform at their level: at least kNearlyUniformShare of it within kUniformTolerance of its
// median, which is within kUniformTolerance of both neighbours'. JPEG's blocks leave a painted
// bar's column just short of kUniformShare (a ninth independent renderer's 4-column gray bar read
// as runs of 2 and 1 columns, each too narrow for a bar, its previous sweep as the recording
// going on: stop 32).
std::vector<ColumnKind> FillUniformGaps(const cv::Mat1f& m, std::vector<ColumnKind> kinds) {
  const auto level = [&](size_t c) {
    return ColumnsLevel(m, static_cast<int>(c), static_cast<int>(c));
  };
  for (size_t c = 1; c + 1 < kinds.size(); ++c) {
    if (kinds[c] != ColumnKind::kData || kinds[c - 1] != ColumnKind::kUniform ||
        kinds[c + 1] != ColumnKind::kUniform) {
      continue;
    }
    const double mid = level(c);
    if (!(std::abs(mid - level(c - 1)) <= kUniformTolerance &&
          std::abs(mid - level(c + 1)) <= kUniformTolerance)) {
      continue;
    }
    int near = 0;
    for (int r = 0; r < m.rows; ++r)
      near += std::abs(m(r, static_cast<int>(c)) - mid) <= kUniformTolerance;
    if (near >= kNearlyUniformShare * m.rows) kinds[c] = ColumnKind::kUniform;
  }
  return kinds;
}

// Whether flow starting abruptly after a dark run (AbruptEdge's second test) may make it an erase
// bar. Flow cut before the run is the bar's own mark (the sweep erases the newest data wherever
// it is), but flow may also start abruptly after a silence (a reflux after a valve gap on a
// display whose high reject hid the squeeze's fading tail). So that test applies only to a run
// that could be a bar: at most kMaxBarShare of the strip or kMaxBarColumns (the generated and
// independent sweeps' bars were 4-22 columns, 0.4-2.4% of their strips), and wider than the
// widest gap of a dashed baseline, whose gaps cross every silence (stop 25: a seventh independent
// renderer's 5- and 6-column dash gaps before a reflux, and a 68-column pause of 1520, read as
// bars; the reflux and all after it were masked).
bool FlowAfterCounts(const Run& run, int cols, int dash_gap) {
  const double widest = std::max<double>(kMaxBarColumns, kMaxBarShare * cols);
  return run.Width() <= widest && run.Width() > dash_gap;
}

// Mean level per row of the kContinuityColumns columns from `first` (overlay pixels left out; NaN
// for a row without any), or nothing when the block leaves [data_first, data_last].
std::optional<std::vector<double>> BlockProfile(const cv::Mat1f& m, int first, int data_first,
                                                int data_last, const cv::Mat1b& overlays) {
  const int last = first + kContinuityColumns - 1;
  if (first < data_first || last > data_last) return std::nullopt;
  std::vector<double> profile(static_cast<size_t>(m.rows), NAN);
  for (int r = 0; r < m.rows; ++r) {
    double sum = 0;
    int n = 0;
    for (int c = first; c <= last; ++c) {
      if (!overlays.empty() && overlays(r, c)) continue;
      sum += m(r, c);
      ++n;
    }
    if (n > 0) profile[static_cast<size_t>(r)] = sum / n;
  }
  return profile;
}

// How much the display changes from the block at column a to the block at column b: the mean
// absolute difference of their levels over bands of kContinuityRowBand rows. NaN when a block
// leaves the data or no band has both.
double BlockChange(const cv::Mat1f& m, int a, int b, int data_first, int data_last,
                   const cv::Mat1b& overlays) {
  const auto pa = BlockProfile(m, a, data_first, data_last, overlays);
  const auto pb = BlockProfile(m, b, data_first, data_last, overlays);
  if (!pa || !pb) return NAN;
  double sum = 0;
  int bands = 0;
  for (size_t r0 = 0; r0 < pa->size(); r0 += kContinuityRowBand) {
    double sa = 0, sb = 0;
    int n = 0;
    for (size_t r = r0; r < std::min(pa->size(), r0 + kContinuityRowBand); ++r) {
      if (!std::isfinite((*pa)[r]) || !std::isfinite((*pb)[r])) continue;
      sa += (*pa)[r], sb += (*pb)[r], ++n;
    }
    if (n == 0) continue;
    sum += std::abs(sa - sb) / n;
    ++bands;
  }
  return bands > 0 ? sum / bands : NAN;
}

// The larger of two changes, NaN only when both are (a reference that one side cannot give).
double LargerChange(double a, double b) {
  if (!std::isfinite(a)) return b;
  return std::isfinite(b) ? std::max(a, b) : a;
}

// Whether the recording goes on across `bar` instead of a sweep having erased ahead of itself
// there. On a sweeping display the strip's last column precedes its first (the previous sweep
// beyond the bar ends where the current one starts) and the bar separates two moments one sweep
// apart; a blank band in one continuous recording (a duplex display pausing its Doppler while it
// updates the image; the eleventh independent renderer's bars) is the reverse: the flow goes on
// across the band and the strip's ends are seconds apart. So: the change across the bar (blocks
// beside it, kContinuityBarSkip columns away) is no larger than kBarSmoothFactor x the change
// over as many columns beside it, and the change from the strip's last block to its first (inset
// from the data's ends) is at least kWrapBreakFactor x both that across the bar and the change
// over as many columns inside each end. Steady flow changes nowhere: no evidence, the bar stays
// a sweep's. Measured on the 500-clip stress set's 115 sweeps (wrap break <= 1.30 x) and the
// eleventh renderer's 38 bars (16 of them >= 2.0 x, none of its bars' changes above 1.33 x).
bool GoesOnAcross(const cv::Mat1f& m, const Run& bar, int data_first, int data_last,
                  const cv::Mat1b& overlays) {
  const auto change = [&](int a, int b) {
    return BlockChange(m, a, b, data_first, data_last, overlays);
  };
  const int left = bar.first - kContinuityBarSkip - kContinuityColumns;
  const int right = bar.last + 1 + kContinuityBarSkip;
  const int bar_step = right - left;
  const double across = change(left, right);
  const double beside =
      LargerChange(change(left - bar_step, left), change(right, right + bar_step));
  const int end = data_last - kContinuityEndInset - kContinuityColumns + 1;
  const int start = data_first + kContinuityEndInset;
  const int wrap_step = 2 * kContinuityEndInset + kContinuityColumns;
  const double wrap = change(end, start);
  const double inside =
      LargerChange(change(end - wrap_step, end), change(start, start + wrap_step));
  if (!std::isfinite(across) || !std::isfinite(beside) || !std::isfinite(wrap) ||
      !std::isfinite(inside)) {
    return false;
  }
  return across <= kBarSmoothFactor * beside && wrap >= kMinWrapChange &&
         wrap >= kWrapBreakFactor * std::max(inside, across);
}

// The first and last columns of data not masked yet (the scale's labels and margins are).
std::pair<int, int> DataExtent(const std::vector<ColumnKind>& kinds, const StripMasks& out) {
  const auto data = [&](int c) {
    return kinds[static_cast<size_t>(c)] == ColumnKind::kData &&
           out.column_valid[static_cast<size_t>(c)];
  };
  int first = 0, last = static_cast<int>(kinds.size()) - 1;
  while (first <= last && !data(first)) ++first;
  while (last >= first && !data(last)) --last;
  return {first, last};
}

}  // namespace

void MaskEmptyColumns(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds,
                      const std::vector<Run>& lines, const cv::Mat1b& overlays,
                      const cv::Mat1b& drawn, double baseline_row, bool keep_previous_sweep,
                      StripMasks& out) {
  const std::vector<int> lit_per_column = LitPerColumn(m);
  const double background_lit = BackgroundLitShare(lit_per_column, m.rows, kinds);
  // A noise floor textures every column but an erase bar's: where most columns are empty (dark
  // or uniform), the lit data columns are flow on a flat floor (stop 23: a fifth independent
  // renderer's floor just above black and a fourth one's flat gray floor, most columns silent,
  // read as noise backgrounds whose silent edges held no data, and a squeeze's rise was masked).
  const auto empty = std::count_if(kinds.begin(), kinds.end(),
                                   [](ColumnKind k) { return k != ColumnKind::kData; });
  const bool noise_background =
      background_lit >= kNoiseBackgroundLitShare && 2 * empty < static_cast<long>(kinds.size());
  // On a noise background every column of data is textured, so a column dark but for a drawn
  // line erased the noise too (ErasesTheNoise decides); on a black floor such a column is the
  // silence the drawn baseline crosses, as before.
  const std::vector<ColumnKind> filled = FillUniformGaps(m, kinds);
  const std::vector<ColumnKind> run_kinds =
      noise_background ? BlankAcrossLines(m, lines, filled, background_lit) : filled;
  const int cols = m.cols;
  std::vector<DashStretches> stretches;
  for (const Run& line : lines) stretches.push_back(Stretches(m, line));
  const int dash_gap = DashGapColumns(m, lines, stretches, baseline_row);
  std::optional<double> floor_cache;  // FloorLevel, measured when a uniform run first asks
  const auto floor_level = [&] {
    if (!floor_cache) floor_cache = FloorLevel(m);
    return *floor_cache;
  };
  Run bar, right_bar;  // the widest candidates outside and in the right edge zone (InRightZone)
  for (const Run& run : EmptyRuns(run_kinds)) {
    const bool interior = run.first > 0 && run.last < cols - 1;
    const bool edge_no_data =
        !interior &&
        (noise_background || OutsideTheRecording(m, run, lines, overlays, baseline_row));
    // A run with columns crossed by a drawn line is a bar only where it cuts the noise sharply.
    const auto first = static_cast<long>(run.first), end = static_cast<long>(run.last) + 1;
    const bool across_line =
        !std::equal(run_kinds.begin() + first, run_kinds.begin() + end, filled.begin() + first);
    if (across_line && !CutsTheNoiseSharply(lit_per_column, m.rows, run, background_lit)) continue;
    // A uniform run is a painted bar, unless the drawn baseline runs through it: a bar erases
    // the line with everything else (a tinted floor's silence, the pause before a squeeze, can
    // be uniform but for that line: stop 21, a third renderer's amber and violet maps).
    // Uniform over most of its columns: a trickle of flow in the first column (a squeeze's last
    // few bright rows on a floor just above black) makes that column uniform, not the silence.
    const auto uniform =
        std::count(run_kinds.begin() + first, run_kinds.begin() + end, ColumnKind::kUniform);
    const bool mostly_uniform = interior && 2 * uniform > run.Width();
    const double uniform_level =
        mostly_uniform ? ColumnsLevel(m, run.first, run.last, &run_kinds, ColumnKind::kUniform)
                       : NAN;
    const bool painted = mostly_uniform && (OffTheFloor(uniform_level, floor_level()) ||
                                            (!BaselineDrawnThrough(m, lines, run, baseline_row) &&
                                             !ReversesAcross(m, run, overlays, baseline_row)));
    const bool erased_noise =
        noise_background && ErasesTheNoise(lit_per_column, m.rows, run, background_lit);
    bool erase = edge_no_data || painted || erased_noise ||
                 AbruptEdge(m, run, overlays, baseline_row, FlowAfterCounts(run, cols, dash_gap));
    for (size_t i = 0; i < lines.size(); ++i) {
      erase = erase || (interior && AtBaseline(lines[i], baseline_row) && !Dashed(stretches[i]) &&
                        LineCutAt(m, lines[i], run));
    }
    if (!erase) continue;
    for (int c = run.first; c <= run.last; ++c) out.column_valid[static_cast<size_t>(c)] = 0;
    if (IsBarCandidate(m, run, overlays, baseline_row)) {
      if (run.Width() > bar.Width()) bar = run;
    } else if (InRightZone(m, run) &&
               ((erased_noise && NoiseUpToBothEdges(lit_per_column, m.rows, run, background_lit)) ||
                (painted && PaintedApart(m, run, uniform_level)))) {
      if (run.Width() > right_bar.Width()) right_bar = run;
    }
  }
  if (bar.Width() <= 0) bar = right_bar;
  // Without a bar, a drawn sweep cursor (SweepCursor) marks the previous sweep, the cursor
  // included. With one, the cursor still marks the write position: a bar elsewhere (not within
  // kCursorBarColumns of it) is a silence read as one, so the cursor decides (stop 25: a seventh
  // independent renderer's reflux ending abruptly before a 334-column pause read as flow cut by a
  // bar 450 columns left of the cursor, and the second maneuver was masked as the previous sweep).
  const std::optional<Run> cursor = SweepCursor(m, overlays, drawn);
  const bool cursor_decides =
      bar.Width() <= 0 || (cursor && (cursor->last + kCursorBarColumns < bar.first ||
                                      cursor->first > bar.last + kCursorBarColumns));
  if (cursor_decides) {
    if (!cursor) return;
    for (int c = bar.first; c <= bar.last; ++c) out.column_valid[static_cast<size_t>(c)] = 1;
    MaskPreviousSweep("sweep cursor line", *cursor, cursor->first, cols, keep_previous_sweep, out);
    return;
  }
  // A sweep writes left to right and erases ahead of itself: right of the bar is the previous
  // sweep (stale), left of it the current one. Unless the recording goes on across the bar.
  const auto [data_first, data_last] = DataExtent(kinds, out);
  if (GoesOnAcross(m, bar, data_first, data_last, overlays)) {
    out.notes.push_back("blank band at columns " + std::to_string(bar.first) + "-" +
                        std::to_string(bar.last) +
                        ": the recording goes on across it (no sweep), only the band masked");
    return;
  }
  MaskPreviousSweep("erase bar", bar, bar.last + 1, cols, keep_previous_sweep, out);
}

}  // namespace refluxscan::spectral::detail
