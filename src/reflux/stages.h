#pragma once
// Private to the reflux module: the measurement's stages, one source file each
// (docs/architecture.md).
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "reflux/trace.h"

namespace refluxscan::reflux::detail {

// bursts.cpp: augmentation bursts: the level, the shape of a squeeze, weak squeezes, respiratory
// and resting crests.

// The level an augmentation burst must exceed: kAugmentationFraction of the trace's robust
// maximum, at least kAugmentationNoiseFactor noise velocities; the caller's level when set.
double AugmentationLevel(std::span<const float> v, const Trace& t, double option_cm_s);

// What tells an augmentation from a respiratory crest, derived from this clip's antegrade trace.
struct AugmentationShape {
  std::vector<float> smooth;    // the trace after a 5-column median and a kShapeSmoothS mean
  double median_cm_s = 0;       // the clip's quiet antegrade level (QuietMedian)
  size_t max_rise_columns = 0;  // kMaxRiseS in columns
  size_t trough_columns = 0;    // kTroughLookbackS in columns
  size_t smooth_half = 0;       // half the kShapeSmoothS window in columns
};

// The trace as the augmentation shape reads it: a 5-column median, then a kShapeSmoothS mean.
std::vector<float> ShapeSmoothed(std::span<const float> v, double seconds_per_column);

// The augmentation shape of this clip's antegrade trace `v` (`runs`: its runs above the level).
AugmentationShape ShapeOf(std::span<const float> v, const Trace& t, const std::vector<Run>& runs,
                          double seconds_per_column);

// The run itself when it rises like an augmentation (IsAugmentation), else its parts that do
// (a squeeze riding on resting flow: bursts.cpp, kShelfLevels).
std::vector<Run> AugmentationParts(std::span<const float> v, const AugmentationShape& shape,
                                   const Trace& t, const Run& run);

// Whether a run may hold an aliased squeeze: `side` reaches kScaleEdgeShare of its scale there,
// or a column is aliased. An aliased squeeze shows on both sides of the baseline and its wrapped
// part is the higher one, so one-sided tests (HigherThanOther) say nothing then.
bool MayBeWrapped(std::span<const float> side, double limit, const Trace& t, const Run& run);

// Whether `side` is above `other` for most of the run's columns (its median ratio to the other
// side, floored at the noise velocity, is at least 1): flow goes one way at a time, so a squeeze
// or a reflux has only noise, spill or a mirror copy (20-30 dB down, so with a lower edge)
// opposite it. A wall thump is often bilateral, and a burst that is the other side's flow seen
// across the baseline is lower than it.
bool HigherThanOther(std::span<const float> side, std::span<const float> other, double noise_cm_s,
                     const Run& run);

// Antegrade bursts above the augmentation level lasting >= kMinAugmentationS that rise like an
// augmentation (IsAugmentation; respiratory crests are dropped before merging, so they never
// extend a squeeze). Bursts closer than the minimum gap merge, unless retrograde flow separates
// them or the antegrade flow stops between them (FallsToNoise): then they are two maneuvers.
std::vector<Run> DetectBursts(std::span<const float> ante, std::span<const float> retro,
                              double ante_limit, double retro_limit, const Trace& t, double level,
                              double seconds_per_column);

// Walks back from the burst to where the antegrade envelope left the noise (not before `floor`).
size_t AugmentationStart(std::span<const float> ante, const Trace& t, const Run& burst,
                         size_t floor);

// Where the flow of `run` (a run of trace `v` above some level) ends: the first column after it
// at or below the noise level. A squeeze's flow can fade long before its release (the calf
// empties under a held compression: an independent renderer's 22 cm/s squeeze fell below its
// weak-squeeze level 0.55 s before the release, still at 8-15 cm/s), so the time from a squeeze
// to the reflux it provokes is counted from here, not from a detection level's crossing.
size_t FlowEnd(std::span<const float> v, const Trace& t, const Run& run);

// Squeezes weaker than the augmentation level (which follows the clip's strongest squeeze) that
// provoke reflux: a squeeze candidate above kWeakSqueezeShare x the level, outside every burst,
// with a reflux run starting within kReleaseToRefluxS of its end. A sonographer's squeezes vary;
// the reflux after one is what makes it a maneuver (measured: a 13 cm/s squeeze before a
// 68 cm/s one provoked a 591 ms, 59 cm/s reflux that was not measured). The reflux run, not
// power, tells a squeeze from speckle here, so no power series is needed. Needs the retrograde
// noise level; returns the bursts in time order.
std::vector<Run> WithWeakSqueezes(std::span<const float> ante, std::span<const float> retro,
                                  std::span<const float> ante_power, const Trace& t,
                                  std::vector<Run> bursts, double seconds_per_column);

// Whether most columns of the augmentation bursts (the strongest flow of the clip) are barely
// above the noise floor (kColumnWeak). Quiet columns do not count: silence after a competent valve
// is expected, not weak.
bool MostlyWeak(const Trace& t, const std::vector<Run>& bursts);

// Whether a burst without reflux shows no release, so it is no maneuver (a squeeze cannot be told
// from a swell of phasic flow, and no reflux could be tested after it):
// - it is still above the augmentation level at the last analysed column (measured on stress
//   seeds 1 / 7 / 11: of the truncated no-reflux maneuvers, ~85% matched no squeeze of the truth,
//   most of them a swell at the clip's end; dropping them: reasons agreeing with the truth +9 /
//   +10 / +10 clips of 500, maneuver counts +18 / +18 / +23, classification unchanged);
// - or it is the clip's last burst and the flow never falls back to kMaxTroughFraction of its
//   plateau (`smooth`: ShapeSmoothed) before the data ends: a squeeze at least doubles the flow
//   before it (IsAugmentation) and the flow falls back after its release; a swell rises and stays
//   up, even when its run above the level ends early (measured: 3 no-augmentation clips of 1500
//   on stress seeds 17 / 19 / 23 no longer read no_reflux; maneuver counts +2..+6 per 500; no
//   classification lost on any set).
// A burst that has fallen keeps its maneuver, truncated when less than the observation time
// follows its release.
bool NoReleaseSeen(const Maneuver& m, const Run& burst, bool last, std::span<const float> smooth,
                   const Trace& t);

// A burst without reflux whose flow takes more than kCrestEdgeS both to rise to and to fall from
// its peak (kRiseLowFraction <-> kRiseHighFraction of it) is a respiratory crest of phasic flow,
// not a squeeze: a squeeze's flow rises within a few tenths of a second, and its release ends it
// as fast. IsAugmentation reads the rise only, from the trough before the run above the
// augmentation level, so a crest over a slow swell can pass it. Measured on 2,000+ matched true
// maneuvers of four 500-clip stress sets (5-column median trace): none had both edges > 0.6 s
// (falls up to 0.86 s, their rises were fast); of 12 sets, this changed only no-augmentation
// clips (5), 2 from no_reflux to indeterminate (right), none the other way.
// Edges are counted from zero flow, so a squeeze pushed on a shelf of resting flow that itself
// rose slowly (phasic flow) read both edges slow through the shelf: it is no crest when its flow
// rises by kFastRiseShare of its peak within kMaxRiseS somewhere before the peak (RisesFast).
bool RespiratoryCrest(const Maneuver& m, const Run& burst, std::span<const float> smooth,
                      double seconds_per_column);

// The resting flow's crest level (bursts.cpp, kPeakOverCrests), nullopt when too little of it is
// seen.
std::optional<double> RestingCrest(std::span<const float> smooth, const Trace& t,
                                   const std::vector<Run>& bursts, double seconds_per_column);

// Whether a burst without reflux is one of the resting flow's crests (kPeakOverCrests).
bool AmongRestingCrests(const Maneuver& m, const Run& burst, std::span<const float> smooth,
                        const Trace& t, std::optional<double> crest_cm_s);

// polarity.cpp: which side is antegrade: each side's first burst, thumps, resting flow, Valsalva
// order.

struct FirstBurst {
  size_t begin = 0, end = 0;  // the run, [begin, end) in columns
  double peak = 0;
  double velocity_sum = 0;    // the envelope summed over the run (a velocity-time integral)
  double power = 0;           // median side power over the burst (noise units); 0 when unknown
  double opposite_power = 0;  // the other side's median power over the same columns (0: unknown)
  bool opposite_lit = false;  // ... which BringsPower there (true without a power series)
};

// Runs of one side above `level` that could be a squeeze: sustained, rising like an
// augmentation, and bringing power into the side (a side's noise can stay above a low level for
// long; a squeeze rises like one, and brings its power). `first_burst`: the search for a side's
// first burst (polarity), where a squeeze spreading the resting flow's power thinner also counts
// (SpreadSqueeze); not for weak squeezes added as maneuvers, where a reflux's copy on the resting
// flow's side would split the reflux.
std::vector<Run> SqueezeCandidates(std::span<const float> v, std::span<const float> power,
                                   const Trace& t, double level, double seconds_per_column,
                                   bool first_burst = false);

// One side of the trace: its envelope and power series.
struct Side {
  std::span<const float> v, power;
};

// The first squeeze candidate of one side above that side's augmentation level.
std::optional<FirstBurst> FindFirstBurst(const Side& side, const Side& opposite, const Trace& t,
                                         double option_cm_s, double seconds_per_column);

// The level weak squeezes are looked for at: kWeakSqueezeShare x the side's augmentation level
// (which follows the clip's strongest squeeze), at least kWeakSqueezeNoiseFactor noise velocities.
double WeakSqueezeLevel(std::span<const float> v, const Trace& t);

// Weak squeezes are looked for unless the caller fixed the augmentation level.
bool WeakSqueezesAllowed(const RefluxOptions& options);

// Whether `first` is a wall thump at the compression of the squeeze `second` on the other side
// (BilateralThump, or):
// brief (at most kThumpMaxS: the tissue's jerk lasts 40-80 ms, a squeeze 0.2 s or more), ending
// at most kThumpGapS before `second` begins (the squeeze's flow crosses its level a little after
// the push), kThumpPeakRatio x slower than it, and carrying kThumpPowerRatio x its power (tissue
// reflects 10-25 dB more than blood, at a few cm/s). A short weak squeeze before a fast reflux is
// as brief and as slow, but its power is flow's, comparable to the reflux's: it stays the
// squeeze. Or, however little slower, carrying kTissuePowerRatio x the squeeze's power (at least
// kStrongPowerRatio noise units; stop 27: a 15 cm/s thump at 530 x a dim 32 cm/s cuff squeeze's
// power). Without a power series, never (stop 20: generated thumps read as the augmentation).
// The thump may also start inside the squeeze's burst, when the squeeze's flow crossed its level
// first (stop 22: a 19 dB thump 40 ms into a 70 cm/s squeeze's rise, the squeeze at its scale's
// edge, won the 10 dB power test and the squeeze read as a 1.1 s reflux).
bool IsThump(const FirstBurst& first, const FirstBurst& second, double seconds_per_column);

// Whether `blip` is what follows `burst`'s release on the other side: it starts at most
// kReleaseBlipGapS after `burst` ends, lasts at most kReleaseBlipMaxS, and `burst` is
// kReleaseBlipPeakRatio x faster (a valve's closure flow, a release thump). Then `burst` is the
// squeeze whatever their powers (InferAntegrade).
bool ReleaseBlip(const FirstBurst& blip, const FirstBurst& burst, double seconds_per_column);

// Without a squeeze to tell, the side carrying more flow power (its 90th percentile over the
// clip) is taken as antegrade: a vein at rest flows toward the heart, and the other side then
// shows speckle (whose runs must not become maneuvers). Up when the power is unknown.
AntegradeDirection FlowSide(const Trace& t);

// Whether sustained one-sided flow on `flow_side` fills the kRestingWindowS before column `at`
// (up to kStrainMarginS before it; from the data's start when that is nearer, but at least
// kMinRestingS): in kRestingShare of those columns, and kMinRestingFlowS of them, above `level`
// and kOneSidedRatio x the other side (the band that spreads across the baseline around slow flow
// or clutter reads on both sides alike).
bool RestingFlowBefore(std::span<const float> flow_side, std::span<const float> other, double level,
                       const Trace& t, size_t at, double seconds_per_column);

// Whether `side` carries no flow of its own from `begin` to the end of the data, at least
// kMinStrainS of it: in kStrainQuietShare of the columns at or below `level`, or at most
// 1 / kOneSidedRatio of `other` (the spread of the other side's reflux across the baseline). A
// strain that outlasts the recording (or the sweep's erase bar), so no surge can show; a shorter
// quiet end is a trough of the resting flow as well.
bool QuietToTheEnd(std::span<const float> side, std::span<const float> other, double level,
                   const Trace& t, size_t begin, double seconds_per_column);

// A Valsalva's order of events (DOMAIN.md: the patient strains instead of a squeeze): resting
// antegrade flow, which stops as the strain begins, then the reflux, then the antegrade surge when
// the strain ends. Its first burst is the reflux, on the side opposite the resting flow that came
// before it; augmentation's never is (resting flow runs the way the squeeze does). True when the
// first burst on `first` has one-sided resting flow on `other` before it and `other`'s own first
// burst (the surge) comes later, or (the strain outlasts the recording) `other` carries no flow
// of its own to the end and `first` none before its burst. `burst` and `other_burst` are the two
// sides' first bursts (FindFirstBurst), found once for InferAntegrade and this test.
bool ValsalvaOrder(const Side& first, const Side& other, const std::optional<FirstBurst>& burst,
                   const std::optional<FirstBurst>& other_burst, const Trace& t,
                   double seconds_per_column);

// The augmentation comes before the reflux it provokes, so the side whose first sustained burst
// starts first is antegrade (ties: the stronger burst), unless a weaker squeeze on the other side
// ends just before it (SqueezeEndsBefore). Works for inverted displays. Before the timing: a
// lone burst must carry flow's power; two first bursts that are one event seen on both sides
// (SameEvent), a thump before the squeeze (IsThump), or one higher than the other side
// (HigherThanOther) decide, unless a burst may be aliased (MayBeWrapped); then 10 dB of power.
// `up` and `down` are each side's first burst (FindFirstBurst).
std::optional<AntegradeDirection> InferAntegrade(const Trace& t, const RefluxOptions& options,
                                                 double spc, const std::optional<FirstBurst>& up,
                                                 const std::optional<FirstBurst>& down);

// levels.cpp: the retrograde and antegrade noise levels read around the bursts.

// The retrograde side's own noise level: an upper percentile of the retrograde envelope over
// the columns without retrograde flow, so specks and clutter bands of this very clip set it.
// Those columns are found in two passes: first the augmentation bursts (the flow is antegrade
// there), then every column outside the reflux runs that level reveals (with kQuietToEndS of
// margin), which also covers the quiet after the reflux. Floored at one velocity step (a black
// background reads 0).
// Also sets t.retro_power_base: the median retrograde side power over those columns.
double RetrogradeNoise(std::span<const float> retro, std::span<const float> retro_power, Trace& t,
                       const std::vector<size_t>& starts, const std::vector<Run>& bursts,
                       double floor_cm_s, double ante_limit_cm_s, double retro_limit_cm_s);

// The antegrade side's level for the release: the same upper percentile over the columns where
// the flow is retrograde (inside the reflux runs), when there are at least `min_augmentation`
// of them; else the global noise level. Never above the global level.
double AntegradeNoise(std::span<const float> ante, std::span<const float> retro, const Trace& t,
                      double floor_cm_s);

// reflux_run.cpp: reflux runs after a release and their onset, offset, peak and aliasing.

// Retrograde runs above the detection level in [begin, end), joined across quiet gaps shorter
// than kQuietToEndS, that qualify as flow (RefluxEvidence): blips and specks dropped.
std::vector<Run> RefluxRuns(std::span<const float> retro, const Trace& t, size_t begin, size_t end);

// The reflux run after a release: of the qualifying runs, the one with the largest
// velocity-time integral.
std::optional<Run> FindRefluxRun(std::span<const float> retro, const Trace& t, size_t begin,
                                 size_t end);

struct Bounds {
  size_t burst_end = 0;   // first column after the strong antegrade burst
  size_t window_end = 0;  // next augmentation start (exclusive) or the analysed length
};

// Onset, offset, peaks and flags of the reflux run (docs/criteria.md).
void MeasureRefluxRun(std::span<const float> retro, const Trace& t, const Envelope& envelope,
                      const Run& run, const Bounds& bounds, Maneuver& m);

}  // namespace refluxscan::reflux::detail
