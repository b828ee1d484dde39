#pragma once
// The venous flow model: a centreline velocity time course (cm/s, signed in the vein's antegrade
// sense: > 0 toward the heart) built so that every reflux interval starts and ends at exactly known
// times. Reflux truth is defined on this curve (DOMAIN.md: timed from the baseline crossing into
// retrograde flow to the return to baseline).
#include <optional>
#include <string_view>
#include <vector>

namespace refluxscan::synth {

// Quiet phasic antegrade flow between maneuvers, modulated by respiration; never negative, may
// stop (modulation > 1 clips the troughs at zero).
struct QuietFlow {
  double mean_cm_s = 3;     // 0..8
  double modulation = 0.6;  // 0..1.5, relative swing
  double period_s = 4;      // respiratory period, 2.5..6
  double phase_rad = 0;
};

// How retrograde flow decays to zero. All end with a finite slope at the offset so the return to
// baseline is visible (a tail that creeps to zero would make the truth unmeasurable).
enum class RefluxShape { kQuarterCosine, kPower, kExpPower, kPlateau };
std::string_view RefluxShapeName(RefluxShape s);

// One augmentation maneuver (calf squeeze / cuff release) and what follows its release; or a
// Valsalva: no burst first, the resting flow stops as the patient strains at
// `augmentation_start_s` (the "release" of the flow that was there), the reflux follows after
// `closure_delay_s`, and the burst is the surge when the strain ends `strain_s` later.
// A cuff (rapid inflation-deflation, van Bemmelen 1989): the inflation's burst empties the calf
// veins, the inflated cuff holds them empty for `cuff_hold_s` without flow, and its rapid
// deflation is the release; reflux follows once the deflating cuff frees the veins
// (`closure_delay_s` of 0.05-0.35 s).
struct ManeuverSpec {
  bool valsalva = false;
  double strain_s = 0;                // Valsalva: strain start to the surge (> reflux end)
  double cuff_hold_s = 0;             // cuff: burst end to deflation (0: a squeeze)
  double augmentation_start_s = 1;    // burst begins (Valsalva: the strain begins)
  double burst_duration_s = 0.6;      // 0.2..1.5: start to release
  double burst_rise_fraction = 0.35;  // 0.2..0.5: time to peak / burst duration
  double peak_antegrade_cm_s = 40;    // 10..100
  double closure_delay_s = 0.02;      // 0..0.08: release to reflux onset (velocity exactly 0)
  bool has_reflux = false;
  double reflux_duration_s = 0;  // onset to offset, 0..5
  double peak_reflux_cm_s = 0;   // 3..80, magnitude
  double reflux_rise_s = 0.08;   // onset to peak (capped at 35% of the duration)
  RefluxShape shape = RefluxShape::kQuarterCosine;
  double shape_parameter = 0.6;  // kPower/kExpPower: exponent; kPlateau: plateau fraction
  double pause_s = 0.4;          // silence after the reflux offset (or release) ...
  double recovery_s = 0.5;       // ... then quiet flow ramps back in over this time

  double ReleaseS() const {
    return valsalva ? augmentation_start_s : augmentation_start_s + burst_duration_s + cuff_hold_s;
  }
  double BurstStartS() const { return augmentation_start_s + (valsalva ? strain_s : 0); }
  double RefluxOnsetS() const { return ReleaseS() + closure_delay_s; }
  double RefluxOffsetS() const { return RefluxOnsetS() + reflux_duration_s; }
  // End of the maneuver's own flow (reflux offset, or release when there is no reflux; a
  // Valsalva's surge).
  double FlowEndS() const {
    if (valsalva) return BurstStartS() + burst_duration_s;
    return has_reflux ? RefluxOffsetS() : ReleaseS();
  }
};

struct FlowSpec {
  QuietFlow quiet;
  std::vector<ManeuverSpec> maneuvers;  // in time order, not overlapping
};

// Centreline (maximum) velocity at time t in cm/s, antegrade positive. Negative only inside
// reflux intervals [onset, offset), and exactly 0 at their ends.
double VelocityCmS(const FlowSpec& flow, double t_s);

// The retrograde part alone (<= 0) of one maneuver at time t.
double RefluxVelocityCmS(const ManeuverSpec& m, double t_s);

// Ground truth of one maneuver as seen on a strip whose last column is at `strip_end_s`.
struct ManeuverTruth {
  bool valsalva = false;   // "kind": "valsalva" (release = strain start), else "augmentation"
  double cuff_hold_s = 0;  // a cuff's hold (its release is the deflation); 0 for a squeeze
  double augmentation_start_s = 0, release_s = 0, peak_antegrade_velocity_cm_s = 0;
  bool has_reflux = false;
  std::optional<double> reflux_onset_s, reflux_offset_s;  // offset absent when truncated
  double reflux_duration_ms = 0;                          // visible part when truncated
  double peak_reflux_velocity_cm_s = 0;                   // over the visible part
  bool truncated = false;
};
ManeuverTruth TruthOf(const ManeuverSpec& m, double strip_end_s);

}  // namespace refluxscan::synth
