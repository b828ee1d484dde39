// libFuzzer target (b): manifest CSV, criteria JSON, protocol JSON and free-text labels (the first
// byte picks the parser).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  refluxscan::fuzz::RunConfigInput(data, size);
  return 0;
}
