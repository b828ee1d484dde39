// libFuzzer target (a): DICOM bytes -> ReadUltrasound (last frame, 64 MiB budget) -> every
// spectral region through strip, envelope, reflux and classification.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  refluxscan::fuzz::RunDicomInput(data, size);
  return 0;
}
