// Reflux measurement, the analysis inputs (both envelopes prepared, flashes and mirror copies
// suppressed) and series helpers. The rules and their measurements: docs/criteria.md
// ("Measuring reflux time").
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "reflux/edge.h"
#include "reflux/stages.h"

namespace refluxscan::reflux::detail {

std::span<const float> OtherSidePower(const Trace& t, std::span<const float> side_power) {
  return side_power.data() == t.power_up.data() ? std::span<const float>(t.power_down)
                                                : std::span<const float>(t.power_up);
}

std::span<const float> PowerOfSide(const Trace& t, std::span<const float> side) {
  const bool up = side.data() == t.up.data(), down = side.data() == t.down.data();
  if (!up && !down) return {};
  const std::vector<float>& power = up ? t.power_up : t.power_down;
  return power.size() >= t.columns ? std::span<const float>(power) : std::span<const float>();
}

bool LitAlikeAcross(std::span<const float> side, std::span<const float> side_power,
                    std::span<const float> other, std::span<const float> other_power,
                    const Run& run, double power_share) {
  if (side_power.size() < run.end || other_power.size() < run.end) return false;
  return RangePercentile(other, run.begin, run.end, 0.5) >=
             kSpreadExtentShare * RangePercentile(side, run.begin, run.end, 0.5) &&
         RangePercentile(other_power, run.begin, run.end, 0.5) >=
             power_share * RangePercentile(side_power, run.begin, run.end, 0.5);
}

size_t ColumnsFor(double seconds, double seconds_per_column) {
  return std::max<size_t>(3, static_cast<size_t>(std::ceil(seconds / seconds_per_column - 1e-9)));
}

namespace {

// The level that separates flow from wall/noise: the option, else the envelope's own estimate,
// else one velocity step, else 2% of the scale (hand-made envelopes without a noise estimate).
double NoiseLevel(const Envelope& envelope, const RefluxOptions& options) {
  if (options.min_reflux_velocity_cm_s > 0) return options.min_reflux_velocity_cm_s;
  if (envelope.noise_velocity > 0) return envelope.noise_velocity;
  if (envelope.velocity_resolution > 0) return envelope.velocity_resolution;
  const double scale =
      std::max(std::abs(envelope.positive_limit), std::abs(envelope.negative_limit));
  return scale > 0 ? 0.02 * scale : 1e-3;
}

std::vector<float> Prepare(std::span<const float> raw, std::span<const uint8_t> flags,
                           size_t columns) {
  std::vector<float> x(raw.begin(), raw.begin() + static_cast<long>(columns));
  for (size_t i = 0; i < columns; ++i) {
    if (i < flags.size() && (flags[i] & kColumnMasked) != 0) x[i] = NAN;
  }
  return detail::RunningMedian(detail::BridgeMasked(x), 1);
}

size_t AnalysedColumns(const Envelope& envelope) {
  for (size_t i = envelope.Size(); i > 0; --i) {
    const bool masked = i - 1 < envelope.flags.size() && (envelope.flags[i - 1] & kColumnMasked);
    if (!masked && (std::isfinite(envelope.max_forward[i - 1]) ||
                    std::isfinite(envelope.max_reverse[i - 1]))) {
      return i;
    }
  }
  return 0;
}

// Mirror copies: an I/Q imbalance copies the spectrum onto the other side of the baseline 20-30
// dB down, at the same velocities (or wrapped past a short scale). Flow goes one way at a time,
// so where one side carries at most 1 / kMirrorPowerRatio of the other's power and reads a
// velocity the mirror could have (MirrorExtent), that side is the other's mirror: its reading is
// set to 0 and the column marked. Spill near the baseline (a low reading) and a thump (power on
// both sides) are left alone. Stop 22: a strong reflux's mirror filled a short antegrade scale and
// read as the squeeze going on through the reflux (release after it, reflux "not found"); mirror
// clips were 40% of the generated sets' misclassifications.
//
// Whether a side reading `weak` can be the mirror of the other side's `strong`: at least
// kMirrorExtentShare of it, and no faster (a copy has its source's velocities; a weaker side that
// reads faster is flow beside a loud wall thump, not its copy).
bool MirrorExtent(float weak, float strong) {
  return strong > 0 && weak >= kMirrorExtentShare * strong && weak <= kMirrorMaxExtent * strong;
}

// The mirror side of column c (kMirrorUp / kMirrorDown), 0 when neither side is the other's copy.
uint8_t MirrorSide(const Trace& t, size_t c) {
  const double pu = t.power_up[c], pd = t.power_down[c];
  if (!(pu > 0) || !(pd > 0)) return 0;
  if (kMirrorPowerRatio * pu <= pd && MirrorExtent(t.up[c], t.down[c])) return kMirrorUp;
  if (kMirrorPowerRatio * pd <= pu && MirrorExtent(t.down[c], t.up[c])) return kMirrorDown;
  return 0;
}

// A copy lasts as long as the flow it copies; a wall thump, 10-25 dB louder than the blood, is as
// lopsided for its 40-150 ms, and the flow beside it is no mirror of it. Speckle breaks a copy's
// columns into pieces, so mirror columns of one side are grouped across gaps of up to
// kMirrorJoinS, and only groups spanning more than a thump's jerk (kMirrorMinSpanS) are
// suppressed.
void SuppressMirrors(Trace& t, double seconds_per_column) {
  if (t.power_up.size() < t.columns || t.power_down.size() < t.columns) return;
  std::vector<uint8_t> side(t.columns, 0);
  for (size_t c = 0; c < t.columns; ++c) side[c] = MirrorSide(t, c);
  t.mirror.assign(t.columns, 0);
  const size_t max_gap = ColumnsFor(kMirrorJoinS, seconds_per_column);
  const size_t min_span = ColumnsFor(kMirrorMinSpanS, seconds_per_column) + 1;
  for (const uint8_t s : {kMirrorUp, kMirrorDown}) {
    for (size_t c = 0; c < t.columns; ++c) {
      if (side[c] != s) continue;
      size_t last = c;  // the group's last mirror column
      for (size_t k = c + 1; k < t.columns && k <= last + max_gap; ++k) {
        if (side[k] == s) last = k;
      }
      if (last + 1 - c >= min_span) {
        for (size_t k = c; k <= last; ++k) {
          if (side[k] != s) continue;
          (s == kMirrorUp ? t.up : t.down)[k] = 0;
          t.mirror[k] = s;
        }
      }
      c = last;
    }
  }
}

// The upper median of `x` (reordered): x[size / 2] after selection; `x` not empty.
float UpperMedian(std::vector<float>& x) {
  std::nth_element(x.begin(), x.begin() + static_cast<long>(x.size() / 2), x.end());
  return x[x.size() / 2];
}

// The median of `texture` over the columns where `strongest` reaches half its robust maximum
// (the squeezes, the strongest flow of the clip): the clip's own blood speckle, the reference a
// coherent band is told from. NaN with fewer than `min_columns` measured there.
double FlowTexture(std::span<const float> texture, std::span<const float> strongest,
                   size_t min_columns) {
  const size_t n = std::min(texture.size(), strongest.size());
  const double half = 0.5 * RobustMax(strongest.first(n));
  std::vector<float> x;
  for (size_t c = 0; c < n; ++c) {
    if (strongest[c] >= half && strongest[c] > 0 && std::isfinite(texture[c]))
      x.push_back(texture[c]);
  }
  if (x.empty() || x.size() < min_columns) return NAN;
  return UpperMedian(x);
}

// Per column, the median of the finite values of `texture` within `half` columns either side;
// NaN where fewer than `half` of them are finite.
std::vector<float> RunningTexture(std::span<const float> texture, size_t columns, size_t half) {
  std::vector<float> out(columns, NAN), window;
  for (size_t c = 0; c < columns; ++c) {
    window.clear();
    const size_t first = c > half ? c - half : 0, last = std::min(columns, c + half + 1);
    for (size_t k = first; k < last; ++k) {
      if (std::isfinite(texture[k])) window.push_back(texture[k]);
    }
    if (window.size() >= std::max<size_t>(half, 1)) out[c] = UpperMedian(window);
  }
  return out;
}

// Columns where a side shows only a coherent band (tissue clutter residue by the baseline): its
// texture (Envelope::texture_*) over kCoherentWindowS below kCoherentTextureShare of the clip's
// strongest flow's, whichever side that is on. That side's envelope is set to 0 there, as for a
// mirror copy: the band is no flow, neither reflux nor antegrade flow that hides a release. A
// reflux faster than the band keeps its speckled rows beyond it, and so its texture.
void SuppressCoherentBands(Trace& t, const Envelope& envelope) {
  const std::vector<float>& texture_up = envelope.texture_forward;
  const std::vector<float>& texture_down = envelope.texture_reverse;
  if (texture_up.size() < t.columns || texture_down.size() < t.columns) return;
  std::vector<float> strongest(t.columns), texture(t.columns);
  for (size_t c = 0; c < t.columns; ++c) {
    const bool up = t.up[c] >= t.down[c];
    strongest[c] = up ? t.up[c] : t.down[c];
    texture[c] = up ? texture_up[c] : texture_down[c];
  }
  const double spc = envelope.seconds_per_column;
  const double flow = FlowTexture(texture, strongest, ColumnsFor(kSustainedRunS, spc));
  if (!std::isfinite(flow)) return;
  const size_t half = ColumnsFor(kCoherentWindowS / 2, spc);
  for (const bool up : {true, false}) {
    const std::vector<float> local =
        RunningTexture(up ? texture_up : texture_down, t.columns, half);
    std::vector<float>& side = up ? t.up : t.down;
    for (size_t c = 0; c < t.columns; ++c) {
      if (local[c] < kCoherentTextureShare * flow) side[c] = 0;
    }
  }
}

bool BothQuiet(const Trace& t, size_t c) {
  return t.up[c] < kFlashQuietShare * t.up_limit && t.down[c] < kFlashQuietShare * t.down_limit;
}

bool BothAtEdges(const Trace& t, size_t c) {
  return t.up[c] >= kScaleEdgeShare * t.up_limit && t.down[c] >= kScaleEdgeShare * t.down_limit;
}

// The columns [begin, end) of a flash around the run [first, run_end) of columns at both edges:
// from the last column quiet on both sides before it to the first one after it, each within
// kFlashEdgeColumns of the run (the data's edge counts as quiet), widened by kFlashEdgeColumns
// on each side; nullopt when a side is not quiet there, or the flash is longer than
// `max_columns`.
std::optional<Run> FlashSpan(const Trace& t, size_t first, size_t run_end, size_t max_columns) {
  size_t begin = first, end = run_end;
  while (begin > 0 && first - begin < kFlashEdgeColumns && !BothQuiet(t, begin - 1)) --begin;
  while (end < t.columns && end - run_end < kFlashEdgeColumns && !BothQuiet(t, end)) ++end;
  const bool quiet_before = begin == 0 || BothQuiet(t, begin - 1);
  const bool quiet_after = end == t.columns || BothQuiet(t, end);
  if (!quiet_before || !quiet_after || end - begin > max_columns) return std::nullopt;
  // The quiet columns next to it still hold the flash's smoothed shoulders: bridged too.
  return Run{begin > kFlashEdgeColumns ? begin - kFlashEdgeColumns : 0,
             std::min(t.columns, end + kFlashEdgeColumns)};
}

// Broadband flashes: probe or patient motion lights the whole display, both sides from the
// baseline to their scale edges, for tens of ms. Flow goes one way at a time, and a squeeze that
// wraps past a full span reaches its own edge first (its own side high, the other quiet), so a
// run of columns with both sides at their edges that appears from, and falls back to, columns
// quiet on both sides (FlashSpan) is no flow. Its columns are bridged over from the quiet columns
// around it, as masked ones are (a twelfth independent renderer's flashes on clips whose flow was
// invisible read as 75 cm/s squeezes, and the clips as competent).
void SuppressFlashes(Trace& t, double seconds_per_column) {
  if (!(t.up_limit > 0) || !(t.down_limit > 0) || t.columns == 0) return;
  const size_t max_columns = ColumnsFor(kFlashMaxS, seconds_per_column);
  std::vector<uint8_t> flash(t.columns, 0);
  bool any = false;
  for (size_t c = 0; c < t.columns;) {
    if (!BothAtEdges(t, c)) {
      ++c;
      continue;
    }
    size_t run_end = c;
    while (run_end < t.columns && BothAtEdges(t, run_end)) ++run_end;
    if (const auto span = FlashSpan(t, c, run_end, max_columns)) {
      std::fill(flash.begin() + static_cast<long>(span->begin),
                flash.begin() + static_cast<long>(span->end), 1);
      any = true;
    }
    c = run_end;
  }
  if (!any) return;
  for (std::vector<float>* v : {&t.up, &t.down, &t.power_up, &t.power_down}) {
    if (v->size() < t.columns) continue;
    for (size_t c = 0; c < t.columns; ++c) {
      if (flash[c]) (*v)[c] = NAN;
    }
    *v = BridgeMasked(*v);
  }
}

}  // namespace

Trace MakeTrace(const Envelope& envelope, const RefluxOptions& options) {
  Trace t;
  t.columns = AnalysedColumns(envelope);
  while (t.first_column < t.columns && t.first_column < envelope.flags.size() &&
         (envelope.flags[t.first_column] & kColumnMasked) != 0) {
    ++t.first_column;
  }
  t.flags = envelope.flags;
  t.flags.resize(envelope.Size(), 0);
  t.up_limit = std::abs(envelope.positive_limit);
  t.down_limit = std::abs(envelope.negative_limit);
  t.up = Prepare(envelope.max_forward, envelope.flags, t.columns);
  t.down = Prepare(envelope.max_reverse, envelope.flags, t.columns);
  t.noise_cm_s = NoiseLevel(envelope, options);
  const bool powers = envelope.power_forward.size() == envelope.Size() &&
                      envelope.power_reverse.size() == envelope.Size();
  if (powers) {
    t.power_up = Prepare(envelope.power_forward, envelope.flags, t.columns);
    t.power_down = Prepare(envelope.power_reverse, envelope.flags, t.columns);
  }
  SuppressFlashes(t, envelope.seconds_per_column);
  SuppressArterialPulses(t, envelope.seconds_per_column);
  if (powers) SuppressMirrors(t, envelope.seconds_per_column);
  SuppressCoherentBands(t, envelope);
  const double spc = envelope.seconds_per_column;
  t.min_run = ColumnsFor(kMinRefluxRunS, spc);
  t.sustained = ColumnsFor(kSustainedRunS, spc);
  t.quiet = ColumnsFor(kQuietToEndS, spc);
  t.min_augmentation = ColumnsFor(kMinAugmentationS, spc);
  t.min_observation = ColumnsFor(kMinObservationAfterReleaseS, spc);
  t.min_gap =
      static_cast<size_t>(std::max(0.0, std::ceil(options.min_gap_between_maneuvers_s / spc)));
  return t;
}

std::vector<Run> RunsAbove(std::span<const float> v, double level, size_t begin, size_t end) {
  std::vector<Run> runs;
  for (size_t i = begin; i < end; ++i) {
    if (!(v[i] > level)) continue;
    Run run{i, i};
    while (run.end < end && v[run.end] > level) ++run.end;
    runs.push_back(run);
    i = run.end;
  }
  return runs;
}

std::vector<Run> JoinedRuns(const std::vector<Run>& runs, size_t max_gap) {
  std::vector<Run> joined;
  for (const Run& run : runs) {
    if (!joined.empty() && run.begin - joined.back().end < max_gap) {
      joined.back().end = run.end;
    } else {
      joined.push_back(run);
    }
  }
  return joined;
}

double RobustMax(std::span<const float> v) {
  const std::vector<float> m = detail::RunningMedian(v, 2);
  return m.empty() ? 0.0 : *std::max_element(m.begin(), m.end());
}

bool HasRetrogradeRun(std::span<const float> retro, const Trace& t, size_t begin, size_t end) {
  for (const Run& run : RunsAbove(retro, t.noise_cm_s, begin, end)) {
    if (run.Length() >= t.min_run) return true;
  }
  return false;
}

bool FallsToNoise(std::span<const float> ante, const Trace& t, size_t begin, size_t end) {
  size_t quiet = 0;
  for (size_t i = begin; i < end; ++i) {
    quiet = ante[i] <= t.noise_cm_s ? quiet + 1 : 0;
    if (quiet >= t.quiet) return true;
  }
  return false;
}

double Percentile(std::span<const float> v, const std::vector<size_t>& columns, double q) {
  std::vector<float> x;
  for (size_t c : columns) x.push_back(v[c]);
  if (x.empty()) return 0;
  const auto k = static_cast<long>(q * static_cast<double>(x.size() - 1));
  std::nth_element(x.begin(), x.begin() + k, x.end());
  return x[static_cast<size_t>(k)];
}

double RangePercentile(std::span<const float> v, size_t begin, size_t end, double q) {
  if (end <= begin) return 0;
  std::vector<float> x(v.begin() + static_cast<long>(begin), v.begin() + static_cast<long>(end));
  const auto k = static_cast<long>(q * static_cast<double>(x.size() - 1));
  std::nth_element(x.begin(), x.begin() + k, x.end());
  return x[static_cast<size_t>(k)];
}

std::vector<uint8_t> RunMask(size_t columns, const std::vector<Run>& runs) {
  std::vector<uint8_t> in_run(columns, 0);
  for (const Run& run : runs) {
    std::fill(in_run.begin() + static_cast<long>(std::min(run.begin, columns)),
              in_run.begin() + static_cast<long>(std::min(run.end, columns)), 1);
  }
  return in_run;
}

std::vector<size_t> UnmaskedColumns(const Trace& t, size_t begin, size_t end,
                                    const std::vector<uint8_t>& exclude) {
  std::vector<size_t> out;
  for (size_t c = begin; c < std::min(end, t.columns); ++c) {
    if ((t.flags[c] & kColumnMasked) == 0 && (exclude.empty() || !exclude[c])) out.push_back(c);
  }
  return out;
}

double FallCrossing(std::span<const float> v, size_t col, double level) {
  if (col == 0 || col >= v.size()) return static_cast<double>(std::min(col, v.size() - 1));
  const double hi = v[col - 1], lo = v[col];
  if (!(hi > lo)) return static_cast<double>(col);
  return static_cast<double>(col - 1) + std::clamp((hi - level) / (hi - lo), 0.0, 1.0);
}

}  // namespace refluxscan::reflux::detail
