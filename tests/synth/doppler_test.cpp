// The simulated I/Q carries the flow at the Doppler frequency the equation predicts, signed.
#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "refluxscan/spectral/signal.h"
#include "synth/doppler.h"
#include "synth/flow.h"

namespace refluxscan::synth {
namespace {

// Highest |frequency| on the given side whose time-averaged power is 10 dB over the noise.
double SpectralEdgeHz(const SignalSpec& s, double velocity_cm_s, int side) {
  FlowSpec flow;
  flow.quiet = {velocity_cm_s, 0.0, 4, 0};  // constant flow, no maneuver
  const auto iq = SimulateIq(flow, s, 0, static_cast<size_t>(s.prf_hz));
  spectral::StftOptions o;
  o.window_ms = 20;
  o.fft_size = 256;
  o.wall_filter_hz = 50;
  auto ps = spectral::StftPower(iq, s.prf_hz, o);
  EXPECT_TRUE(ps.has_value());
  const double noise_db = 10 * std::log10(NoisePower(s));
  double edge = 0;
  for (int r = 0; r < ps->power_db.rows; ++r) {
    double mean = 0;
    for (int c = 0; c < ps->power_db.cols; ++c) mean += std::pow(10.0, ps->power_db(r, c) / 10);
    const double db = 10 * std::log10(mean / ps->power_db.cols);
    const double hz = ps->hz_top - r * ps->hz_per_row;
    // Above the wall filter leakage.
    if (db > noise_db + 10 && hz * side > 60) edge = std::max(edge, std::abs(hz));
  }
  return edge;
}

// 5 kHz PRF, 5 MHz, 50 degrees, 25 dB SNR: 40 cm/s lies well inside the scale.
SignalSpec FiveKilohertzSignal() {
  SignalSpec s;
  s.prf_hz = 5000;
  s.transducer_hz = 5e6;
  s.angle_deg = 50;
  s.snr_db = 25;
  return s;
}

TEST(Doppler, SpectrumEdgeSitsAtTheMaximumVelocityShift) {
  SignalSpec s = FiveKilohertzSignal();
  const double expected_hz = DopplerShiftHz(s, 40.0);
  EXPECT_NEAR(SpectralEdgeHz(s, 40.0, +1), expected_hz, 0.15 * expected_hz);
  EXPECT_EQ(SpectralEdgeHz(s, 40.0, -1), 0.0);  // nothing on the other side
  s.antegrade_toward_probe = -1;                // flow away from the probe: negative shifts
  EXPECT_NEAR(SpectralEdgeHz(s, 40.0, -1), expected_hz, 0.15 * expected_hz);
  EXPECT_EQ(SpectralEdgeHz(s, 40.0, +1), 0.0);
}

// The I/Q mirror puts a copy of the flow on the other side of the baseline, mirror_db below it
// (12 dB here: clear of the noise at 25 dB SNR); without it that side stays empty
// (SpectrumEdgeSitsAtTheMaximumVelocityShift).
TEST(Doppler, MirrorCopiesTheFlowToTheOtherSide) {
  SignalSpec s = FiveKilohertzSignal();
  s.mirror_db = 12;
  const double expected_hz = DopplerShiftHz(s, 40.0);
  EXPECT_GT(SpectralEdgeHz(s, 40.0, -1), 0.5 * expected_hz);
  EXPECT_LT(SpectralEdgeHz(s, 40.0, -1), 1.15 * expected_hz);
}

// A thump adds a strong, brief tone at its velocity at the squeeze's start, and at the opposite
// velocity at its release; none without it.
TEST(Doppler, ThumpsAtTheSqueezeAndItsRelease) {
  SignalSpec s;
  s.prf_hz = 4000;
  s.snr_db = 30;
  FlowSpec flow;  // no blood flow at all: only the thumps and the noise
  flow.maneuvers.push_back(ManeuverSpec{});
  flow.maneuvers[0].augmentation_start_s = 0.5;
  flow.maneuvers[0].burst_duration_s = 0.5;
  flow.maneuvers[0].peak_antegrade_cm_s = 0;
  const auto energy = [&](double from_s, double to_s) {
    const auto iq = SimulateIq(flow, s, 0, static_cast<size_t>(1.5 * s.prf_hz));
    double e = 0;
    for (auto n = static_cast<size_t>(from_s * s.prf_hz); n < static_cast<size_t>(to_s * s.prf_hz);
         ++n) {
      e += std::norm(iq[n]);
    }
    return e / ((to_s - from_s) * s.prf_hz);
  };
  const double quiet = energy(0.1, 0.4);
  s.thump_db = 20;
  s.thump_s = 0.06;
  EXPECT_GT(energy(0.5, 0.56), 20 * quiet);  // at the squeeze's start
  EXPECT_GT(energy(1.0, 1.06), 20 * quiet);  // at its release
  EXPECT_LT(energy(0.1, 0.4), 1.5 * quiet);  // nothing between
}

// The artery's waveform: a systole peaking at its velocity 0.1 s after each beat's start, in the
// vein's retrograde direction (negative), a small reversal after it, rest late in the cycle, and
// the same course one period later; nothing without an artery.
TEST(Doppler, ArteryBeatsTriphasicAtTheHeartRate) {
  SignalSpec s;
  EXPECT_EQ(ArteryVelocityCmS(s, 0.3), 0.0);
  s.artery_db = 12;
  s.artery_peak_cm_s = 40;
  s.heart_rate_bpm = 60;
  s.artery_phase_s = 0.2;
  EXPECT_NEAR(ArteryVelocityCmS(s, 0.3), -40, 0.5);  // systolic peak
  EXPECT_GT(ArteryVelocityCmS(s, 0.46), 0);          // early-diastolic reversal
  EXPECT_NEAR(ArteryVelocityCmS(s, 1.0), 0, 0.5);    // late diastole: rest
  EXPECT_NEAR(ArteryVelocityCmS(s, 3.3), -40, 0.5);  // three beats later
  EXPECT_NEAR(ArteryVelocityCmS(s, 0.25), ArteryVelocityCmS(s, 1.25), 1e-9);
}

// An artery adds its systoles' power to the retrograde side artery_db below the vein's signal,
// and leaves the vein's own echoes and noise as they were (its scatterers have a stream of
// their own): between beats the signal is the same sample for sample.
// An artery adds its own echoes, artery_db below the vein's, and leaves the vein's echoes and
// the noise as they were (its scatterers draw from a stream of their own): the difference of the
// signals with and without it is the artery's echo alone. That echo moves at the systole's
// Doppler shift, on the vein's retrograde side (negative here: antegrade is toward the probe),
// and is still between beats.
// Mean power and mean Doppler frequency (the phase of the lag-1 autocorrelation) of `x` between
// two times, at `prf_hz`.
double PowerBetween(const std::vector<std::complex<float>>& x, double prf_hz, double from_s,
                    double to_s) {
  const auto first = static_cast<size_t>(from_s * prf_hz),
             last = static_cast<size_t>(to_s * prf_hz);
  double e = 0;
  for (size_t n = first; n < last; ++n) e += std::norm(x[n]);
  return e / static_cast<double>(last - first);
}

double MeanDopplerHz(const std::vector<std::complex<float>>& x, double prf_hz, double from_s,
                     double to_s) {
  const auto first = static_cast<size_t>(from_s * prf_hz),
             last = static_cast<size_t>(to_s * prf_hz);
  std::complex<double> r1 = 0;
  for (size_t n = first; n + 1 < last; ++n) {
    r1 += std::complex<double>(x[n + 1]) * std::conj(std::complex<double>(x[n]));
  }
  return std::arg(r1) * prf_hz / (2 * std::numbers::pi);
}

// The signal `extra` adds to `base` (extra = base plus an artery, clutter, ...) over `seconds`
// of 10 cm/s steady flow: the two simulations share the vein's echoes and noise.
std::vector<std::complex<float>> AddedSignal(const SignalSpec& base, const SignalSpec& extra,
                                             double seconds) {
  FlowSpec flow;
  flow.quiet = {10, 0, 4, 0};
  const auto plain = SimulateIq(flow, base, 0, static_cast<size_t>(seconds * base.prf_hz));
  const auto with = SimulateIq(flow, extra, 0, plain.size());
  std::vector<std::complex<float>> added(plain.size());
  for (size_t n = 0; n < plain.size(); ++n) added[n] = with[n] - plain[n];
  return added;
}

TEST(Doppler, ArteryAddsItsSystolesAndLeavesTheVeinAlone) {
  SignalSpec s = FiveKilohertzSignal();
  s.artery_db = 6;
  s.artery_peak_cm_s = 30;
  s.heart_rate_bpm = 60;
  s.artery_phase_s = 0.5;  // systoles peak at 0.6 s and 1.6 s
  const auto artery = AddedSignal(FiveKilohertzSignal(), s, 2);
  const auto power = [&](double a, double b) { return PowerBetween(artery, s.prf_hz, a, b); };
  const auto mean_hz = [&](double a, double b) { return MeanDopplerHz(artery, s.prf_hz, a, b); };
  const double artery_power = 0.5 * s.scatterers * std::pow(10.0, -s.artery_db / 10);
  EXPECT_NEAR(power(0.1, 1.9), artery_power, 0.35 * artery_power);
  const double peak_hz = DopplerShiftHz(s, s.artery_peak_cm_s);
  // Around the systolic peak: the parabolic lumen's mean, half the peak, retrograde.
  EXPECT_LT(mean_hz(0.57, 0.63), -0.3 * peak_hz);
  EXPECT_GT(mean_hz(0.57, 0.63), -0.7 * peak_hz);
  EXPECT_NEAR(mean_hz(1.1, 1.4), 0.0, 0.05 * peak_hz);  // late diastole: still
}

// Tissue clutter: a strong echo clutter_db over the blood, moving with respiration. Its own
// signal (with - without) has that power, and its mean Doppler frequency follows the tissue's
// velocity (toward the probe at the sine's crest, away at its trough).
TEST(Doppler, ClutterIsAStrongToneFollowingTheTissue) {
  SignalSpec s = FiveKilohertzSignal();
  s.clutter_db = 30;
  s.clutter_cm_s = 1.5;
  s.clutter_period_s = 4;  // crest at 1 s, trough at 3 s
  const auto tissue = AddedSignal(FiveKilohertzSignal(), s, 4);
  const auto power = [&](double a, double b) { return PowerBetween(tissue, s.prf_hz, a, b); };
  const auto mean_hz = [&](double a, double b) { return MeanDopplerHz(tissue, s.prf_hz, a, b); };
  const double blood_power = 0.5 * s.scatterers;
  EXPECT_GT(10 * std::log10(power(0.1, 3.9) / blood_power), 25.0);
  const double crest_hz = DopplerShiftHz(s, s.clutter_cm_s);
  EXPECT_NEAR(mean_hz(0.95, 1.05), crest_hz, 0.1 * crest_hz);
  EXPECT_NEAR(mean_hz(2.95, 3.05), -crest_hz, 0.1 * crest_hz);
}

TEST(Doppler, NoisePowerMatchesTheRequestedSnr) {
  SignalSpec s;
  s.snr_db = 10;
  FlowSpec flow;
  flow.quiet = {20, 0, 4, 0};
  const auto iq = SimulateIq(flow, s, 0, 40000);
  double power = 0;
  for (const auto& x : iq) power += std::norm(x);
  power /= static_cast<double>(iq.size());
  const double expected = 0.5 * s.scatterers + NoisePower(s);  // signal + noise
  EXPECT_NEAR(power, expected, 0.2 * expected);
}

}  // namespace
}  // namespace refluxscan::synth
