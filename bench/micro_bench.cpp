// Google Benchmark microbenchmarks of the hot stages (issue "Speed, memory and robustness"):
// strip extraction and envelope on a decoded sample clip, the STFT per second of I/Q signal.
// Run: build/refluxscan-micro-bench [--benchmark_repetitions=5]. Numbers: docs/performance.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <complex>
#include <cstdlib>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "refluxscan/dicom/read.h"
#include "refluxscan/spectral/envelope.h"
#include "refluxscan/spectral/signal.h"
#include "refluxscan/spectral/strip.h"

namespace {

using namespace refluxscan;

// The bundled sample clip (1024x768-class RGB, JPEG baseline), decoded once.
const UltrasoundImage* SampleImage() {
  static const auto image = [] {
    const char* dir = std::getenv("REFLUXSCAN_SAMPLE_DIR");
    const std::string path =
        std::string(dir ? dir : REFLUXSCAN_SOURCE_DIR "/sample_data") + "/STUDY_001/IMG_0001.dcm";
    return dicom::ReadUltrasound(path);
  }();
  return image ? &*image : nullptr;
}

const UltrasoundRegion* SampleRegion(benchmark::State& state) {
  const UltrasoundImage* image = SampleImage();
  const auto regions = image ? image->SpectralRegions() : std::vector<const UltrasoundRegion*>{};
  if (regions.empty()) state.SkipWithError("sample_data/STUDY_001/IMG_0001.dcm not readable");
  return regions.empty() ? nullptr : regions.front();
}

void BM_StripExtraction(benchmark::State& state) {
  const UltrasoundRegion* region = SampleRegion(state);
  if (!region) return;
  for (auto _ : state) {
    auto s = spectral::SpectrogramFromDisplay(*SampleImage(), *region);
    benchmark::DoNotOptimize(s);
  }
  state.SetLabel(std::to_string(region->max_x1 - region->min_x0 + 1) + "x" +
                 std::to_string(region->max_y1 - region->min_y0 + 1) + " strip");
}
BENCHMARK(BM_StripExtraction)->Unit(benchmark::kMillisecond);

void BM_Envelope(benchmark::State& state) {
  const UltrasoundRegion* region = SampleRegion(state);
  if (!region) return;
  const auto spectrogram = spectral::SpectrogramFromDisplay(*SampleImage(), *region);
  if (!spectrogram) {
    state.SkipWithError(spectrogram.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto env = spectral::EstimateEnvelope(*spectrogram);
    benchmark::DoNotOptimize(env);
  }
}
BENCHMARK(BM_Envelope)->Unit(benchmark::kMillisecond);

// A velocity-modulated tone in noise, `seconds` long at `prf_hz`.
spectral::IqSignal Tone(double prf_hz, double seconds) {
  spectral::IqSignal iq;
  iq.prf_hz = prf_hz;
  iq.transducer_frequency_hz = 5e6;
  iq.doppler_angle_deg = 60;
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  const auto n = static_cast<size_t>(prf_hz * seconds);
  double phase = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / prf_hz;
    phase += 2 * std::numbers::pi * 800 * std::sin(2 * std::numbers::pi * 0.5 * t) / prf_hz;
    iq.samples.emplace_back(static_cast<float>(std::cos(phase)) + noise(rng),
                            static_cast<float>(std::sin(phase)) + noise(rng));
  }
  return iq;
}

// STFT (wall filter, Hann, zero-padded FFT, calibration) per second of signal; arg = PRF in Hz.
void BM_StftPerSecondOfSignal(benchmark::State& state) {
  const spectral::IqSignal iq = Tone(static_cast<double>(state.range(0)), 1.0);
  for (auto _ : state) {
    auto s = spectral::SpectrogramFromIq(iq);
    benchmark::DoNotOptimize(s);
  }
  state.SetLabel("1 s of I/Q");
}
BENCHMARK(BM_StftPerSecondOfSignal)
    ->Arg(2000)
    ->Arg(5000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
