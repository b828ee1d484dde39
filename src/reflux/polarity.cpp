// Reflux measurement, which side is antegrade: each side's first burst, thumps, resting flow,
// Valsalva order. The rules and their measurements: docs/criteria.md ("Measuring reflux time").
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <vector>

#include "reflux/stages.h"

namespace refluxscan::reflux::detail {

namespace {

// The median of `power` over the analysed columns outside `run`; NaN when there are none.
double RestMedian(std::span<const float> power, const Trace& t, const Run& run) {
  std::vector<float> rest(power.begin(), power.begin() + static_cast<long>(run.begin));
  rest.insert(rest.end(), power.begin() + static_cast<long>(run.end),
              power.begin() + static_cast<long>(t.columns));
  if (rest.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto mid = rest.begin() + static_cast<long>((rest.size() - 1) / 2);
  std::nth_element(rest.begin(), mid, rest.end());
  return *mid;
}

// Whether `run` of the side whose power series is `power` may be a squeeze spreading the resting
// flow's power thinner than the rest of the clip shows it: at least kSpreadSqueezePower of the
// resting median `rest`, and faster than the other side over most of the run (HigherThanOther).
// A fast squeeze spreads its scatterers over many rows, and the display's floor takes the part
// that falls below it (fourteenth renderer: squeezes on resting flow at 0.6-0.7 x the rest's
// power; an aliased one also gives power to its wrap). A reflux's mirror copy on the resting
// flow's side carries little power too, but reads slower than the reflux it copies.
bool SpreadSqueeze(std::span<const float> power, const Trace& t, const Run& run, double run_power,
                   double rest) {
  if (run_power < kSpreadSqueezePower * rest) return false;
  const bool up = power.data() == t.power_up.data();
  const std::span<const float> v = up ? t.up : t.down, other = up ? t.down : t.up;
  return v.size() >= run.end && other.size() >= run.end &&
         HigherThanOther(v, other, t.noise_cm_s, run);
}

// Whether the side's median power over `run` is at least (1 + kMinPowerRise) x its median over
// the rest of the clip, or kStrongPowerRatio x the noise power (the series' unit) whatever that
// median: a squeeze in a vein with steady antegrade flow adds little power to a side the flow
// already fills (measured: 95 against a median of 82 noise units), but speckle and spill never
// reach +10 dB. The rest of the clip, not all of it: a squeeze filling half of a short clip (a
// sweep's bar cut it at 1.7 s) set the whole clip's median itself and "brought no power" (the
// antegrade direction then came from its reflux). True without the power series.
// Or the side carries resting flow of its own (its median power outside the run at least
// (1 + kMinPowerRise) noise units, and at least the other side's: not a mirror copy, 20-30 dB
// down) and the run keeps at least that power: the Doppler power counts scatterers, not their
// speed, so a squeeze spreads the resting flow's power over more velocities without adding to it
// (stop 36: on low-SNR displays of the eleventh and thirteenth independent renderers, a squeeze
// on resting flow read 2.2 against the flow's 2.1 noise units, no burst was found, and the
// polarity came from the reflux: +7 clips over 19 evaluation runs, none worse).
bool BringsPower(std::span<const float> power, const Trace& t, const Run& run,
                 bool spread_squeeze = false) {
  if (power.size() < t.columns || t.columns == 0) return true;
  const double run_power = RangePercentile(power, run.begin, run.end, 0.5);
  if (run_power >= kStrongPowerRatio) return true;
  const double rest = RestMedian(power, t, run);
  if (!std::isfinite(rest)) return false;
  if (run_power >= (1 + kMinPowerRise) * std::max(rest, 1e-6)) return true;
  if (rest < 1 + kMinPowerRise) return false;
  if (run_power < rest && !(spread_squeeze && SpreadSqueeze(power, t, run, run_power, rest))) {
    return false;
  }
  const std::span<const float> other = OtherSidePower(t, power);
  if (other.size() < t.columns) return true;
  const double other_rest = RestMedian(other, t, run);
  return !std::isfinite(other_rest) || rest >= other_rest;
}

}  // namespace

std::vector<Run> SqueezeCandidates(std::span<const float> v, std::span<const float> power,
                                   const Trace& t, double level, double seconds_per_column,
                                   bool first_burst) {
  const std::vector<Run> runs = RunsAbove(v, level, 0, t.columns);
  const AugmentationShape shape = ShapeOf(v, t, runs, seconds_per_column);
  std::vector<Run> out;
  for (const Run& joined : JoinedRuns(runs, t.quiet)) {
    if (joined.Length() < t.min_augmentation) continue;
    for (const Run& run : AugmentationParts(v, shape, t, joined)) {
      if (BringsPower(power, t, run, first_burst)) out.push_back(run);
    }
  }
  return out;
}

namespace {

// Run `run` of side `s` as a first burst (its peak, velocity-time sum, the median power of its
// side and of the `opposite` one over it, and whether the opposite side is lit there).
FirstBurst AsBurst(const Side& s, const Side& opposite, const Trace& t, const Run& run) {
  const auto first = s.v.begin() + static_cast<long>(run.begin);
  const auto last = first + static_cast<long>(run.Length());
  const auto median_power = [&](std::span<const float> power) {
    return power.size() >= t.columns ? RangePercentile(power, run.begin, run.end, 0.5) : 0.0;
  };
  return FirstBurst{run.begin,
                    run.end,
                    *std::max_element(first, last),
                    std::accumulate(first, last, 0.0),
                    median_power(s.power),
                    median_power(opposite.power),
                    BringsPower(opposite.power, t, run)};
}

}  // namespace

std::optional<FirstBurst> FindFirstBurst(const Side& side, const Side& opposite, const Trace& t,
                                         double option_cm_s, double seconds_per_column) {
  const std::vector<Run> runs =
      SqueezeCandidates(side.v, side.power, t, AugmentationLevel(side.v, t, option_cm_s),
                        seconds_per_column, /*first_burst=*/true);
  if (runs.empty()) return std::nullopt;
  return AsBurst(side, opposite, t, runs.front());
}

double WeakSqueezeLevel(std::span<const float> v, const Trace& t) {
  return std::max(kWeakSqueezeNoiseFactor * t.noise_cm_s,
                  kWeakSqueezeShare * AugmentationLevel(v, t, 0));
}

bool WeakSqueezesAllowed(const RefluxOptions& options) {
  return options.min_augmentation_velocity_cm_s <= 0;
}

namespace {

// Squeeze candidates of `side` at WeakSqueezeLevel, in time order. None without a power series:
// so low a level lets speckle runs through, and only power tells them apart (Carries).
std::vector<Run> WeakSqueezes(const Side& side, const Trace& t, double seconds_per_column) {
  if (side.power.size() < t.columns) return {};
  return SqueezeCandidates(side.v, side.power, t, WeakSqueezeLevel(side.v, t), seconds_per_column);
}

// Whether `run` carries at least 1 / kPowerDominance of `power`: a squeeze carries power
// comparable to the reflux it provokes, speckle does not.
bool Carries(const Side& side, const Run& run, double power) {
  return RangePercentile(side.power, run.begin, run.end, 0.5) * kPowerDominance >= power;
}

// Whether `run` of side `b` is a stretch of a band both sides carry rather than flow: its power
// stays below its side's median over the rest of the clip, and that median is no more than
// kOneSidedRatio x the other side's. A squeeze adds its scatterers to whatever its side held;
// tissue clutter along the baseline lights both sides alike for the whole clip, 20-40 dB over the
// noise, and a speckle spike above it passed for a weak squeeze by its power alone (generated
// clutter set: a 44 cm/s spike in a 120-unit band made the 74 cm/s squeeze after it a "reflux").
// Resting flow before a squeeze is one-sided, so a squeeze spreading it thinner keeps its place.
bool InSharedBand(const Side& b, const Side& a, const Trace& t, const Run& run) {
  const double rest_b = RestMedian(b.power, t, run), rest_a = RestMedian(a.power, t, run);
  return std::isfinite(rest_b) && std::isfinite(rest_a) &&
         RangePercentile(b.power, run.begin, run.end, 0.5) < rest_b &&
         rest_b <= kOneSidedRatio * rest_a;
}

// Whether a run of `duration_s` peaking at `peak` is too brief and too slow to be the squeeze
// before a burst peaking at `burst_peak`: as brief as a thump and kSlowThumpPeakRatio x slower.
bool SlowBriefThump(double duration_s, double peak, double burst_peak) {
  return duration_s <= kThumpMaxS && burst_peak >= kSlowThumpPeakRatio * peak;
}

// A thump also lights both sides of the baseline at once (a jerk's power spreads across the
// spectrum: the opposite side brings power there (BringsPower: above its level over the rest of
// the clip), within kPowerDominance of the burst's own), where a squeeze leaves the other side its
// noise or a mirror copy 20-30 dB down. Both tests: a weak squeeze (a few noise units) is within
// 10 dB of the noise opposite it, which brings no power (the stop-25 review). Such a burst is a
// thump whatever its power against the squeeze's, up to kBilateralThumpMaxS long (its 40-80 ms
// widened by a long STFT window), when the burst it precedes is kBilateralThumpPeakRatio x faster
// (the two-sided power is the evidence; the speed only says the burst after it is the larger
// flow). Stop 25: on a sixth independent renderer, thumps of 140-190 ms with 0.9-2.9 x the
// squeeze's power set the polarity and the squeeze read as a 1-1.2 s reflux; the generated sets'
// brief squeezes (170-200 ms, 0.7-2.3 x slower than their refluxes) left the other side at its
// noise power. 2 x rather than IsThump's 4 x: a thump's broad spectrum reads fast (a fifth
// renderer's and a generated study's thumps 2-4 x slower than their squeezes set the polarity).
bool BilateralThump(const FirstBurst& first, const FirstBurst& second, double first_s,
                    double gap_s) {
  return first_s <= kBilateralThumpMaxS && gap_s <= kThumpGapS &&
         second.peak >= kBilateralThumpPeakRatio * first.peak && first.power > 0 &&
         first.opposite_lit && first.opposite_power * kPowerDominance >= first.power;
}

}  // namespace

bool ReleaseBlip(const FirstBurst& blip, const FirstBurst& burst, double seconds_per_column) {
  if (blip.begin < burst.end) return false;
  const double blip_s = static_cast<double>(blip.end - blip.begin) * seconds_per_column;
  const double gap_s = static_cast<double>(blip.begin - burst.end) * seconds_per_column;
  return gap_s <= kReleaseBlipGapS && blip_s <= kReleaseBlipMaxS &&
         burst.peak >= kReleaseBlipPeakRatio * blip.peak;
}

bool IsThump(const FirstBurst& first, const FirstBurst& second, double seconds_per_column) {
  const double first_s = static_cast<double>(first.end - first.begin) * seconds_per_column;
  const double gap_s =
      (static_cast<double>(second.begin) - static_cast<double>(first.end)) * seconds_per_column;
  if (first.begin >= second.end) return false;
  if (BilateralThump(first, second, first_s, gap_s)) return true;
  if (first_s > kThumpMaxS) return false;
  // Far slower still (kSlowThumpPeakRatio), a brief burst is no squeeze whatever its power: a
  // thump through a high-power (blunt) squeeze's slow start, up to kSlowThumpGapS before the
  // squeeze crosses its level (stop 22: a 3.5 cm/s, 105 ms thump 143 ms before an 82 cm/s
  // squeeze read the squeeze as a 1.1 s reflux).
  if (SlowBriefThump(first_s, first.peak, second.peak) && gap_s <= kSlowThumpGapS) return true;
  if (gap_s > kThumpGapS || !(second.power > 0)) return false;
  // 20 dB over the other side's flow (floored at kStrongPowerRatio noise units: a side's mean
  // power is diluted by its height, so a dim burst's ratio says little) is tissue when no faster
  // than that flow, whatever the 4 x below (a thump's click can light much of the column; blood's
  // power differs between a squeeze and its reflux by far less). A brief loud squeeze before a
  // slower, dim reflux is faster than it: it stays the squeeze.
  if (first.peak <= second.peak &&
      first.power >= kTissuePowerRatio * std::max(second.power, kStrongPowerRatio)) {
    return true;
  }
  return second.peak >= kThumpPeakRatio * first.peak &&
         first.power >= kThumpPowerRatio * second.power;
}

namespace {

// Whether side `b` has a weak squeeze whose flow ends (FlowEnd) within kReleaseToRefluxS before
// side `a`'s first burst `first` (or overlapping it): that burst is then the squeeze's reflux. The
// augmentation level follows the clip's strongest squeeze, so a weak first squeeze stays below it
// while the reflux it provoked does not (measured: a 13 cm/s squeeze under a 68 cm/s second one;
// its 59 cm/s reflux set the polarity). A candidate that itself follows a weak squeeze of side `a`
// within kReleaseToRefluxS is that squeeze's reflux, not a squeeze: `a` keeps the polarity.
bool SqueezeEndsBefore(const Side& b, const Side& a, const Trace& t, const FirstBurst& first,
                       double seconds_per_column) {
  const size_t gap = ColumnsFor(kReleaseToRefluxS, seconds_per_column);
  const double lead_cols = kMaxWindowLeadS / seconds_per_column + 1.0;
  const std::vector<Run> a_squeezes = WeakSqueezes(a, t, seconds_per_column);
  for (const Run& c : WeakSqueezes(b, t, seconds_per_column)) {
    if (c.begin >= first.begin) break;
    if (!Carries(b, c, first.power) || FlowEnd(b.v, t, c) + gap < first.begin ||
        InSharedBand(b, a, t, c)) {
      continue;
    }
    // A candidate as brief as a thump and kSlowThumpPeakRatio x slower than the burst (whatever
    // its power), or kThumpPeakRatio x slower with under 1 / kThumpPeakRatio of its power, or as
    // brief and loud as one (IsThump: tissue's power), is no squeeze: a thump at that burst's
    // compression, a mirror or ECG spike (stop 42: a 10 cm/s, 100 ms spike of 2.3 noise units
    // made a 47 cm/s, 15-unit squeeze 0.5 s later its "reflux"). A short weak squeeze keeps
    // power comparable to its reflux's (the review: 0.2-0.35 s squeezes of 8-15 cm/s before a
    // 63 cm/s reflux read as spikes without the power arm).
    const double c_s = static_cast<double>(c.Length()) * seconds_per_column;
    const double c_peak = RangePercentile(b.v, c.begin, c.end, 1.0);
    const bool dim = RangePercentile(b.power, c.begin, c.end, 0.5) * kThumpPeakRatio < first.power;
    if (SlowBriefThump(c_s, c_peak, first.peak) ||
        (c_s <= kThumpMaxS && first.peak >= kThumpPeakRatio * c_peak && dim) ||
        IsThump(AsBurst(b, a, t, c), first, seconds_per_column)) {
      continue;
    }
    // Flow goes one way at a time: a squeeze's flow ends at its release, before its reflux
    // starts, give or take the window's blur (lead_cols). A run ending later is the other side's
    // burst seen on both sides (spill of a fast squeeze's onset, a mirror, a thump), unless it
    // spans all of that burst and ends within kReleaseToRefluxS of it: a squeeze whose wrap the
    // burst may be (its unwrapped part goes on around the wrap).
    const double end = static_cast<double>(c.end), first_end = static_cast<double>(first.end);
    const bool ends_before = end <= static_cast<double>(first.begin) + lead_cols;
    const bool wraps_around = end >= first_end - lead_cols && c.end <= first.end + gap;
    if (!ends_before && !wraps_around) continue;
    const double c_power = RangePercentile(b.power, c.begin, c.end, 0.5);
    const bool follows_a = std::any_of(a_squeezes.begin(), a_squeezes.end(), [&](const Run& s) {
      return s.begin < c.begin && Carries(a, s, c_power) && s.end + gap >= c.begin;
    });
    if (!follows_a) return true;
  }
  return false;
}

}  // namespace

AntegradeDirection FlowSide(const Trace& t) {
  if (t.columns == 0 || t.power_up.size() < t.columns || t.power_down.size() < t.columns) {
    return AntegradeDirection::kUp;
  }
  return RangePercentile(t.power_down, 0, t.columns, 0.9) >
                 RangePercentile(t.power_up, 0, t.columns, 0.9)
             ? AntegradeDirection::kDown
             : AntegradeDirection::kUp;
}

namespace {

// Two first bursts overlapping for at least kSameEventOverlap of the shorter one are one event
// seen on both sides of the baseline, not a squeeze and its reflux (the reflux follows the
// release): a wall thump at compression (bright, bilateral, 40-80 ms), the mirror copy of the
// squeeze (I/Q imbalance, 20-30 dB down), or the Hann main lobe spilling a fast squeeze's onset
// across the baseline. Which side starts first is then chance; the squeeze is the side carrying
// the larger velocity-time integral over its run (a thump is brief and low, a mirror copy's edge
// falls into the noise first).
std::optional<AntegradeDirection> SameEvent(const FirstBurst& up, const FirstBurst& down) {
  const size_t overlap_begin = std::max(up.begin, down.begin);
  const size_t overlap_end = std::min(up.end, down.end);
  const size_t shorter = std::min(up.end - up.begin, down.end - down.begin);
  if (overlap_end <= overlap_begin ||
      static_cast<double>(overlap_end - overlap_begin) < kSameEventOverlap * shorter) {
    return std::nullopt;
  }
  return up.velocity_sum >= down.velocity_sum ? AntegradeDirection::kUp : AntegradeDirection::kDown;
}

}  // namespace

bool RestingFlowBefore(std::span<const float> flow_side, std::span<const float> other, double level,
                       const Trace& t, size_t at, double seconds_per_column) {
  const size_t margin = ColumnsFor(kStrainMarginS, seconds_per_column);
  if (at < t.first_column + margin + ColumnsFor(kMinRestingS, seconds_per_column)) return false;
  const size_t end = at - margin;
  const size_t begin = std::max(
      t.first_column, end - std::min(end, ColumnsFor(kRestingWindowS, seconds_per_column)));
  // Flow carries power: the side's median power over the columns read as flowing, when known,
  // must be kRestingFlowPower noise units (a tinted display whose noise reads a little higher on
  // one side than on the other passed for resting flow, and an aliased squeeze for a Valsalva's
  // strain reflux).
  const std::span<const float> power = PowerOfSide(t, flow_side);
  const bool power_known = !power.empty();
  std::vector<float> flowing_power;
  size_t flowing = 0;
  for (size_t c = begin; c < end; ++c) {
    if (!(flow_side[c] > std::max(level, kOneSidedRatio * other[c]))) continue;
    ++flowing;
    if (power_known) flowing_power.push_back(power[c]);
  }
  const double needed =
      std::max(kRestingShare * static_cast<double>(end - begin),
               static_cast<double>(ColumnsFor(kMinRestingFlowS, seconds_per_column)));
  if (static_cast<double>(flowing) < needed) return false;
  return !power_known ||
         RangePercentile(flowing_power, 0, flowing_power.size(), 0.5) >= kRestingFlowPower;
}

bool QuietToTheEnd(std::span<const float> side, std::span<const float> other, double level,
                   const Trace& t, size_t begin, double seconds_per_column) {
  if (begin + ColumnsFor(kMinStrainS, seconds_per_column) > t.columns) return false;
  size_t quiet = 0;
  for (size_t c = begin; c < t.columns; ++c) {
    quiet += side[c] <= level || kOneSidedRatio * side[c] <= other[c];
  }
  return static_cast<double>(quiet) >= kStrainQuietShare * static_cast<double>(t.columns - begin);
}

namespace {

// Whether `side` reads no more than `other` (or `level`) in kStrainQuietShare of the columns
// from the data's start to `end`: it carried no flow of its own there.
bool YieldsBefore(std::span<const float> side, std::span<const float> other, double level,
                  const Trace& t, size_t end) {
  if (end <= t.first_column) return true;
  size_t yields = 0;
  for (size_t c = t.first_column; c < end; ++c)
    yields += side[c] <= std::max<double>(level, other[c]);
  return static_cast<double>(yields) >=
         kStrainQuietShare * static_cast<double>(end - t.first_column);
}

}  // namespace

bool ValsalvaOrder(const Side& first, const Side& other, const std::optional<FirstBurst>& burst,
                   const std::optional<FirstBurst>& other_burst, const Trace& t,
                   double seconds_per_column) {
  if (!burst) return false;
  // Without a surge, `other` must stay without flow of its own to the end, and `first` must
  // have carried nothing above `other` before its burst (a weak squeeze there makes the "resting
  // flow" its reflux).
  if (other_burst
          ? other_burst->begin <= burst->begin
          : !QuietToTheEnd(other.v, first.v, t.noise_cm_s, t, burst->begin, seconds_per_column) ||
                !YieldsBefore(first.v, other.v, t.noise_cm_s, t, burst->begin))
    return false;
  return RestingFlowBefore(other.v, first.v, t.noise_cm_s, t, burst->begin, seconds_per_column);
}

namespace {

// A side's flow power: the 90th percentile over the clip of its power where its envelope reaches
// the level weak squeezes are looked for at (WeakSqueezeLevel), 0 where it does not (no flow
// there, whatever the band by the baseline holds); 0 without a power series. Tissue clutter
// residue (the tissue's respiratory motion through the wall filter) fills a narrow band by the
// baseline with 20-40 dB over the blood's power and stays below that level: counted, its power
// made a 39 cm/s squeeze opposite it "speckle" and the clutter side antegrade (docs/criteria.md,
// "Direction").
double FlowPower(const Side& side, const Trace& t) {
  if (side.power.size() < t.columns) return 0;
  const double level = WeakSqueezeLevel(side.v, t);
  std::vector<float> flowing(t.columns, 0.0f);
  for (size_t c = 0; c < t.columns; ++c) {
    if (side.v[c] >= level) flowing[c] = side.power[c];
  }
  return RangePercentile(flowing, 0, t.columns, 0.9);
}

// A side's flow power as a total: `mean_power` (noise units per row) above the noise, times the
// side's extent `limit` (its scale magnitude: rows at one velocity step each). Doppler power
// counts scatterers wherever their velocities fall, and a side's mean dilutes them by its
// height: a squeeze spread over a 200-row side read 2.8 noise units against its reflux's 47.6 on
// a 40-row side, and the reflux took the polarity (fourteenth renderer: two refluxes of 1.1 s
// missed).
double SideTotal(double mean_power, double limit) {
  return std::max(mean_power - 1.0, 0.0) * limit;
}

}  // namespace

std::optional<AntegradeDirection> InferAntegrade(const Trace& t, const RefluxOptions& options,
                                                 double spc, const std::optional<FirstBurst>& up,
                                                 const std::optional<FirstBurst>& down) {
  const Side up_side{t.up, t.power_up}, down_side{t.down, t.power_down};
  // Side powers are means over each side's rows, so a side's mean dilutes its flow by the side's
  // height; the totals (SideTotal) do not, but lean on the noise unit being right. A burst is
  // kPowerDominance x weaker than the other side's power only when both measures say so (the
  // totals alone made faint bursts opposite a squeeze "speckle" and sent them down the lone-burst
  // path: four generated clips lost their polarity, eleven others gained it).
  const bool sized = t.up_limit > 0 && t.down_limit > 0;
  const auto limit = [&](const Side& side) {
    return !sized ? 1.0 : side.v.data() == t.up.data() ? t.up_limit : t.down_limit;
  };
  const auto weaker = [&](double power, const Side& side, double other_power, const Side& other) {
    return power * kPowerDominance < other_power &&
           SideTotal(power, limit(side)) * kPowerDominance < SideTotal(other_power, limit(other));
  };
  // A lone burst must carry flow's power: one kPowerDominance x weaker than the other side's flow
  // (FlowPower) is that side's speckle, and the other side's flow, with no squeeze in it, is the
  // antegrade flow (FlowSide).
  const auto credible = [&](const std::optional<FirstBurst>& b, const Side& own,
                            const Side& other) {
    return b && (b->power <= 0 || !weaker(b->power, own, FlowPower(other, t), other));
  };
  const bool up_ok = credible(up, up_side, down_side), down_ok = credible(down, down_side, up_side);
  if (!up_ok && !down_ok) return std::nullopt;
  const bool weak_squeezes = WeakSqueezesAllowed(options);
  if (!down_ok) {  // the lone burst may still be a weak squeeze's reflux
    return weak_squeezes && SqueezeEndsBefore(down_side, up_side, t, *up, spc)
               ? AntegradeDirection::kDown
               : AntegradeDirection::kUp;
  }
  if (!up_ok) {
    return weak_squeezes && SqueezeEndsBefore(up_side, down_side, t, *down, spc)
               ? AntegradeDirection::kUp
               : AntegradeDirection::kDown;
  }
  const Run up_run{up->begin, up->end}, down_run{down->begin, down->end};
  const Run both{std::min(up->begin, down->begin), std::max(up->end, down->end)};
  // A thump ends before the squeeze's own side crosses its level, where no wrap can be yet.
  if (IsThump(*up, *down, spc)) return AntegradeDirection::kDown;
  if (IsThump(*down, *up, spc)) return AntegradeDirection::kUp;
  if (!MayBeWrapped(t.up, t.up_limit, t, both) && !MayBeWrapped(t.down, t.down_limit, t, both)) {
    if (const auto same = SameEvent(*up, *down)) return *same;
    const bool up_sided = HigherThanOther(t.up, t.down, t.noise_cm_s, up_run);
    const bool down_sided = HigherThanOther(t.down, t.up, t.noise_cm_s, down_run);
    if (up_sided != down_sided) {
      return up_sided ? AntegradeDirection::kUp : AntegradeDirection::kDown;
    }
  }
  // A valve's closure or a release thump after the squeeze is loud whatever its flow: not the
  // power below but the order tells (fourteenth renderer: blips of 10 cm/s at 30-90 x a 50-110
  // cm/s squeeze's power set the polarity).
  if (ReleaseBlip(*down, *up, spc)) return AntegradeDirection::kUp;
  if (ReleaseBlip(*up, *down, spc)) return AntegradeDirection::kDown;
  // Flow's power counts its scatterers, not their speed: a squeeze and the reflux it provokes
  // carry comparable power in the same vein, while a side's speckle or spill carries a small
  // fraction. A first burst that much weaker than the other side's is not the augmentation.
  if (up->power > 0 && down->power > 0) {
    if (weaker(up->power, up_side, down->power, down_side)) return AntegradeDirection::kDown;
    if (weaker(down->power, down_side, up->power, up_side)) return AntegradeDirection::kUp;
  }
  if (up->begin != down->begin) {
    const bool up_first = up->begin < down->begin;
    const bool other_squeezed_first =
        weak_squeezes && (up_first ? SqueezeEndsBefore(down_side, up_side, t, *up, spc)
                                   : SqueezeEndsBefore(up_side, down_side, t, *down, spc));
    return up_first != other_squeezed_first ? AntegradeDirection::kUp : AntegradeDirection::kDown;
  }
  return up->peak >= down->peak ? AntegradeDirection::kUp : AntegradeDirection::kDown;
}

}  // namespace refluxscan::reflux::detail
