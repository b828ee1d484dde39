#include "refluxscan/spectral/signal.h"

#include "refluxscan/spectral/envelope.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "testing/fixtures.h"

namespace refluxscan::spectral {
namespace {

constexpr double kPi = std::numbers::pi;

std::vector<std::complex<float>> ComplexTone(double hz, double rate_hz, size_t n,
                                             double amplitude = 1.0) {
  std::vector<std::complex<float>> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] =
        std::complex<float>(std::polar(amplitude, 2 * kPi * hz * static_cast<double>(i) / rate_hz));
  }
  return x;
}

// Row with the highest power in column c.
int PeakRow(const cv::Mat1f& m, int c) {
  int best = 0;
  for (int r = 1; r < m.rows; ++r) best = m(r, c) > m(best, c) ? r : best;
  return best;
}

TEST(Doppler, ShiftFromVelocityMatchesEquation) {
  // f = 2 f0 v cos(theta) / c: 100 cm/s at 5 MHz, 0 deg -> 2 * 5e6 * 1 / 1540 Hz.
  EXPECT_NEAR(DopplerShiftHzFromVelocity(100, 5e6, 0), 2 * 5e6 / 1540.0, 1e-6);
  EXPECT_NEAR(DopplerShiftHzFromVelocity(20, 5e6, 60), 2 * 5e6 * 0.2 * 0.5 / 1540.0, 1e-6);
  EXPECT_NEAR(DopplerShiftHzFromVelocity(-20, 5e6, 60), -2 * 5e6 * 0.2 * 0.5 / 1540.0, 1e-6);
  EXPECT_NEAR(VelocityCmSFromDopplerShift(DopplerShiftHzFromVelocity(37.5, 7e6, 45), 7e6, 45), 37.5,
              1e-9);
  EXPECT_TRUE(std::isnan(VelocityCmSFromDopplerShift(100, 0, 0)));
}

TEST(AnalyticSignal, CosineBecomesComplexExponential) {
  for (size_t n : {256u, 255u}) {  // even and odd lengths
    std::vector<double> x(n);
    const double cycles = 7;
    for (size_t i = 0; i < n; ++i)
      x[i] = std::cos(2 * kPi * cycles * static_cast<double>(i) / n + 0.3);
    const auto a = AnalyticSignal(x);
    ASSERT_EQ(a.size(), n);
    for (size_t i = 0; i < n; ++i) {
      const auto expected = std::polar(1.0, 2 * kPi * cycles * static_cast<double>(i) / n + 0.3);
      ASSERT_NEAR(std::abs(a[i] - expected), 0.0, 1e-9) << "n=" << n << " i=" << i;
    }
  }
  EXPECT_TRUE(AnalyticSignal({}).empty());
}

TEST(StftPower, RowsRunFromPlusHalfPrfDown) {
  const double prf = 4000;
  StftOptions o;
  o.window_ms = 16;  // 64 samples
  o.wall_filter_hz = -1;
  // Auto FFT size: the window zero-padded to 4x (256 bins); an explicit size is kept.
  for (const auto& [fft_size, bins] : {std::pair{0, 256}, std::pair{64, 64}}) {
    o.fft_size = fft_size;
    auto p = StftPower(ComplexTone(1000, prf, 4000), prf, o);
    ASSERT_TRUE(p.has_value()) << p.error().message;
    EXPECT_EQ(p->power_db.rows, bins);
    EXPECT_DOUBLE_EQ(p->hz_top, prf / 2);
    EXPECT_DOUBLE_EQ(p->hz_per_row, prf / bins);
    EXPECT_DOUBLE_EQ(p->seconds_per_column, 16.0 / prf);
    // +1000 Hz is a quarter of the bins above the baseline row (bins / 2).
    EXPECT_EQ(PeakRow(p->power_db, 10), bins / 2 - bins / 4);
    auto n = StftPower(ComplexTone(-1000, prf, 4000), prf, o);
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(PeakRow(n->power_db, 10), bins / 2 + bins / 4);
  }
}

// A long explicit window (20000 samples: 4x would be 131072 bins) pads only up to the 65536-bin
// limit instead of failing; a window beyond the limit is a resource-limit error.
TEST(StftPower, AutoPaddingStopsAtTheFftSizeLimit) {
  const double rate = 100000;
  StftOptions o;
  o.window_ms = 200;  // 20000 samples
  o.hop_ms = 50;
  o.wall_filter_hz = -1;
  auto p = StftPower(ComplexTone(12500, rate, 50000), rate, o);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->power_db.rows, 65536);
  EXPECT_EQ(PeakRow(p->power_db, 0), 65536 / 2 - 65536 / 8);  // +rate/8 above the baseline row
  o.window_ms = 700;  // 70000 samples: more bins than the limit even unpadded
  auto too_long = StftPower(ComplexTone(12500, rate, 80000), rate, o);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, ErrorCode::kResourceLimit);
}

TEST(StftPower, WhiteNoiseLevelIsItsVariance) {
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<std::complex<float>> x(40000);
  for (auto& v : x) v = {g(rng) * 0.1f, g(rng) * 0.1f};  // power 0.02 -> -17 dB
  StftOptions o;
  o.wall_filter_hz = -1;
  auto p = StftPower(x, 4000, o);
  ASSERT_TRUE(p.has_value());
  double mean_linear = 0;
  for (float db : p->power_db) mean_linear += std::pow(10.0, db / 10.0);
  mean_linear /= static_cast<double>(p->power_db.total());
  EXPECT_NEAR(10 * std::log10(mean_linear), 10 * std::log10(0.02), 0.3);
}

TEST(StftPower, WallFilterRemovesClutter) {
  const double prf = 4000;
  auto x = ComplexTone(600, prf, 8000, 0.1);
  for (auto& v : x) v += std::complex<float>(5.0f, -3.0f);  // strong stationary clutter
  StftOptions o;
  o.wall_filter_hz = 100;
  auto p = StftPower(x, prf, o);
  ASSERT_TRUE(p.has_value());
  const int baseline = static_cast<int>(p->hz_top / p->hz_per_row);
  const int tone_row = baseline - static_cast<int>(std::lround(600 / p->hz_per_row));
  const int c = p->power_db.cols / 2;
  EXPECT_EQ(PeakRow(p->power_db, c), tone_row);
  EXPECT_GT(p->power_db(tone_row, c) - p->power_db(baseline, c), 30.0f);
}

TEST(StftPower, RejectsBadInput) {
  EXPECT_FALSE(StftPower(ComplexTone(10, 1000, 3), 1000, {}).has_value());
  EXPECT_FALSE(StftPower(ComplexTone(10, 1000, 300), 0, {}).has_value());
  StftOptions o;
  o.window_ms = 64;
  o.fft_size = 16;
  EXPECT_EQ(StftPower(ComplexTone(10, 1000, 300), 1000, o).error().code, ErrorCode::kInvalidInput);
}

TEST(StftPower, ConcurrentCallsShareCachedPlans) {
  const auto x = ComplexTone(700, 5000, 20000);
  StftOptions a, b;
  b.fft_size = 256;
  const auto serial_a = StftPower(x, 5000, a), serial_b = StftPower(x, 5000, b);
  ASSERT_TRUE(serial_a && serial_b);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, -1);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const auto& opts = t % 2 ? b : a;
      const auto& ref = t % 2 ? serial_b : serial_a;
      auto r = StftPower(x, 5000, opts);
      mismatches[static_cast<size_t>(t)] =
          r ? cv::countNonZero(r->power_db != ref->power_db) : 1000000;
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(SpectrogramFromIq, PeakAtTheToneVelocity) {
  IqSignal iq;
  iq.prf_hz = 4000;
  iq.transducer_frequency_hz = 5e6;
  iq.doppler_angle_deg = 60;
  const double v_cm_s = -25;  // reverse flow
  iq.samples = ComplexTone(DopplerShiftHzFromVelocity(v_cm_s, 5e6, 60), iq.prf_hz, 8000);
  auto s = SpectrogramFromIq(iq);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->unit, VelocityUnit::kCmPerSecond);
  EXPECT_EQ(s->source, SpectrogramSource::kIq);
  EXPECT_NEAR(s->velocity_top, VelocityCmSFromDopplerShift(2000, 5e6, 60), 1e-9);
  const int c = s->Columns() / 2;
  EXPECT_NEAR(s->VelocityAtRow(PeakRow(s->intensity, c)), v_cm_s, s->velocity_step_per_row);
  EXPECT_FLOAT_EQ(s->intensity(PeakRow(s->intensity, c), c), 1.0f);
  EXPECT_EQ(s->column_valid.size(), static_cast<size_t>(s->Columns()));
}

// Flow as band-limited noise (random-phase tones spread uniformly over 0..band_hz, as a
// parabolic profile's flat spectrum) plus white noise at `snr_db` over the whole band.
std::vector<std::complex<float>> FlowInNoise(double band_hz, double rate_hz, size_t n,
                                             double snr_db, double from_hz = 0) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> phase(0, 2 * kPi);
  constexpr int kTones = 200;
  std::vector<std::complex<double>> x(n);
  for (int k = 0; k < kTones; ++k) {
    const double hz = from_hz + (band_hz - from_hz) * (k + 0.5) / kTones, phi = phase(rng);
    for (size_t i = 0; i < n; ++i) {
      x[i] += std::polar(1.0 / std::sqrt(kTones), phi + 2 * kPi * hz * i / rate_hz);
    }
  }
  std::normal_distribution<double> noise(0, std::sqrt(0.5 * std::pow(10.0, -snr_db / 10)));
  std::vector<std::complex<float>> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i] = std::complex<float>(x[i] + std::complex<double>(noise(rng), noise(rng)));
  }
  return out;
}

TEST(SpectrogramFromIq, NoiseFloorSitsNearBlackSoLowSnrFlowIsFound) {
  // 5 dB SNR over the full band: the flow fills 1/8 of it, so it stands ~14 dB above the noise
  // per bin. Mapping the peak to full brightness put the noise in the display's upper half and
  // the envelope found no flow at all (edge set's low_snr I/Q); the noise median now sits near
  // black, as a scanner's gain and reject put it.
  IqSignal iq;
  iq.prf_hz = 4000;
  iq.transducer_frequency_hz = 5e6;
  iq.doppler_angle_deg = 60;
  const double band_hz = 500;
  iq.samples = FlowInNoise(band_hz, iq.prf_hz, 16000, 5.0);
  auto s = SpectrogramFromIq(iq);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  cv::Mat1f far_rows = s->intensity.rowRange(0, s->Rows() / 4);  // +1000..+2000 Hz: noise only
  std::vector<float> v(far_rows.begin(), far_rows.end());
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  EXPECT_LT(v[v.size() / 2], 0.15);
  auto env = EstimateEnvelope(*s);
  ASSERT_TRUE(env.has_value()) << env.error().message;
  const double v_max = VelocityCmSFromDopplerShift(band_hz, 5e6, 60);
  std::vector<double> fwd;
  for (size_t j = 0; j < env->Size(); ++j) {
    if (std::isfinite(env->max_forward[j])) fwd.push_back(env->max_forward[j]);
  }
  ASSERT_FALSE(fwd.empty());
  std::nth_element(fwd.begin(), fwd.begin() + fwd.size() / 2, fwd.end());
  EXPECT_NEAR(fwd[fwd.size() / 2], v_max, 0.15 * v_max);
}

// Flow filling 70% of the band all the time (-1400..+1400 Hz at a 4 kHz PRF) leaves the noise
// floor where it was: the noise median is read per frequency row, over time, then low over the
// rows. The lower quartile of all cells read it 3.8 dB high at half coverage and clipped every
// noise cell to black at 70% (review of stop 18).
TEST(SpectrogramFromIq, FlowFillingMostOfTheBandKeepsTheNoiseFloor) {
  IqSignal iq;
  iq.prf_hz = 4000;
  iq.transducer_frequency_hz = 5e6;
  iq.doppler_angle_deg = 60;
  iq.samples = FlowInNoise(1400, iq.prf_hz, 16000, 10.0, -1400);
  auto s = SpectrogramFromIq(iq);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  const int noise_rows = s->Rows() * 12 / 100;  // +1520..+2000 Hz: noise only
  const cv::Mat1f far = s->intensity.rowRange(0, noise_rows);
  const double black = static_cast<double>(cv::countNonZero(far == 0.0f)) / far.total();
  EXPECT_LT(black, 0.45);  // pure noise: ~30% of its cells below the black level
  std::vector<float> v(far.begin(), far.end());
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  EXPECT_NEAR(v[v.size() / 2], 0.05, 0.04);
}

TEST(SpectrogramFromIq, NonFiniteSamplesAreRejected) {
  IqSignal iq;
  iq.prf_hz = 4000;
  iq.samples = ComplexTone(300, 4000, 4000);
  iq.samples[100] = {std::numeric_limits<float>::quiet_NaN(), 0.0f};
  auto s = SpectrogramFromIq(iq);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("non-finite"), std::string::npos);
}

TEST(SpectrogramFromIq, UnknownTransducerKeepsHertzWithWarning) {
  IqSignal iq;
  iq.prf_hz = 2000;
  iq.samples = ComplexTone(300, 2000, 4000);
  auto s = SpectrogramFromIq(iq);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->unit, VelocityUnit::kHertz);
  EXPECT_DOUBLE_EQ(s->velocity_top, 1000);
  EXPECT_FALSE(s->warnings.empty());
}

TEST(StereoAudio, WavRoundTripRecoversComplexTones) {
  // iq = a e^{+j w1 t} (forward) + b e^{-j w2 t} (reverse); channels hold the real parts.
  const double rate = 8000, n = 8000;  // integer cycles over the clip: exact Hilbert
  const double f1 = 300, f2 = 500, a = 0.4, b = 0.25;
  std::vector<float> fwd(8000), rev(8000);
  std::vector<std::complex<double>> expected(8000);
  for (size_t i = 0; i < fwd.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    const auto p = std::polar(a, 2 * kPi * f1 * t), q = std::polar(b, -2 * kPi * f2 * t);
    fwd[i] = static_cast<float>(p.real());
    rev[i] = static_cast<float>(q.real());
    expected[i] = p + q;
  }
  const auto path = (testing::ScratchDir("wav") / "tone.wav").string();
  ASSERT_TRUE(WriteStereoWav(fwd, rev, rate, path).has_value());
  auto iq = ReadStereoWav(path, 5e6, 30);
  ASSERT_TRUE(iq.has_value()) << iq.error().message;
  ASSERT_EQ(iq->samples.size(), static_cast<size_t>(n));
  EXPECT_DOUBLE_EQ(iq->prf_hz, rate);
  EXPECT_DOUBLE_EQ(iq->transducer_frequency_hz, 5e6);
  double worst = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    worst = std::max(worst, std::abs(std::complex<double>(iq->samples[i]) - expected[i]));
  }
  EXPECT_LT(worst, 2e-3);  // 16-bit quantization
}

TEST(StereoAudio, RejectsMismatchedChannels) {
  std::vector<float> a(100), b(99);
  EXPECT_EQ(IqFromStereoAudio(a, b, 8000).error().code, ErrorCode::kInvalidInput);
}

void Truncate(const std::string& path, uintmax_t drop_bytes) {
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - drop_bytes);
}

TEST(StereoWav, RejectsTruncatedAndForeignFiles) {
  const auto dir = testing::ScratchDir("wav_bad");
  std::vector<float> x(1000, 0.5f);
  const auto path = (dir / "t.wav").string();
  ASSERT_TRUE(WriteStereoWav(x, x, 8000, path).has_value());
  Truncate(path, 10);
  EXPECT_EQ(ReadStereoWav(path, 0, 0).error().code, ErrorCode::kCorrupt);
  std::ofstream(dir / "junk.wav") << "RIFF\x04\x00\x00\x00WAVEjunk";
  EXPECT_EQ(ReadStereoWav((dir / "junk.wav").string(), 0, 0).error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(ReadStereoWav((dir / "missing.wav").string(), 0, 0).error().code, ErrorCode::kIo);
}

TEST(IqFile, RoundTripAndTruncation) {
  IqSignal iq;
  iq.prf_hz = 3125.5;
  iq.transducer_frequency_hz = 4.5e6;
  iq.doppler_angle_deg = 55;
  iq.samples = ComplexTone(123, 3125.5, 777, 0.7);
  const auto dir = testing::ScratchDir("iq");
  const auto path = (dir / "s.iq").string();
  ASSERT_TRUE(WriteIqFile(iq, path).has_value());
  EXPECT_EQ(std::filesystem::file_size(path), 48u + 8u * 777u);  // RFXIQ2 header
  auto back = ReadIqFile(path);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->prf_hz, iq.prf_hz);
  EXPECT_EQ(back->transducer_frequency_hz, iq.transducer_frequency_hz);
  EXPECT_EQ(back->doppler_angle_deg, iq.doppler_angle_deg);
  EXPECT_EQ(back->samples, iq.samples);
  Truncate(path, 3);
  EXPECT_EQ(ReadIqFile(path).error().code, ErrorCode::kCorrupt);
  std::ofstream(dir / "bad.iq") << "RFXIQ2" << std::string(60, '\0');
  EXPECT_EQ(ReadIqFile((dir / "bad.iq").string()).error().code, ErrorCode::kCorrupt);
  iq.prf_hz = -1;
  EXPECT_EQ(WriteIqFile(iq, path).error().code, ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace refluxscan::spectral
