// Reflux measurement, the retrograde and antegrade noise levels read around the bursts. The rules
// and their measurements: docs/criteria.md ("Measuring reflux time").
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "reflux/stages.h"

namespace refluxscan::reflux::detail {

namespace {

// Columns whose retrograde power is kStrongPowerRatio x the clip's median are flow whatever the
// first level says (a level raised by an aliased burst, or by refluxes filling much of the clip,
// must not hide them).
// The first pass skips them too: a wall thump at compression (bilateral, 40-80 ms, tissue 10-25
// dB over blood) fills the retrograde side during a tenth of a squeeze, and its velocity set the
// 90th percentile (measured: a 22 cm/s thump set an 18.7 cm/s level and hid a 25 cm/s, 2 s
// reflux on the independent renderer).
void MarkStrongPower(std::span<const float> retro_power, const Trace& t,
                     std::vector<uint8_t>& flow) {
  if (retro_power.size() < t.columns || t.columns == 0) return;
  const double median = std::max(RangePercentile(retro_power, 0, t.columns, 0.5), 1e-6);
  for (size_t c = 0; c < t.columns; ++c) {
    if (retro_power[c] >= kStrongPowerRatio * median) flow[c] = 1;
  }
}

// Columns within t.min_run of one where the antegrade trace reaches its scale limit (within
// kWrapRows velocity steps): flow faster than the scale wraps onto the retrograde side there, and
// past a full span it fills that side from its edge to the baseline, where the envelope cannot
// tell the wrap from flow (it flags only a wrap detached from the baseline). Measured: a 71 cm/s
// squeeze on a +42 / -28 cm/s scale read 28 cm/s "retrograde noise" and hid a 23 cm/s reflux.
// Also where both traces reach kScaleEdgeShare of their scales at once: the wrap enters the
// retrograde side from its edge while the squeeze fills its own side, whose top rows a label or
// margin may keep the envelope from (stop 25: a squeeze read 76.7 of a 77.9 cm/s side, 4 rows
// short, its wrap 22.8 of a 23.0 cm/s side set a 21.6 cm/s level that hid a 13 cm/s, 3 s reflux
// on a sixth independent renderer). Flow goes one way at a time: no reflux runs beside a squeeze.
// Like the other wrap columns they make the burst `aliased` in RetrogradeNoise, whose first pass
// then reads the median of the remaining burst columns, not their 90th percentile.
std::vector<uint8_t> WrapSuspects(const Trace& t, std::span<const float> retro,
                                  double ante_limit_cm_s, double retro_limit_cm_s,
                                  double step_cm_s) {
  std::vector<uint8_t> out(t.columns, 0);
  if (!(ante_limit_cm_s > 0) || t.ante.size() < t.columns) return out;
  const double at_limit = ante_limit_cm_s - kWrapRows * std::max(step_cm_s, 0.0);
  const bool both_known = retro_limit_cm_s > 0 && retro.size() >= t.columns;
  for (size_t c = 0; c < t.columns; ++c) {
    const bool both_at_edges = both_known && t.ante[c] >= kScaleEdgeShare * ante_limit_cm_s &&
                               retro[c] >= kScaleEdgeShare * retro_limit_cm_s;
    if (!(t.ante[c] >= at_limit) && !both_at_edges) continue;
    const size_t lo = c > t.min_run ? c - t.min_run : 0;
    std::fill(out.begin() + static_cast<long>(lo),
              out.begin() + static_cast<long>(std::min(t.columns, c + t.min_run + 1)), 1);
  }
  return out;
}

// Whether `run` is lit from the data's first columns up to the first squeeze's start (within
// t.quiet columns at both ends): nothing before it could have provoked a reflux, so it is what
// the retrograde side shows at rest (a band of clutter or stagnant blood), and it counts for the
// side's noise level. A squeeze can darken that side while it lasts (a display whose gain follows
// the flow), and the bursts alone then set a level far below the band: on the fourteenth
// renderer a 1.7 cm/s band on both sides read as a 3.7 s reflux after a valve's closure blip.
// A Valsalva strain's reflux follows resting flow (AddValsalvas), so it does not start with the
// data.
bool LitBeforeEverything(const Run& run, const Trace& t, const std::vector<size_t>& starts) {
  return !starts.empty() && run.begin <= t.first_column + t.quiet &&
         run.end + t.quiet >= starts.front();
}

}  // namespace

double RetrogradeNoise(std::span<const float> retro, std::span<const float> retro_power, Trace& t,
                       const std::vector<size_t>& starts, const std::vector<Run>& bursts,
                       double floor_cm_s, double ante_limit_cm_s, double retro_limit_cm_s) {
  std::vector<size_t> quiet;
  const std::vector<uint8_t> wrapped =
      WrapSuspects(t, retro, ante_limit_cm_s, retro_limit_cm_s, floor_cm_s);
  std::vector<uint8_t> strong(t.columns, 0);
  MarkStrongPower(retro_power, t, strong);
  bool aliased_burst = false;
  size_t burst_columns = 0, mirrored = 0;
  const uint8_t retro_mirror = retro.data() == t.down.data() ? kMirrorDown : kMirrorUp;
  const uint8_t retro_pulse = retro.data() == t.down.data() ? kPulseDown : kPulseUp;
  for (size_t i = 0; i < bursts.size(); ++i) {
    for (size_t c = starts[i]; c < bursts[i].end; ++c) {
      aliased_burst = aliased_burst || (t.flags[c] & kColumnAliased) || wrapped[c];
    }
    for (size_t c = starts[i]; c < bursts[i].end; ++c) {
      // An aliased burst wraps onto the retrograde side: those columns are flow, not noise.
      if ((t.flags[c] & kColumnAliased) || wrapped[c] || strong[c]) continue;
      ++burst_columns;
      if (!t.mirror.empty() && t.mirror[c] == retro_mirror) {
        ++mirrored;
        continue;
      }
      // A systole-like excursion on the retrograde side during a squeeze is an event (an
      // artery's beat too few to keep a rhythm, a thump's tail), not the side's noise. When the
      // side holds nothing else there, the envelope's noise floor is the level, as without a
      // squeeze (keeping the events instead: the fifth renderer's Valsalva set and stress seed
      // 13 one clip each worse, seed 17 one better).
      if (!t.excursion.empty() && (t.excursion[c] & retro_pulse)) continue;
      quiet.push_back(c);
    }
  }
  if (bursts.empty()) return floor_cm_s;
  // A squeeze mirrored onto the retrograde side reads its own velocity there: the first level
  // then comes from the rest before the first burst (stop 22: mirror clips were 40% of the
  // generated sets' misclassifications, long refluxes under a mirror-set level not found).
  if (2 * mirrored > burst_columns) {
    quiet.clear();
    const size_t margin = t.quiet;
    for (size_t c = t.first_column; c + margin < starts[0]; ++c) {
      if (!strong[c] && !wrapped[c]) quiet.push_back(c);
    }
    if (quiet.size() < t.min_augmentation) quiet.clear();
  }
  t.retro_noise_cm_s =
      quiet.empty() ? floor_cm_s
                    : std::max(floor_cm_s, Percentile(retro, quiet,
                                                      aliased_burst ? kAliasedBurstNoisePercentile
                                                                    : kRetroNoisePercentile));
  std::vector<uint8_t> flow(t.columns, 0);
  for (const Run& run : RefluxRuns(retro, t, 0, t.columns)) {
    if (LitBeforeEverything(run, t, starts)) continue;
    const size_t lo = run.begin > t.quiet ? run.begin - t.quiet : 0;
    const size_t hi = std::min(t.columns, run.end + t.quiet);
    std::fill(flow.begin() + static_cast<long>(lo), flow.begin() + static_cast<long>(hi), 1);
  }
  MarkStrongPower(retro_power, t, flow);
  // Strong antegrade flow spills onto the retrograde side near the baseline (transit-time
  // broadening, the window's side lobes); after a release it is gone, so the bursts do not set
  // the level the reflux is followed down to, unless too little else is left.
  std::vector<uint8_t> in_burst(t.columns, 0);
  for (size_t i = 0; i < bursts.size(); ++i) {
    std::fill(in_burst.begin() + static_cast<long>(starts[i]),
              in_burst.begin() + static_cast<long>(bursts[i].end), 1);
  }
  quiet.clear();
  for (size_t c = 0; c < t.columns; ++c) {
    if (!flow[c] && !in_burst[c]) quiet.push_back(c);
  }
  if (quiet.size() < t.min_augmentation) {
    quiet.clear();
    for (size_t c = 0; c < t.columns; ++c) {
      if (!flow[c] && !wrapped[c]) quiet.push_back(c);
    }
  }
  if (quiet.empty()) return t.retro_noise_cm_s;
  if (!retro_power.empty()) t.retro_power_base = Percentile(retro_power, quiet, 0.5);
  return std::max(floor_cm_s, Percentile(retro, quiet, kRetroNoisePercentile));
}

double AntegradeNoise(std::span<const float> ante, std::span<const float> retro, const Trace& t,
                      double floor_cm_s) {
  std::vector<size_t> columns;
  for (const Run& run : RefluxRuns(retro, t, 0, t.columns)) {
    for (size_t c = run.begin; c < run.end; ++c) columns.push_back(c);
  }
  if (columns.size() < t.min_augmentation) return t.noise_cm_s;
  return std::clamp(Percentile(ante, columns, kRetroNoisePercentile), floor_cm_s, t.noise_cm_s);
}

}  // namespace refluxscan::reflux::detail
