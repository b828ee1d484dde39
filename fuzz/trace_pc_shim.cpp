// Coverage bridge for GCC builds: GCC instruments with -fsanitize-coverage=trace-pc (one call per
// basic block), which libFuzzer 14 no longer consumes. This file turns each call's return address
// into a hashed 8-bit counter registered with libFuzzer (__sanitizer_cov_8bit_counters_init), so
// libFuzzer gets edge-like feedback. Linked before libclang_rt.fuzzer with
// --allow-multiple-definition so this definition of __sanitizer_cov_trace_pc wins. Not needed
// (and not built) when the compiler is clang with -fsanitize=fuzzer.
#include <cstdint>

extern "C" void __sanitizer_cov_8bit_counters_init(uint8_t* start, uint8_t* stop);

namespace {
constexpr uintptr_t kCounters = uintptr_t{1} << 18;
uint8_t counters[kCounters];
}  // namespace

extern "C" __attribute__((no_sanitize_coverage, no_sanitize_address, no_sanitize("undefined"))) void
__sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  counters[(pc ^ (pc >> 18)) & (kCounters - 1)]++;
}

__attribute__((constructor, no_sanitize_coverage)) static void RegisterCounters() {
  __sanitizer_cov_8bit_counters_init(counters, counters + kCounters);
}

// GCC's trace-cmp also reports floating-point comparisons, which libFuzzer has no hook for.
extern "C" __attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpf(float, float) {}
extern "C" __attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpd(double, double) {}
