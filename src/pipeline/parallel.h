#pragma once
// A minimal work-sharing loop over indices (private to the pipeline).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace refluxscan::pipeline {

// Worker count for `requested` (0 = all cores), never more than the work items.
inline int ResolveJobs(int requested, size_t items) {
  int jobs = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::max(jobs, 1);
  return static_cast<int>(std::min<size_t>(static_cast<size_t>(jobs), std::max<size_t>(items, 1)));
}

// Calls fn(i) for i in [0, n) on `jobs` threads; items are taken in increasing order, so work
// sorted by study finishes studies roughly in order (bounded memory). fn must not throw.
template <class Fn>
void ParallelFor(size_t n, int jobs, Fn&& fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::jthread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
}

}  // namespace refluxscan::pipeline
