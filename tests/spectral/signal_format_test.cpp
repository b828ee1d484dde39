// The .iq start time (RFXIQ2) survives a round trip and shifts the spectrogram's time axis.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "refluxscan/spectral/signal.h"
#include "testing/fixtures.h"

namespace refluxscan::spectral {
namespace {

IqSignal Tone(double start_s) {
  IqSignal iq;
  iq.prf_hz = 4000;
  iq.transducer_frequency_hz = 5e6;
  iq.doppler_angle_deg = 45;
  iq.start_s = start_s;
  for (int i = 0; i < 4000; ++i) {
    const double phase = 2 * 3.141592653589793 * 500.0 * i / iq.prf_hz;
    iq.samples.emplace_back(static_cast<float>(std::cos(phase)),
                            static_cast<float>(std::sin(phase)));
  }
  return iq;
}

TEST(IqFile, StartTimeRoundTripsAndShiftsTheTimeAxis) {
  const auto dir = testing::ScratchDir("iq_start");
  const std::string path = (dir / "tone.iq").string();
  ASSERT_TRUE(WriteIqFile(Tone(-0.25), path).has_value());
  auto back = ReadIqFile(path);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_DOUBLE_EQ(back->start_s, -0.25);
  auto shifted = SpectrogramFromIq(*back);
  auto unshifted = SpectrogramFromIq(Tone(0.0));
  ASSERT_TRUE(shifted.has_value() && unshifted.has_value());
  EXPECT_NEAR(shifted->t0_s - unshifted->t0_s, -0.25, 1e-9);
}

TEST(IqFile, VersionOneFilesReadWithZeroStart) {
  const auto dir = testing::ScratchDir("iq_v1");
  const std::string path = (dir / "v1.iq").string();
  ASSERT_TRUE(WriteIqFile(Tone(0.5), path).has_value());
  // Rewrite as version 1: old magic, no start field.
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.replace(0, 6, "RFXIQ1");
  bytes.erase(40, 8);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  auto back = ReadIqFile(path);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->start_s, 0.0);
  EXPECT_EQ(back->samples.size(), 4000u);
}

}  // namespace
}  // namespace refluxscan::spectral
