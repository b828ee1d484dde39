#pragma once
// The signal path: raw Doppler I/Q or stereo directional audio to a Spectrogram (FFTW inside).
#include <complex>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/error.h"
#include "refluxscan/core/spectrogram.h"

namespace refluxscan::spectral {

inline constexpr double kSoundSpeedTissueMPerS = 1540.0;

// Doppler shift <-> velocity: f = 2 f0 v cos(theta) / c (DOMAIN.md).
double DopplerShiftHzFromVelocity(double velocity_cm_s, double transducer_hz, double angle_deg,
                                  double sound_speed_m_s = kSoundSpeedTissueMPerS);
double VelocityCmSFromDopplerShift(double shift_hz, double transducer_hz, double angle_deg,
                                   double sound_speed_m_s = kSoundSpeedTissueMPerS);

// Complex baseband Doppler samples from one range gate, sampled at the PRF.
struct IqSignal {
  std::vector<std::complex<float>> samples;
  double prf_hz = 0;                   // sample rate
  double transducer_frequency_hz = 0;  // 0: unknown (spectrogram stays in Hz)
  double doppler_angle_deg = 0;
  double start_s = 0;  // time of the first sample on the display's time axis (strip column 0)
};

struct StftOptions {
  double window_ms = 0;       // Hann window length; 0 = auto (~10-20 ms from the PRF)
  int fft_size = 0;           // >= window samples; 0 = next power of two of 4x the window, <= 65536
  double hop_ms = 0;          // 0 = auto (window/4, heavy overlap)
  double wall_filter_hz = 0;  // high-pass cut-off; 0 = auto (a few % of PRF), < 0 = off
  double dynamic_range_db = 50;  // dB span mapped onto intensity [0, 1]
  double gain_db = 0;            // added before mapping (display brightness)
};

// STFT power spectrogram in dB: rows = FFT bins ordered from +PRF/2 (row 0) down to -PRF/2,
// columns = frames at hop spacing. The raw form the generator renders displays from.
struct PowerSpectrogram {
  cv::Mat1f power_db;
  double seconds_per_column = 0;
  double hz_per_row = 0;
  double hz_top = 0;   // shift of row 0
  double t0_s = 0;     // centre of the first window
  double wall_hz = 0;  // the wall filter's cut-off applied (0: none)
};
Result<PowerSpectrogram> StftPower(std::span<const std::complex<float>> samples, double rate_hz,
                                   const StftOptions& options);

// I/Q -> calibrated Spectrogram (cm/s when f0 is known, Hz otherwise with a warning).
Result<Spectrogram> SpectrogramFromIq(const IqSignal& iq, const StftOptions& options = {});

// Analytic signal of a real sequence by FFT (Hilbert transform): x + j H{x}.
std::vector<std::complex<double>> AnalyticSignal(std::span<const double> x);

// Stereo directional Doppler audio (forward in one channel, reverse in the other, as scanners
// export it) to complex I/Q at the audio sample rate, via Hilbert transforms.
Result<IqSignal> IqFromStereoAudio(std::span<const float> forward, std::span<const float> reverse,
                                   double sample_rate_hz);

// Signal files that sit beside a DICOM (same base name): `.iq` (docs/signal-formats.md) and
// 16-bit PCM stereo `.wav`.
Result<IqSignal> ReadIqFile(const std::string& path);
Result<void> WriteIqFile(const IqSignal& iq, const std::string& path);
Result<IqSignal> ReadStereoWav(const std::string& path, double transducer_hz, double angle_deg);
Result<void> WriteStereoWav(std::span<const float> forward, std::span<const float> reverse,
                            double sample_rate_hz, const std::string& path);

}  // namespace refluxscan::spectral
