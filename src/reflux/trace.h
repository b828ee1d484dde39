#pragma once
// Private to the reflux module: the analysis inputs (both envelopes prepared, mirror copies
// suppressed) and series helpers.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "reflux/rules.h"
#include "refluxscan/core/spectrogram.h"
#include "refluxscan/reflux/measure.h"

namespace refluxscan::reflux::detail {

struct Run {
  size_t begin = 0, end = 0;  // [begin, end) in columns
  size_t Length() const { return end - begin; }
};

// The analysis inputs: both envelopes bridged over masked columns and median-filtered, the
// levels, and the column counts of the time rules.
struct Trace {
  std::vector<float> up, down;              // max_forward, max_reverse
  std::vector<float> power_up, power_down;  // Envelope::power_*, bridged; empty when unknown
  double retro_power_base = NAN;  // retrograde side power where there is no flow (NaN: unknown)
  std::span<const float> retro_power;  // power_up or power_down, once polarity is known
  std::span<const float> ante;         // up or down, once polarity is known (empty before)
  std::vector<uint8_t> flags;
  std::vector<uint8_t> mirror;  // per column: kMirrorUp / kMirrorDown where suppressed
  // Per column: kPulseUp / kPulseDown where an arterial beat was bridged (pulse), where a
  // systole-like excursion stands on that side's floor (excursion: beats or not).
  std::vector<uint8_t> pulse, excursion;
  double up_limit = 0, down_limit = 0;  // the scale's magnitude on each side (0: unknown)
  double retro_limit = 0;               // the retrograde side's, once polarity is known
  size_t columns = 0;                   // analysed columns: up to the last unmasked one
  size_t first_column = 0;      // the first unmasked one (a left margin or labels come before)
  double noise_cm_s = 0;        // antegrade noise level: release, augmentation start
  double retro_noise_cm_s = 0;  // retrograde side's own noise level (RetrogradeNoise)
  double ante_noise_cm_s = 0;   // antegrade side's level for the release (AntegradeNoise)
  size_t min_run = 3, sustained = 3, quiet = 3, min_augmentation = 3, min_gap = 1;
  size_t min_observation = 3;  // kMinObservationAfterReleaseS in columns
};

// The other side's power series (Trace::power_up or power_down) of `side_power`, one of them.
std::span<const float> OtherSidePower(const Trace& t, std::span<const float> side_power);

// The power series of the side whose envelope is `side` (Trace::up or down); empty for any other
// span or when the power is unknown.
std::span<const float> PowerOfSide(const Trace& t, std::span<const float> side);

// Whether the `other` side shows a run of `side` nearly alike (medians over the run): its
// envelope at kSpreadExtentShare of `side`'s or more and its power at `power_share` of `side`'s
// or more. False when either power series is shorter than the run. Flow has one direction at a
// time: a run so matched across the baseline is spread, clutter or tissue moving, not blood.
bool LitAlikeAcross(std::span<const float> side, std::span<const float> side_power,
                    std::span<const float> other, std::span<const float> other_power,
                    const Run& run, double power_share);

// A duration in whole columns, rounded up, at least 3 (a rule's shortest run).
size_t ColumnsFor(double seconds, double seconds_per_column);

// Trace::mirror marks: the side set to 0 as the other side's mirror copy (trace.cpp).
constexpr uint8_t kMirrorUp = 1, kMirrorDown = 2;
// Trace::pulse marks: the side bridged over an arterial beat (pulses.cpp).
constexpr uint8_t kPulseUp = 1, kPulseDown = 2;

// Arterial beats (short pulses at a cardiac rhythm standing on a side's floor) bridged over on
// each side, and marked in Trace::pulse (pulses.cpp; docs/criteria.md "Arterial pulses").
void SuppressArterialPulses(Trace& t, double seconds_per_column);

// The analysis inputs of `envelope` (levels and polarity still unset: MeasureReflux fills them).
Trace MakeTrace(const Envelope& envelope, const RefluxOptions& options);

// Runs of `v` above `level` within [begin, end).
std::vector<Run> RunsAbove(std::span<const float> v, double level, size_t begin, size_t end);

// Runs joined across gaps shorter than `max_gap` columns: the envelope of a strong burst fades
// for a few columns (Rayleigh speckle of few scatterers), which does not end the burst.
std::vector<Run> JoinedRuns(const std::vector<Run>& runs, size_t max_gap);

// Maximum after a 5-column median: robust to spikes of up to two columns.
double RobustMax(std::span<const float> v);

// Whether the retrograde trace runs above the noise level for t.min_run columns in [begin, end).
bool HasRetrogradeRun(std::span<const float> retro, const Trace& t, size_t begin, size_t end);

// Whether the antegrade trace stays at or below the noise level for kQuietToEndS (t.quiet
// columns, at least 3) somewhere in [begin, end): the flow stopped, so a burst before it was
// released (a squeeze's own dips, fades of a strong spectrum, do not reach the noise for that
// long).
bool FallsToNoise(std::span<const float> ante, const Trace& t, size_t begin, size_t end);

// Percentile q of the values at `columns` (0 when there are none).
double Percentile(std::span<const float> v, const std::vector<size_t>& columns, double q);

// Percentile q of v[begin, end) (0 when empty).
double RangePercentile(std::span<const float> v, size_t begin, size_t end, double q);

// 1 over the columns of `runs`, 0 elsewhere, over `columns` columns.
std::vector<uint8_t> RunMask(size_t columns, const std::vector<Run>& runs);

// The columns of [begin, end) (end clamped to t.columns) that are not masked and not marked in
// `exclude` (empty: nothing excluded).
std::vector<size_t> UnmaskedColumns(const Trace& t, size_t begin, size_t end,
                                    const std::vector<uint8_t>& exclude = {});

// Fractional column where `v` falls through `level` between col - 1 (above) and col (below).
double FallCrossing(std::span<const float> v, size_t col, double level);

}  // namespace refluxscan::reflux::detail
