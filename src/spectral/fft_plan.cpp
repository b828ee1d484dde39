#include "spectral/fft_plan.h"

#include <fftw3.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

namespace refluxscan::spectral::detail {
namespace {

// Bounds the cache: a batch over files of many lengths would otherwise keep one plan per length.
constexpr size_t kMaxCachedPlans = 64;

// The planner lock and the cache. Deliberately leaked (never destroyed) so that no plan is
// destroyed during static destruction, when other statics may already be gone.
struct PlanCache {
  std::mutex planner_mutex;  // guards every FFTW planner call and `plans`
  std::map<std::pair<size_t, int>, std::shared_ptr<const FftPlan::Handle>> plans;
  size_t next_victim = 0;
};

PlanCache& Cache() {
  static PlanCache* cache = new PlanCache;
  return *cache;
}

fftw_complex* AsFftw(std::complex<double>* p) { return reinterpret_cast<fftw_complex*>(p); }

}  // namespace

struct FftPlan::Handle {
  fftw_plan plan = nullptr;
  Handle() = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    std::lock_guard<std::mutex> lock(Cache().planner_mutex);
    fftw_destroy_plan(plan);
  }
};

FftBuffer::FftBuffer(size_t size) : size_(size) {
  // fftw_malloc is FFTW's aligned allocator (posix_memalign in 3.3); it keeps no planner state.
  data_ = reinterpret_cast<std::complex<double>*>(fftw_malloc(sizeof(fftw_complex) * (size + 1)));
  if (data_ == nullptr) throw std::bad_alloc();
  Fill({0.0, 0.0});
}

FftBuffer::~FftBuffer() { fftw_free(data_); }

FftBuffer::FftBuffer(FftBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

FftBuffer& FftBuffer::operator=(FftBuffer&& other) noexcept {
  if (this != &other) {
    fftw_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void FftBuffer::Fill(std::complex<double> value) {
  for (size_t i = 0; i < size_; ++i) data_[i] = value;
}

FftPlan FftPlan::Get(size_t size, FftDirection direction) {
  const std::pair<size_t, int> key{size, direction == FftDirection::kForward ? 0 : 1};
  std::shared_ptr<const Handle> evicted;  // destroyed after the lock is released (it re-locks)
  std::lock_guard<std::mutex> lock(Cache().planner_mutex);
  auto& plans = Cache().plans;
  if (auto it = plans.find(key); it != plans.end()) return FftPlan(it->second, size);
  if (plans.size() >= kMaxCachedPlans) {  // evict one entry; holders of its handle keep it alive
    auto victim = plans.begin();
    std::advance(victim, static_cast<long>(Cache().next_victim++ % plans.size()));
    evicted = std::move(victim->second);
    plans.erase(victim);
  }
  // Planning arrays are scratch: FFTW_ESTIMATE does not touch them, but they fix the alignment.
  FftBuffer in(size), out(size);
  auto handle = std::make_shared<Handle>();
  handle->plan = fftw_plan_dft_1d(
      static_cast<int>(size), AsFftw(in.data()), AsFftw(out.data()),
      direction == FftDirection::kForward ? FFTW_FORWARD : FFTW_BACKWARD, FFTW_ESTIMATE);
  if (handle->plan == nullptr) throw std::bad_alloc();
  plans.emplace(key, handle);
  return FftPlan(std::move(handle), size);
}

void FftPlan::Execute(const FftBuffer& in, FftBuffer& out) const {
  // const_cast: fftw_execute_dft takes a non-const input pointer but does not write an
  // out-of-place input (FFTW_PRESERVE_INPUT is the default for complex 1-D out-of-place plans).
  auto* in_ptr = AsFftw(const_cast<std::complex<double>*>(in.data()));
  const bool aligned = fftw_alignment_of(reinterpret_cast<double*>(in_ptr)) == 0 &&
                       fftw_alignment_of(reinterpret_cast<double*>(out.data())) == 0;
  if (in.size() < size_ || out.size() < size_ || in.data() == out.data() || !aligned) {
    throw std::logic_error("FftPlan::Execute: buffer size, aliasing or alignment mismatch");
  }
  fftw_execute_dft(handle_->plan, in_ptr, AsFftw(out.data()));
}

size_t CachedPlanCount() {
  std::lock_guard<std::mutex> lock(Cache().planner_mutex);
  return Cache().plans.size();
}

size_t FastFftSize(size_t min_size) {
  size_t best = 1;
  while (best < min_size) best *= 2;
  for (size_t p5 = 1; p5 < best; p5 *= 5) {
    for (size_t p35 = p5; p35 < best; p35 *= 3) {
      size_t n = p35;
      while (n < min_size) n *= 2;
      if (n < best) best = n;
    }
  }
  return best;
}

}  // namespace refluxscan::spectral::detail
