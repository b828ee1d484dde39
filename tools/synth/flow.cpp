#include "synth/flow.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace refluxscan::synth {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kQuietRampDownS = 0.25;           // quiet flow fades out before a squeeze
constexpr double kObservableAfterReleaseS = 0.25;  // silence after a release that shows no reflux

// Raised-cosine step from 0 (x <= 0) to 1 (x >= 1).
double SmoothStep(double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return 0.5 - 0.5 * std::cos(kPi * x);
}

// The antegrade burst: sin^2 rise to the peak, cos^2 fall to exactly 0 at release.
double BurstVelocityCmS(const ManeuverSpec& m, double t_s) {
  const double u = (t_s - m.BurstStartS()) / m.burst_duration_s;
  if (u <= 0 || u >= 1) return 0;
  const double rho = m.burst_rise_fraction;
  const double s =
      u < rho ? std::sin(0.5 * kPi * u / rho) : std::cos(0.5 * kPi * (u - rho) / (1 - rho));
  return m.peak_antegrade_cm_s * s * s;
}

// Decay from 1 (x = 0) to exactly 0 (x = 1), with a non-zero slope at x = 1.
double Decay(RefluxShape shape, double parameter, double x) {
  x = std::clamp(x, 0.0, 1.0);
  switch (shape) {
    case RefluxShape::kQuarterCosine:
      return std::cos(0.5 * kPi * x);
    case RefluxShape::kPower:
      return std::pow(1 - x, parameter);
    case RefluxShape::kExpPower:
      return std::exp(-1.2 * x) * std::pow(1 - x, parameter);
    case RefluxShape::kPlateau:
      return x < parameter ? 1.0 : std::cos(0.5 * kPi * (x - parameter) / (1 - parameter));
  }
  return 0;
}

// Multiplier of the quiet flow: 0 from shortly before the squeeze until the maneuver's flow has
// ended and the pause has passed, so only the maneuver shapes the curve around release/reflux.
double QuietGate(const ManeuverSpec& m, double t_s) {
  const double down =
      1 - SmoothStep((t_s - (m.augmentation_start_s - kQuietRampDownS)) / kQuietRampDownS);
  const double up = SmoothStep((t_s - (m.FlowEndS() + m.pause_s)) / m.recovery_s);
  return t_s < m.augmentation_start_s ? down : up;
}

double QuietVelocityCmS(const QuietFlow& q, double t_s) {
  const double swing = std::sin(2 * kPi * t_s / q.period_s + q.phase_rad);
  return std::max(0.0, q.mean_cm_s * (1 + q.modulation * swing));
}

}  // namespace

std::string_view RefluxShapeName(RefluxShape s) {
  switch (s) {
    case RefluxShape::kQuarterCosine:
      return "quarter_cosine";
    case RefluxShape::kPower:
      return "power";
    case RefluxShape::kExpPower:
      return "exp_power";
    case RefluxShape::kPlateau:
      return "plateau";
  }
  return "quarter_cosine";
}

double RefluxVelocityCmS(const ManeuverSpec& m, double t_s) {
  if (!m.has_reflux || m.reflux_duration_s <= 0) return 0;
  const double s = t_s - m.RefluxOnsetS();
  const double duration = m.reflux_duration_s;
  if (s <= 0 || s >= duration) return 0;
  const double rise = std::min(m.reflux_rise_s, 0.35 * duration);
  // Fast rise with a finite slope at onset (valve gives way), then the chosen decay.
  const double shape = s < rise ? std::sin(0.5 * kPi * s / rise)
                                : Decay(m.shape, m.shape_parameter, (s - rise) / (duration - rise));
  return -m.peak_reflux_cm_s * shape;
}

double VelocityCmS(const FlowSpec& flow, double t_s) {
  double gate = 1;
  double maneuver_flow = 0;
  for (const ManeuverSpec& m : flow.maneuvers) {
    gate *= QuietGate(m, t_s);
    maneuver_flow += BurstVelocityCmS(m, t_s) + RefluxVelocityCmS(m, t_s);
  }
  return gate * QuietVelocityCmS(flow.quiet, t_s) + maneuver_flow;
}

ManeuverTruth TruthOf(const ManeuverSpec& m, double strip_end_s) {
  ManeuverTruth t;
  t.valsalva = m.valsalva;
  t.cuff_hold_s = m.cuff_hold_s;
  t.augmentation_start_s = m.augmentation_start_s;
  t.release_s = m.ReleaseS();
  t.peak_antegrade_velocity_cm_s = m.peak_antegrade_cm_s;
  t.has_reflux = m.has_reflux && m.reflux_duration_s > 0 && m.RefluxOnsetS() < strip_end_s;
  // The recording ends too soon after the release to tell: a reflux due to start later, or less
  // than kObservableAfterReleaseS of silence (no reader calls that competent).
  if (!t.has_reflux) {
    t.truncated = (m.has_reflux && m.reflux_duration_s > 0) ||
                  strip_end_s - m.ReleaseS() < kObservableAfterReleaseS;
    return t;
  }
  t.reflux_onset_s = m.RefluxOnsetS();
  t.truncated = m.RefluxOffsetS() > strip_end_s;
  const double end_s = t.truncated ? strip_end_s : m.RefluxOffsetS();
  if (!t.truncated) t.reflux_offset_s = end_s;
  t.reflux_duration_ms = (end_s - m.RefluxOnsetS()) * 1000.0;
  // Peak over the visible part: the shape peaks exactly at onset + rise; sampling at 0.5 ms
  // covers a truncation inside the rise.
  const double peak_s = m.RefluxOnsetS() + std::min(m.reflux_rise_s, 0.35 * m.reflux_duration_s);
  if (peak_s <= end_s) t.peak_reflux_velocity_cm_s = m.peak_reflux_cm_s;
  for (double s = m.RefluxOnsetS(); s <= end_s; s += 0.0005) {
    t.peak_reflux_velocity_cm_s = std::max(t.peak_reflux_velocity_cm_s, -RefluxVelocityCmS(m, s));
  }
  return t;
}

}  // namespace refluxscan::synth
