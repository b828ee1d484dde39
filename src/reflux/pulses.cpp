// Arterial pulses in a venous trace: an artery beside the vein in the Doppler beam (CW insonates
// whatever lies along it; a PW gate beside the artery catches its edge) adds its systoles to the
// vein's spectrum, on the vein's retrograde side (arteries carry blood away from the heart) with
// the early-diastolic reversal on the other. Read as flow, they raise the retrograde noise level
// above a slow reflux, stretch a reflux to the next beat, or pass for squeezes that set the
// polarity. A vein's own flow seldom beats: respiratory phasic flow swells over seconds, a
// squeeze or a reflux is one event. So short pulses standing on the side's floor at a steady
// cardiac rhythm through the clip are taken for the artery's, and the trace is bridged over them
// (the vein's flow goes on underneath, at the level around each pulse). Venous flow that does
// beat with the heart (right heart failure, tricuspid regurgitation: a finding of its own) is
// bridged the same way; the flag pulsatile_signal names both. docs/criteria.md, "Arterial
// pulses".
#include <algorithm>
#include <cmath>
#include <vector>

#include "reflux/edge.h"
#include "reflux/stages.h"

namespace refluxscan::reflux::detail {
namespace {

// One candidate pulse: a short excursion of a side above its running floor.
struct Pulse {
  Run run;              // where the excess exceeds the candidate level
  double peak_col = 0;  // the column of its highest excess
  double height = 0;    // that excess, cm/s
};

// The side's floor: a running low quantile (kPulseFloorQuantile) over 2 * half + 1 columns
// (kPulseFloorWindowS). A pulse fills under half of that window, so the floor is the level between
// beats: the vein's own flow, or its noise. Evaluated every `stride` columns (a sixteenth of the
// window) and held in between, so a fine time axis costs no more than a coarse one.
std::vector<float> RunningFloor(std::span<const float> v, size_t half) {
  std::vector<float> floor(v.size()), window;
  const size_t stride = std::max<size_t>(1, half / 8);
  for (size_t c = 0; c < v.size(); c += stride) {
    const size_t lo = c > half ? c - half : 0, hi = std::min(v.size(), c + half + 1);
    window.assign(v.begin() + static_cast<long>(lo), v.begin() + static_cast<long>(hi));
    const auto k = static_cast<long>(kPulseFloorQuantile * static_cast<double>(window.size() - 1));
    std::nth_element(window.begin(), window.begin() + k, window.end());
    std::fill(floor.begin() + static_cast<long>(c),
              floor.begin() + static_cast<long>(std::min(v.size(), c + stride)),
              window[static_cast<size_t>(k)]);
  }
  return floor;
}

// The runs of `excess` above `level` in [begin, end), joined across gaps shorter than kPulseJoinS
// (speckle splits a systole; a multiphasic one dips between its waves: the ninth independent
// renderer's CW systoles read as two excursions 50-150 ms apart, half of them off the rhythm).
std::vector<Run> Excursions(const std::vector<float>& excess, double level, size_t begin,
                            size_t end, double spc) {
  return JoinedRuns(RunsAbove(excess, level, begin, end), static_cast<size_t>(kPulseJoinS / spc));
}

// Runs of `excess` (Excursions) lasting kPulseMinWidthS to kPulseMaxWidthS. A longer one that is
// mostly low (its median under kPulseBaseShare of its peak) is read again at half its peak: a
// systole standing on low flow that the noise level joins to its neighbours (the copy of a
// squeeze, slow resting flow at 3-5 noise velocities) keeps its own half-height width (stop 32:
// an artery's six beats on a CW clip read as 490 ms excursions, no rhythm was found, and the
// beats set the polarity: the squeeze read as a 1085 ms reflux). A plateau of phasic flow is not
// mostly low: its speckle peaks are no pulses.
std::vector<Pulse> Candidates(const std::vector<float>& excess, double level, size_t begin,
                              size_t end, double spc) {
  std::vector<Pulse> out;
  const double min_cols = kPulseMinWidthS / spc, max_cols = kPulseMaxWidthS / spc;
  const auto add = [&](const Run& run) {
    const auto width = static_cast<double>(run.Length());
    if (width < min_cols || width > max_cols) return false;
    const auto top = std::max_element(excess.begin() + static_cast<long>(run.begin),
                                      excess.begin() + static_cast<long>(run.end));
    out.push_back({run, static_cast<double>(top - excess.begin()), *top});
    return true;
  };
  for (const Run& run : Excursions(excess, level, begin, end, spc)) {
    if (add(run) || static_cast<double>(run.Length()) < min_cols) continue;
    const double peak = *std::max_element(excess.begin() + static_cast<long>(run.begin),
                                          excess.begin() + static_cast<long>(run.end));
    if (RangePercentile(excess, run.begin, run.end, 0.5) >= kPulseBaseShare * peak) continue;
    for (const Run& core : Excursions(excess, std::max(level, 0.5 * peak), run.begin, run.end, spc))
      add(core);
  }
  return out;
}

// Candidates at one rhythm: their indices and the period.
struct Rhythm {
  std::vector<size_t> beats;
  double period_cols = 0;
};

// The candidates on the grid of `period` through `anchor`'s peak: per beat slot, the one nearest
// its slot, when within kPulseJitterShare of a period of it (two candidates in one slot are one
// beat and a speck, not two beats).
std::vector<size_t> OnGrid(const std::vector<Pulse>& pulses, const Pulse& anchor, double period) {
  const double tolerance = std::max(2.0, kPulseJitterShare * period);
  std::vector<size_t> beats;
  std::vector<long> slots;
  std::vector<double> offsets;
  for (size_t j = 0; j < pulses.size(); ++j) {
    const double cycles = (pulses[j].peak_col - anchor.peak_col) / period;
    const auto slot = std::lround(cycles);
    const double offset = std::abs(cycles - static_cast<double>(slot)) * period;
    if (offset > tolerance) continue;
    if (!slots.empty() && slots.back() == slot) {  // candidates are in time order
      if (offset < offsets.back()) beats.back() = j, offsets.back() = offset;
      continue;
    }
    beats.push_back(j), slots.push_back(slot), offsets.push_back(offset);
  }
  return beats;
}

// Beat slots of the grid of `period` through `anchor` within [begin, end).
double Slots(const Pulse& anchor, double period, size_t begin, size_t end) {
  const double first = std::ceil((static_cast<double>(begin) - anchor.peak_col) / period);
  const double last = std::floor((static_cast<double>(end) - 1 - anchor.peak_col) / period);
  return std::max(0.0, last - first + 1);
}

// The candidates that beat at one rhythm: the period (kPulseMinPeriodS..kPulseMaxPeriodS, in
// 5 ms steps) and phase (a candidate's peak) whose grid holds the most candidates (OnGrid) less
// kEmptySlotCost per empty slot in [begin, end): half the true period also fits every beat, with
// every other slot empty. Ties go to the longer period. More excursions than kMaxPulsesPerS per
// second (150 beats per minute, each split in two) are speckle, not beats, and more than
// kMaxPulseCandidates in all are not searched (periods x anchors x excursions stays under 40
// million steps, a fraction of a second; a recording of over 80 s at the highest rate): none
// then.
Rhythm BestRhythm(const std::vector<Pulse>& pulses, double spc, size_t begin, size_t end) {
  Rhythm best;
  const double span_s = static_cast<double>(end - begin) * spc;
  if (pulses.size() > kMaxPulseCandidates ||
      static_cast<double>(pulses.size()) > kMaxPulsesPerS * span_s) {
    return best;
  }
  double best_score = -1;
  const double step = std::max(1.0, 0.005 / spc);
  for (double period = kPulseMinPeriodS / spc; period <= kPulseMaxPeriodS / spc; period += step) {
    for (const Pulse& anchor : pulses) {
      std::vector<size_t> beats = OnGrid(pulses, anchor, period);
      const auto matched = static_cast<double>(beats.size());
      const double empty = std::max(0.0, Slots(anchor, period, begin, end) - matched);
      const double score = matched - kEmptySlotCost * empty;
      if (score >= best_score) best = {std::move(beats), period}, best_score = score;
    }
  }
  return best;
}

// The upper median of `x` (not empty; reordered).
double UpperMedian(std::vector<double>& x) {
  const auto mid = x.begin() + static_cast<long>(x.size() / 2);
  std::nth_element(x.begin(), mid, x.end());
  return *mid;
}

// Drops the rhythm's beats that differ from the others: each kept one is within
// kPulseHeightSpread of their median height and kPulseWidthSpread of their median width (one
// artery's systoles are alike). Returns that median height (0 without beats).
double KeepAlikeBeats(const std::vector<Pulse>& pulses, Rhythm& rhythm) {
  if (rhythm.beats.empty()) return 0;
  std::vector<double> heights, widths;
  for (const size_t i : rhythm.beats) {
    heights.push_back(pulses[i].height);
    widths.push_back(static_cast<double>(pulses[i].run.Length()));
  }
  const double median = UpperMedian(heights), median_width = UpperMedian(widths);
  std::erase_if(rhythm.beats, [&](size_t i) {
    const auto width = static_cast<double>(pulses[i].run.Length());
    return pulses[i].height > kPulseHeightSpread * median ||
           pulses[i].height * kPulseHeightSpread < median ||
           width > kPulseWidthSpread * median_width || width * kPulseWidthSpread < median_width;
  });
  return median;
}

// Whether the (alike) beats make a cardiac rhythm: at least kMinPulses, filling kPulseGridShare of
// the beat slots over the analysed span, and at least kPulseRhythmShare of the candidates of
// their height (within kPulseHeightSpread of `median_height`: a speckled or phasic trace's
// excursions fit a grid only by chance, among many that do not).
bool IsCardiac(const std::vector<Pulse>& pulses, const Rhythm& rhythm, double median_height,
               size_t span_cols) {
  if (rhythm.beats.size() < kMinPulses || !(rhythm.period_cols > 0)) return false;
  const auto alike = std::count_if(pulses.begin(), pulses.end(), [&](const Pulse& p) {
    return p.height * kPulseHeightSpread >= median_height &&
           p.height <= kPulseHeightSpread * median_height;
  });
  const double slots = static_cast<double>(span_cols) / rhythm.period_cols;
  const auto beats = static_cast<double>(rhythm.beats.size());
  return beats >= kPulseGridShare * slots &&
         beats >= kPulseRhythmShare * static_cast<double>(alike);
}

// The columns of one excursion: its run widened while the excess stays above the noise level
// (the pulse's feet), at most a quarter period each way.
Run ExcursionColumns(const Pulse& p, const std::vector<float>& excess, double noise, double period,
                     size_t begin, size_t end) {
  const auto reach = static_cast<size_t>(0.25 * period);
  Run r = p.run;
  while (r.begin > begin && p.run.begin - r.begin < reach && excess[r.begin - 1] > noise) --r.begin;
  while (r.end < end && r.end - p.run.end < reach && excess[r.end] > noise) ++r.end;
  return r;
}

// One side's excursions above its floor, and the rhythm they beat at.
struct SideBeats {
  std::vector<float> excess;  // the side over its RunningFloor
  std::vector<Pulse> pulses;  // systole-long excursions (Candidates)
  Rhythm rhythm;
  bool cardiac = false;
};

SideBeats Analyse(std::span<const float> v, const Trace& t, double spc) {
  SideBeats s;
  const std::vector<float> floor =
      RunningFloor(v, static_cast<size_t>(0.5 * kPulseFloorWindowS / spc));
  s.excess.resize(v.size());
  for (size_t c = 0; c < v.size(); ++c) s.excess[c] = v[c] - floor[c];
  const double level = kPulseNoiseFactor * t.noise_cm_s;
  s.pulses = Candidates(s.excess, level, t.first_column, t.columns, spc);
  s.rhythm = BestRhythm(s.pulses, spc, t.first_column, t.columns);
  const double height =
      s.rhythm.beats.size() >= kMinPulses ? KeepAlikeBeats(s.pulses, s.rhythm) : 0.0;
  s.cardiac = IsCardiac(s.pulses, s.rhythm, height, t.columns - t.first_column);
  return s;
}

// Sets the columns of `runs` to NaN in `v` and `power` (when as long), bridges them
// (BridgeMasked) and marks them with `mark`.
void Bridge(const std::vector<Run>& runs, std::vector<float>& v, std::vector<float>& power,
            std::vector<uint8_t>& marks, uint8_t mark) {
  if (runs.empty()) return;
  const bool with_power = power.size() == v.size();
  for (const Run& r : runs) {
    for (size_t c = r.begin; c < r.end; ++c) {
      v[c] = NAN;
      if (with_power) power[c] = NAN;
      marks[c] |= mark;
    }
  }
  v = BridgeMasked(v);
  if (with_power) power = BridgeMasked(power);
}

}  // namespace

void SuppressArterialPulses(Trace& t, double seconds_per_column) {
  t.pulse.assign(t.columns, 0);
  // Room for kMinPulses beats, each period at least kMinBeatColumns columns long (a coarser time
  // axis cannot show a rhythm; an absurd calibration would make the windows unbounded).
  const double span_s =
      static_cast<double>(t.columns - std::min(t.columns, t.first_column)) * seconds_per_column;
  if (!(seconds_per_column > 0) || !(span_s >= kMinPulses * kPulseMinPeriodS) ||
      kPulseMinPeriodS / seconds_per_column < kMinBeatColumns) {
    return;
  }
  t.excursion.assign(t.columns, 0);
  const auto side = [&](std::vector<float>& v, std::vector<float>& power, uint8_t mark) {
    const SideBeats s = Analyse(v, t, seconds_per_column);
    for (const Pulse& p : s.pulses) {
      const Run r =
          ExcursionColumns(p, s.excess, t.noise_cm_s, kPulseMinPeriodS / seconds_per_column,
                           t.first_column, t.columns);
      for (size_t c = r.begin; c < r.end; ++c) t.excursion[c] |= mark;
    }
    if (!s.cardiac) return;
    std::vector<Run> beats;
    for (const size_t i : s.rhythm.beats) {
      beats.push_back(ExcursionColumns(s.pulses[i], s.excess, t.noise_cm_s, s.rhythm.period_cols,
                                       t.first_column, t.columns));
    }
    Bridge(beats, v, power, t.pulse, mark);
  };
  side(t.up, t.power_up, kPulseUp);
  side(t.down, t.power_down, kPulseDown);
}

}  // namespace refluxscan::reflux::detail
