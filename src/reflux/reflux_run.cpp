// Reflux measurement, reflux runs after a release and their onset, offset, peak and aliasing. The
// rules and their measurements: docs/criteria.md ("Measuring reflux time").
#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <vector>

#include "reflux/edge.h"
#include "reflux/stages.h"

namespace refluxscan::reflux::detail {

namespace {

// The run's median retrograde side power over its no-flow base; 1 (no evidence either way)
// without the power series or before the base is known (the first pass of RetrogradeNoise).
double RetrogradePowerRatio(const Trace& t, const Run& run) {
  if (t.retro_power.size() < run.end || !std::isfinite(t.retro_power_base)) return 1;
  return RangePercentile(t.retro_power, run.begin, run.end, 0.5) /
         std::max(t.retro_power_base, 1e-6);
}

// Whether the run is a near-zero flow's spectrum spread across the baseline rather than
// retrograde flow: the window's spectral spread puts a slow flow on both sides of the baseline,
// the antegrade side reading more, while reflux leaves the antegrade side only that spread. So
// a run whose retrograde median is below the antegrade one's is spread, not reflux (equal or
// faster is reflux). Measured on the 500-clip stress set (seed 1): classification 94.2% ->
// 95.8% (5 false refluxes after a release into slow antegrade flow gone), none lost; held-out
// seed 7: 94.4% -> 94.8%. A margin of one row in favour of spread (retrograde must exceed the
// antegrade side by more than a velocity step) measured worse: duration median 3.34 -> 3.53
// columns (seed 1), p95 29.8 -> 30.5 (seed 7), classification unchanged; so none.
// Nearly as fast (kSpreadExtentShare of the retrograde median) counts too when the antegrade side
// carries at least the retrograde side's power over the run: the retrograde reading is then the
// other side's spread, mirror or clutter (stop 27: sixth renderer US01565, a symmetric band 2.60
// against 2.56 cm/s at 1.2 against 1.6 noise units read as a 1.16 s reflux; of 1,787 measured
// runs on 15 sets, 9 had the antegrade side at least as powerful, none over a true reflux with
// the antegrade side that fast). Such runs also count for the retrograde noise level now
// (RetrogradeNoise leaves out only reflux runs). On 34 evaluation runs: 7 clips right, none
// wrong; durations within 0.15 columns (median) either way, one CW reflux with arterial
// crosstalk 76 columns shorter (still over its threshold).
bool SpreadAcrossTheBaseline(std::span<const float> retro, const Trace& t, const Run& run) {
  if (t.ante.size() < run.end) return false;
  const double retro_cm_s = RangePercentile(retro, run.begin, run.end, 0.5);
  const double ante_cm_s = RangePercentile(t.ante, run.begin, run.end, 0.5);
  if (retro_cm_s < ante_cm_s) return true;
  return LitAlikeAcross(retro, t.retro_power, t.ante, OtherSidePower(t, t.retro_power), run, 1.0);
}

// Whether the retrograde side is lit without flow: its no-flow base power is kStrongPowerRatio
// noise units or more. A band of tissue clutter residue by the baseline (a tenth independent
// renderer: 576 noise units, 27.6 dB) holds most of the side's power then, and a reflux
// beyond it adds too little to the side's mean to show (a 45 cm/s, 3.7 s reflux raised it
// 1.12 x and was not reported); the envelope must tell flow from the band there.
bool LitBase(const Trace& t) {
  return std::isfinite(t.retro_power_base) && t.retro_power_base >= kStrongPowerRatio;
}

// Whether the run is flow the envelope unwrapped well beyond the retrograde scale: most of its
// columns unwrapped (aliased flow brought back across the scale's edge) and its median at
// kClearWrapShare of the scale or more. A band filling a short side to its edge reads just
// beyond it, not that far.
bool ClearlyUnwrapped(std::span<const float> retro, const Trace& t, const Run& run) {
  if (!(t.retro_limit > 0)) return false;
  size_t unwrapped = 0;
  for (size_t i = run.begin; i < run.end; ++i) unwrapped += (t.flags[i] & kColumnUnwrapped) ? 1 : 0;
  return 2 * unwrapped > run.Length() &&
         RangePercentile(retro, run.begin, run.end, 0.5) >= kClearWrapShare * t.retro_limit;
}

bool IsRefluxEvidence(std::span<const float> retro, const Trace& t, const Run& run) {
  if (run.Length() < t.min_run) return false;
  // Flow brings its power into the retrograde side: over a run of real reflux the side's median
  // power is at least (1 + kMinPowerRise) x its no-flow base. Measured on a 500-clip stress set:
  // this drops 48 of the 109 retrograde runs that match no true reflux (speckle near the
  // baseline, a quiet flow's spill) and 1 of 269 that do. Without the power series or before
  // its base is known (the first pass of RetrogradeNoise) the ratio is 1 and every run passes.
  if (SpreadAcrossTheBaseline(retro, t, run)) return false;
  // A run the envelope unwrapped well beyond the scale is flow on its velocity alone: its power
  // lies on the other side's rows (the envelope moved its velocity, not its power), so the side's
  // power says nothing, and beside a loud artery the side's noise level can exceed it (a
  // generated artery clip's 3384 ms aliased reflux, asked to be 3 x that level, read no reflux).
  if (ClearlyUnwrapped(retro, t, run)) return true;
  const double power_ratio = RetrogradePowerRatio(t, run);
  double peak = 0;
  for (size_t i = run.begin; i < run.end; ++i) peak = std::max<double>(peak, retro[i]);
  // Clear velocity: a sustained run whose median reaches kRetroClearFactor x the noise level
  // needs only a small rise of the side's power (kClearPowerRise). The side power averages every
  // row of a side, so a narrow band of flow on a tall side dilutes it: a reflux 12-24 rows below
  // a wall filter's notch on a 189-row side (28 cm/s against a 1.2 cm/s noise level) raised it
  // by 1.23 x only (independent renderer, stop 20). A run bringing no power stays out.
  const bool clear =
      t.retro_noise_cm_s > 0 && run.Length() >= t.sustained &&
      RangePercentile(retro, run.begin, run.end, 0.5) >= kRetroClearFactor * t.retro_noise_cm_s;
  const double needed_rise = clear ? kClearPowerRise : kMinPowerRise;
  const bool fast = peak >= kRetroPeakFactor * t.retro_noise_cm_s;
  if (std::isfinite(t.retro_power_base) && power_ratio < 1 + needed_rise &&
      !(LitBase(t) && t.retro_noise_cm_s > 0 && fast && run.Length() >= t.sustained)) {
    return false;
  }
  if (fast) return true;
  // Overwhelming power: flow whatever its velocity reads (a slow reflux on a short retrograde
  // scale, where the noise envelope near the baseline is a large share of the side).
  if (power_ratio >= kStrongPowerRatio) return true;
  return run.Length() >= t.sustained && peak >= kRetroSustainedPeakFactor * t.retro_noise_cm_s;
}

}  // namespace

std::vector<Run> RefluxRuns(std::span<const float> retro, const Trace& t, size_t begin,
                            size_t end) {
  std::vector<Run> joined =
      JoinedRuns(RunsAbove(retro, kRetroDetectFactor * t.retro_noise_cm_s, begin, end), t.quiet);
  std::erase_if(joined, [&](const Run& run) { return !IsRefluxEvidence(retro, t, run); });
  return joined;
}

std::optional<Run> FindRefluxRun(std::span<const float> retro, const Trace& t, size_t begin,
                                 size_t end) {
  std::optional<Run> best;
  double best_area = 0;
  for (const Run& run : RefluxRuns(retro, t, begin, end)) {
    double area = 0;
    for (size_t i = run.begin; i < run.end; ++i) area += std::max(retro[i], 0.0f);
    if (area > best_area) best = run, best_area = area;
  }
  return best;
}

namespace {

// First (step +1) or last (step -1) column of the run at or above `level`; the peak column when
// none is.
size_t AnchorColumn(std::span<const float> retro, const Run& run, int step, double level,
                    size_t peak_col) {
  for (size_t k = 0; k < run.Length(); ++k) {
    const size_t i = step > 0 ? run.begin + k : run.end - 1 - k;
    if (retro[i] >= level) return i;
  }
  return peak_col;
}

// How much the retrograde side's power rises over the run's core [first_hi, last_hi] (its median
// above the no-flow base); nullopt when the power is unknown or the flow barely raises it (less
// than kMinPowerRise x the base).
std::optional<double> CorePowerRise(const Trace& t, size_t first_hi, size_t last_hi) {
  if (t.retro_power.empty() || t.retro_power.size() < t.columns || last_hi < first_hi ||
      !std::isfinite(t.retro_power_base)) {
    return std::nullopt;
  }
  const double base = t.retro_power_base;
  const double rise = RangePercentile(t.retro_power, first_hi, last_hi + 1, 0.5) - base;
  if (!(rise >= kMinPowerRise * std::max(base, 1e-6))) return std::nullopt;
  return rise;
}

// Where the retrograde side's power reaches half its level over the run's core [first_hi,
// last_hi] (median above the no-flow base), walking back from the core's first column above it.
// Flow brings its whole power into the side whatever its velocity, and a symmetric time window
// (STFT, display blur) leaves the half-way point of a rising step where it is, while the envelope's
// level crossing leads it by up to half the window (docs/criteria.md "Onset"). nullopt when the
// power is unknown or the flow barely raises it.
std::optional<double> HalfPowerOnset(const Trace& t, size_t first_hi, size_t last_hi) {
  const std::optional<double> rise = CorePowerRise(t, first_hi, last_hi);
  if (!rise) return std::nullopt;
  // Unwrapped aliased columns move the velocity to the other side, not the power: no refinement.
  for (size_t c = first_hi; c <= last_hi; ++c) {
    if (t.flags[c] & kColumnAliased) return std::nullopt;
  }
  const double half = t.retro_power_base + 0.5 * *rise;
  // The window leads the envelope too: its first half-peak column can come before the power
  // has risen, so the walk back starts from the first core column above the half level.
  size_t anchor = first_hi;
  while (anchor < last_hi && t.retro_power[anchor] < half) ++anchor;
  return detail::LevelCrossing(t.retro_power, anchor, +1, half);
}

// Where the reflux starts when something else lit the retrograde side just before it: walking
// back from the core's first column `first_hi` to the envelope's level crossing `crossing`, the
// end of the latest stretch of >= kOnsetGapColumns columns whose power sits within
// kOnsetGapShare of the core's rise over the no-flow base, when a column before that stretch (and
// after the crossing) was lit at >= kOnsetEventShare of the rise. Flow, once started, keeps its
// power in the side; a dark gap between two lit stretches makes them two events: a wall thump at
// the release (tissue 10-25 dB over blood at 1-3 cm/s for 40-80 ms, which reads several cm/s once
// the window spreads it) and the reflux after it. The level crossing followed the envelope back
// through both (stress seed 1: refluxes with a thump started a median 3.5 columns early, up to
// 25). nullopt without such a gap or without the power series.
std::optional<double> PowerGapOnset(const Trace& t, size_t first_hi, size_t last_hi,
                                    double crossing) {
  const std::optional<double> core_rise = CorePowerRise(t, first_hi, last_hi);
  if (!core_rise || !(crossing >= 0)) return std::nullopt;
  const double base = t.retro_power_base, rise = *core_rise;
  const auto earliest = static_cast<size_t>(std::ceil(crossing));
  std::optional<size_t> gap_last;  // the last column of the latest dark stretch
  size_t dark = 0;
  for (size_t c = first_hi; c-- > earliest;) {
    const double power = t.retro_power[c];
    if (power <= base + kOnsetGapShare * rise) {
      if (++dark == kOnsetGapColumns && !gap_last) gap_last = c + dark - 1;
      continue;
    }
    dark = 0;
    if (gap_last && power >= base + kOnsetEventShare * rise) {
      return static_cast<double>(*gap_last) + 0.5;
    }
  }
  return std::nullopt;
}

// Rise of the envelope into the run (velocity per column, > 0): least squares over the columns
// walking back from `anchor` while the velocity is at or above `lo`. nullopt with fewer than 3
// such columns or no rise.
std::optional<double> RiseSlope(std::span<const float> v, size_t anchor, double lo) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int n = 0;
  for (auto c = static_cast<long>(anchor); c >= 0 && v[static_cast<size_t>(c)] >= lo; --c) {
    const double x = static_cast<double>(c), y = v[static_cast<size_t>(c)];
    sx += x, sy += y, sxx += x * x, sxy += x * y, ++n;
  }
  if (n < 3) return std::nullopt;
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return slope > 0 ? std::optional<double>(slope) : std::nullopt;
}

// The run's peak velocity after a Hampel filter and a 5-column running median: the maximum of a
// speckled envelope overshoots the flow's own peak by its largest speckle excursion (a maximum
// picks the highest noise sample). The median over 5 columns keeps a peak that lasts at least 3
// of them, but an excursion into a noise streak lasts 2-4 columns once the envelope is smoothed
// (measured: 20.2 cm/s read for an 11.9 cm/s reflux); the Hampel filter over +/-
// kPeakOutlierHalfS replaces samples further than 3 robust sigmas (and 2 rows) from their
// window's median, which a smooth peak never is. Measured on four 500-clip stress sets and the
// edge set: peak median |error| 5.6-6.8% -> 4.9-5.5%, classification unchanged (it only sets the
// peak). The value is then the maximum of a +/- kPeakMeanHalfS mean of that series: the top of a
// speckled envelope's column-to-column jitter is an extreme-value bias growing with the run's
// length (stop 24: median |error| lower on 21 of 25 evaluation sets, docs/criteria.md "Peaks");
// the column stays the median series' maximum (the mean would put a plateau's peak half its
// window late). Falls back to `raw_peak` at `raw_column` for runs of fewer than 5 columns.
struct RobustPeakAt {
  double cm_s = 0;
  size_t column = 0;
};

RobustPeakAt RobustPeak(std::span<const float> retro, const Run& run, double raw_peak,
                        size_t raw_column, double seconds_per_column, double row_cm_s) {
  if (run.Length() < 5) return {raw_peak, raw_column};
  const std::span<const float> x = retro.subspan(run.begin, run.Length());
  const auto half = static_cast<size_t>(std::lround(kPeakOutlierHalfS / seconds_per_column));
  const std::vector<float> cleaned = detail::HampelFilter(
      x, std::max<size_t>(2, half), kPeakOutlierSigmas, kPeakOutlierMinRows * row_cm_s);
  const std::vector<float> median = detail::RunningMedian(cleaned, 2);
  // At most an eighth of the run on each side: a run a few windows long is one sharp peak, which
  // a full window averages with its flanks (review: a 100 ms, 20 cm/s triangle read 15.3 cm/s
  // with +/- 20 ms, 17.2 with the cap).
  const auto mean_half =
      std::min(static_cast<size_t>(std::lround(kPeakMeanHalfS / seconds_per_column)),
               (run.Length() - 1) / 8);
  const std::vector<float> mean = detail::RunningMean(median, mean_half);
  const auto at = std::max_element(median.begin(), median.end());
  return {*std::max_element(mean.begin(), mean.end()),
          run.begin + static_cast<size_t>(at - median.begin())};
}

// Whether aliasing hides what the reflux time is read from: aliased columns within kEdgeColumns
// of the onset or the offset (the crossing itself may be a wrap), or over half the interval, or a
// clear wrap anywhere in it (kClearWrapShare: the reflux went well beyond its scale, so the scale
// was too small to show it, as readers and the generators' truth read it; a reflux under the
// threshold is then not proof of competence: stop 29, the 279 generated aliased refluxes of 14
// stress-type sets 82.8 -> 91.0%, an eighth renderer's 1 of 4 -> 3 of 4 in set 2). Aliasing only
// around the peak that barely wraps (a broadened spectrum touching a small scale) hides nothing;
// nor does an unwrapped column a few columns inside the interval, where the flow had already
// crossed the level (measured: a reflux whose spectrum touched its scale edge 4-6 columns before
// the offset read `aliased`; within 40 ms then, 2 columns now).
bool AliasingHidesTiming(const Trace& t, std::span<const float> retro, double onset_col,
                         double offset_col) {
  const auto first = static_cast<size_t>(std::max(0.0, std::floor(onset_col)));
  const auto last = std::min(t.columns - 1, static_cast<size_t>(std::ceil(offset_col)));
  size_t aliased = 0, clear = 0;
  bool at_edge = false;
  for (size_t i = first; i <= last; ++i) {
    if (!(t.flags[i] & kColumnAliased)) continue;
    ++aliased;
    at_edge = at_edge || i < first + kEdgeColumns || i + kEdgeColumns > last;
    clear += t.retro_limit > 0 && retro[i] >= kClearWrapShare * t.retro_limit ? 1 : 0;
  }
  return at_edge || 2 * aliased > last - first + 1 || clear >= kMinClearWrapColumns;
}

// Where the flow turns retrograde at the head of a run: the first column after `begin` (up to
// `until`, which is the answer when none is) at which the retrograde envelope is no lower than
// the antegrade one, interpolated with the column before; nullopt when the run starts retrograde.
// Flow has one direction at a time: while the antegrade side still reads more, what the retrograde
// side shows is the fall of the squeeze spilling across the baseline (a fourth independent
// renderer: a 2-3 row band beside a fast squeeze's whole length put onsets 5-30 columns before the
// release).
std::optional<double> DirectionChange(std::span<const float> ante, std::span<const float> retro,
                                      size_t begin, size_t until) {
  if (ante.empty() || begin >= ante.size() || retro[begin] >= ante[begin]) return std::nullopt;
  for (size_t i = begin + 1; i <= until && i < ante.size(); ++i) {
    if (retro[i] < ante[i]) continue;
    const double before = ante[i - 1] - retro[i - 1], after = retro[i] - ante[i];  // > 0, >= 0
    return static_cast<double>(i - 1) + before / (before + after);
  }
  return static_cast<double>(until);
}

// Columns from the last one at or above twice `level` before `offset_col` to `offset_col` (the
// fade of the reflux's tail through the band just above the offset level).
double FadeBeforeOffset(std::span<const float> retro, const Run& run, double offset_col,
                        double level) {
  const double end =
      std::clamp(offset_col, static_cast<double>(run.begin), static_cast<double>(retro.size() - 1));
  auto c = static_cast<size_t>(end);
  while (c > run.begin && retro[c] < 2 * level) --c;
  return end - static_cast<double>(c);
}

// Where the reflux's tail turns into a band lit alike on both sides of the baseline, walking
// from its last core column `last_hi` towards the level crossing `offset_col`: the first column
// opening t.sustained columns over which the antegrade side reads nearly as fast
// (kSpreadExtentShare, medians) and either is lit (1 + kMinPowerRise noise units) with
// kSpreadPowerShare of the retrograde side's power, or the retrograde side carries no flow power
// (under 1 + kMinPowerRise x its no-flow base): its reading is then the noise the other side shows.
// A spectrum straddling the baseline alike has no direction: stagnant blood or tissue at zero
// velocity spread by the window and the wall filter's edge, not flow going on (the run-level
// rule, SpreadAcrossTheBaseline, for a run that is all band). nullopt without the power series
// or such a stretch.
std::optional<double> SymmetricTail(std::span<const float> retro, const Trace& t, size_t last_hi,
                                    double offset_col) {
  const std::span<const float> ante_side_power = OtherSidePower(t, t.retro_power);
  if (t.ante.size() < t.columns || t.retro_power.size() < t.columns ||
      ante_side_power.size() < t.columns || !std::isfinite(t.retro_power_base) ||
      !(offset_col > 0)) {
    return std::nullopt;
  }
  const size_t n = std::max<size_t>(t.sustained, 1);
  const auto end = std::min(t.columns, static_cast<size_t>(offset_col) + 1);
  const double unlit = (1 + kMinPowerRise) * std::max(t.retro_power_base, 1.0);
  for (size_t c = last_hi + 1; c + n <= end; ++c) {
    const double retro_cm_s = RangePercentile(retro, c, c + n, 0.5);
    if (RangePercentile(t.ante, c, c + n, 0.5) < kSpreadExtentShare * retro_cm_s) continue;
    const double retro_power = RangePercentile(t.retro_power, c, c + n, 0.5);
    const double ante_power = RangePercentile(ante_side_power, c, c + n, 0.5);
    const bool lit_alike =
        ante_power >= 1 + kMinPowerRise && ante_power >= kSpreadPowerShare * retro_power;
    if (lit_alike || retro_power < unlit) return static_cast<double>(c);
  }
  return std::nullopt;
}

}  // namespace

void MeasureRefluxRun(std::span<const float> retro, const Trace& t, const Envelope& envelope,
                      const Run& run, const Bounds& bounds, Maneuver& m) {
  double peak = 0;
  size_t peak_col = run.begin;
  for (size_t i = run.begin; i < run.end; ++i) {
    if (retro[i] > peak) peak = retro[i], peak_col = i;
  }
  const double lo = kEdgeLowFactor * t.retro_noise_cm_s;
  const double hi = std::max(lo, kEdgeTopFraction * peak);
  const size_t first_hi = AnchorColumn(retro, run, +1, hi, peak_col);
  const size_t last_hi = AnchorColumn(retro, run, -1, hi, peak_col);
  double onset_crossing = detail::LevelCrossing(retro, first_hi, +1, lo);
  if (const auto after_gap = PowerGapOnset(t, first_hi, last_hi, onset_crossing)) {
    onset_crossing = std::max(onset_crossing, *after_gap);
  }
  double onset_col = onset_crossing;
  if (const auto half_power = HalfPowerOnset(t, first_hi, last_hi)) {
    const double max_lead_col = kMaxWindowLeadS / envelope.seconds_per_column + 1.0;
    const double latest = std::min(onset_col + max_lead_col, static_cast<double>(peak_col));
    onset_col = std::clamp(*half_power, onset_col, std::max(onset_col, latest));
    // The flow is only seen once it clears the wall/noise band: at the half-power point it
    // moves at about the noise level, which it needed lo / slope columns to reach.
    if (const auto slope = RiseSlope(retro, first_hi, lo)) {
      onset_col = std::max(onset_crossing, onset_col - lo / *slope);
    }
  }
  // Only a run already lit where the burst ends can be the squeeze's spill: a reflux rising after
  // the release is left to the rules above (applied to every run, the crossing of the two
  // envelopes, which the window's blur delays, shortened near-threshold refluxes on two
  // generated sets by 24-35 ms and changed their class).
  const auto turned = run.begin <= bounds.burst_end + 1
                          ? DirectionChange(t.ante, retro, run.begin, first_hi)
                          : std::nullopt;
  if (turned) onset_col = std::max(onset_col, *turned);
  onset_col = std::max(onset_col, static_cast<double>(bounds.burst_end) - 1.0);
  double offset_col = static_cast<double>(t.columns - 1);
  // A run that reaches the data's last columns may go on (the 3-column running median and the
  // 3x3 smoothing of the spectrum can end it one column before the edge).
  m.truncated = run.end + kEdgeColumns >= t.columns;
  if (!m.truncated) {
    const double offset = detail::LevelCrossing(retro, last_hi, -1, lo);
    offset_col = std::min(
        {offset, static_cast<double>(bounds.window_end), static_cast<double>(t.columns - 1)});
  }
  // A tail that turns into a band lit alike on both sides ended the reflux there, even when the
  // band lasts to the data's end, if the band shows for the observation a "no reflux" needs
  // (kMinObservationAfterReleaseS): the clip did not end during the reflux (fourteenth renderer:
  // a 120 ms valve-closure blip followed by a faint band on both sides to the end read as a
  // truncated 569 ms reflux). A shorter band at the very end may be a fading tail going on.
  if (const auto band = SymmetricTail(retro, t, last_hi, offset_col);
      band && *band < offset_col &&
      (!m.truncated || *band + static_cast<double>(t.min_observation) <= offset_col)) {
    offset_col = *band;
    m.truncated = false;
  }
  const double spc = envelope.seconds_per_column;
  m.has_reflux = true;
  m.reflux_onset_s = envelope.TimeOf(onset_col);
  m.reflux_offset_s = envelope.TimeOf(offset_col);
  m.reflux_duration_ms = std::max(0.0, offset_col - onset_col) * spc * 1000.0;
  // The peak and its time from the same filtered series (a removed excursion is neither).
  const RobustPeakAt robust = RobustPeak(retro, run, peak, peak_col, envelope.seconds_per_column,
                                         envelope.velocity_resolution);
  m.peak_reflux_velocity_cm_s = robust.cm_s;
  m.time_to_peak_ms = std::max(0.0, static_cast<double>(robust.column) - onset_col) * spc * 1000.0;
  double vti = 0;
  for (size_t i = run.begin; i < run.end; ++i) vti += std::max(retro[i], 0.0f) * spc;
  m.reflux_vti_cm = vti;
  m.offset_velocity_cm_s = lo;
  if (!m.truncated) m.offset_fade_ms = FadeBeforeOffset(retro, run, offset_col, lo) * spc * 1000.0;
  m.aliased = AliasingHidesTiming(t, retro, onset_col, offset_col);
}

}  // namespace refluxscan::reflux::detail
