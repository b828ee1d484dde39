// Gain steps in a display strip: the operator turns the Doppler gain while the strip is drawn.
// The log-compressed display then shifts every later column by the same amount, noise floor and
// flow alike (a gain in dB is an offset in a log map). The envelope's noise model is one level
// for the whole strip, so the brighter part read its own noise as flow (a twelfth independent
// renderer's gain steps of 5-12 dB: 14 of 24 such clips right). LevelGainSteps finds such steps
// in the noise floor and darkens the brighter part by the step, so the strip reads as if drawn at
// one gain (docs/algorithms.md, "Gain steps").
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "columns.h"
#include "strip_internal.h"

namespace refluxscan::spectral::detail {
namespace {

// Rows at least this share of the strip's height (and kMinFarRowsAway) from the baseline hold
// no wall-filter notch and, on the side without flow, only noise.
constexpr double kFarShare = 0.1;
constexpr int kMinFarRowsAway = 5;
constexpr int kMinFarPixels = 8;  // per side and column, else the side is unknown there

constexpr double kFloorPercentile = 0.5;  // of a side's far pixels: noise unless flow fills half
// A floor whose median sits near black (under kUnclippedFloor) is clipped there: a display's
// reject level blackens most of a low gain's noise, so the median no longer moves with the gain.
// Its upper tail still does: the step is measured at the lowest of kTailPercentiles at which the
// darker part's floor clears kUnclippedFloor (the highest one when none does).
constexpr std::array<double, 4> kTailPercentiles = {0.75, 0.9, 0.95, 0.99};
constexpr float kUnclippedFloor = 0.04f;
constexpr double kStepWindowS = 0.5;  // the floor compared over this long on each side
// A gain step holds: the floor is known this long on each side of it within the part of the strip
// searched (an aliased burst filling both sides for 0.6 s up to an erase bar is no gain step).
constexpr double kMinLevelS = 1.0;
// A step must be at least this large in display units (2 dB on a 40 dB map) and this many robust
// sigmas of the floor series' own column-to-column scatter: respiration and speckle move the
// floor by a few hundredths, a gain step of 5 dB on a 60 dB map by 0.08.
constexpr double kMinStep = 0.05;
constexpr double kStepSigmas = 6.0;
// Both sides of the baseline step together (a gain acts on the whole column; flow on one side at
// a time): their steps agree in sign and within a factor of 1 / kSideAgreement.
constexpr double kSideAgreement = 0.5;
// The step persists: the floor after it (to the next step or the end) sits at least this share
// of the step above the floor before it (a squeeze or a reflux comes and goes), each part's floor
// read as a low percentile of its series (flow only raises a side's floor: a 2 s reflux filling
// half of what follows a gain step must not hide the step).
constexpr double kPersistShare = 0.5;
constexpr double kPersistPercentile = 0.25;
// The gain acts on every later column at once: both sides' floors jump within kSharpS of the
// step (a display column, or an STFT window when the gain acts on the signal), by at least
// kSharpShare of their steps. An aliased reflux filling one side and, as it wraps, the other one
// 50 columns later to the end of the clip passed every test above (a tenth independent
// renderer's clutter set).
constexpr double kSharpS = 0.04;
constexpr int kMinSharpColumns = 3;
constexpr double kSharpShare = 0.5;
constexpr int kMaxSteps = 3;
constexpr float kClippedLevel = 0.995f;  // the envelope's saturated level (kSaturatedLevel)
// The search steps this many columns at a time (SharpestColumn then finds the step's column:
// the window medians change slowly with the column).
constexpr size_t kSearchStride = 4;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// The q-quantile of the finite values of v[begin, end) (NaN when there are none), by counting
// (SelectKthByCounting) over a per-thread buffer: the step search takes thousands of them.
double RangePercentile(std::span<const float> v, size_t begin, size_t end, double q) {
  thread_local std::vector<float> values, scratch;
  values.clear();
  for (size_t i = begin; i < end; ++i) {
    if (!std::isnan(v[i])) values.push_back(v[i]);
  }
  if (values.empty()) return std::nan("");
  const auto rank = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  return SelectKthByCounting(values.data(), values.size(), rank, scratch);
}

double PercentileOf(std::span<const float> v, double q) {
  return RangePercentile(v, 0, v.size(), q);
}

double MedianOf(std::span<const float> v) { return PercentileOf(v, 0.5); }

double RangeMedian(std::span<const float> v, size_t begin, size_t end) {
  return RangePercentile(v, begin, end, 0.5);
}

// The q-quantile of the valid pixels of rows [row0, row1) of column `col` of the transposed strip
// (one column per row: contiguous); NaN when fewer than kMinFarPixels.
float SideFloor(const cv::Mat1f& intensity_t, const cv::Mat1b& valid_t, int col, int row0, int row1,
                double q, std::vector<float>& buffer) {
  buffer.clear();
  const float* level = intensity_t[col];
  const uchar* valid = valid_t.empty() ? nullptr : valid_t[col];
  for (int r = std::max(row0, 0); r < std::min(row1, intensity_t.cols); ++r) {
    if (valid == nullptr || valid[r] != 0) buffer.push_back(level[r]);
  }
  if (buffer.size() < static_cast<size_t>(kMinFarPixels)) return kNaN;
  return static_cast<float>(PercentileOf(buffer, q));
}

struct Floors {
  std::vector<float> up, down;  // per column, NaN where unknown or the column is invalid
};

// Each side's q-quantile floor of the columns [begin, end) (NaN elsewhere, where unknown, or in
// an invalid column).
Floors FloorSeries(const Spectrogram& s, double q, size_t begin, size_t end) {
  const double base = s.BaselineRow();
  const int away = std::max(kMinFarRowsAway, static_cast<int>(kFarShare * s.Rows()));
  const int up_end = static_cast<int>(std::floor(base)) - away;
  const int down_begin = static_cast<int>(std::ceil(base)) + away + 1;
  const std::vector<float> unknown(static_cast<size_t>(s.Columns()), kNaN);
  Floors f{unknown, unknown};
  end = std::min(end, static_cast<size_t>(s.Columns()));
  if (begin >= end) return f;
  const cv::Range columns(static_cast<int>(begin), static_cast<int>(end));
  cv::Mat1f intensity_t;
  cv::Mat1b valid_t;
  // A column per row: the column walks are contiguous.
  cv::transpose(s.intensity.colRange(columns), intensity_t);
  if (!s.valid.empty()) cv::transpose(s.valid.colRange(columns), valid_t);
  std::vector<float> buffer;
  for (size_t c = begin; c < end; ++c) {
    if (!s.column_valid.empty() && s.column_valid[c] == 0) continue;
    const auto row = static_cast<int>(c - begin);
    f.up[c] = SideFloor(intensity_t, valid_t, row, 0, up_end, q, buffer);
    f.down[c] = SideFloor(intensity_t, valid_t, row, down_begin, s.Rows(), q, buffer);
  }
  return f;
}

// Whether the series spreads over at least `step`: a step held for `hold` columns on each side
// puts that many columns at each level, so the series' quantiles at hold / 2 columns from either
// end lie on the two levels. Most strips have a flat floor on at least one side and stop here
// (the step search costs a few ms per strip).
bool Spread(const std::vector<float>& v, size_t hold, double step) {
  const auto known = static_cast<size_t>(
      std::count_if(v.begin(), v.end(), [](float x) { return !std::isnan(x); }));
  if (known < 2 * hold || hold == 0) return false;
  const double q = 0.5 * static_cast<double>(hold) / static_cast<double>(known);
  return PercentileOf(v, 1 - q) - PercentileOf(v, q) >= step;  // PercentileOf skips the NaNs
}

// Robust sigma of the series' scatter: of its differences `lag` columns apart (beyond the STFT
// window's correlation of neighbouring columns), divided by sqrt 2. One median over the series (a
// running median per column cost more than the rest of the strip's reading).
double Scatter(const std::vector<float>& v, size_t lag) {
  std::vector<float> differences;
  for (size_t c = 0; c + lag < v.size(); ++c) {
    if (!std::isnan(v[c]) && !std::isnan(v[c + lag]))
      differences.push_back(std::abs(v[c + lag] - v[c]));
  }
  return 1.4826 * MedianOf(differences) / std::numbers::sqrt2;
}

struct Step {
  size_t column = 0;  // first column after the step
  double size = 0;    // floor after minus floor before (display units)
};

// The side's floor change at column k: median over the window after minus the window before.
double StepAt(const std::vector<float>& v, size_t k, size_t window) {
  if (k < window || k + window > v.size()) return std::nan("");
  return RangeMedian(v, k, k + window) - RangeMedian(v, k - window, k);
}

bool Persists(const std::vector<float>& v, size_t begin, size_t k, size_t end, double step) {
  const double change = RangePercentile(v, k, end, kPersistPercentile) -
                        RangePercentile(v, begin, k, kPersistPercentile);
  return std::isfinite(change) && change * step > 0 &&
         std::abs(change) >= kPersistShare * std::abs(step);
}

// The side's floor change at column k over `n` columns on each side.
double LocalJump(const std::vector<float>& v, size_t k, size_t n) {
  if (k < n || k + n > v.size()) return std::nan("");
  return RangeMedian(v, k, k + n) - RangeMedian(v, k - n, k);
}

bool Sharp(const std::vector<float>& v, size_t k, size_t n, double step) {
  const double jump = LocalJump(v, k, n);
  return std::isfinite(jump) && jump * step > 0 && std::abs(jump) >= kSharpShare * std::abs(step);
}

// Where within `window` of column k both sides' floors jump most in the step's direction over
// `n` columns (the smaller side's jump: a gain moves both; the window medians rise over a plateau
// of columns around a step, and a squeeze's spike moves one side only).
size_t SharpestColumn(const Floors& f, const Step& step, size_t begin, size_t end, size_t window,
                      size_t n) {
  const double sign = step.size > 0 ? 1.0 : -1.0;
  size_t best = step.column;
  double best_jump = -std::numeric_limits<double>::infinity();
  // Columns where the windows of StepAt fit (the tests at the column found use them).
  const size_t lo = std::max(begin + window, step.column > window ? step.column - window : 0);
  const size_t hi = std::min(end >= window ? end - window : 0, step.column + window);
  for (size_t c = lo; c <= hi; ++c) {
    const double up = sign * LocalJump(f.up, c, n), down = sign * LocalJump(f.down, c, n);
    if (std::isnan(up) || std::isnan(down)) continue;  // both sides must jump
    if (std::min(up, down) > best_jump) best = c, best_jump = std::min(up, down);
  }
  return best;
}

// The largest step of the strip's floor in columns [begin, end) that both sides show, or none.
std::optional<Step> FindStep(const Floors& f, size_t begin, size_t end, size_t window,
                             size_t min_hold, double min_step) {
  // known[c]: columns before c whose floor both sides know
  std::vector<size_t> known(f.up.size() + 1, 0);
  for (size_t c = 0; c < f.up.size(); ++c) {
    known[c + 1] = known[c] + (!std::isnan(f.up[c]) && !std::isnan(f.down[c]) ? 1 : 0);
  }
  const size_t hold = std::max(window, min_hold);
  const size_t sharp = std::max<size_t>(kMinSharpColumns, window * kSharpS / kStepWindowS);
  std::optional<Step> best;
  for (size_t k = begin + window; k + window <= end; k += kSearchStride) {
    if (known[k] - known[begin] < hold || known[end] - known[k] < hold) continue;
    const double up = StepAt(f.up, k, window), down = StepAt(f.down, k, window);
    if (!std::isfinite(up) || !std::isfinite(down) || up * down <= 0) continue;
    const double small = std::min(std::abs(up), std::abs(down));
    const double large = std::max(std::abs(up), std::abs(down));
    if (small < min_step || small < kSideAgreement * large) continue;
    const double size = 0.5 * (up + down);
    if (!best || std::abs(size) > std::abs(best->size)) best = Step{k, size};
  }
  if (best) best->column = SharpestColumn(f, *best, begin, end, window, sharp);
  if (!best || !Sharp(f.up, best->column, sharp, StepAt(f.up, best->column, window)) ||
      !Sharp(f.down, best->column, sharp, StepAt(f.down, best->column, window)) ||
      !Persists(f.up, begin, best->column, end, StepAt(f.up, best->column, window)) ||
      !Persists(f.down, begin, best->column, end, StepAt(f.down, best->column, window))) {
    return std::nullopt;
  }
  return best;
}

// Darkens columns [begin, end) of the strip and its floor series by `amount` (clamped at 0): all
// of the strip on the step's brighter side, so steps found earlier keep their levelling.
// Pixels at the display's top (kClippedLevel) keep it: clipped, they say only that the signal was
// at least that bright, and the envelope reads them as saturated (gain too high). Unknown floors
// stay unknown (a NaN clamped to 0 would read as a black floor and make steps at an erase bar).
void Darken(Spectrogram& s, Floors& f, size_t begin, size_t end, float amount) {
  for (int r = 0; r < s.Rows(); ++r) {
    float* row = s.intensity[r];
    for (size_t c = begin; c < end; ++c) {
      if (row[c] < kClippedLevel) row[c] = std::max(0.0f, row[c] - amount);
    }
  }
  const auto darken = [&](std::vector<float>& v) {
    for (size_t c = begin; c < end; ++c) {
      if (!std::isnan(v[c])) v[c] = std::max(0.0f, v[c] - amount);
    }
  };
  darken(f.up), darken(f.down);
}

// The step's size measured where the darker part's floor is not clipped at black: the medians'
// change, unless the darker part's median floor (the larger of both sides', over the window) sits
// under kUnclippedFloor; then the change at the lowest of kTailPercentiles at which it clears
// that level (the highest when none does), when both sides agree on its direction (a twelfth
// independent renderer's 10 dB step onto a floor its reject level blackened: medians 0.13 -> 0,
// 95th percentiles 0.32 -> 0.05; levelled by 0.14, the brighter part's noise still read as flow
// at full scale, and its squeeze was lost).
double UnclippedSize(const Spectrogram& s, const Floors& f, const Step& step, size_t window) {
  const size_t k = step.column;
  if (k < window || k + window > f.up.size()) return step.size;
  const size_t dark_begin = step.size > 0 ? k - window : k;
  const auto dark_floor = [&](const Floors& floors) {
    return std::max(RangeMedian(floors.up, dark_begin, dark_begin + window),
                    RangeMedian(floors.down, dark_begin, dark_begin + window));
  };
  if (!(dark_floor(f) < kUnclippedFloor)) return step.size;
  for (size_t q = 0; q < kTailPercentiles.size(); ++q) {
    // The strip as levelled so far: the tails of only the two windows, read when needed.
    const Floors tail = FloorSeries(s, kTailPercentiles[q], k - window, k + window);
    if (q + 1 < kTailPercentiles.size() && !(dark_floor(tail) >= kUnclippedFloor)) continue;
    const double up = StepAt(tail.up, k, window), down = StepAt(tail.down, k, window);
    const double size = 0.5 * (up + down);
    if (!std::isfinite(size) || up * down <= 0 || size * step.size <= 0) return step.size;
    return std::abs(size) > std::abs(step.size) ? size : step.size;
  }
  return step.size;
}

std::string StepNote(const Spectrogram& s, const Step& step) {
  char text[120];
  std::snprintf(text, sizeof text, "gain step at %.2f s (%+.2f of the display range) levelled",
                s.TimeOfColumn(static_cast<double>(step.column)), step.size);
  return text;
}

}  // namespace

void LevelGainSteps(Spectrogram& s) {
  if (s.Columns() < 4 || s.Rows() < 4 || !(s.seconds_per_column > 0)) return;
  const auto window = static_cast<size_t>(std::max(5.0, kStepWindowS / s.seconds_per_column));
  const auto columns = static_cast<size_t>(s.Columns());
  const auto hold = static_cast<size_t>(kMinLevelS / s.seconds_per_column);
  if (columns < 2 * window) return;
  Floors f = FloorSeries(s, kFloorPercentile, 0, columns);
  if (!Spread(f.up, hold, kMinStep) || !Spread(f.down, hold, kMinStep)) return;
  const double scatter_up = Scatter(f.up, window / 4), scatter_down = Scatter(f.down, window / 4);
  if (std::isnan(scatter_up) || std::isnan(scatter_down)) return;
  const double scatter = std::max(scatter_up, scatter_down);
  if (!std::isfinite(scatter)) return;
  const double min_step = std::max(kMinStep, kStepSigmas * scatter);
  std::vector<size_t> cuts{0, columns};  // the strip's parts between the steps found so far
  for (int n = 0; n < kMaxSteps; ++n) {
    std::optional<Step> best;
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      const auto step = FindStep(f, cuts[i], cuts[i + 1], window, hold, min_step);
      if (step && (!best || std::abs(step->size) > std::abs(best->size))) best = step;
    }
    if (!best) break;
    best->size = UnclippedSize(s, f, *best, window);
    // Darken the brighter side of the step (brightening would lift a floor clipped at black).
    if (best->size > 0) {
      Darken(s, f, best->column, columns, static_cast<float>(best->size));
    } else {
      Darken(s, f, 0, best->column, static_cast<float>(-best->size));
    }
    s.notes.push_back(StepNote(s, *best));
    cuts.insert(std::upper_bound(cuts.begin(), cuts.end(), best->column), best->column);
  }
}

}  // namespace refluxscan::spectral::detail
