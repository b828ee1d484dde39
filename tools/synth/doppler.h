#pragma once
// Pulsed-wave Doppler I/Q from the flow model: a few dozen moving scatterers in the sample
// volume, each a complex phasor whose phase advances by 2*pi*f_d/PRF per pulse, with
// f_d = 2 f0 v cos(theta) / c (DOMAIN.md), plus complex Gaussian noise at a chosen SNR.
#include <complex>
#include <cstdint>
#include <string_view>
#include <vector>

#include "synth/flow.h"

namespace refluxscan::synth {

enum class Profile { kParabolic, kBlunt };
std::string_view ProfileName(Profile p);

struct SignalSpec {
  double prf_hz = 4000;          // 1000..12000: I/Q sample rate
  double transducer_hz = 4.0e6;  // 2..7 MHz
  double angle_deg = 60;         // 0..60, beam-to-flow angle
  double snr_db = 20;            // blood signal power / noise power of the I/Q samples
  Profile profile = Profile::kParabolic;
  double blunt_order = 8;  // kBlunt: v(r) = vmax (1 - r^n)
  // Share of the lumen's radius the sample volume covers, centred: 1 samples the whole lumen
  // (a spectrum filled from the baseline); a small gate in the fast core (0.4..0.7) sees only
  // v >= v(gate_radius), a band detached from the baseline by a dark "spectral window".
  double gate_radius = 1;
  int scatterers = 32;             // 20..40 phasors alive at any time
  double gate_length_cm = 0.2;     // sample volume length: sets transit time (broadening)
  double max_lifetime_s = 0.08;    // a scatterer's echo lasts at most this long (blood)
  int antegrade_toward_probe = 1;  // +1: antegrade flow gives a positive Doppler shift
  uint64_t seed = 1;               // phases, amplitudes, lifetimes, noise
  // Artifacts (0: none). Mirror: I/Q imbalance copies the spectrum to the other side of the
  // baseline, this many dB down (20..30). Thump: the tissue jerks with the squeeze and the
  // release, a tone burst this many dB over the blood's power (10..25) at thump_cm_s (toward the
  // probe at compression, away at release; sign random) lasting thump_s.
  double mirror_db = 0;
  double thump_db = 0, thump_cm_s = 2, thump_s = 0.06;
  // Arterial crosstalk (artery_db 0: none). An artery beside the vein in the beam (CW insonates
  // both; a PW gate beside the artery catches it) adds its pulsatile flow, artery_db (8..24)
  // below the vein's signal, flowing distally: the vein's retrograde direction. Triphasic, at
  // heart_rate_bpm: systole peaking at artery_peak_cm_s, a brief early-diastolic reversal, a
  // small forward wave, then rest until the next beat (the first systole starts at
  // artery_phase_s).
  double artery_db = 0, artery_peak_cm_s = 0, heart_rate_bpm = 70, artery_phase_s = 0;
  // Tissue clutter (clutter_db 0: none). The vessel wall and the tissue around the gate move with
  // respiration: a few strong scatterers moving together at clutter_cm_s x sin(2 pi t /
  // clutter_period_s + clutter_phase_rad) along the beam (toward the probe positive), clutter_db
  // (20..40) above the blood's signal. The wall filter takes most of it away; what passes near
  // its cut-off is the bright, slow "clutter residue" straddling the baseline.
  double clutter_db = 0, clutter_cm_s = 0, clutter_period_s = 4, clutter_phase_rad = 0;
};

// The tissue's velocity along the beam at t_s (cm/s, toward the probe positive), 0 without
// clutter.
double ClutterVelocityCmS(const SignalSpec& s, double t_s);

// The artery's velocity at t_s (cm/s, the vein's antegrade direction positive: systole is
// negative), 0 without an artery.
double ArteryVelocityCmS(const SignalSpec& s, double t_s);

// Doppler shift of a velocity in the probe's sense (toward the probe positive), Hz.
double DopplerShiftHz(const SignalSpec& s, double toward_probe_cm_s);
// Velocity (toward the probe positive, cm/s) spanned by one PRF: the display's full scale.
double NyquistSpanCmS(const SignalSpec& s);

// Complex baseband samples at the PRF for times t_start_s + n / prf_hz, n < count.
std::vector<std::complex<float>> SimulateIq(const FlowSpec& flow, const SignalSpec& s,
                                            double t_start_s, size_t count);

// Power of the complex noise SimulateIq adds (|n|^2 mean): the display's noise-floor reference.
double NoisePower(const SignalSpec& s);

}  // namespace refluxscan::synth
