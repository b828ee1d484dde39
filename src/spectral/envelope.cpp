// Velocity envelopes from a Spectrogram (docs/algorithms.md, "Envelope").
#include "refluxscan/spectral/envelope.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "spectral/columns.h"
#include "spectral/envelope_internal.h"
#include "spectral/guard.h"

namespace refluxscan::spectral {
namespace {

using detail::SideRuns;

constexpr double kDefaultThresholdSigma = 5.0;      // 3-4 gave false runs on pure noise
constexpr double kAutoCutoffCyclesPerColumn = 0.2;  // Gaussian -3 dB: 10-90% rise ~1.7 columns
constexpr float kSaturatedLevel = 0.995f;
constexpr double kSaturatedShare = 0.08;  // of a column's rows at full brightness
constexpr double kWeakSnrDb = 10.0;       // column peak this close to the noise: weak
constexpr double kStrongFlowS = 0.15;     // the strongest stretch this long decides "weak" too
constexpr double kWeakDetectionMultiple = 2.0;  // or below twice the detection level (WeakBelowDb)
constexpr double kAliasContinuity = 0.6;        // previous column within 60% of the limit
constexpr size_t kMinAliasColumns = 3;          // an aliased stretch is at least this long
// A detached band is flow when it lasts this long (AcceptDetachedBands): a speck spans <= 3
// columns of the smoothed spectrum; venous flow lasts hundreds of ms.
constexpr double kMinBandS = 0.04;
constexpr size_t kMinBandColumns = 5;
constexpr size_t kBandGapColumns = 3;    // a band fading (or wrapped at its edge) this long goes on
constexpr int kBandJoinSamples = 2;      // GrowsFromBaseline: the baseline region reaches this near
constexpr double kWrapDropoutS = 0.025;  // JoinDropouts: a wrap fading this long is one wrap
constexpr int kMedianColumns = 3;        // temporal outlier rejection (odd)
// The noise velocity from the side without flow: the envelope's 90th percentile there (its
// speckle peaks). Its median read 0 where the noise rejection leaves that side blank, and the
// side's speckle then passed for augmentation bursts (a phasic-flow clip read inverted).
constexpr double kOtherSidePercentile = 0.9;
constexpr double kHalfPowerDb = 3.0;  // the edge: half the power of the spectrum inside it
// Wall filters sit at up to a few % of the PRF (= the scale span): the region touching the
// baseline may start that far from it.
constexpr double kWallFilterShareOfScale = 0.03;
// A wider notch is measured (WallNotchSamples): the rows next to the baseline that stay darker
// than kNotchDarkShare of the noise level in the median column, on a display whose noise floor
// is visible (level >= kMinVisibleNoiseLevel), ending before kMaxNotchShare of the side.
constexpr double kNotchDarkShare = 0.5;
constexpr double kMinVisibleNoiseLevel = 0.03;
constexpr double kMaxNotchShare = 0.75;
constexpr int kNotchMarginSamples = 2;
constexpr int kNotchStartSamples = 3;  // the drawn baseline's fill and the 3x3 mean lighten these
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

struct Geometry {
  int up_rows = 0;     // rows 0 .. up_rows-1 are above the baseline (positive velocity)
  int down_first = 0;  // rows down_first .. Rows-1 are below it
  double span = 0;     // full scale (Rows x step): an aliased velocity wraps by this much
};

Geometry SideGeometry(const Spectrogram& s) {
  const double b = s.BaselineRow();
  Geometry g;
  g.up_rows = std::clamp(static_cast<int>(std::ceil(b)), 0, s.Rows());
  g.down_first = std::clamp(static_cast<int>(std::floor(b)) + 1, 0, s.Rows());
  g.span = s.Rows() * s.velocity_step_per_row;
  return g;
}

// kMinBandS in columns (and at least kMinBandColumns).
size_t MinBandColumns(double seconds_per_column) {
  const double spc = seconds_per_column;  // guarded: a fuzzed strip may carry 0 or NaN
  return std::max(kMinBandColumns,
                  spc > 0 ? static_cast<size_t>(std::min(1e6, std::ceil(kMinBandS / spc))) : 0);
}

struct ColumnSides {
  SideRuns up, down;  // up: index = row; down: index = Rows-1-row
};

// Rows first_row..last_row of column c, from a transposed strip (row c = column c), into `v`
// (a buffer reused from column to column: no allocation per column and side).
void SideValues(const cv::Mat1f& columns, int c, int first_row, int last_row, bool up,
                std::vector<float>& v) {
  const float* column = columns.ptr<float>(c);
  if (up) {
    v.assign(column + first_row, column + last_row + 1);
  } else {  // always scale edge first: the rows in reverse, in one pass
    v.assign(std::make_reverse_iterator(column + last_row + 1),
             std::make_reverse_iterator(column + first_row));
  }
}

// Linear power (log map undone) of one column, edge -> baseline order. Single column on purpose:
// averaging neighbours biased the knee outward on steep envelopes (measured: +1.3 rows median).
std::vector<double> SidePower(const Spectrogram& s, const cv::Mat1f& filled, int c, int first_row,
                              int last_row, bool up) {
  std::vector<double> p;
  for (int r = first_row; r <= last_row; ++r) {
    p.push_back(detail::LinearPower(filled(r, c), s.dynamic_range_db));
  }
  if (!up) std::reverse(p.begin(), p.end());
  return p;
}

// Detection levels from the noise model: above both k sigma (a gray noise floor) and the noise's
// upper percentile plus one sigma (sparse specks on black, where sigma alone says nothing).
detail::SideLevels LevelsFor(const Spectrogram& s, const detail::NoiseEstimate& noise,
                             double k_sigma) {
  detail::SideLevels l;
  l.high = std::max(noise.level + k_sigma * noise.sigma, noise.upper + noise.sigma);
  l.low = noise.level + 0.5 * (l.high - noise.level);
  l.half_power_drop = kHalfPowerDb / s.dynamic_range_db;
  l.baseline_slack = 2 + static_cast<int>(std::ceil(kWallFilterShareOfScale * s.Rows()));
  return l;
}

SideRuns AnalyzeSide(const Spectrogram& s, const detail::PreparedSpectrum& prep, int c,
                     int first_row, int last_row, bool up, const detail::SideLevels& levels,
                     const detail::NoiseEstimate& noise, EnvelopeMethod method) {
  if (first_row > last_row) return {};
  thread_local std::vector<float> v;
  SideValues(prep.smoothed_columns, c, first_row, last_row, up, v);
  // The power profile read in place (detail::SideProfile): the same values in the same order.
  const float* power_column = prep.power_smoothed_columns.ptr<float>(c);
  const detail::SideProfile profile = up ? detail::SideProfile{power_column + first_row, 1}
                                         : detail::SideProfile{power_column + last_row, -1};
  SideRuns runs = detail::ThresholdRuns(v, profile, levels);
  if (method == EnvelopeMethod::kModifiedGeometric && runs.edge >= 0) {
    runs.edge =
        detail::GeometricEdge(SidePower(s, prep.filled, c, first_row, last_row, up), noise.power);
  }
  return runs;
}

// Pixels per column at kSaturatedLevel or above.
// (detail::CountPerColumnIf's loop, written out: the template is not inlined into the clone.)
REFLUXSCAN_AVX2_CLONES std::vector<int> SaturatedPerColumn(const cv::Mat1f& intensity) {
  std::vector<int> count(static_cast<size_t>(intensity.cols), 0);
  int* __restrict n = count.data();
  for (int r = 0; r < intensity.rows; ++r) {
    const float* __restrict row = intensity.ptr<float>(r);
    for (int c = 0, cols = intensity.cols; c < cols; ++c) n[c] += row[c] >= kSaturatedLevel ? 1 : 0;
  }
  return count;
}

struct ColumnMoments {
  std::vector<float> mean;                  // signed mean velocity
  std::vector<float> power_up, power_down;  // per side, noise units (Envelope::power_*)
};

// Mean velocity per column (first moment of the noise-subtracted linear power, the log map
// undone) and each side's mean power, accumulated in one row-major pass over the strip.
REFLUXSCAN_AVX2_CLONES ColumnMoments Moments(const Spectrogram& s,
                                             const detail::PreparedSpectrum& prep,
                                             double noise_lin) {
  const auto cols = static_cast<size_t>(s.Columns());
  const double baseline = s.BaselineRow();
  std::vector<double> num(cols, 0.0), den(cols, 0.0), up(cols, 0.0), down(cols, 0.0);
  int up_rows = 0, down_rows = 0;
  for (int r = 0; r < s.Rows(); ++r) {
    const float* __restrict power = prep.power_unscaled.ptr<float>(r);
    const double velocity = s.VelocityAtRow(r);
    std::vector<double>* side = r < baseline - detail::kBaselineGuardRows   ? &up
                                : r > baseline + detail::kBaselineGuardRows ? &down
                                                                            : nullptr;
    up_rows += side == &up ? 1 : 0;
    down_rows += side == &down ? 1 : 0;
    // The same arithmetic per column; the side test taken out of the loop and the pointers
    // declared unaliased (the sums are distinct vectors) so that it vectorizes.
    double* __restrict num_c = num.data();
    double* __restrict den_c = den.data();
    const double scale = prep.power_scale;
    if (side) {
      double* __restrict side_c = side->data();
      for (size_t c = 0; c < cols; ++c) {
        const double lin = power[c] * scale;
        const double p = std::max(0.0, lin - noise_lin);
        num_c[c] += p * velocity;
        den_c[c] += p;
        side_c[c] += lin;
      }
    } else {
      for (size_t c = 0; c < cols; ++c) {
        const double lin = power[c] * scale;
        const double p = std::max(0.0, lin - noise_lin);
        num_c[c] += p * velocity;
        den_c[c] += p;
      }
    }
  }
  ColumnMoments m{std::vector<float>(cols, 0.0f), std::vector<float>(cols, 0.0f),
                  std::vector<float>(cols, 0.0f)};
  const double noise = std::max(noise_lin, 1e-30);
  for (size_t c = 0; c < cols; ++c) {
    if (den[c] > noise_lin) m.mean[c] = static_cast<float>(num[c] / den[c]);
    // A side without rows (baseline at the strip's edge) has no power to report.
    m.power_up[c] = up_rows > 0 ? static_cast<float>(up[c] / (up_rows * noise)) : kNan;
    m.power_down[c] = down_rows > 0 ? static_cast<float>(down[c] / (down_rows * noise)) : kNan;
  }
  return m;
}

// Column SNR in dB: the 95th percentile of the smoothed column above the noise level.
// `percentile` carries the previous column's percentile from call to call: the selection starts
// from a little below it (KthSmallest; exact whatever the guess).
double ColumnSnrDb(const cv::Mat1f& smoothed_columns, int c, double noise_level, double dr_db,
                   float& percentile) {
  constexpr float kGuessBelow = 0.03f;  // display units: neighbouring columns differ less
  const float* column = smoothed_columns.ptr<float>(c);
  thread_local std::vector<float> v;  // one allocation per worker, not per column
  const auto n = static_cast<size_t>(smoothed_columns.cols);
  const size_t k = n * 95 / 100;
  percentile = detail::KthSmallest(column, n, k, percentile - kGuessBelow, v);
  return (percentile - noise_level) * dr_db;
}

// SNR of the flow itself: the 95th percentile of the smoothed column over the rows of the
// detected regions (baseline to edge, both sides), above the noise level, in dB. A narrow trace
// on a wide scale is as strong as its own pixels, not weak because most of its column is noise.
// nullopt with fewer than 3 such rows (then the whole column's percentile serves).
// `percentile` carries the previous column's answer from call to call: the selection starts from
// a little below it (KthSmallest; exact whatever the guess).
std::optional<double> FlowSnrDb(const Spectrogram& s, const cv::Mat1f& smoothed_columns, int c,
                                int up_rows, int down_first, const ColumnSides& sd,
                                double noise_level, float& percentile) {
  constexpr float kGuessBelow = 0.03f;  // display units, as ColumnSnrDb's
  const float* column = smoothed_columns.ptr<float>(c);
  thread_local std::vector<float> v, scratch;  // per worker: no allocation per column
  v.clear();
  if (sd.up.edge >= 0) {
    for (int r = std::max(0, static_cast<int>(std::floor(sd.up.edge))); r < up_rows; ++r) {
      v.push_back(column[r]);
    }
  }
  if (sd.down.edge >= 0) {
    const int last =
        std::min(s.Rows() - 1, static_cast<int>(std::ceil(s.Rows() - 1 - sd.down.edge)));
    for (int r = down_first; r <= last; ++r) v.push_back(column[r]);
  }
  if (v.size() < 3) return std::nullopt;
  const size_t k = v.size() * 95 / 100;
  percentile = detail::KthSmallest(v.data(), v.size(), k, percentile - kGuessBelow, scratch);
  return (percentile - noise_level) * s.dynamic_range_db;
}

// Speed at `index` of the side a wrap enters (counted from that side's scale edge; the lower side
// when the flow leaves `upward`), as displayed, and as unwrapped by the scale's span.
double InSideSpeed(const Spectrogram& s, double index, bool upward) {
  return std::abs(s.VelocityAtRow(upward ? (s.Rows() - 1) - index : index));
}
double UnwrappedSpeed(const Spectrogram& s, const Geometry& g, double index, bool upward) {
  const double row = upward ? (s.Rows() - 1) - index : index;
  return std::abs(s.VelocityAtRow(row) + (upward ? g.span : -g.span));
}

// The unwrapped magnitude of a region entering `in_side` from its scale edge apart from its
// baseline region (the flow leaving `upward` re-entering), or -1 when there is none: one region
// from the scale edge to the baseline is real flow on that side.
double ReEntrySpeed(const Spectrogram& s, const SideRuns& in_side, bool upward, const Geometry& g) {
  if (in_side.edge_run_end < 0) return -1;
  if (in_side.baseline_run_outer >= 0 && in_side.baseline_run_outer <= in_side.edge_run_end + 1) {
    return -1;
  }
  return UnwrappedSpeed(s, g, in_side.edge_run_end + 0.5, upward);
}

// Unwraps one aliased side: the signal leaves through one scale edge and re-enters from the
// other, detached from the baseline there. Returns the unwrapped magnitude, or -1.
double UnwrappedMagnitude(const Spectrogram& s, const SideRuns& out_side, const SideRuns& in_side,
                          bool upward, const Geometry& g) {
  if (out_side.baseline_run_outer != 0) return -1;
  return ReEntrySpeed(s, in_side, upward, g);
}

}  // namespace

namespace {

struct Estimates {
  Envelope env;
  std::vector<ColumnSides> sides;
  std::vector<double> snr_db;
  double weak_below_db = kWeakSnrDb;  // WeakBelowDb
};

// The SNR under which a trace is weak: kWeakSnrDb, or, when the noise is quiet (a black floor:
// the detection level sits just above it), kWeakDetectionMultiple x the detection level's height
// over the noise. The SNR's dB come from the assumed display dynamic range (40 dB unless the file
// says otherwise); on a display with 50-60 dB a clearly visible trace read < 10 dB and its
// no-reflux clips became "indeterminate, weak signal" (stress set: 10 of 169 visible clips at
// 50-59 dB, none at 30-39 dB). A trace twice as far above the noise as the detection level is
// measurable whatever the map.
double WeakBelowDb(const detail::SideLevels& levels, const detail::NoiseEstimate& noise,
                   double dynamic_range_db) {
  return std::min(kWeakSnrDb,
                  kWeakDetectionMultiple * (levels.high - noise.level) * dynamic_range_db);
}

// Whether `side` shows only a region entering from its scale edge (no flow attached to the
// baseline) while `other` shows nothing at all: no flow there could have wrapped into it.
bool EdgeBandIsOwnFlow(const SideRuns& side, const SideRuns& other) {
  return side.edge < 0 && side.edge_run_end >= 0 && other.baseline_run_outer < 0 &&
         other.edge_run_end < 0;
}

bool ColumnMasked(const Spectrogram& s, size_t c) {
  return !s.column_valid.empty() && !s.column_valid[c];
}

// The wall filter's notch on one side, in samples from the baseline (rows `first` outward by
// `step`, `count` of them): the rows next to the baseline whose median over the unmasked columns
// stays below kNotchDarkShare x the noise level. Nothing is ever seen there, not even the noise
// the filter removed with the slowest flow, so a region starting just beyond them is as attached
// to the baseline as anything on this display can be. 0 when the noise floor is black (no
// contrast to see a notch by), or when the dark rows do not end before kMaxNotchShare of the side
// (a side with nothing on it).
int WallNotchSamples(const Spectrogram& s, const cv::Mat1f& smoothed, double noise_level, int first,
                     int step, int count) {
  if (!(noise_level >= kMinVisibleNoiseLevel) || count <= 0) return 0;
  const auto dark = static_cast<float>(kNotchDarkShare * noise_level);
  std::vector<float> x;
  x.reserve(static_cast<size_t>(s.Columns()));
  bool in_notch = false;
  for (int k = 0; k < static_cast<int>(kMaxNotchShare * count); ++k) {
    const float* row = smoothed.ptr<float>(first + k * step);
    x.clear();
    for (int c = 0; c < s.Columns(); ++c) {
      if (!ColumnMasked(s, static_cast<size_t>(c))) x.push_back(row[c]);
    }
    if (x.empty()) return 0;
    const auto mid = x.begin() + static_cast<long>(x.size() / 2);
    std::nth_element(x.begin(), mid, x.end());
    if (*mid < dark) {
      in_notch = true;
    } else if (in_notch || k >= kNotchStartSamples) {
      return in_notch ? k : 0;
    }
  }
  return 0;
}

// What one pass of AnalyzeSide needs besides the column.
struct SideScan {
  const Spectrogram& s;
  const detail::PreparedSpectrum& prep;
  const detail::NoiseEstimate& noise;
  EnvelopeMethod method;
  Geometry g;
  // Each side's measured wall notch (WallNotchSamples): the baseline slack is at least it.
  int notch_up = WallNotchSamples(s, prep.smoothed, noise.level, g.up_rows - 1, -1, g.up_rows);
  int notch_down =
      WallNotchSamples(s, prep.smoothed, noise.level, g.down_first, 1, s.Rows() - g.down_first);

  SideRuns Up(int c, detail::SideLevels l) const {
    l.baseline_slack = std::max(l.baseline_slack, Slack(notch_up));
    return AnalyzeSide(s, prep, c, 0, g.up_rows - 1, true, l, noise, method);
  }
  SideRuns Down(int c, detail::SideLevels l) const {
    l.baseline_slack = std::max(l.baseline_slack, Slack(notch_down));
    return AnalyzeSide(s, prep, c, g.down_first, s.Rows() - 1, false, l, noise, method);
  }
  static int Slack(int notch) { return notch > 0 ? notch + kNotchMarginSamples : 0; }
};

// Each unmasked column's signal regions on both sides.
void AnalyzeColumnSides(const SideScan& scan, const detail::SideLevels& levels, Estimates& e) {
  detail::SideLevels edge_flow = levels;
  edge_flow.edge_region_is_flow = true;
  for (int c = 0; c < scan.s.Columns(); ++c) {
    if (ColumnMasked(scan.s, static_cast<size_t>(c))) continue;
    ColumnSides& sd = e.sides[static_cast<size_t>(c)];
    sd.up = scan.Up(c, levels);
    sd.down = scan.Down(c, levels);
    // A band detached from the baseline (a wall filter's notch wider than the baseline slack)
    // that reaches its scale edge is read as a wrap entering from the other side, but only
    // flow leaving through the other side's edge can wrap: with no flow at all on that side, it
    // is this side's own flow (a ninth independent renderer's 11 cm/s side filled from 0.5 to
    // 11 cm/s by a 2 s reflux read no flow; 410 ms of it were measured, truth 2055).
    if (EdgeBandIsOwnFlow(sd.up, sd.down)) {
      sd.up = scan.Up(c, edge_flow);
    } else if (EdgeBandIsOwnFlow(sd.down, sd.up)) {
      sd.down = scan.Down(c, edge_flow);
    }
  }
}

// Whether a side's band candidate lies beyond its baseline region, and overlaps (in the side's
// index) the previous column's candidate `prev` when there is one. Not while the other side's
// flow leaves through its edge (`other`): the candidate may be its wrap. A candidate at the scale
// edge (index 0) exists only where EdgeBandIsOwnFlow re-read the column (nothing on the other
// side to have wrapped into it): a core-gate plateau at the scale limit, which continues the
// band (stress seed 17 STUDY_009/IMG_0002 read 173 of its 1453 ms while these were left out;
// stop 30: +2 clips, none lost on 36 evaluation runs).
bool BandContinues(const SideRuns& side, const SideRuns& other, const SideRuns* prev) {
  if (side.band_outer < 0) return false;
  if (other.baseline_run_outer == 0) return false;
  if (side.baseline_run_outer >= 0 && side.band_inner >= side.baseline_run_outer) return false;
  return prev == nullptr ||
         (side.band_outer <= prev->band_inner + 1 && prev->band_outer <= side.band_inner + 1);
}

// Whether the column beside a band's first or last column (`beside`, unmasked) holds a baseline
// region reaching into the band: flow accelerates from zero, so its band leaves the baseline
// (and returns to it); an overlay (text, a label) floats where it was drawn.
bool GrowsFromBaseline(const SideRuns& band_end, const SideRuns* beside) {
  return beside != nullptr && beside->baseline_run_outer >= 0 &&
         beside->baseline_run_outer <= band_end.band_inner + kBandJoinSamples;
}

// One side of every column, and the other side beside it.
struct SideSeries {
  Estimates& e;
  bool up;
  SideRuns& side(size_t c) const { return up ? e.sides[c].up : e.sides[c].down; }
  const SideRuns& other(size_t c) const { return up ? e.sides[c].down : e.sides[c].up; }
};

struct BandRun {
  size_t begin = 0, end = 0;  // [begin, end): first and one past the last candidate column
  bool attached = false;      // it leaves or joins the baseline region (GrowsFromBaseline)
};

// The run of band candidates from column `a` (a candidate): each overlapping the run's last one,
// through columns where the baseline region reaches into the band (a fast rise or fall joins
// them for a few columns: flow already) and gaps of <= kBandGapColumns (a fade; a band at its
// scale edge is a candidate itself where EdgeBandIsOwnFlow holds), up to a masked column. Its
// length counts the bridged columns, and every candidate column inside it is read as band, also one
// that did not overlap the last (a fast band moves by more than its width between columns):
// counting only the band's own columns and re-reading only the overlapping ones lost 2 clips on
// stress seed 31 and changed nothing else (stop 29 review).
BandRun FindBandRun(const Spectrogram& s, const SideSeries& v, size_t a) {
  const size_t n = v.e.sides.size();
  size_t last = a;
  bool bridged = false;
  for (size_t b = a + 1; b < n && !ColumnMasked(s, b); ++b) {
    if (BandContinues(v.side(b), v.other(b), &v.side(last))) {
      last = b;
    } else if (GrowsFromBaseline(v.side(last), &v.side(b))) {
      bridged = true;
    } else if (b - last > kBandGapColumns) {
      break;
    }
  }
  BandRun run{a, last + 1, bridged};
  run.attached = run.attached || GrowsFromBaseline(v.side(a), a > 0 ? &v.side(a - 1) : nullptr) ||
                 GrowsFromBaseline(v.side(last), last + 1 < n ? &v.side(last + 1) : nullptr);
  return run;
}

// Whether flow leaves through the other side's scale edge within kBandGapColumns of the run:
// then the band may be that flow's wrap (an aliased squeeze's narrow spectrum wraps whole, away
// from the edge; a ninth-renderer clip's polarity flipped on one).
bool WrapPossible(const SideSeries& v, const BandRun& run) {
  const size_t n = v.e.sides.size();
  for (size_t c = run.begin > kBandGapColumns ? run.begin - kBandGapColumns : 0;
       c < std::min(n, run.end + kBandGapColumns); ++c) {
    if (v.other(c).baseline_run_outer == 0) return true;
  }
  return false;
}

// A band detached from the baseline by a dark gap longer than itself: the spectrum of a small
// sample volume in the fast core of the vessel (the slow laminae near the wall are outside the
// gate). One column cannot tell it from a bright speck (ExtendOverDarkInterior's length rule);
// time can: a band lasts, a speck (3 columns after the 3 x 3 smoothing) does not. A run of
// candidates (FindBandRun) lasting >= kMinBandS (and kMinBandColumns) that leaves or joins the
// baseline region, and that nothing can have wrapped into, is this side's flow: its candidate
// columns are read again with the length rule off.
void AcceptDetachedBands(const SideScan& scan, const detail::SideLevels& levels, Estimates& e) {
  detail::SideLevels band = levels;
  band.detached_band_is_flow = true;
  detail::SideLevels edge_band = band;  // a candidate at the scale edge (BandContinues)
  edge_band.edge_region_is_flow = true;
  const size_t min_columns = MinBandColumns(scan.s.seconds_per_column);
  for (const bool up : {true, false}) {
    const SideSeries v{e, up};
    for (size_t a = 0; a < e.sides.size();) {
      if (ColumnMasked(scan.s, a) || !BandContinues(v.side(a), v.other(a), nullptr)) {
        ++a;
        continue;
      }
      const BandRun run = FindBandRun(scan.s, v, a);
      if (run.attached && !WrapPossible(v, run) && run.end - run.begin >= min_columns) {
        for (size_t c = run.begin; c < run.end; ++c) {
          if (!BandContinues(v.side(c), v.other(c), nullptr)) continue;
          const detail::SideLevels& l = v.side(c).band_outer == 0 ? edge_band : band;
          v.side(c) = up ? scan.Up(static_cast<int>(c), l) : scan.Down(static_cast<int>(c), l);
        }
      }
      a = run.end;
    }
  }
}

void EstimateColumns(const Spectrogram& s, const detail::PreparedSpectrum& prep,
                     const detail::NoiseEstimate& noise, const EnvelopeOptions& o, Estimates& e) {
  const SideScan scan{s, prep, noise, o.method, SideGeometry(s)};
  const Geometry& g = scan.g;
  const double k = o.threshold_sigma > 0 ? o.threshold_sigma : kDefaultThresholdSigma;
  const detail::SideLevels levels = LevelsFor(s, noise, k);
  AnalyzeColumnSides(scan, levels, e);
  AcceptDetachedBands(scan, levels, e);
  const std::vector<int> saturated = SaturatedPerColumn(s.intensity);
  const ColumnMoments moments = Moments(s, prep, noise.power);
  e.weak_below_db = WeakBelowDb(levels, noise, s.dynamic_range_db);
  Envelope& env = e.env;
  float percentile = -std::numeric_limits<float>::infinity();       // ColumnSnrDb's guess
  float flow_percentile = -std::numeric_limits<float>::infinity();  // FlowSnrDb's
  for (int c = 0; c < s.Columns(); ++c) {
    const auto cs = static_cast<size_t>(c);
    const ColumnSides& sd = e.sides[cs];
    // A masked column's SNR is never read (Summarize and the flags skip it): not computed.
    if (ColumnMasked(s, cs)) {
      env.flags[cs] |= kColumnMasked;
      env.max_forward[cs] = env.max_reverse[cs] = env.mean[cs] = kNan;
      env.power_forward[cs] = env.power_reverse[cs] = kNan;
      env.confidence[cs] = 0;
      continue;
    }
    e.snr_db[cs] =
        ColumnSnrDb(prep.smoothed_columns, c, noise.level, s.dynamic_range_db, percentile);
    env.max_forward[cs] =
        sd.up.edge >= 0 ? static_cast<float>(std::max(0.0, s.VelocityAtRow(sd.up.edge))) : 0.0f;
    env.max_reverse[cs] =
        sd.down.edge >= 0
            ? static_cast<float>(std::max(0.0, -s.VelocityAtRow(s.Rows() - 1 - sd.down.edge)))
            : 0.0f;
    if (const auto flow_snr = FlowSnrDb(s, prep.smoothed_columns, c, g.up_rows, g.down_first, sd,
                                        noise.level, flow_percentile)) {
      e.snr_db[cs] = std::max(e.snr_db[cs], *flow_snr);
    }
    env.mean[cs] = moments.mean[cs];
    env.power_forward[cs] = moments.power_up[cs];
    env.power_reverse[cs] = moments.power_down[cs];
    env.confidence[cs] = static_cast<float>(std::clamp((e.snr_db[cs] - 3.0) / 17.0, 0.0, 1.0));
    if (prep.interpolated[cs]) env.flags[cs] |= kColumnInterpolated;
    if (saturated[cs] > kSaturatedShare * s.Rows()) env.flags[cs] |= kColumnSaturated;
    const bool any_signal = env.max_forward[cs] > 0 || env.max_reverse[cs] > 0;
    if (any_signal && e.snr_db[cs] < e.weak_below_db) env.flags[cs] |= kColumnWeak;
  }
}

// Unwrapped magnitude per column for one direction, -1 where the column does not leave through
// that scale edge and re-enter, detached, from the other.
std::vector<double> AliasCandidates(const Spectrogram& s, const Estimates& e, bool upward) {
  const Geometry g = SideGeometry(s);
  std::vector<double> v(e.env.Size(), -1.0);
  for (size_t c = 0; c < v.size(); ++c) {
    if (e.env.flags[c] & kColumnMasked) continue;
    const ColumnSides& sd = e.sides[c];
    v[c] = UnwrappedMagnitude(s, upward ? sd.up : sd.down, upward ? sd.down : sd.up, upward, g);
  }
  return v;
}

void MarkAliased(const Spectrogram& s, const EnvelopeOptions& o, Estimates& e, size_t c,
                 bool upward, double magnitude) {
  Envelope& env = e.env;
  env.flags[c] |= kColumnAliased;
  env.aliased = true;
  if (!o.unwrap_aliasing) return;
  env.flags[c] |= kColumnUnwrapped;
  const SideRuns& in = upward ? e.sides[c].down : e.sides[c].up;
  const double other = in.edge < 0 ? 0.0 : InSideSpeed(s, in.edge, upward);
  (upward ? env.max_forward : env.max_reverse)[c] = static_cast<float>(magnitude);
  (upward ? env.max_reverse : env.max_forward)[c] = static_cast<float>(other);
}

// ---- Wrap episodes (docs/algorithms.md, "Envelope", "Wrap episodes") ----
// A narrow spectrum (the fast core of a small sample volume) that passes its scale limit wraps
// whole: for a while its own side shows nothing and the other side a band, away from both edges
// or joined over the dark interior to that side's baseline region. No single column tells that
// band from the other side's own flow; its course does.

// Whether a side has signal at its scale edge: its baseline region reaching it, a region
// entering from it, or a band candidate touching it.
bool TouchesScaleEdge(const SideRuns& r) {
  return r.baseline_run_outer == 0 || r.edge_run_end >= 0 || r.band_outer == 0;
}

bool HasAnyFlow(const SideRuns& r) {
  return r.edge >= 0 || r.edge_run_end >= 0 || r.band_outer >= 0;
}

// Signal away from the baseline: a region entering from the scale edge apart from the baseline
// region, a band candidate, or a region beyond a dark interior (joined or not). A wrap enters
// from the far edge: it is never only a region grown from the baseline.
bool HasOffBaselineFlow(const SideRuns& r) {
  const bool edge_region_apart =
      r.edge_run_end >= 0 &&
      !(r.baseline_run_outer >= 0 && r.baseline_run_outer <= r.edge_run_end + 1);
  return edge_region_apart || r.band_outer >= 0 || r.outermost_inner >= 0;
}

// The index (from the side's scale edge) of a wrap's innermost signal, its fastest velocity, on a
// side with off-baseline signal (HasOffBaselineFlow): the region entering from the edge, else the
// outermost region beyond a dark interior, else the band candidate.
double WrapInnerIndex(const SideRuns& in) {
  if (in.edge_run_end >= 0) return in.edge_run_end + 0.5;
  if (in.outermost_inner >= 0) return in.outermost_inner + 0.5;
  return in.band_inner + 0.5;
}

// Columns where both sides have signal at their scale edges for >= 2 columns in a row (a wrap
// entering or leaving: one side's flow at its limit, its wrap at the other side's edge; a
// one-column coincidence of two specks is not one).
std::vector<char> BothEdgesColumns(const Spectrogram& s, const Estimates& e) {
  const size_t n = e.sides.size();
  std::vector<char> both(n, 0), lasting(n, 0);
  for (size_t c = 0; c < n; ++c) {
    both[c] =
        !ColumnMasked(s, c) && TouchesScaleEdge(e.sides[c].up) && TouchesScaleEdge(e.sides[c].down);
  }
  for (size_t c = 0; c < n; ++c) {
    lasting[c] = both[c] && ((c > 0 && both[c - 1]) || (c + 1 < n && both[c + 1]));
  }
  return lasting;
}

// One direction of wrapping: flow leaving through the `out` side's scale edge (the upper side's
// when `upward`) and entering the `in` side from its edge.
struct WrapSeries {
  const Spectrogram& s;
  const Estimates& e;
  bool upward;

  size_t Size() const { return e.sides.size(); }
  const SideRuns& Out(size_t c) const { return upward ? e.sides[c].up : e.sides[c].down; }
  const SideRuns& In(size_t c) const { return upward ? e.sides[c].down : e.sides[c].up; }
  bool InFlow(size_t c) const { return !ColumnMasked(s, c) && HasOffBaselineFlow(In(c)); }
  bool Silent(size_t c) const {
    return !ColumnMasked(s, c) && !HasAnyFlow(Out(c)) && !HasAnyFlow(In(c));
  }
  // Whether the out side's signal reaches its edge in a column of [lo, hi).
  bool OutAtEdge(size_t lo, size_t hi) const {
    for (size_t c = lo; c < std::min(hi, Size()); ++c) {
      if (!ColumnMasked(s, c) && TouchesScaleEdge(Out(c))) return true;
    }
    return false;
  }
};

// A run of the in side's off-baseline signal [first, last] (gaps of <= kBandGapColumns), and
// how it begins and ends.
struct InRun {
  size_t first = 0, last = 0;
  bool enters = false;    // begins as a wrap does (WrapBoundary)
  bool leaves = false;    // ends as a wrap does
  bool open_end = false;  // ends at a masked column or the strip's end: the clip cut it
};

// Whether a run's end at column `c` looks like a wrap's entry (or exit): both sides at their
// edges within kBandGapColumns of it, and the out side's flow at its edge in the columns just
// outside the run (`lo`, `hi`): flow reaches its limit before it wraps and is back under it
// after (a side's own blunt band whose far side happens to wrap is the other way round).
bool WrapBoundary(const WrapSeries& w, const std::vector<char>& both_edges, const InRun& r,
                  size_t c, size_t lo, size_t hi) {
  if (!w.OutAtEdge(lo, hi)) return false;
  for (size_t k = c > r.first + kBandGapColumns ? c - kBandGapColumns : r.first;
       k <= std::min(r.last, c + kBandGapColumns); ++k) {
    if (both_edges[k]) return true;
  }
  return false;
}

std::vector<InRun> InRuns(const WrapSeries& w, const std::vector<char>& both_edges) {
  const size_t n = w.Size();
  std::vector<InRun> runs;
  for (size_t a = 0; a < n;) {
    if (!w.InFlow(a)) {
      ++a;
      continue;
    }
    size_t last = a, b = a + 1;
    for (; b < n && !ColumnMasked(w.s, b); ++b) {
      if (w.InFlow(b)) {
        last = b;
      } else if (b - last > kBandGapColumns) {
        break;
      }
    }
    InRun r{a, last};
    r.enters =
        WrapBoundary(w, both_edges, r, a, a > kBandGapColumns ? a - kBandGapColumns - 1 : 0, a);
    r.leaves = WrapBoundary(w, both_edges, r, last, last + 1, last + kBandGapColumns + 2);
    r.open_end = last + 1 == n || (b < n && ColumnMasked(w.s, b) && b - last <= 1);
    runs.push_back(r);
    a = last + 1;
  }
  return runs;
}

// A wrap that fades out away from the edges and back in away from them, across columns silent on
// both sides, is one wrap: flow does not stop and restart at a wrapped velocity (a dropout in a
// generated aliased squeeze split it in two, both halves unread). InRuns already bridges gaps of
// <= kBandGapColumns; this joins longer ones, up to kWrapDropoutS (and at least one column more).
std::vector<InRun> JoinDropouts(const WrapSeries& w, const std::vector<InRun>& runs) {
  const double spc = w.s.seconds_per_column;  // guarded: a fuzzed strip may carry 0 or NaN
  const size_t dropout =
      std::max(kBandGapColumns + 1,
               spc > 0 ? static_cast<size_t>(std::min(1e6, std::ceil(kWrapDropoutS / spc))) : 0);
  std::vector<InRun> joined;
  for (const InRun& r : runs) {
    if (!joined.empty()) {
      InRun& p = joined.back();
      bool dropped = r.first - p.last - 1 <= dropout && !p.leaves && !r.enters;
      for (size_t c = p.last + 1; dropped && c < r.first; ++c) dropped = w.Silent(c);
      if (dropped) {
        p.last = r.last, p.leaves = r.leaves, p.open_end = r.open_end;
        continue;
      }
    }
    joined.push_back(r);
  }
  return joined;
}

// The longest stretch of a run's columns where the in side has signal and `out_state` holds for
// the out side.
template <typename OutState>
size_t LongestStretch(const WrapSeries& w, const InRun& r, OutState out_state) {
  size_t stretch = 0, longest = 0;
  for (size_t c = r.first; c <= r.last; ++c) {
    stretch = w.InFlow(c) && out_state(w.Out(c)) ? stretch + 1 : 0;
    longest = std::max(longest, stretch);
  }
  return longest;
}

// The wrapped flow has left its own side entirely: nothing at all there.
bool LeftWhole(const SideRuns& out) { return !HasAnyFlow(out); }

// Only the part below the limit is left on its own side: a band at the scale edge, no region
// grown from the baseline.
bool LeftInPart(const SideRuns& out) { return out.edge < 0 && TouchesScaleEdge(out); }

// Whether the in side shows nothing in the kBandGapColumns + 1 columns before a run: a wrap
// appears from nothing; the in side's own flow, or a mirror of the out side's, grows from the
// baseline first.
bool AppearsFromNothing(const WrapSeries& w, const InRun& r) {
  if (r.first == 0) return false;
  for (size_t c = r.first > kBandGapColumns + 1 ? r.first - kBandGapColumns - 1 : 0; c < r.first;
       ++c) {
    if (ColumnMasked(w.s, c) || HasAnyFlow(w.In(c))) return false;
  }
  return true;
}

struct WrapEpisode {
  size_t begin = 0, end = 0;  // [begin, end)
  bool whole = false;         // the wrapped flow left its own side entirely for a while
};

// Wrap episodes of one direction: an in-side run that enters as a wrap does, leaves as one does
// (or is cut by the clip's end), lasts >= kMinBandS, and holds a stretch of >= kMinBandS where
// - the wrapped flow has left its own side entirely (`whole`): then neither a mirror image (it
//   needs its original), an artefact at the edge (an ECG drawn along it touches the edge all the
//   time), nor the in side's own flow (it starts from zero at its baseline) can be what the in
//   side shows (the power test in HandleWrapEpisodes adds that a mirror is much weaker); or
// - only a band at the scale edge is left on its own side (a band wrapped in part), and the run
//   appears from nothing: the in side's own flow and a mirror grow from the baseline first.
// A clip that begins inside a wrap is not read (nothing before the run shows the flow reach its
// edge). Each condition was measured (docs/algorithms.md, "Wrap episodes").
std::vector<WrapEpisode> WrapEpisodes(const WrapSeries& w, const std::vector<char>& both_edges) {
  const size_t min_columns = MinBandColumns(w.s.seconds_per_column);
  std::vector<WrapEpisode> episodes;
  for (const InRun& r : JoinDropouts(w, InRuns(w, both_edges))) {
    if (!r.enters || !(r.leaves || r.open_end) || r.last + 1 - r.first < min_columns) continue;
    const bool whole = LongestStretch(w, r, LeftWhole) >= min_columns;
    if (whole || (AppearsFromNothing(w, r) && LongestStretch(w, r, LeftInPart) >= min_columns)) {
      episodes.push_back({r.first, r.last + 1, whole});
    }
  }
  return episodes;
}

// A side's mean signal power per column over columns [first, end), in noise units (NaN when none
// of them has a finite power): Envelope::power_* is the mean per row in noise units over the
// side's `rows` (Moments' rows, without the baseline's guard rows), so each row of noise adds 1 (a
// large side's noise would outweigh a small side's flow).
double MeanSignalPower(const Envelope& env, size_t first, size_t end, bool up, int rows) {
  double sum = 0;
  size_t n = 0;
  for (size_t c = first; c < end; ++c) {
    const float p = up ? env.power_forward[c] : env.power_reverse[c];
    if (!std::isfinite(p)) continue;
    sum += std::max(0.0, (p - 1.0) * rows);
    ++n;
  }
  return n > 0 ? sum / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

// The in side's own flow beside a wrap in one column (cm/s, 0 for none): its baseline region
// when that is apart from the wrap, as MarkAliased keeps it; a region the wrap joined over the
// dark interior was the wrap.
double OwnFlowBesideWrap(const Spectrogram& s, const SideRuns& in, bool upward) {
  const bool joined = in.outermost_inner >= 0 && in.baseline_run_outer >= 0 &&
                      in.baseline_run_outer <= in.outermost_inner;
  const bool one_region = in.edge_run_end >= 0 && in.baseline_run_outer <= in.edge_run_end + 1;
  if (in.edge < 0 || joined || one_region) return 0.0;
  return InSideSpeed(s, in.edge, upward);
}

// Marks a wrap episode's columns aliased: the flow leaving through the `upward` side's edge takes
// the unwrapped velocity of the wrap's innermost signal; where the wrap has faded (no off-baseline
// signal in the column) it keeps the last one (the scale's limit before any). Columns another
// reading has already marked aliased (HandleAliasing, the other direction) are left as read.
void MarkWrapEpisode(const Spectrogram& s, const EnvelopeOptions& o, Estimates& e,
                     const WrapEpisode& ep, bool upward) {
  const Geometry g = SideGeometry(s);
  Envelope& env = e.env;
  std::vector<float>& out_v = upward ? env.max_forward : env.max_reverse;
  std::vector<float>& in_v = upward ? env.max_reverse : env.max_forward;
  double magnitude = upward ? env.positive_limit : -env.negative_limit;
  for (size_t c = ep.begin; c < ep.end; ++c) {
    if (env.flags[c] & kColumnAliased) continue;
    env.flags[c] |= kColumnAliased;
    env.aliased = true;
    if (!o.unwrap_aliasing) continue;
    env.flags[c] |= kColumnUnwrapped;
    const SideRuns& in = upward ? e.sides[c].down : e.sides[c].up;
    if (HasOffBaselineFlow(in)) {
      magnitude = std::min(g.span, UnwrappedSpeed(s, g, WrapInnerIndex(in), upward));
    }
    out_v[c] = static_cast<float>(std::max<double>(out_v[c], magnitude));
    in_v[c] = static_cast<float>(OwnFlowBesideWrap(s, in, upward));
  }
}

// A wrap takes its source's power with it (the same scatterers): over a whole wrap's episode the
// in side carries at least this share of the out side's signal power (-6 dB). Where the out side
// keeps most of the power over the run, the in side's signal is a weaker copy or a spill (without
// the test, stress seed 1 lost a clip). Comparing instead with the out side's power just before
// the episode (where the flow approached its edge) caught a wall thump there: -2 clips (stop 30).
constexpr double kWrapMinPowerShare = 0.25;

// Rows of each side in Moments' power means (the baseline's guard rows left out).
std::pair<int, int> PowerRows(const Spectrogram& s) {
  int up = 0, down = 0;
  const double baseline = s.BaselineRow();
  for (int r = 0; r < s.Rows(); ++r) {
    up += r < baseline - detail::kBaselineGuardRows ? 1 : 0;
    down += r > baseline + detail::kBaselineGuardRows ? 1 : 0;
  }
  return {up, down};
}

// Whether a whole wrap carries its share of the power over its episode (kWrapMinPowerShare); not
// weighed without a power on either side (a side without rows). A wrap in part carries only the
// spectrum's part beyond the limit (a ninth-renderer reflux's wrap held 1/4 of the power) and is
// never weighed.
bool CarriesItsSourcesPower(const Spectrogram& s, const Envelope& env, const WrapEpisode& ep,
                            bool upward) {
  if (!ep.whole) return true;
  const auto [up_rows, down_rows] = PowerRows(s);
  const double in = MeanSignalPower(env, ep.begin, ep.end, !upward, upward ? down_rows : up_rows);
  const double out = MeanSignalPower(env, ep.begin, ep.end, upward, upward ? up_rows : down_rows);
  return !std::isfinite(in) || !std::isfinite(out) || in >= kWrapMinPowerShare * out;
}

void HandleWrapEpisodes(const Spectrogram& s, const EnvelopeOptions& o, Estimates& e) {
  const std::vector<char> both_edges = BothEdgesColumns(s, e);
  for (const bool upward : {true, false}) {
    for (const WrapEpisode& ep : WrapEpisodes(WrapSeries{s, e, upward}, both_edges)) {
      if (CarriesItsSourcesPower(s, e.env, ep, upward)) MarkWrapEpisode(s, o, e, ep, upward);
    }
  }
}

// Fills the gaps between alias candidates (`cand`, AliasCandidates) whose every column still has
// signal at both scale edges: the out side's touching its edge and a region entering the in
// side from its edge apart from its baseline region. Such a column alone is ambiguous (a side
// filled from a wide wall notch to its edge reads as the other side's wrap as well as its own
// flow, so neither side's region joins its baseline); between two stretches of the same wrap
// it is that wrap (a twelfth independent renderer: an aliased 10 cm/s reflux on a 5 cm/s side
// read as candidates in five pieces, the first one alone unwrapped and read as a 44 ms reflux).
void BridgeAliasGaps(const Spectrogram& s, const Estimates& e, bool upward,
                     std::vector<double>& cand) {
  const Geometry g = SideGeometry(s);
  const auto bridged = [&](size_t k) {
    const SideRuns& out = upward ? e.sides[k].up : e.sides[k].down;
    const SideRuns& in = upward ? e.sides[k].down : e.sides[k].up;
    const double speed = ReEntrySpeed(s, in, upward, g);
    // A column the other direction already unwrapped keeps that reading.
    const bool read = (e.env.flags[k] & (kColumnMasked | kColumnAliased)) != 0;
    return read || !TouchesScaleEdge(out) ? -1.0 : speed;
  };
  std::optional<size_t> last;  // the last candidate column so far
  for (size_t c = 0; c < cand.size(); ++c) {
    if (cand[c] < 0) continue;
    if (last && c > *last + 1) {
      std::vector<double> gap;
      for (size_t k = *last + 1; k < c; ++k) gap.push_back(bridged(k));
      if (std::ranges::all_of(gap, [](double v) { return v >= 0; })) {
        std::ranges::copy(gap, cand.begin() + static_cast<long>(*last + 1));
      }
    }
    last = c;
  }
}

// Whether column `c` shows nothing on either side.
bool SilentColumn(const Estimates& e, size_t c) {
  return !HasAnyFlow(e.sides[c].up) && !HasAnyFlow(e.sides[c].down);
}

// Aliasing: a run of >= kMinAliasColumns columns whose signal leaves through one scale edge and
// re-enters, detached from the baseline, from the other (gaps bridged: BridgeAliasGaps),
// continuing a column that was near that limit, or the start of the data, or a column silent on
// both sides. Flow cannot jump past the limit within one column, and a speck cannot form such a
// run, so isolated candidates are not aliasing. Out of silence it can: a fast-rising reflux whose
// first windowed column already holds its spectrum past a small scale (a twelfth independent
// renderer: a 13 cm/s reflux on a 7.2 cm/s side rose from nothing to the limit, and wrapped, in
// one 5 ms column; read as a 186 ms reflux at the limit, `no_reflux`, for the truth's
// `indeterminate, aliased`), and nothing before it to be continuous with.
void HandleAliasing(const Spectrogram& s, const EnvelopeOptions& o, Estimates& e) {
  for (bool upward : {true, false}) {
    std::vector<double> cand = AliasCandidates(s, e, upward);
    BridgeAliasGaps(s, e, upward, cand);
    const double limit = upward ? e.env.positive_limit : -e.env.negative_limit;
    const std::vector<float>& same = upward ? e.env.max_forward : e.env.max_reverse;
    for (size_t a = 0; a < cand.size();) {
      if (cand[a] < 0) {
        ++a;
        continue;
      }
      size_t b = a;
      while (b + 1 < cand.size() && cand[b + 1] >= 0) ++b;
      const bool continuous = a == 0 || (e.env.flags[a - 1] & kColumnMasked) ||
                              same[a - 1] >= kAliasContinuity * limit || SilentColumn(e, a - 1);
      if (continuous && b - a + 1 >= kMinAliasColumns) {
        for (size_t c = a; c <= b; ++c) MarkAliased(s, o, e, c, upward, cand[c]);
      }
      a = b + 1;
    }
  }
}

// Running median over kMedianColumns: a single-column outlier (a bright speck joined to the
// region, a JPEG block) is rejected, while a step (onset) stays where it is. NaNs pass through.
// Without a negative zero in `x` (NaNs are skipped), equal floats have equal bits, so the median
// of a window's one to three values is that of a min/max expression: the same value as
// nth_element's, without a window copy per column.
bool HasNegativeZero(const std::vector<float>& x) {
  bool found = false;  // branch-free: vectorizes
  for (const float v : x) found |= (v == 0.0f) & std::signbit(v);
  return found;
}

std::vector<float> MedianFilterColumns(const std::vector<float>& x) {
  static_assert(kMedianColumns == 3, "the fast path below is for windows of three");
  std::vector<float> out = x;
  const long n = static_cast<long>(x.size()), h = kMedianColumns / 2;
  if (!HasNegativeZero(x)) {
    for (long i = 0; i < n; ++i) {
      const float v = x[static_cast<size_t>(i)];
      if (std::isnan(v)) continue;
      const float left = i > 0 ? x[static_cast<size_t>(i - 1)] : NAN;
      const float right = i + 1 < n ? x[static_cast<size_t>(i + 1)] : NAN;
      const bool l = !std::isnan(left), r = !std::isnan(right);
      // The (count / 2)-th smallest of the window's values: of two, the larger.
      if (l && r) {
        out[static_cast<size_t>(i)] =
            std::max(std::min(left, v), std::min(std::max(left, v), right));
      } else if (l || r) {
        out[static_cast<size_t>(i)] = std::max(v, l ? left : right);
      }
    }
    return out;
  }
  std::vector<float> w;  // the window's values, in column order (one buffer for all columns)
  for (long i = 0; i < n; ++i) {
    if (std::isnan(x[static_cast<size_t>(i)])) continue;
    w.clear();
    for (long k = std::max(0L, i - h); k <= std::min(n - 1, i + h); ++k) {
      if (!std::isnan(x[static_cast<size_t>(k)])) w.push_back(x[static_cast<size_t>(k)]);
    }
    std::nth_element(w.begin(), w.begin() + static_cast<long>(w.size() / 2), w.end());
    out[static_cast<size_t>(i)] = w[w.size() / 2];
  }
  return out;
}

void SmoothEnvelope(const Spectrogram& s, const EnvelopeOptions& o, Envelope& env) {
  if (o.smoothing_cutoff_hz < 0 || !(s.seconds_per_column > 0)) return;
  env.max_forward = MedianFilterColumns(env.max_forward);
  env.max_reverse = MedianFilterColumns(env.max_reverse);
  const double rate = 1.0 / s.seconds_per_column;
  const double cutoff =
      o.smoothing_cutoff_hz > 0 ? o.smoothing_cutoff_hz : kAutoCutoffCyclesPerColumn * rate;
  env.max_forward = SmoothZeroPhase(env.max_forward, cutoff, rate);
  env.max_reverse = SmoothZeroPhase(env.max_reverse, cutoff, rate);
  env.mean = SmoothZeroPhase(env.mean, cutoff, rate);
  for (auto* v : {&env.max_forward, &env.max_reverse}) {
    for (float& x : *v) x = std::isnan(x) ? x : std::max(0.0f, x);
  }
}

// The strongest stretch of `window` consecutive columns: the largest median column SNR over
// sliding windows (the whole series when it is shorter). A median, so scattered strong columns
// (probe thumps, specks) do not make a stretch strong.
double StrongestStretchSnrDb(const std::vector<float>& snr_db, size_t window) {
  window = std::clamp<size_t>(window, 1, snr_db.size());
  std::vector<float> w(window);
  double best = -std::numeric_limits<double>::infinity();
  for (size_t first = 0; first + window <= snr_db.size(); ++first) {
    std::copy_n(snr_db.begin() + static_cast<long>(first), window, w.begin());
    std::nth_element(w.begin(), w.begin() + static_cast<long>(window / 2), w.end());
    best = std::max(best, static_cast<double>(w[window / 2]));
  }
  return best;
}

void Summarize(const Spectrogram& s, Estimates& e) {
  Envelope& env = e.env;
  std::vector<float> quiet, other_side, snr;
  size_t valid = 0, saturated = 0;
  for (size_t c = 0; c < env.Size(); ++c) {
    if (env.flags[c] & kColumnMasked) continue;
    ++valid;
    saturated += (env.flags[c] & kColumnSaturated) ? 1 : 0;
    quiet.push_back(std::max(env.max_forward[c], env.max_reverse[c]));
    other_side.push_back(std::min(env.max_forward[c], env.max_reverse[c]));
    snr.push_back(static_cast<float>(e.snr_db[c]));
  }
  if (valid == 0) {
    env.warnings.push_back("no valid spectrum column");
    env.weak_signal = true;
    return;
  }
  auto pct = [](std::vector<float> v, double q) {
    const size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return static_cast<double>(v[k]);
  };
  // Smallest velocity told apart from wall/noise: the envelope in the quietest columns, or, when
  // flow fills most of the clip (phasic flow, a long reflux: the quietest fifth of the columns
  // is flow), the envelope of the side without flow (venous flow goes one way at a time;
  // kOtherSidePercentile). The lower of the two: on noise-only columns that is the first (the
  // smaller side's upper tail lies above the larger side's lower fifth), so quiet clips keep it.
  env.noise_velocity = std::max(s.velocity_step_per_row,
                                std::min(pct(quiet, 0.2), pct(other_side, kOtherSidePercentile)));
  // Weak when most columns are (the 90th percentile) and so is the strongest kStrongFlowS stretch
  // of the clip (its median): a strong squeeze filling under a tenth of a quiet clip is no weak
  // signal (a 34 dB squeeze in 9% of a silent vein's columns read weak_signal).
  const double spc = s.seconds_per_column;  // guarded: a fuzzed strip may carry 0 or NaN
  const size_t stretch =
      spc > 0 ? static_cast<size_t>(std::min(1e6, std::ceil(kStrongFlowS / spc))) : 1;
  env.weak_signal =
      pct(snr, 0.9) < e.weak_below_db && StrongestStretchSnrDb(snr, stretch) < e.weak_below_db;
  env.saturated = saturated > valid / 20;
  if (env.weak_signal) env.warnings.push_back("weak signal: spectrum barely above the noise floor");
  if (env.saturated) env.warnings.push_back("saturated spectrum in many columns (gain too high)");
  if (env.aliased) env.warnings.push_back("aliasing detected (velocity scale too small)");
}

Envelope EmptyEnvelope(const Spectrogram& s) {
  Envelope env;
  const auto n = static_cast<size_t>(s.Columns());
  env.t0_s = s.t0_s;
  env.seconds_per_column = s.seconds_per_column;
  env.unit = s.unit;
  env.max_forward.assign(n, 0), env.max_reverse.assign(n, 0), env.mean.assign(n, 0);
  env.confidence.assign(n, 0), env.flags.assign(n, 0);
  env.power_forward.assign(n, 0), env.power_reverse.assign(n, 0);
  env.positive_limit = s.velocity_top;
  env.negative_limit = s.VelocityBottom();
  env.velocity_resolution = s.velocity_step_per_row;
  return env;
}

}  // namespace

Result<Envelope> EstimateEnvelope(const Spectrogram& spectrogram, const EnvelopeOptions& options) {
  const Spectrogram& s = spectrogram;
  if (s.intensity.empty() || s.Rows() < 4) {
    return Fail(ErrorCode::kInvalidInput, "empty spectrogram");
  }
  if (!(s.velocity_step_per_row > 0) || !(s.dynamic_range_db > 0) ||
      (!s.column_valid.empty() && s.column_valid.size() != static_cast<size_t>(s.Columns())) ||
      (!s.valid.empty() && s.valid.size() != s.intensity.size())) {
    return Fail(ErrorCode::kInvalidInput, "spectrogram axes or masks inconsistent");
  }
  return detail::Guarded("envelope", [&]() -> Result<Envelope> {
    Estimates e{EmptyEnvelope(s), std::vector<ColumnSides>(static_cast<size_t>(s.Columns())),
                std::vector<double>(static_cast<size_t>(s.Columns()), 0.0)};
    thread_local detail::PreparedSpectrum prep;  // its buffers serve every strip of this worker
    detail::PrepareSpectrum(s, prep);
    const detail::NoiseEstimate noise =
        detail::EstimateNoise(prep, s.column_valid, s.BaselineRow(), s.dynamic_range_db);
    e.env.noise_floor = noise.level;
    EstimateColumns(s, prep, noise, options, e);
    HandleAliasing(s, options, e);
    HandleWrapEpisodes(s, options, e);
    SmoothEnvelope(s, options, e.env);
    detail::MeasureSideTextures(s, noise, e.env);
    Summarize(s, e);
    return std::move(e.env);
  });
}

}  // namespace refluxscan::spectral
