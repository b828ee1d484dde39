#include "synth/clip.h"

#include <algorithm>
#include <cmath>

#include "refluxscan/spectral/signal.h"

namespace refluxscan::synth {
namespace {

constexpr double kLowSnrDb = 12;                // below: tagged "low_snr" (still visible)
constexpr double kExponentialMedianDb = -1.59;  // median / mean of a periodogram bin (ln 2)

int StripRows(const ClipSpec& s) { return s.display.strip.height; }
double StripEndS(const ClipSpec& s) {
  return (s.display.strip.width - 1) * s.display.seconds_per_column;
}
// The last column of the current sweep: the strip's end, or the column before the erase bar.
double VisibleEndS(const ClipSpec& s) {
  const DisplaySpec& d = s.display;
  return d.erase_bar_column > 0 ? (d.erase_bar_column - 1) * d.seconds_per_column : StripEndS(s);
}
// The earliest time any column shows (the previous sweep's, right of an erase bar).
double EarliestShownS(const ClipSpec& s) {
  double t = 0;
  for (int c = 0; c < s.display.strip.width; ++c) t = std::min(t, s.display.ColumnTimeS(c));
  return t;
}

// Scale limits (calibrated cm/s) of the strip: top row and bottom row.
std::pair<double, double> ScaleLimits(const ClipSpec& s) {
  const StripScale scale = ScaleOf(s.display, s.signal);
  return {scale.VelocityAtRow(s.display, 0), scale.VelocityAtRow(s.display, StripRows(s) - 1)};
}

EnvelopeTruth EnvelopeOf(const ClipSpec& s, int antegrade_sign) {
  EnvelopeTruth e;
  e.seconds_per_column = s.display.seconds_per_column;
  const int columns = s.display.strip.width;
  for (int c = 0; c < columns; ++c) {
    // The fastest flow on each side: the vein's, or an artery's in the beam.
    const double t_s = s.display.ColumnTimeS(c);
    const double v = antegrade_sign * VelocityCmS(s.flow, t_s);
    const double artery = antegrade_sign * ArteryVelocityCmS(s.signal, t_s);
    e.max_forward_cm_s.push_back(std::max({0.0, v, artery}));
    e.max_reverse_cm_s.push_back(std::max({0.0, -v, -artery}));
    // The erase bar and the previous sweep beyond it are not the current recording.
    const bool erased = s.display.erase_bar_column >= 0 && c >= s.display.erase_bar_column;
    e.valid.push_back(erased ? 0 : 1);
  }
  return e;
}

// True when retrograde flow itself goes beyond the scale on its side.
bool RefluxAliased(const ClipSpec& s, const ClipTruth& t) {
  const auto [top, bottom] = ScaleLimits(s);
  const double reflux_side_limit =
      t.antegrade_sign > 0 ? -std::min(top, bottom) : std::max(top, bottom);
  for (const ManeuverTruth& m : t.maneuvers) {
    if (m.has_reflux && m.peak_reflux_velocity_cm_s > reflux_side_limit) return true;
  }
  return false;
}

void Classify(const ClipSpec& s, ClipTruth& t) {
  const bool any_truncated = std::any_of(t.maneuvers.begin(), t.maneuvers.end(),
                                         [](const ManeuverTruth& m) { return m.truncated; });
  t.expected_classification = "indeterminate";
  if (s.signal.snr_db <= kWeakSignalMaxSnrDb) {
    t.expected_reason = "weak_signal";
  } else if (t.maneuvers.empty()) {
    t.expected_reason = "no_augmentation";
  } else if (t.reflux_duration_ms > t.threshold_ms) {
    t.expected_classification = "reflux";
  } else if (any_truncated) {
    t.expected_reason = "truncated_below_threshold";
  } else if (RefluxAliased(s, t)) {
    t.expected_reason = "aliased";
  } else {
    t.expected_classification = "no_reflux";
  }
}

std::vector<std::string> Conditions(const ClipSpec& s, const ClipTruth& t) {
  const DisplaySpec& d = s.display;
  std::vector<std::pair<bool, const char*>> flags = {
      {d.tint != Tint::kGray, "tinted"},
      {t.antegrade_sign < 0, "inverted_flow"},
      {d.inverted_display, "inverted_display"},
      {std::abs(d.baseline_row - d.strip.height / 2) > 2, "shifted_baseline"},
      {t.aliasing, "aliasing"},
      {s.signal.snr_db > kWeakSignalMaxSnrDb && s.signal.snr_db < kLowSnrDb, "low_snr"},
      {s.signal.snr_db <= kWeakSignalMaxSnrDb, "weak_signal"},
      {d.overlay_text, "overlay_text"},
      {d.erase_bar_column >= 0, "erase_bar"},
      {d.ecg, "ecg"},
      {std::any_of(t.maneuvers.begin(), t.maneuvers.end(), [](auto& m) { return m.truncated; }),
       "truncated"},
      {d.frames > 1, "multiframe"},
      {d.hz_units, "hz_units"},
      {d.continuous_wave, "cw"},
      {t.maneuvers.empty(), "no_augmentation"},
      {t.maneuvers.size() > 1, "multiple_maneuvers"},
      {s.signal.profile == Profile::kBlunt, "blunt_profile"},
      {!s.segment.has_value(), "unknown_label"},
      {d.margin_left + d.margin_top + d.margin_right + d.margin_bottom > 0, "region_margin"},
      {d.auto_trace, "auto_trace"},
      {d.grid, "grid"},
      {s.signal.mirror_db > 0, "mirror"},
      {s.signal.thump_db > 0, "thump"},
      {s.signal.gate_radius < 1, "core_gate"},
      {s.signal.artery_db > 0, "artery"},
      {s.signal.clutter_db > 0, "clutter"},
      {RefluxAliased(s, t), "aliased_reflux"},
  };
  std::vector<std::string> out;
  for (const auto& [on, name] : flags) {
    if (on) out.emplace_back(name);
  }
  out.insert(out.end(), s.tags.begin(), s.tags.end());
  return out;
}

}  // namespace

double DefaultThresholdMs(VeinClass c) {
  switch (c) {
    case VeinClass::kSuperficial:
      return 500;
    case VeinClass::kDeepProximal:
      return 1000;
    case VeinClass::kDeepDistal:
      return 500;
    case VeinClass::kPerforator:
      return 350;
  }
  return 500;
}

ClipTruth TruthOf(const ClipSpec& s) {
  ClipTruth t;
  t.threshold_ms = DefaultThresholdMs(s.vein_class);
  t.antegrade_sign = s.signal.antegrade_toward_probe >= 0 ? 1 : -1;
  const double end_s = VisibleEndS(s);
  for (const ManeuverSpec& m : s.flow.maneuvers) {
    // A Valsalva shows only by its reflux or by the surge when the strain ends: cut before both,
    // the strip holds resting flow that stopped, which no reader can call a maneuver.
    const bool shown = !m.valsalva || m.BurstStartS() < end_s ||
                       (m.has_reflux && m.reflux_duration_s > 0 && m.RefluxOnsetS() < end_s);
    // A cuff whose burst is shown but whose deflation (the release) is not: the maneuver was
    // seen and the clip ended before it could be judged (truncated). A squeeze's burst ends at
    // its release.
    const bool burst_shown =
        m.valsalva ? m.ReleaseS() < end_s : m.augmentation_start_s + m.burst_duration_s < end_s;
    if (burst_shown && shown) t.maneuvers.push_back(TruthOf(m, end_s));
  }
  for (const ManeuverTruth& m : t.maneuvers) {
    if (m.reflux_duration_ms > t.reflux_duration_ms) {
      t.reflux_duration_ms = m.reflux_duration_ms;
      t.peak_reflux_velocity_cm_s = m.peak_reflux_velocity_cm_s;
    }
  }
  const auto [top, bottom] = ScaleLimits(s);
  t.velocity_top_cm_s = top;
  t.velocity_bottom_cm_s = bottom;
  t.cm_s_per_row = ScaleOf(s.display, s.signal).cm_s_per_row;
  t.envelope = EnvelopeOf(s, t.antegrade_sign);
  const double hi = std::max(top, bottom), lo = std::min(top, bottom);
  for (size_t c = 0; c < t.envelope.valid.size(); ++c) {
    t.aliasing =
        t.aliasing || t.envelope.max_forward_cm_s[c] > hi || t.envelope.max_reverse_cm_s[c] > -lo;
  }
  if (s.display.erase_bar_column >= 0) {  // the bar and the previous sweep beyond it
    t.invalid_columns.emplace_back(s.display.erase_bar_column, s.display.strip.width - 1);
  }
  Classify(s, t);
  t.conditions = Conditions(s, t);
  return t;
}

Result<ClipOutput> GenerateClip(const ClipSpec& spec) {
  const DisplaySpec& d = spec.display;
  const SignalSpec& s = spec.signal;
  if (d.strip.width < 16 || d.strip.height < 16 || !(d.seconds_per_column > 0)) {
    return Fail(ErrorCode::kInvalidInput, "strip too small or no time scale");
  }
  ClipOutput out;
  const double pad_s = d.window_ms / 2000.0 + 0.05;  // STFT windows centred on every column
  // One signal from the earliest column shown (a previous sweep beyond an erase bar) to the end.
  const double signal_t0_s = EarliestShownS(spec) - pad_s;
  const auto count =
      static_cast<size_t>(std::ceil((StripEndS(spec) + pad_s - signal_t0_s) * s.prf_hz));
  const std::vector<std::complex<float>> signal = SimulateIq(spec.flow, s, signal_t0_s, count);
  // The emitted signal is the current sweep's: from just before column 0 to just after the last
  // column it shows (the erase bar ends it), as a scanner's export of this recording.
  out.iq_t0_s = -pad_s;
  out.iq.start_s = out.iq_t0_s;
  const auto first = static_cast<size_t>(std::lround((out.iq_t0_s - signal_t0_s) * s.prf_hz));
  const auto last =
      std::min(signal.size(),
               first + static_cast<size_t>(std::ceil((VisibleEndS(spec) + 2 * pad_s) * s.prf_hz)));
  out.iq.samples.assign(signal.begin() + static_cast<long>(first),
                        signal.begin() + static_cast<long>(last));
  out.iq.prf_hz = s.prf_hz;
  out.iq.transducer_frequency_hz = s.transducer_hz;
  out.iq.doppler_angle_deg = s.angle_deg;
  spectral::StftOptions options;
  options.window_ms = d.window_ms;
  const auto window_samples = static_cast<int>(std::lround(d.window_ms * s.prf_hz / 1000.0));
  options.fft_size = 256;
  while (options.fft_size < window_samples) options.fft_size *= 2;
  options.hop_ms = d.seconds_per_column * 1000.0;
  options.wall_filter_hz = d.wall_filter_hz;
  auto power = spectral::StftPower(signal, s.prf_hz, options);
  if (!power) return std::unexpected(power.error());
  const double noise_floor_db = 10 * std::log10(NoisePower(s)) + kExponentialMedianDb;
  const cv::Mat1f intensity = StripIntensity(*power, signal_t0_s, noise_floor_db, d, s);
  out.frames = RenderFrames(intensity, d, s);
  out.regions = RegionsOf(d, s);
  out.truth = TruthOf(spec);
  return out;
}

void StereoFromIq(const std::vector<std::complex<float>>& iq, std::vector<float>& forward,
                  std::vector<float>& reverse) {
  std::vector<double> in_phase(iq.size()), quadrature(iq.size());
  for (size_t i = 0; i < iq.size(); ++i) {
    in_phase[i] = iq[i].real();
    quadrature[i] = iq[i].imag();
  }
  // Positive-frequency part p = (z + j H{z})/2 has Re p = (I - H{Q})/2; the rest is reverse.
  const std::vector<std::complex<double>> analytic_q = spectral::AnalyticSignal(quadrature);
  double peak = 1e-12;
  forward.resize(iq.size());
  reverse.resize(iq.size());
  for (size_t i = 0; i < iq.size(); ++i) {
    const double hq = analytic_q[i].imag();
    forward[i] = static_cast<float>(0.5 * (in_phase[i] - hq));
    reverse[i] = static_cast<float>(0.5 * (in_phase[i] + hq));
    peak = std::max({peak, std::abs(0.5 * (in_phase[i] - hq)), std::abs(0.5 * (in_phase[i] + hq))});
  }
  const auto gain = static_cast<float>(0.9 / peak);
  for (size_t i = 0; i < iq.size(); ++i) {
    forward[i] *= gain;
    reverse[i] *= gain;
  }
}

}  // namespace refluxscan::synth
