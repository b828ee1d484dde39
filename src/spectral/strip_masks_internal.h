#pragma once
// Private to the spectral module: the display masks' pieces, one source file each (strip_columns,
// strip_text, strip_sweep, strip_edges; DetectMasks in strip_masks.cpp composes them), and the
// rules (constants) they share. docs/algorithms.md, "Display masks".
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "spectral/columns.h"
#include "spectral/strip_internal.h"

namespace refluxscan::spectral::detail {

constexpr float kBlackLevel = 2.0f / 255.0f;  // at or below: nothing drawn
// A dark column (an erase bar, or silence on a black floor): 98% of it at most kDarkLevel and
// nothing above kDarkMax. JPEG rings a black bar beside a bright spectrum up to ~27/255 (measured
// on generated baseline-JPEG clips); a noise speck on a black floor is brighter than kDarkMax.
constexpr float kDarkLevel = 10.0f / 255.0f, kDarkMax = 48.0f / 255.0f;
constexpr double kDarkShare = 0.98;
// The spectrum beside a dark run this bright: an edge no time window draws (a spectrogram fades
// over its window; only the sweep's erase bar cuts it off), so the run is an erase bar.
constexpr float kAbruptLevel = 0.3f;
constexpr double kAbruptBaselineShare = 0.05;  // ... at least this share of the rows away
constexpr int kMinBarColumns = 3;
constexpr double kMaxBarShare = 0.04;    // FlowAfterCounts: of the strip's width,
constexpr int kMaxBarColumns = 32;       // ... or this many columns, whichever is more
constexpr size_t kMinRegularDashes = 8;  // DashGapColumns
constexpr int kDashRegularityColumns = 2;
constexpr int kLineResumeColumns = 5;      // a drawn line resumes this close to an erase bar
constexpr double kBaselineLineRows = 1.5;  // a drawn baseline lies this close to the zero row
constexpr int kGrowthColumns = 3;          // flow resuming after a silence grows within this ...
constexpr double kGrowthShare = 0.6;       // ... beyond its first column's extent / this
constexpr int kBaselineOverlayRows = 4;    // IsBarCandidate: the drawn baseline's masked rows
constexpr int kReversalLookback = 8;       // ReversesAcross: flow ended at most this far before
constexpr int kMaxSpikeColumns = 16;       // AfterSpike: a thump or mark after a silence
// GoesOnAcross: blocks of columns compared (each a per-row mean), the columns skipped beside a
// bar (its JPEG-blurred edges) and inside the data's ends (scale ticks and labels), and the
// breaks that make the strip's ends discontinuous while the bar is not.
constexpr int kContinuityColumns = 6, kContinuityBarSkip = 2, kContinuityEndInset = 8;
constexpr int kContinuityRowBand = 5;     // rows averaged per band: speckle averages out
constexpr double kWrapBreakFactor = 2.0;  // the ends' change over their own and the bar's
constexpr double kBarSmoothFactor = 1.5;  // the bar's change at most this x its neighbours'
constexpr double kMinWrapChange = 0.005;  // a break at all: 1.3 grey levels of 255 on average
// Dashed: a dashed drawn line is missing over this many stretches of at most this many columns.
constexpr int kMinDashGaps = 4, kMaxDashGapColumns = 16;
constexpr double kNoiseBackgroundLitShare = 0.3;   // median data column lit this much: noise floor
constexpr double kBarLitShareOfBackground = 0.25;  // an erase bar keeps at most this of it
constexpr int kFlankColumns = 4;            // NoiseUpToBothEdges: columns averaged beside a run
constexpr float kUniformTolerance = 0.02f;  // a uniform column stays this close to its median
// OffTheFloor: a uniform run this far from the floor's level is painted, not silence.
constexpr double kFloorLevelTolerance = 3 * kUniformTolerance;
constexpr int kFloorSampleStep = 4;       // ColumnsLevel: every 4th row
constexpr double kFloorEdgeShare = 0.05;  // FloorLevel: the top and bottom 5% of the rows
constexpr double kUniformShare = 0.97;
constexpr double kNearlyUniformShare = 0.9;  // FillUniformGaps: a painted bar's JPEG-blurred column
constexpr float kLineTolerance = 0.06f;      // a drawn line keeps its level within this
constexpr double kLineShare = 0.6;           // ... over this share of the data columns
constexpr float kLineMinLevel = 0.2f;
constexpr double kDottedLineShare = 0.08;  // 1-px-tall dots in this share of the data columns
constexpr float kTextTopHat = 0.4f, kTextLevel = 0.7f, kTextWhite = 0.95f;
constexpr float kTextGroundLevel = 0.15f;   // a stroke's surroundings this dark: the noise floor
constexpr int kTextBodyDistance = 3;        // ... this many pixels around it
constexpr int kMinGroundedTextPixels = 16;  // a glyph's strokes, not a speckle cluster
constexpr double kGroundedTextShare = 0.9;
// Flat text: drawn in one colour, so its strokes' cores (the candidates above kTextLevel) keep
// one level within JPEG's error, where speckle spreads over the log map's range.
constexpr float kFlatTextTolerance = 0.06f;
constexpr double kFlatTextShare = 0.85;
constexpr double kFlatTextRingGround = 0.8;  // ... on the dark ground: this share of the ring
constexpr int kMinFlatTextRows = 5;          // ... glyph-tall (a drawn line is 1-3 rows)
// TextMask's codes: white text also marks scale labels (MaskScaleEdges); text found only by its
// dark ground is masked from the spectrum but does not make a label margin (a noise floor's
// bright speckle near the strip's edges would).
constexpr uchar kWhiteText = 255, kGroundedText = 128;
// TextCandidates' bits: a stroke above kTextLevel; a stroke on the dark ground (either or both).
constexpr uchar kBrightCandidate = 1, kGroundedCandidate = 2;
constexpr double kEdgeZoneShare = 0.12;   // scale ticks and labels live in the outer 12%
constexpr double kMarginLitShare = 0.25;  // a label margin column: at most this share of the
                                          // strip's noise texture lit beside its marks
constexpr double kMinMarginLit = 3;       // (and a few pixels: label halos on a black strip)

// Strokes hanging from an overlay (MaskAttachedStrokes): an ECG's QRS spikes.
constexpr float kStrokeLevel = 0.5f;      // a drawn stroke's core is at least this bright ...
constexpr float kStrokeContrast = 0.25f;  // ... and this much above both pixels
constexpr int kStrokeReach = 2;           // ... this many columns away (strokes <= 3 px wide)
constexpr int kMinStrokeRows = 4;         // a spike, not a speck
constexpr double kStrokeBaselineRows = 3, kStrokeBaselineShare = 0.03;  // a thump's reach
constexpr int kMaxStrokePasses = 4;  // links of a chain of strokes followed from the overlay

// Panel margins beside the display (MaskUntexturedEdges, ColumnTexture).
constexpr float kFaintStep = 4.0f / 255.0f;  // above JPEG's flat-area error on a uniform panel
constexpr float kMarkLevel = 0.5f;           // a tick or label stroke
constexpr int kMarkHalo = 4;                 // its JPEG ringing (half a block)
constexpr double kMarginTextureShare = 0.5;
constexpr double kMinFloorTexture = 6, kMinFloorTextureShare = 0.02;  // rows; share of the rows
constexpr double kMinEligibleShare = 0.25;
constexpr int kInteriorSampleStep = 8;

enum class ColumnKind { kData, kBlank, kUniform };

struct Run {
  int first = 0, last = -1;  // inclusive
  int Width() const { return last - first + 1; }
};

// strip_columns.cpp: column kinds (data, blank, uniform) and the drawn horizontal lines.

// Median of `v` (nth_element's value at size / 2), which may be reordered: called once per row
// and column of every strip, so by counting (SelectKthByCounting: no branchy introselect).
float MedianInPlace(std::vector<float>& v);

// Blank (dark) and uniform columns; the rest are data. The intensities are finite ([0, 1]), so
// "any pixel above kDarkMax" is the old test "the maximum is above kDarkMax". Only the columns
// the counts leave undecided (~40% on the bench set) are transposed for IsUniform (by tiles of
// columns: the others are never read); a column with a black median is not uniform (IsUniform's
// first test), whether or not it may be dark.
std::vector<ColumnKind> ClassifyColumns(const cv::Mat1f& m);

// Rows that hold a drawn horizontal line: nearly constant, visible level over most data columns.
std::vector<Run> LineRuns(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds);

// strip_text.cpp: text overlays (labels, parameters) on the strip.

// Bright, thin strokes (text, ticks): top-hat residue grouped into components that are mostly
// saturated white or mostly drawn on the dark noise floor (TextLabels). Speckle rarely forms such
// components; drawn text always does. A strip without a pixel above kTextTopHat has no
// candidate, hence no text component: skipped (rarely: nearly every strip runs the mask). Per
// pixel: kWhiteText, kGroundedText or 0.
cv::Mat1b TextMask(const cv::Mat1f& m, double baseline_row);

// Readout panels: a measurement readout (a caliper's "Vel 39.3 cm/s / T 0.802 s") drawn as a box
// filled at one level, with a border and text, over the strip. Its fill is flat where spectrum
// and noise never are (speckle), above black and below saturation; on a black floor with sparse
// specks the envelope read its fill and border as a blunt flow's band (a thirteenth independent
// renderer: a 62 cm/s "squeeze" on the wrong side, polarity and class wrong). Components of the
// flat pixels (with the `text` they hold) that IsPanel accepts are masked with a kPanelFrame
// margin (the border and its anti-aliasing).
constexpr float kPanelFlatRange = 0.03f;  // 3x3 max - min: about 8 grey levels (JPEG's ripple)
constexpr float kPanelMinLevel = 0.04f, kPanelMaxLevel = 0.96f;  // above black, below saturation
constexpr int kPanelMinRows = 8, kPanelMinColumns = 16;          // two glyphs
constexpr double kPanelMaxShare = 0.5;
constexpr double kPanelMinFill = 0.4;    // of its box flat (the rest text and its edges)
constexpr double kPanelMinCover = 0.85;  // of its box flat or text
constexpr double kPanelMinText = 0.03;   // of its box text
constexpr float kPanelSameLevel = 0.03f;
constexpr int kPanelRing = 4, kPanelFrame = 3;
cv::Mat1b PanelMask(const cv::Mat1f& m, const cv::Mat1b& text);

// strip_sweep.cpp: a sweeping display's erase bar or cursor and the previous sweep beyond it; empty
// columns.

// Whether column c holds a pixel of the drawn line's rows above kLineMinLevel.
bool LineLitAt(const cv::Mat1f& m, const Run& line, int c);

// Erase bar and blank columns. A dark run is silence (valid) in a noise-free rendering
// unless the drawn baseline is interrupted there or bright spectrum ends abruptly beside it (at
// a strip edge: OutsideTheRecording); with a noise background when it erased the noise
// (ErasesTheNoise) or reaches an edge (no texture there: no data), or when uniform and
// non-black, it is an erase bar. The data right of the widest erase bar is the previous sweep:
// it is masked, so the kept columns (the current sweep) form one continuous time axis. Unless
// the recording goes on across the bar and breaks at the strip's ends (a blank band in one
// continuous recording, GoesOnAcross): then only the bar is masked. `keep_previous_sweep`
// reads the previous sweep instead: the current sweep and the bar are masked (a note says so).
void MaskEmptyColumns(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds,
                      const std::vector<Run>& lines, const cv::Mat1b& overlays,
                      const cv::Mat1b& drawn, double baseline_row, bool keep_previous_sweep,
                      StripMasks& out);

// strip_edges.cpp: scale labels and panel margins at the edges, dotted lines, the drawn baseline's
// check.

// The rows of the drawn horizontal lines, +-1 for the overlay dilation (1 = line row).
std::vector<uint8_t> LineRows(const std::vector<Run>& lines, int rows);

// Scale ticks and labels: contiguous columns from each edge (within the edge zone) that hold
// text/tick marks or nothing, before the first column with spectral content. The drawn
// horizontal lines (baseline) cross every column: their rows (+-1 for the overlay dilation) are
// not marks, or every quiet column near an edge would pass for a label column.
void MaskScaleEdges(const cv::Mat1f& m, const cv::Mat1b& text, const std::vector<uint8_t>& line_row,
                    StripMasks& out);

// A panel margin inside the region beside the display (the region drawn wider than the sweep: its
// ticks and labels, PS3.3 allows any region extent): edge columns, within the edge zone, whose
// texture is below kMarginTextureShare of the interior's 25th percentile (ColumnTexture), walking
// inward over already masked columns to the first textured one. Masked, they end the time axis
// where the display ends, so a reflux reaching it is read as truncated (unmasked, the margin's
// columns read as silence: the reflux "ended" there). Only when the display has a visible noise
// floor (the interior's 25th percentile at least kMinFloorTexture rows' worth and
// kMinFloorTextureShare): on a noise-free rendering a quiet display column is as flat as a margin.
void MaskUntexturedEdges(const cv::Mat1f& m, const cv::Mat1b& marks,
                         const std::vector<uint8_t>& line_row, StripMasks& out);

// The marks that can be scale labels and ticks: components of `marks` no wider than the edge zone.
// An ECG or auto-trace drawn across the strip puts a mark in every column; counted as a label it
// made every quiet column near an edge pass for a label column, and the edge scan masked the
// whole edge zone (12% of the strip each side; measured: 109 and 112 columns of a 937-column
// strip, the start of the augmentation among them, and the polarity then read from the reflux).
// Component widths are taken from the labels directly: connectedComponentsWithStats computes
// every statistic for every pixel (4x the labelling's cost, ~3% of a whole run), and a strip
// without marks (most of them) needs no labelling at all; the sparse labelling (LabelComponents)
// visits only the marks.
cv::Mat1b LabelMarks(const cv::Mat1b& marks);

// Dotted drawn lines: rows where 1-px-tall bright features (DotPixel) recur over
// kDottedLineShare of the data columns. Spectrum is a band along the velocity axis, several rows
// tall; a grid drawn as dots every few columns is neither a line (LineRuns: lit over most
// columns) nor spectrum, and its dots read as flow spikes at the grid's velocities (a 16 cm/s
// squeeze lost among spikes at 10 and 20 cm/s). Only the thin pixels of such rows are masked.
// Rows 0 and rows - 1 have no two neighbours: never dots.
void MaskDottedLines(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds, StripMasks& out);

// Thin vertical lines, dotted or solid (a caliper's time marks, an auto-trace's vertical
// strokes where it jumps): columns with a stretch over kThinVerticalLineSpan of the height of
// rows lit at kLineMinLevel or more, no more than kMaxLineDotGap rows apart, of which
// kThinVerticalLineShare of the height are 1-px-wide bright features (DotPixel across the row;
// where the line crosses lit spectrum its pixels are lit but do not stand out). A mark is drawn
// across the strip, or from the baseline to an edge; a one-column stroke from the baseline (the
// unit tests' thump) stays short of that, and spectrum changes from column to column but not by
// half its level in one column over most of the height. A caliper drawn as dots every 4 rows
// down the strip read as a broadband spike, the peak of the reflux it marks (a thirteenth
// independent renderer: 70.9 cm/s for 39.1). Only the thin pixels are masked; the envelope
// fills them from the column's rows around them.
constexpr double kThinVerticalLineSpan = 0.6, kThinVerticalLineShare = 0.2;
constexpr int kMaxLineDotGap = 3;
void MaskThinVerticalLines(const cv::Mat1f& m, StripMasks& out);

// strip_strokes.cpp: vertical strokes (cores at most 3 columns wide, at least kMinStrokeRows tall)
// that touch a masked pixel, or a stroke masked so, are masked with a column either side. Every
// masked pixel seeds: overlays off the map's ramp (an ECG trace's flat line), dotted lines, text
// and the rows of drawn lines, so a thin bright stroke crossing a grid line is masked too (only
// the calibrated baseline is guarded, below). An ECG's QRS
// spikes are drawn in the trace's colour, but JPEG's chroma subsampling bleaches a 1-px line (a
// yellow ECG on an ice map: its line read off the map's ramp, its spikes on it), and they then read
// as flow spikes; on the side holding them, a recurring "flow" set the polarity (an eighth
// independent renderer). A stroke reaching within max(kStrokeBaselineRows, kStrokeBaselineShare of
// the rows) of the baseline is left alone: a thump rises from the baseline, and it may cross an ECG
// trace.
void MaskAttachedStrokes(const cv::Mat1f& m, double baseline_row, StripMasks& out);

// The drawn baseline checked against the calibration: the line nearest the calibrated zero row
// (within 15 rows) more than 2 rows from it is a warning with the measured offset.
void CheckBaseline(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds,
                   const std::vector<Run>& lines, double expected_row, StripMasks& out);

}  // namespace refluxscan::spectral::detail
