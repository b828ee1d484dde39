// Reflux measurement on an Envelope. The algorithm and its reasoning: docs/criteria.md
// ("Measuring reflux time").
#include "refluxscan/reflux/measure.h"

#include <algorithm>
#include <cmath>

#include "reflux/stages.h"

namespace refluxscan::reflux {
using namespace detail;  // the stages (reflux/stages.h)

namespace {

// Where the fall after a burst ends when the antegrade trace never reaches its noise level: the
// first column of [begin, end) within kBottomTolerance of the way from the lowest value there up
// to `peak`, `end` at most kFallSearchS after `begin` (the tail of a squeeze's fall below the
// augmentation level; a dip of the quiet flow seconds later is no release). The burst end instead
// (where the trace crossed the augmentation level) read a fall still going on at the end of the
// data as finished: a competent-looking clip whose release came 8 columns before an erase bar
// (sample IMG_0016).
size_t FallBottom(std::span<const float> v, size_t begin, size_t end, double peak) {
  if (begin >= end) return begin;
  const float lowest =
      *std::min_element(v.begin() + static_cast<long>(begin), v.begin() + static_cast<long>(end));
  const double near = lowest + kBottomTolerance * std::max(0.0, peak - lowest);
  size_t col = begin;
  while (col + 1 < end && v[col] > near) ++col;
  return col;
}

Maneuver MeasureManeuver(std::span<const float> ante, std::span<const float> retro, const Trace& t,
                         const Envelope& envelope, size_t aug_start, const Run& burst,
                         size_t window_end) {
  Maneuver m;
  m.augmentation_start_s = envelope.TimeOf(static_cast<double>(aug_start));
  size_t quiet = burst.end;
  while (quiet < window_end && ante[quiet] > t.ante_noise_cm_s) ++quiet;
  const auto peak_it = std::max_element(ante.begin() + static_cast<long>(aug_start),
                                        ante.begin() + static_cast<long>(burst.end));
  m.peak_antegrade_velocity_cm_s = *peak_it;
  // The release: where the antegrade trace falls to its noise level or, when it never does
  // before the window ends, where its fall bottoms out (quiet flow resumed there, or the fall
  // was still going on when the data ended).
  const size_t fall_end =
      std::min(window_end, burst.end + ColumnsFor(kFallSearchS, envelope.seconds_per_column));
  double release_col = quiet < window_end
                           ? FallCrossing(ante, quiet, t.ante_noise_cm_s)
                           : static_cast<double>(FallBottom(ante, burst.end, fall_end, *peak_it));
  if (const auto run = FindRefluxRun(retro, t, burst.end, window_end)) {
    MeasureRefluxRun(retro, t, envelope, *run, Bounds{burst.end, window_end}, m);
    // Antegrade flow has ended by the time retrograde flow starts.
    release_col =
        std::min(release_col, (*m.reflux_onset_s - envelope.t0_s) / envelope.seconds_per_column);
  } else {
    // No reflux seen, but the data ends before a reflux could have shown: less than
    // kMinObservationAfterReleaseS follows the release.
    m.truncated =
        release_col + static_cast<double>(t.min_observation) > static_cast<double>(t.columns);
  }
  m.release_s = envelope.TimeOf(release_col);
  return m;
}

// Where the resting antegrade flow before column `at` fell to its noise level (the strain's
// start): walking back over the quiet antegrade columns.
size_t FlowStop(std::span<const float> ante, const Trace& t, size_t at) {
  size_t stop = at;
  while (stop > t.first_column && ante[stop - 1] <= t.ante_noise_cm_s) --stop;
  return stop;
}

// A Valsalva maneuver from reflux run `run`: released where the resting antegrade flow before it
// fell to its noise level (`stop`); measured like a squeeze's reflux up to `window_end`. Its peak
// antegrade velocity is the resting flow's over kRestingWindowS before the stop.
Maneuver MeasureValsalva(std::span<const float> ante, std::span<const float> retro, const Trace& t,
                         const Envelope& envelope, const Run& run, size_t stop, size_t window_end) {
  Maneuver m;
  m.kind = ManeuverKind::kValsalva;
  const double release_col = FallCrossing(ante, stop, t.ante_noise_cm_s);
  const size_t window = ColumnsFor(kRestingWindowS, envelope.seconds_per_column);
  const size_t from = std::max(t.first_column, stop - std::min(stop, window));
  m.peak_antegrade_velocity_cm_s = RangePercentile(ante, from, stop, 1.0);
  MeasureRefluxRun(retro, t, envelope, run, Bounds{stop, window_end}, m);
  m.augmentation_start_s = m.release_s = envelope.TimeOf(
      std::min(release_col, (*m.reflux_onset_s - envelope.t0_s) / envelope.seconds_per_column));
  return m;
}

// Whether antegrade flow of its own resumes in [begin, end) (in kResumedShare of the columns,
// above its noise level and kOneSidedRatio x the retrograde side): the strain was over before
// then, so a burst at `end` is no surge of a strain around a reflux before `begin`.
bool FlowResumes(std::span<const float> ante, std::span<const float> retro, const Trace& t,
                 size_t begin, size_t end) {
  if (end <= begin) return false;
  size_t flowing = 0;
  for (size_t c = begin; c < end; ++c) {
    flowing += ante[c] > std::max(t.ante_noise_cm_s, kOneSidedRatio * retro[c]);
  }
  return static_cast<double>(flowing) >= kResumedShare * static_cast<double>(end - begin);
}

double RunArea(std::span<const float> retro, const Run& run) {
  double area = 0;
  for (size_t i = run.begin; i < run.end; ++i) area += std::max(retro[i], 0.0f);
  return area;
}

// Refluxes no squeeze explains that follow a Valsalva's strain (ValsalvaOrder): a reflux run
// starting before the first burst (after it, every column belongs to a maneuver's window), with
// one-sided resting antegrade flow before it, and after it either a burst with no resting flow
// resumed in between (the surge as the strain ends) or, without a burst, no antegrade flow of
// its own to the end of the data (the strain outlasts the recording) and a reflux longer than a
// blip. Without that, a retrograde dip of phasic flow before a squeeze, or between respiratory
// crests, would read as a maneuver (review: a 400 ms dip of phasic flow before a competent
// squeeze became the decisive "Valsalva"); nor is a thump-sized run just before the first burst
// one (stress seeds 11 and 31: a compression thump after resting flow read as a 32-81 ms Valsalva
// reflux, and the clip no_reflux). Runs of one strain (a reflux broken by a fade: the same flow
// stop) make one maneuver, from the run with the largest velocity-time integral. `starts` are the
// bursts' starts; `surge_seen` says whether a burst is a surge at all: a kept maneuver, or a
// burst cut by the data's end (its maneuver dropped for want of a release). Respiratory crests
// dropped as maneuvers are no surge. Maneuvers stay in time order.
void AddValsalvas(std::span<const float> ante, std::span<const float> retro, const Trace& t,
                  const Envelope& envelope, const std::vector<size_t>& starts, bool surge_seen,
                  std::vector<Maneuver>& maneuvers) {
  if (t.columns == 0 || t.retro_noise_cm_s <= 0) return;
  const double spc = envelope.seconds_per_column;
  const size_t first_burst = starts.empty() ? t.columns : starts.front();
  const size_t thump = ColumnsFor(kThumpMaxS, spc);
  std::vector<Maneuver> added;
  std::optional<size_t> last_stop;
  double last_area = 0;
  for (const Run& run : RefluxRuns(retro, t, t.first_column, first_burst)) {
    if (!RestingFlowBefore(ante, retro, t.ante_noise_cm_s, t, run.begin, spc)) continue;
    const bool strain_holds =
        starts.empty() ? run.Length() > thump &&
                             QuietToTheEnd(ante, retro, t.ante_noise_cm_s, t, run.begin, spc)
                       : surge_seen && !FlowResumes(ante, retro, t, run.end, first_burst);
    if (!strain_holds) continue;
    // A brief run right before the burst is the compression's wall thump (IsThump's limits).
    if (run.Length() <= thump && run.end + ColumnsFor(kThumpGapS, spc) >= first_burst) continue;
    const size_t stop = FlowStop(ante, t, run.begin);
    const double area = RunArea(retro, run);
    if (last_stop && stop == *last_stop) {  // the same strain: keep its larger run
      if (area > last_area) {
        added.back() = MeasureValsalva(ante, retro, t, envelope, run, stop, first_burst);
        last_area = area;
      }
      continue;
    }
    added.push_back(MeasureValsalva(ante, retro, t, envelope, run, stop, first_burst));
    last_stop = stop;
    last_area = area;
  }
  maneuvers.insert(maneuvers.begin(), added.begin(), added.end());
}

std::optional<size_t> Decisive(const std::vector<Maneuver>& maneuvers) {
  if (maneuvers.empty()) return std::nullopt;
  size_t best = 0;
  for (size_t i = 1; i < maneuvers.size(); ++i) {
    if (maneuvers[i].reflux_duration_ms > maneuvers[best].reflux_duration_ms) best = i;
  }
  return best;
}

void AddFlags(const Envelope& envelope, const Trace& t, const std::vector<Run>& bursts,
              RefluxMeasurement& m) {
  auto add = [&m](std::string flag) { m.flags.push_back(std::move(flag)); };
  if (m.maneuvers.empty()) add("no_augmentation");
  if (envelope.weak_signal) add("weak_signal");
  // A squeeze seen, however faintly, proves the vein visible: a reflux carries the same blood, so
  // it would show as brightly. So weak squeeze columns are a finding for the sonographer (raise the
  // gain), not a reason to doubt the classification (stop 34: they made 13 measured no-reflux
  // clips of an independent renderer indeterminate, and helped on none of 15 sets).
  if (MostlyWeak(t, bursts)) add("weak_augmentation");
  if (m.decisive && m.maneuvers[*m.decisive].truncated) add("truncated");
  if (m.decisive && m.maneuvers[*m.decisive].aliased) add("aliased");
  // A decisive reflux fading slowly into the noise ended later than it could be seen (stop 35:
  // offsets after a fade of >= 200 ms were early by a median 157 / 109 / 55 ms on a generated
  // and two independent sets, most by > 100 ms; after shorter fades by < 5 ms). A finding for
  // the reader (its time is a lower estimate), not a change of the time: how far the flow went on
  // below the noise depends on the decay's shape, which the data no longer show.
  if (m.decisive && m.maneuvers[*m.decisive].has_reflux &&
      m.maneuvers[*m.decisive].offset_fade_ms >= kFaintTailMs) {
    add("faint_tail");
  }
  if (envelope.saturated) add("saturated");
  if (m.maneuvers.size() > 1) add("multiple_maneuvers");
  if (m.antegrade_source == AntegradeSource::kOverride) add("antegrade_override");
  if (envelope.unit == VelocityUnit::kHertz) add("velocity_in_hz");
  for (size_t c = 0; c < t.pulse.size();) {
    if (t.pulse[c] == 0) {
      ++c;
      continue;
    }
    const size_t begin = c;
    while (c < t.pulse.size() && t.pulse[c] != 0) ++c;
    m.cardiac_pulses_s.emplace_back(envelope.TimeOf(static_cast<double>(begin) - 0.5),
                                    envelope.TimeOf(static_cast<double>(c) - 0.5));
  }
  if (!m.cardiac_pulses_s.empty()) add("pulsatile_signal");
}

}  // namespace

Result<RefluxMeasurement> MeasureReflux(const Envelope& envelope, const RefluxOptions& options) {
  if (envelope.Size() == 0) return Fail(ErrorCode::kInvalidInput, "empty velocity envelope");
  if (!(envelope.seconds_per_column > 0) || !std::isfinite(envelope.seconds_per_column)) {
    return Fail(ErrorCode::kInvalidInput, "envelope time step must be positive");
  }
  if (envelope.max_reverse.size() != envelope.Size()) {
    return Fail(ErrorCode::kInvalidInput, "forward and reverse envelopes differ in length");
  }
  Trace t = MakeTrace(envelope, options);
  RefluxMeasurement m;
  m.time_resolution_ms = envelope.seconds_per_column * 1000.0;
  // The user's override, else the first augmentation burst, else the side with the resting flow.
  std::optional<AntegradeDirection> inferred;
  const Side up_side{t.up, t.power_up}, down_side{t.down, t.power_down};
  std::optional<FirstBurst> up_burst, down_burst;  // each side's first burst, found once
  if (!options.antegrade_override && t.columns > 0) {
    const double level = options.min_augmentation_velocity_cm_s;
    up_burst = FindFirstBurst(up_side, down_side, t, level, envelope.seconds_per_column);
    down_burst = FindFirstBurst(down_side, up_side, t, level, envelope.seconds_per_column);
    inferred = InferAntegrade(t, options, envelope.seconds_per_column, up_burst, down_burst);
  }
  if (options.antegrade_override) {
    m.antegrade = *options.antegrade_override;
    m.antegrade_source = AntegradeSource::kOverride;
  } else if (inferred) {
    m.antegrade = *inferred;
    m.antegrade_source = AntegradeSource::kAugmentation;
    const bool up_first = m.antegrade == AntegradeDirection::kUp;
    if (ValsalvaOrder(up_first ? up_side : down_side, up_first ? down_side : up_side,
                      up_first ? up_burst : down_burst, up_first ? down_burst : up_burst, t,
                      envelope.seconds_per_column)) {
      m.antegrade = up_first ? AntegradeDirection::kDown : AntegradeDirection::kUp;
      m.antegrade_source = AntegradeSource::kRestingFlow;
    }
  } else {
    m.antegrade = FlowSide(t);
    m.antegrade_source = AntegradeSource::kRestingFlow;
  }
  const bool up = m.antegrade == AntegradeDirection::kUp;
  const std::span<const float> ante = up ? t.up : t.down, retro = up ? t.down : t.up;
  std::vector<Run> bursts =
      t.columns == 0
          ? std::vector<Run>{}
          : DetectBursts(ante, retro, up ? t.up_limit : t.down_limit,
                         up ? t.down_limit : t.up_limit, t,
                         AugmentationLevel(ante, t, options.min_augmentation_velocity_cm_s),
                         envelope.seconds_per_column);
  const std::span<const float> retro_power = up ? t.power_down : t.power_up;
  const std::span<const float> ante_power = up ? t.power_up : t.power_down;
  t.retro_power = retro_power;
  t.ante = ante;
  t.retro_limit = up ? t.down_limit : t.up_limit;
  // Where each maneuver starts and the noise levels read around the bursts.
  std::vector<size_t> starts;
  const auto read_levels = [&] {
    starts.clear();
    for (size_t i = 0; i < bursts.size(); ++i) {
      starts.push_back(AugmentationStart(ante, t, bursts[i], i == 0 ? 0 : bursts[i - 1].end));
    }
    t.retro_noise_cm_s = RetrogradeNoise(
        retro, retro_power, t, starts, bursts, envelope.velocity_resolution,
        up ? envelope.positive_limit : -envelope.negative_limit, up ? t.down_limit : t.up_limit);
    t.ante_noise_cm_s = t.columns == 0
                            ? t.noise_cm_s
                            : AntegradeNoise(ante, retro, t, envelope.velocity_resolution);
  };
  read_levels();
  if (WeakSqueezesAllowed(options) && t.columns > 0) {
    const size_t before = bursts.size();
    bursts = WithWeakSqueezes(ante, retro, ante_power, t, bursts, envelope.seconds_per_column);
    if (bursts.size() != before) read_levels();  // the new bursts' columns count too
  }
  const std::vector<float> smooth_ante = ShapeSmoothed(ante, envelope.seconds_per_column);
  const std::optional<double> crest_cm_s =
      RestingCrest(smooth_ante, t, bursts, envelope.seconds_per_column);
  bool crest_dropped = false;  // a burst dropped as one of the resting crests
  for (size_t i = 0; i < bursts.size(); ++i) {
    const bool last = i + 1 == bursts.size();
    const size_t window_end = last ? t.columns : starts[i + 1];
    Maneuver man = MeasureManeuver(ante, retro, t, envelope, starts[i], bursts[i], window_end);
    if (NoReleaseSeen(man, bursts[i], last, smooth_ante, t)) continue;
    if (RespiratoryCrest(man, bursts[i], smooth_ante, envelope.seconds_per_column)) continue;
    if (AmongRestingCrests(man, bursts[i], smooth_ante, t, crest_cm_s)) {
      crest_dropped = true;
      continue;
    }
    m.maneuvers.push_back(std::move(man));
  }
  // A Valsalva's surge after the strain need not stand out of the resting crests: a burst dropped
  // as one still shows the flow surging back (review of stop 26: a 12 cm/s surge over 10 cm/s
  // crests was dropped, and the 1.6 s strain reflux before it with it).
  const bool surge_seen = !m.maneuvers.empty() || crest_dropped ||
                          (!bursts.empty() && bursts.front().end + kEdgeColumns >= t.columns);
  AddValsalvas(ante, retro, t, envelope, starts, surge_seen, m.maneuvers);
  m.decisive = Decisive(m.maneuvers);
  AddFlags(envelope, t, bursts, m);
  return m;
}

}  // namespace refluxscan::reflux
