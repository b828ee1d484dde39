// Replays the minimized fuzz reproducers in tests/robustness/corpus/<target>/ through the same
// harness bodies the libFuzzer targets run (fuzz/harness.h), plus a few built-in strips.
#include "../../fuzz/harness.h"
#include "robustness/hostile.h"

namespace refluxscan::robustness {
namespace {

void Replay(const std::string& target, void (*run)(const uint8_t*, size_t)) {
  const fs::path dir = testing::SourceDir() / "tests" / "robustness" / "corpus" / target;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& e : fs::directory_iterator(dir)) {
    const Bytes bytes = ReadBytes(e.path());
    SCOPED_TRACE(e.path().string());
    WithinTime(Guard(60), e.path().filename().c_str(), [&] { run(bytes.data(), bytes.size()); });
  }
}

TEST(FuzzCorpus, DicomReproducersRunClean) { Replay("dicom", fuzz::RunDicomInput); }
TEST(FuzzCorpus, ConfigReproducersRunClean) { Replay("config", fuzz::RunConfigInput); }
TEST(FuzzCorpus, StripReproducersRunClean) { Replay("strip", fuzz::RunStripInput); }

TEST(FuzzCorpus, EveryCalibrationChoiceOnTinyStrips) {
  // Header bytes: rows-1, cols-1, colour, data type, region x0, y0, x1, y1, presence bits, ...
  for (int pick = 0; pick < 10; ++pick) {
    for (uint8_t size : {0, 1, 2, 7, 63}) {
      Bytes input = {size, size, 1, 0, 0, 0, 255, 255, 0xff};
      for (int i = 0; i < 40; ++i) input.push_back(static_cast<uint8_t>(pick));
      for (int i = 0; i < 200; ++i) input.push_back(static_cast<uint8_t>(i * 37));
      WithinTime(Guard(30), "tiny strip", [&] { fuzz::RunStripInput(input.data(), input.size()); });
    }
  }
}

}  // namespace
}  // namespace refluxscan::robustness
