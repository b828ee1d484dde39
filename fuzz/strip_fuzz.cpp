// libFuzzer target (c): a fuzz-sized strip (<= 256 x 256, gray or BGR) with fuzz-chosen spectral
// calibration (zero, negative, NaN, huge deltas; baseline outside the strip) through the stages.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  refluxscan::fuzz::RunStripInput(data, size);
  return 0;
}
