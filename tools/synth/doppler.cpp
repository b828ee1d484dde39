#include "synth/doppler.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

#include "refluxscan/spectral/signal.h"
#include "synth/rng.h"

namespace refluxscan::synth {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kBlockS = 0.0005;      // velocity and lifetimes updated every 0.5 ms
constexpr double kMinTransitCmS = 0.5;  // a still scatterer still decorrelates (tissue motion)

// One scatterer slot: a phasor that lives for one transit time, then is replaced.
struct Scatterer {
  double profile_factor = 0;  // v_i / v_max: position in the velocity profile
  std::complex<double> amplitude;
  double phase_rad = 0;
  double age_s = 0, lifetime_s = 0;
};

double ProfileFactor(const SignalSpec& s, Rng& rng) {
  // Uniform over the gated part of the lumen's area: r^2 ~ U(0, gate_radius^2).
  const double r2 = rng.Uniform() * s.gate_radius * s.gate_radius;
  if (s.profile == Profile::kParabolic) return 1 - r2;
  return 1 - std::pow(r2, 0.5 * s.blunt_order);
}

double Lifetime(const SignalSpec& s, double speed_cm_s, Rng& rng) {
  const double transit = s.gate_length_cm / std::max(speed_cm_s, kMinTransitCmS);
  return std::clamp(transit, 0.005, s.max_lifetime_s) * rng.Uniform(0.7, 1.3);
}

void Respawn(Scatterer& sc, const SignalSpec& s, double v_max_cm_s, Rng& rng) {
  sc.profile_factor = ProfileFactor(s, rng);
  sc.amplitude = {rng.Normal() * std::sqrt(0.5), rng.Normal() * std::sqrt(0.5)};  // Rayleigh
  sc.phase_rad = rng.Uniform(0, 2 * kPi);
  sc.age_s = 0;
  sc.lifetime_s = Lifetime(s, std::abs(v_max_cm_s * sc.profile_factor), rng);
}

// Mean signal power: E|a|^2 = 1 per scatterer times the mean of sin^2 over a lifetime (1/2).
double SignalPower(const SignalSpec& s) { return 0.5 * s.scatterers; }

// Tissue thump at each squeeze's start and release (not a Valsalva's): a Hann-windowed tone over
// thump_s from the event, at +thump_cm_s (compression) and -thump_cm_s (release), random phase per
// burst.
void AddThumps(const FlowSpec& flow, const SignalSpec& s, double t_start_s,
               std::vector<std::complex<float>>& out) {
  if (!(s.thump_db > 0)) return;
  Rng rng(s.seed ^ 0x7407B0ull);
  const double amplitude = std::sqrt(0.5 * s.scatterers * std::pow(10.0, s.thump_db / 10.0));
  const double hz = DopplerShiftHz(s, s.thump_cm_s);
  for (const ManeuverSpec& m : flow.maneuvers) {
    if (m.valsalva) continue;  // no compression to jolt the tissue
    for (const auto& [at_s, sign] :
         {std::pair{m.augmentation_start_s, 1.0}, {m.ReleaseS(), -1.0}}) {
      const double phase = rng.Uniform(0, 2 * kPi);
      const auto first = static_cast<long>(std::ceil((at_s - t_start_s) * s.prf_hz));
      const auto n = static_cast<long>(s.thump_s * s.prf_hz);
      for (long k = std::max(0L, -first); k < n && first + k < static_cast<long>(out.size()); ++k) {
        const double t = static_cast<double>(k) / s.prf_hz;
        const double w =
            0.5 - 0.5 * std::cos(2 * kPi * static_cast<double>(k) / static_cast<double>(n));
        out[static_cast<size_t>(first + k)] +=
            std::complex<float>(std::polar(amplitude * w, phase + 2 * kPi * sign * hz * t));
      }
    }
  }
}

// I/Q imbalance: x + g conj(x), the image mirror_db below the signal.
void AddMirror(const SignalSpec& s, std::vector<std::complex<float>>& out) {
  if (!(s.mirror_db > 0)) return;
  const auto g = static_cast<float>(std::pow(10.0, -s.mirror_db / 20.0));
  for (auto& x : out) x += g * std::conj(x);
}

double NoiseSigma(const SignalSpec& s) {
  return std::sqrt(SignalPower(s) / std::pow(10.0, s.snr_db / 10.0) / 2);  // per I and Q
}

// One flow's scatterers in the beam: their slots, random stream, amplitude and profile.
struct Population {
  SignalSpec spec;  // profile and gate of this flow (the artery: its whole lumen, parabolic)
  std::vector<Scatterer> slots;
  Rng rng;
  double gain = 1;         // amplitude of each scatterer
  double hz_per_cm_s = 0;  // Doppler shift of 1 cm/s of the flow's velocity (probe sense)

  Population(const SignalSpec& s, int count, Rng stream, double v0_cm_s)
      : spec(s), slots(static_cast<size_t>(std::max(1, count))), rng(stream) {
    for (Scatterer& sc : slots) {
      Respawn(sc, spec, v0_cm_s, rng);
      sc.age_s = rng.Uniform() * sc.lifetime_s;  // staggered: no synchronized replacement
    }
  }

  // Adds the scatterers' echoes over one block of `acc.size()` pulses at velocity v_cm_s.
  void Accumulate(double v_cm_s, double dt, std::vector<std::complex<double>>& acc) {
    const double block_s = static_cast<double>(acc.size()) * dt;
    for (Scatterer& sc : slots) {
      if (sc.age_s >= sc.lifetime_s) Respawn(sc, spec, v_cm_s, rng);
      const double dphi = 2 * kPi * hz_per_cm_s * v_cm_s * sc.profile_factor * dt;
      const std::complex<double> rotator = std::polar(1.0, dphi);
      std::complex<double> z = gain * sc.amplitude * std::polar(1.0, sc.phase_rad);
      // Lifetime window sin(pi * age / lifetime), linear within the block (smooth birth/death).
      const double w0 = std::sin(kPi * std::min(1.0, sc.age_s / sc.lifetime_s));
      const double w1 = std::sin(kPi * std::min(1.0, (sc.age_s + block_s) / sc.lifetime_s));
      for (size_t k = 0; k < acc.size(); ++k) {
        const double frac = static_cast<double>(k) / static_cast<double>(acc.size());
        acc[k] += z * (w0 + (w1 - w0) * frac);
        z *= rotator;
      }
      sc.phase_rad = std::fmod(sc.phase_rad + dphi * static_cast<double>(acc.size()), 2 * kPi);
      sc.age_s += block_s;
    }
  }
};

// A population of `count` scatterers of `spec` on a stream of its own (`stream`, keyed by the
// clip's seed: the blood's echoes and noise stay those of a clip without it), whose summed power
// is `db` over the blood's (negative: below), its Doppler shift in the probe's sense.
Population OwnPopulation(const SignalSpec& spec, int count, uint64_t stream, double v0_cm_s,
                         double db, double probe_sense) {
  Population p(spec, count, Rng(spec.seed ^ stream), v0_cm_s);
  p.gain = std::sqrt(static_cast<double>(spec.scatterers) / count * std::pow(10.0, db / 10.0));
  p.hz_per_cm_s = DopplerShiftHz(spec, 1.0) * probe_sense;
  return p;
}

// The artery's scatterers (nullopt without one): the whole lumen, parabolic, on a stream of
// their own so that the vein's echoes and noise are those of a clip without an artery. Their
// summed power is artery_db below the vein's.
constexpr int kArteryScatterers = 24;
constexpr uint64_t kArteryStream = 0xA27E41ull;

std::optional<Population> ArteryPopulation(const SignalSpec& s, double t_start_s) {
  if (!(s.artery_db > 0)) return std::nullopt;
  SignalSpec artery = s;
  artery.profile = Profile::kParabolic;
  artery.gate_radius = 1;
  return OwnPopulation(artery, kArteryScatterers, kArteryStream, ArteryVelocityCmS(s, t_start_s),
                       -s.artery_db, s.antegrade_toward_probe);
}

// The tissue's scatterers (nullopt without clutter): kClutterScatterers moving together (a
// near-plug profile), on a stream of their own, summed clutter_db above the blood's power.
constexpr int kClutterScatterers = 6;
constexpr uint64_t kClutterStream = 0xC1077E5ull;

std::optional<Population> ClutterPopulation(const SignalSpec& s, double t_start_s) {
  if (!(s.clutter_db > 0)) return std::nullopt;
  SignalSpec tissue = s;
  tissue.profile = Profile::kBlunt;
  tissue.blunt_order = 40;  // every scatterer at nearly the same speed: one moving wall
  tissue.gate_radius = 1;
  // Tissue stays in the gate: its echoes do not decorrelate within a clip (a lifetime window's
  // rise and fall, 40 dB over the blood, would streak the whole spectrum).
  tissue.gate_length_cm = 1e4;
  tissue.max_lifetime_s = 1e4;
  return OwnPopulation(tissue, kClutterScatterers, kClutterStream, ClutterVelocityCmS(s, t_start_s),
                       s.clutter_db, 1.0);  // its velocity is in the probe's sense already
}

// Triphasic arterial waveform over one cardiac cycle, u_s after the systole's start, as a share
// of the systolic peak: a fast upstroke and slower fall (peak 0.10 s), an early-diastolic
// reversal (0.26 s, -18%), a small forward wave (0.40 s, 8%).
double Triphasic(double u_s) {
  const auto bump = [&](double at_s, double rise_s, double fall_s) {
    const double w = u_s < at_s ? rise_s : fall_s;
    return std::exp(-0.5 * std::pow((u_s - at_s) / w, 2));
  };
  return bump(0.10, 0.03, 0.05) - 0.18 * bump(0.26, 0.035, 0.035) + 0.08 * bump(0.40, 0.04, 0.05);
}

}  // namespace

std::string_view ProfileName(Profile p) { return p == Profile::kParabolic ? "parabolic" : "blunt"; }

double DopplerShiftHz(const SignalSpec& s, double toward_probe_cm_s) {
  return spectral::DopplerShiftHzFromVelocity(toward_probe_cm_s, s.transducer_hz, s.angle_deg);
}

double NyquistSpanCmS(const SignalSpec& s) {
  return spectral::VelocityCmSFromDopplerShift(s.prf_hz, s.transducer_hz, s.angle_deg);
}

double ArteryVelocityCmS(const SignalSpec& s, double t_s) {
  if (!(s.artery_db > 0) || !(s.heart_rate_bpm > 0)) return 0;
  const double period_s = 60.0 / s.heart_rate_bpm;
  const double u_s =
      t_s - s.artery_phase_s - period_s * std::floor((t_s - s.artery_phase_s) / period_s);
  return -s.artery_peak_cm_s * Triphasic(u_s);  // distal: the vein's retrograde direction
}

double ClutterVelocityCmS(const SignalSpec& s, double t_s) {
  if (!(s.clutter_db > 0) || !(s.clutter_period_s > 0)) return 0;
  return s.clutter_cm_s * std::sin(2 * kPi * t_s / s.clutter_period_s + s.clutter_phase_rad);
}

std::vector<std::complex<float>> SimulateIq(const FlowSpec& flow, const SignalSpec& s,
                                            double t_start_s, size_t count) {
  Rng rng(s.seed);
  Rng noise_rng = rng.Fork(1);
  Population vein(s, s.scatterers, rng, VelocityCmS(flow, t_start_s));
  vein.hz_per_cm_s = DopplerShiftHz(s, 1.0) * s.antegrade_toward_probe;
  std::optional<Population> artery = ArteryPopulation(s, t_start_s);
  std::optional<Population> clutter = ClutterPopulation(s, t_start_s);
  const size_t block = std::max<size_t>(1, static_cast<size_t>(std::lround(kBlockS * s.prf_hz)));
  const double dt = 1.0 / s.prf_hz;
  const double sigma = NoiseSigma(s);
  std::vector<std::complex<float>> out(count);
  for (size_t n0 = 0; n0 < count; n0 += block) {
    const size_t n1 = std::min(count, n0 + block);
    const double mid_s =
        t_start_s + (static_cast<double>(n0) + 0.5 * static_cast<double>(n1 - n0)) * dt;
    std::vector<std::complex<double>> acc(n1 - n0);
    vein.Accumulate(VelocityCmS(flow, mid_s), dt, acc);
    if (artery) artery->Accumulate(ArteryVelocityCmS(s, mid_s), dt, acc);
    if (clutter) clutter->Accumulate(ClutterVelocityCmS(s, mid_s), dt, acc);
    for (size_t k = 0; k < acc.size(); ++k) {
      const double re = sigma * noise_rng.Normal();
      const double im = sigma * noise_rng.Normal();  // separate statements: fixed order
      out[n0 + k] = std::complex<float>(acc[k] + std::complex<double>(re, im));
    }
  }
  AddThumps(flow, s, t_start_s, out);
  AddMirror(s, out);
  return out;
}

double NoisePower(const SignalSpec& s) { return SignalPower(s) / std::pow(10.0, s.snr_db / 10.0); }

}  // namespace refluxscan::synth
