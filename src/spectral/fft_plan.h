#pragma once
// The one place FFTW is used (DESIGN.md: FFTW only behind one RAII wrapper). Private header.
//
// Thread safety (FFTW 3.3 manual, "Thread safety"): only fftw_execute and the new-array
// variants (fftw_execute_dft) are thread-safe; the planner (fftw_plan_*, fftw_destroy_plan)
// touches global state and must run one call at a time. So:
//   * plans are created once per (size, direction) and cached; creation and destruction happen
//     under one process-wide mutex;
//   * a plan is never executed on the arrays it was planned with: every caller brings its own
//     FftBuffer pair and runs fftw_execute_dft on them, which FFTW allows concurrently from any
//     number of threads with one shared plan;
//   * new-array execution requires the same alignment, stride and in/out-of-placeness as the
//     planning arrays: all buffers come from fftw_malloc (SIMD-aligned), all plans are
//     out-of-place with unit stride, and Execute() checks the alignment.
// Planner flag: FFTW_ESTIMATE. The sizes seen here vary per input (any signal length for the
// Hilbert transform, the column count for smoothing), and FFTW_MEASURE would time many candidate
// algorithms (milliseconds to seconds each, for every new size, under the planner lock, while
// overwriting the planning arrays); the gain it buys is small for the power-of-two STFT sizes
// that dominate the run time. Wisdom is therefore not needed.
#include <complex>
#include <cstddef>
#include <memory>

namespace refluxscan::spectral::detail {

// A SIMD-aligned array of complex<double> from fftw_malloc; move-only, freed on destruction.
class FftBuffer {
 public:
  explicit FftBuffer(size_t size);
  ~FftBuffer();
  FftBuffer(FftBuffer&& other) noexcept;
  FftBuffer& operator=(FftBuffer&& other) noexcept;
  FftBuffer(const FftBuffer&) = delete;
  FftBuffer& operator=(const FftBuffer&) = delete;

  size_t size() const { return size_; }
  std::complex<double>* data() { return data_; }
  const std::complex<double>* data() const { return data_; }
  std::complex<double>& operator[](size_t i) { return data_[i]; }
  const std::complex<double>& operator[](size_t i) const { return data_[i]; }
  void Fill(std::complex<double> value);

 private:
  std::complex<double>* data_ = nullptr;
  size_t size_ = 0;
};

enum class FftDirection { kForward, kInverse };  // inverse is unnormalized (FFTW convention)

// A complex-to-complex 1-D transform of a fixed size, shared through the plan cache. Cheap to
// copy (a shared handle); the underlying fftw_plan is destroyed, under the planner lock, when the
// last handle and the cache entry are gone.
class FftPlan {
 public:
  // The cached plan for (size, direction), created on first use. size must be >= 1.
  static FftPlan Get(size_t size, FftDirection direction);

  size_t size() const { return size_; }
  // out = DFT(in). Both buffers must hold size() elements and be distinct. Thread-safe.
  void Execute(const FftBuffer& in, FftBuffer& out) const;

  struct Handle;  // owns the fftw_plan (defined in fft_plan.cpp)

 private:
  FftPlan(std::shared_ptr<const Handle> handle, size_t size)
      : handle_(std::move(handle)), size_(size) {}
  std::shared_ptr<const Handle> handle_;
  size_t size_ = 0;
};

// Number of plans currently cached (for tests).
size_t CachedPlanCount();

// Smallest n >= min_size of the form 2^a 3^b 5^c (fast FFTW sizes; used when padding is free).
size_t FastFftSize(size_t min_size);

}  // namespace refluxscan::spectral::detail
