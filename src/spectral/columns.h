#pragma once
// Whole-matrix column statistics: one vectorized pass instead of a strided scan per column.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/hal/intrin.hpp>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

// On a loop-heavy function whose loops the compiler vectorizes: an AVX2 clone beside the
// baseline one, chosen once at load time where the CPU has AVX2 (ifunc). The same operations
// on 4 doubles / 8 floats or ints instead of 2 / 4, so the same results (no FMA is enabled: a
// fused multiply-add would round differently). Elsewhere, nothing.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define REFLUXSCAN_AVX2_CLONES [[gnu::target_clones("avx2", "default")]]
#else
#define REFLUXSCAN_AVX2_CLONES
#endif

namespace refluxscan::spectral::detail {

// Non-zero pixels in each column of an 8-bit mask, in one row-major pass (no `mask / 255`
// temporary and reduce).
inline std::vector<int> CountPerColumn(const cv::Mat1b& mask) {
  std::vector<int> count(static_cast<size_t>(mask.cols), 0);
  int* __restrict n = count.data();  // restrict: byte reads may otherwise alias the counts
  for (int r = 0; r < mask.rows; ++r) {
    const uchar* __restrict row = mask.ptr<uchar>(r);
    for (int c = 0, cols = mask.cols; c < cols; ++c) n[c] += row[c] != 0 ? 1 : 0;
  }
  return count;
}

// Pixels per column of a float matrix that satisfy `pred` (e.g. x >= level): the same counts as
// CountPerColumn(m >= level), in one row-major pass without the mask and its /255 copy.
template <typename Pred>
std::vector<int> CountPerColumnIf(const cv::Mat1f& m, Pred pred) {
  std::vector<int> count(static_cast<size_t>(m.cols), 0);
  int* __restrict n = count.data();
  for (int r = 0; r < m.rows; ++r) {
    const float* __restrict row = m.ptr<float>(r);
    for (int c = 0, cols = m.cols; c < cols; ++c) n[c] += pred(row[c]) ? 1 : 0;
  }
  return count;
}

#if defined(__x86_64__) && defined(__GNUC__)
// ForEachNonZero's first columns, 32 at a time (AVX2): an all-zero block is passed over with one
// test, the others visit their non-zero bytes in increasing order from the block's bit mask.
// Returns how many columns it covered.
template <class F>
[[gnu::target("avx2")]] int ForEachNonZeroAvx2(const uint8_t* row, int cols, F& f) {
  int c = 0;
  for (; c + 32 <= cols; c += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + c));
    if (_mm256_testz_si256(x, x)) continue;
    auto set =
        ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_setzero_si256())));
    for (; set != 0; set &= set - 1) f(c + __builtin_ctz(set));
  }
  return c;
}
#endif

// Calls f(c) for every c with row[c] != 0, in increasing order. Masks in the strip stage are
// sparse (text strokes, marks: a few % of the pixels), so sixteen (then eight) zero bytes are
// skipped at once; the same visits as testing every byte.
template <typename F>
void ForEachNonZero(const uint8_t* row, int cols, F f) {
  int c = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) c = ForEachNonZeroAvx2(row, cols, f);
#endif
#if CV_SIMD128
  for (; c + 16 <= cols; c += 16) {  // sixteen zero bytes with one comparison
    if (!cv::v_check_any(cv::v_load(row + c) != cv::v_setzero_u8())) continue;
    for (int k = c; k < c + 16; ++k) {
      if (row[k] != 0) f(k);
    }
  }
#endif
  for (; c + 8 <= cols; c += 8) {
    uint64_t word;
    std::memcpy(&word, row + c, sizeof word);
    if (word == 0) continue;
    for (int k = c; k < c + 8; ++k) {
      if (row[k] != 0) f(k);
    }
  }
  for (; c < cols; ++c) {
    if (row[c] != 0) f(c);
  }
}

// Whether any pixel of `m` is above `level` (stops at the first): the same answer as
// max(m) > level without reading the whole matrix when the answer is yes.
inline bool AnyAbove(const cv::Mat1f& m, float level) {
  for (int r = 0; r < m.rows; ++r) {
    const float* row = m.ptr<float>(r);
    bool any = false;  // branch-free per row (vectorizes); one test per row
    for (int c = 0; c < m.cols; ++c) any |= row[c] > level;
    if (any) return true;
  }
  return false;
}

#if defined(__x86_64__) && defined(__GNUC__)
// How many of v[0, n) are below `level`, 8 per compare (AVX2).
[[gnu::target("avx2")]] inline size_t CountBelowAvx2(const float* v, size_t n, float level) {
  const size_t n8 = n / 8 * 8;
  const __m256 level8 = _mm256_set1_ps(level);
  __m256i count8 = _mm256_setzero_si256();
  for (size_t i = 0; i < n8; i += 8) {
    count8 = _mm256_sub_epi32(
        count8, _mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v + i), level8, _CMP_LT_OQ)));
  }
  alignas(32) int lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), count8);
  size_t count = 0;
  for (const int l : lanes) count += static_cast<size_t>(l);
  for (size_t i = n8; i < n; ++i) count += v[i] < level ? 1 : 0;
  return count;
}

// The value std::nth_element would place at index `rank` of values[0, kept) (NaN- and -0-free,
// kept <= a few dozen; `values` holds kept + 8 floats, the last 8 overwritten), by branch-free
// counts: per block of 8 values, how many values are smaller than each; the answer is the
// largest value with at most `rank` smaller ones. Lanes past `kept` read -inf (never larger than
// a value) and are not compared against.
[[gnu::target("avx2")]] inline float RankSelectAvx2(std::vector<float>& values, size_t kept,
                                                    size_t rank) {
  const float minus_inf = -std::numeric_limits<float>::infinity();
  for (size_t j = kept; j < kept + 8; ++j) values[j] = minus_inf;
  const __m256i limit = _mm256_set1_epi32(static_cast<int>(rank));
  __m256 best = _mm256_set1_ps(minus_inf);
  for (size_t b = 0; b < kept; b += 8) {
    const __m256 cand = _mm256_loadu_ps(values.data() + b);
    __m256i smaller = _mm256_setzero_si256();
    for (size_t j = 0; j < kept; ++j) {
      smaller = _mm256_sub_epi32(
          smaller, _mm256_castps_si256(_mm256_cmp_ps(_mm256_set1_ps(values[j]), cand, _CMP_LT_OQ)));
    }
    // smaller <= rank, as !(smaller > rank)
    const __m256 ok = _mm256_castsi256_ps(
        _mm256_xor_si256(_mm256_cmpgt_epi32(smaller, limit), _mm256_set1_epi32(-1)));
    best = _mm256_max_ps(best, _mm256_blendv_ps(_mm256_set1_ps(minus_inf), cand, ok));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, best);
  float answer = lanes[0];
  for (int l = 1; l < 8; ++l) answer = std::max(answer, lanes[l]);
  return answer;
}

// The minimum and maximum of v[0, n) (n >= 8), and whether a NaN or a -0 is among them (`odd`:
// no order, or a value equal to +0 but printed apart, for which the callers use nth_element).
struct ValueRange {
  float lo = 0, hi = 0;
  bool odd = false;
};

[[gnu::target("avx2")]] inline ValueRange ScanRangeAvx2(const float* v, size_t n) {
  const size_t n8 = n / 8 * 8;
  const __m256i magnitude = _mm256_set1_epi32(0x7fffffff);
  const __m256i infinity = _mm256_set1_epi32(0x7f800000);
  const __m256i minus_zero = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  __m256 lo8 = _mm256_loadu_ps(v), hi8 = lo8;
  __m256i odd8 = _mm256_setzero_si256();
  for (size_t i = 0; i < n8; i += 8) {
    const __m256 f = _mm256_loadu_ps(v + i);
    const __m256i bits = _mm256_castps_si256(f);
    // (bits & magnitude) > infinity as signed 32-bit: both sides are below 2^31.
    odd8 = _mm256_or_si256(odd8, _mm256_cmpgt_epi32(_mm256_and_si256(bits, magnitude), infinity));
    odd8 = _mm256_or_si256(odd8, _mm256_cmpeq_epi32(bits, minus_zero));
    lo8 = _mm256_min_ps(lo8, f);
    hi8 = _mm256_max_ps(hi8, f);
  }
  alignas(32) float lo_lanes[8], hi_lanes[8];
  _mm256_store_ps(lo_lanes, lo8);
  _mm256_store_ps(hi_lanes, hi8);
  ValueRange r{lo_lanes[0], hi_lanes[0], !_mm256_testz_si256(odd8, odd8)};
  for (int l = 1; l < 8; ++l)
    r.lo = std::min(r.lo, lo_lanes[l]), r.hi = std::max(r.hi, hi_lanes[l]);
  for (size_t i = n8; i < n; ++i) {
    r.odd = r.odd || std::isnan(v[i]) || (v[i] == 0.0f && std::signbit(v[i]));
    r.lo = std::min(r.lo, v[i]);
    r.hi = std::max(r.hi, v[i]);
  }
  return r;
}

// The value std::nth_element would place at index k of v[0, n) (any k < n; v is not reordered),
// for rows and columns of a few hundred values where no guess is at hand (row medians), by
// counting (AVX2): the answer's bracket [lo, hi) (at most k values below lo, more than k below
// hi), from [min, max], is narrowed by value (secant steps on the counts) while more than
// kRankSelectMax values lie in it, each step one compare per 8 values; then the bracket's values
// are compacted and the answer is the largest of them with at most (k - below lo) of them
// smaller (branch-free counts).
// Without a NaN or -0 the k-th value has one bit pattern, so it is nth_element's; with one (or an
// infinite maximum) `fallback` is set and the caller uses nth_element. A bracket still wide
// after kMaxProbes steps (or holding many equal values) ends in nth_element over its values.
[[gnu::target("avx2")]] inline float SelectKthCountingAvx2(const float* v, size_t n, size_t k,
                                                           std::vector<float>& scratch,
                                                           bool& fallback) {
  constexpr size_t kRankSelectMax = 64;
  const size_t n8 = n / 8 * 8;
  fallback = false;
  if (n8 == 0) return fallback = true, 0.0f;
  const ValueRange range = ScanRangeAvx2(v, n);
  float lo = range.lo;
  const float top = range.hi;
  if (range.odd || std::isinf(top)) return fallback = true, 0.0f;
  if (lo == top) return lo;
  float hi = std::nextafter(top, std::numeric_limits<float>::infinity());  // finite: top < inf
  size_t below_lo = 0, below_hi = n;
  // A repeated minimum (a black row's 0) is often the answer: one count tells.
  const float above_lo = std::nextafter(lo, hi);
  if (const size_t c = CountBelowAvx2(v, n, above_lo); c > k) return lo;
  // The bracket narrowed by interpolating the answer's rank between its ends' (a secant step,
  // kept strictly inside the bracket), at most kMaxProbes times: each probe is a pass.
  constexpr int kMaxProbes = 12;
  // A step that did not halve the bracket's count is followed by a bisection (a secant step
  // alone creeps toward an answer at a skewed end).
  bool bisect = false;
  for (int probe = 0; probe < kMaxProbes && below_hi - below_lo > kRankSelectMax; ++probe) {
    const size_t inside = below_hi - below_lo;
    const double share =
        bisect ? 0.5 : (static_cast<double>(k - below_lo) + 0.5) / static_cast<double>(inside);
    float mid = static_cast<float>(lo + (static_cast<double>(hi) - lo) * share);
    if (!(mid > lo)) mid = std::nextafter(lo, hi);
    if (!(mid < hi)) mid = std::nextafter(hi, lo);
    if (!(mid > lo && mid < hi)) break;  // adjacent floats: the bracket holds one value
    const size_t c = CountBelowAvx2(v, n, mid);
    if (c <= k) {
      lo = mid, below_lo = c;
    } else {
      hi = mid, below_hi = c;
    }
    bisect = 2 * (below_hi - below_lo) > inside;
  }
  // The bracket's values, in order.
  const size_t kept = below_hi - below_lo;
  scratch.resize(kept + 8);
  size_t at = 0;
  const __m256 lo_v = _mm256_set1_ps(lo), hi_v = _mm256_set1_ps(hi);
  size_t i = 0;
  for (; i < n8; i += 8) {
    const __m256 f = _mm256_loadu_ps(v + i);
    const __m256 in =
        _mm256_and_ps(_mm256_cmp_ps(f, lo_v, _CMP_GE_OQ), _mm256_cmp_ps(f, hi_v, _CMP_LT_OQ));
    for (auto bits = static_cast<uint32_t>(_mm256_movemask_ps(in)); bits != 0; bits &= bits - 1) {
      scratch[at++] = v[i + static_cast<size_t>(__builtin_ctz(bits))];
    }
  }
  for (; i < n; ++i) {
    if (v[i] >= lo && v[i] < hi) scratch[at++] = v[i];
  }
  const size_t rank = k - below_lo;  // the answer's rank among the bracket's values
  if (kept > kRankSelectMax) {
    // Display levels repeat (8-bit pixels): a wide bracket often holds one value, the answer.
    const auto [least, most] =
        std::minmax_element(scratch.begin(), scratch.begin() + static_cast<long>(kept));
    if (*least == *most) return *least;
    std::nth_element(scratch.begin(), scratch.begin() + static_cast<long>(rank),
                     scratch.begin() + static_cast<long>(kept));
    return scratch[rank];
  }
  return RankSelectAvx2(scratch, kept, rank);
}
#endif

// nth_element's k-th value of v[0, n) without reordering v: SelectKthCountingAvx2 where the CPU
// has AVX2, else (and for NaN, -0 or infinite inputs) nth_element on a copy in `scratch`.
inline float SelectKthByCounting(const float* v, size_t n, size_t k, std::vector<float>& scratch) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    bool fallback = false;
    const float answer = SelectKthCountingAvx2(v, n, k, scratch, fallback);
    if (!fallback) return answer;
  }
#endif
  scratch.assign(v, v + n);
  std::nth_element(scratch.begin(), scratch.begin() + static_cast<long>(k), scratch.end());
  return scratch[k];
}

#if defined(__x86_64__) && defined(__GNUC__)
// How many of v[0, n) are >= level, 8 per compare (AVX2); with `odd`, also whether any is a NaN
// or a -0 (their bits: above the infinity's once the sign is cleared; exactly the sign bit).
[[gnu::target("avx2")]] inline size_t CountAtLeastAvx2(const float* v, size_t n, float level,
                                                       bool* odd) {
  const size_t n8 = n / 8 * 8;
  const __m256 level8 = _mm256_set1_ps(level);
  const __m256i magnitude = _mm256_set1_epi32(0x7fffffff);
  const __m256i infinity = _mm256_set1_epi32(0x7f800000);
  const __m256i minus_zero = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  __m256i count8 = _mm256_setzero_si256(), odd8 = _mm256_setzero_si256();
  for (size_t i = 0; i < n8; i += 8) {
    const __m256 f = _mm256_loadu_ps(v + i);
    count8 = _mm256_sub_epi32(count8, _mm256_castps_si256(_mm256_cmp_ps(f, level8, _CMP_GE_OQ)));
    if (odd) {
      const __m256i bits = _mm256_castps_si256(f);
      odd8 = _mm256_or_si256(odd8, _mm256_cmpgt_epi32(_mm256_and_si256(bits, magnitude), infinity));
      odd8 = _mm256_or_si256(odd8, _mm256_cmpeq_epi32(bits, minus_zero));
    }
  }
  alignas(32) int lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), count8);
  size_t count = 0;
  for (const int l : lanes) count += static_cast<size_t>(l);
  bool any_odd = !_mm256_testz_si256(odd8, odd8);
  for (size_t i = n8; i < n; ++i) {
    count += v[i] >= level ? 1 : 0;
    any_odd = any_odd || std::isnan(v[i]) || (v[i] == 0.0f && std::signbit(v[i]));
  }
  if (odd) *odd = any_odd;
  return count;
}

// KthSmallest eight values at a time (AVX2), for inputs without a NaN or a negative zero (checked
// here: `fallback` is set and nothing returned otherwise; the caller then takes the scalar path).
// Without those, the answer is one value with one bit pattern whatever the method, so it is the
// scalar path's. The guess costs cycles, not exactness, and the scalar path paid most of its
// time in std::nth_element: on the column percentiles (~235 values, the top ~12 wanted) 12% of
// the guesses lay above the answer (a whole-column nth_element) and the kept values (41 on
// average) went through a branchy introselect. Here:
// - counting the values >= a level is one compare per 8 values, so a guess above the answer is
//   lowered (by 1/32, then twice as far each time, then -inf: all values) until at least
//   n - k values reach it, and a guess far below it is raised (half as far each time, at most
//   four tries) while more than kRankSelectMax values reach it and n - k still do;
// - the K kept values (K <= kRankSelectMax) give the answer by counting: a value x is among the
//   top n - k exactly when fewer than n - k kept values are greater than x, and the answer is the
//   smallest such value (branch-free: K x K/8 compares instead of an introselect).
// More than kRankSelectMax kept values go to SelectKthByCounting.
[[gnu::target("avx2")]] inline float KthSmallestAvx2(const float* v, size_t n, size_t k,
                                                     float floor, std::vector<float>& scratch,
                                                     bool& fallback) {
  constexpr size_t kRankSelectMax = 64;
  const size_t n8 = n / 8 * 8;
  const size_t from_top = n - k;  // the answer and the values ranked above it
  fallback = false;
  size_t kept = CountAtLeastAvx2(v, n, floor, &fallback);
  if (fallback) return 0.0f;
  constexpr float kFirstStep = 1.0f / 32;  // display units: about the callers' guess margin
  float step = kFirstStep;
  for (int tries = 0; kept < from_top; ++tries) {  // the guess is above the answer: lower it
    floor = tries < 4 ? floor - step : -std::numeric_limits<float>::infinity();
    step *= 2;
    kept = CountAtLeastAvx2(v, n, floor, nullptr);
  }
  step = kFirstStep;
  for (int tries = 0; kept > kRankSelectMax && tries < 4; ++tries, step /= 2) {
    const float higher = floor + step;  // far below the answer: try a higher level
    const size_t reach = CountAtLeastAvx2(v, n, higher, nullptr);
    if (reach >= from_top) floor = higher, kept = reach;
  }
  // The values >= floor, in order (blocks without one passed over with one compare).
  scratch.resize(kept + 8);
  size_t at = 0;
  const __m256 floor8 = _mm256_set1_ps(floor);
  size_t i = 0;
  for (; i < n8; i += 8) {
    if (_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(v + i), floor8, _CMP_GE_OQ)) == 0) {
      continue;
    }
    for (size_t j = i; j < i + 8; ++j) {
      scratch[at] = v[j];
      at += v[j] >= floor ? 1 : 0;
    }
  }
  for (; i < n; ++i) {
    scratch[at] = v[i];
    at += v[i] >= floor ? 1 : 0;
  }
  if (kept > kRankSelectMax) {  // by counting too (the kept values are NaN- and -0-free)
    thread_local std::vector<float> select_scratch;
    return SelectKthByCounting(scratch.data(), kept, kept - from_top, select_scratch);
  }
  return RankSelectAvx2(scratch, kept, kept - from_top);
}
#endif

// The value std::nth_element would place at index k of v[0, n) (the (k+1)-th smallest), for a
// k in the upper part of the range. When at least n - k of the values are >= `floor`, those are
// the top of the sorted range (every value below `floor` ranks under all of them), so the answer
// is selected among them alone; otherwise among all. `floor` only decides how much is sorted: a
// guess near the answer (a neighbouring column's) makes the selection a few dozen values.
// Where the CPU has AVX2, KthSmallestAvx2 above (the same answer; this code for NaN or -0 inputs).
inline float KthSmallest(const float* v, size_t n, size_t k, float floor,
                         std::vector<float>& scratch) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    bool fallback = false;
    const float answer = KthSmallestAvx2(v, n, k, floor, scratch, fallback);
    if (!fallback) return answer;
  }
#endif
  scratch.resize(n);
  size_t kept = 0;
  size_t i = 0;
#if CV_SIMD128
  // Most values lie below a good guess: four of them are passed over with one comparison.
  const cv::v_float32x4 floor4 = cv::v_setall_f32(floor);
  for (; i + 4 <= n; i += 4) {
    if (!cv::v_check_any(cv::v_load(v + i) >= floor4)) continue;
    for (size_t j = i; j < i + 4; ++j) {  // branch-free compaction of the values >= floor
      scratch[kept] = v[j];
      kept += v[j] >= floor ? 1 : 0;
    }
  }
#endif
  for (; i < n; ++i) {
    scratch[kept] = v[i];
    kept += v[i] >= floor ? 1 : 0;
  }
  const size_t from_top = n - k;  // the answer and the values ranked above it
  if (kept >= from_top) {
    const auto at = static_cast<long>(kept - from_top);
    std::nth_element(scratch.begin(), scratch.begin() + at,
                     scratch.begin() + static_cast<long>(kept));
    return scratch[static_cast<size_t>(at)];
  }
  scratch.assign(v, v + n);
  std::nth_element(scratch.begin(), scratch.begin() + static_cast<long>(k), scratch.end());
  return scratch[k];
}

// The value std::nth_element(x.begin(), x.begin() + k, x.end()) leaves at x[k] (the (k+1)-th
// smallest; k < x.size()), without reordering `x`. Large inputs go through one histogram of
// kSelectBins bins of equal width between their minimum and maximum: the bin of a value,
// floor((v - min) * scale) in float arithmetic, never decreases as v grows (IEEE operations are
// monotonic), so every value of a lower bin is smaller than every value of a higher one and the
// answer is the right rank among the few values of one bin. A NaN (no order) or a negative zero
// (equal to +0 but printed apart, and nth_element may return either) sends the input to
// nth_element itself, as does a range too wide or narrow for a finite scale.
#if defined(__x86_64__) && defined(__GNUC__)
// SelectKth's histogram selection eight values at a time (AVX2), for n >= 8 without a NaN or -0
// check failing: the same passes and float operations (lo, hi; the bin of each value as
// trunc(min((v - lo) * scale, top)); the values of the answer's bin, then nth_element among
// them). Returns NaN-free answers only; `fallback` is set when SelectKth must use nth_element on
// the whole input (a NaN or -0, or no finite scale).
[[gnu::target("avx2")]] inline float SelectKthAvx2(const std::vector<float>& x, size_t k,
                                                   std::vector<float>& scratch, bool& fallback) {
  constexpr int kSelectBins = 1024;
  const size_t n = x.size(), n8 = n / 8 * 8;
  const float* v = x.data();
  fallback = false;
  const ValueRange range = ScanRangeAvx2(v, n);
  const float lo = range.lo, hi = range.hi;
  if (range.odd) return fallback = true, 0.0f;
  if (lo == hi) return lo;
  const float scale = static_cast<float>(kSelectBins) / (hi - lo);
  if (!(scale > 0.0f) || !std::isfinite(scale)) return fallback = true, 0.0f;
  const float top = static_cast<float>(kSelectBins - 1);
  auto bin = [&](float f) { return static_cast<int>(std::min((f - lo) * scale, top)); };
  // bin() of v[i .. i + 7] below: the same float operations.
  const __m256 lo_v = _mm256_set1_ps(lo), scale_v = _mm256_set1_ps(scale);
  const __m256 top_v = _mm256_set1_ps(top);
  // Four partial histograms (lanes l and l + 4 count into histogram l): noise values crowd a few
  // bins, and increments of one counter queue behind each other's store and reload; four chains
  // run side by side. The counts are integers, so their sums are the single histogram's.
  std::array<std::array<uint32_t, kSelectBins>, 4> partial{};
  for (size_t i = 0; i < n8; i += 8) {
    alignas(32) int b8[8];
    _mm256_store_si256(
        reinterpret_cast<__m256i*>(b8),
        _mm256_cvttps_epi32(_mm256_min_ps(
            _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(v + i), lo_v), scale_v), top_v)));
    for (int l = 0; l < 8; ++l) ++partial[static_cast<size_t>(l % 4)][static_cast<size_t>(b8[l])];
  }
  for (size_t i = n8; i < n; ++i) ++partial[0][static_cast<size_t>(bin(v[i]))];
  auto count = [&](int bin_index) {
    const auto j = static_cast<size_t>(bin_index);
    return static_cast<size_t>(partial[0][j]) + partial[1][j] + partial[2][j] + partial[3][j];
  };
  int b = 0;
  size_t below = 0;  // values in the bins under b
  while (below + count(b) <= k) below += count(b++);
  // Bin b's values in order (its count is known: no growth checks); most blocks hold none, the
  // others give their hits by mask bits (the same bins as the histogram's).
  scratch.resize(count(b));
  size_t kept = 0;
  const __m256i b_v = _mm256_set1_epi32(b);
  for (size_t i = 0; i < n8; i += 8) {
    const __m256i hit = _mm256_cmpeq_epi32(
        _mm256_cvttps_epi32(_mm256_min_ps(
            _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(v + i), lo_v), scale_v), top_v)),
        b_v);
    for (auto bits = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(hit))); bits != 0;
         bits &= bits - 1) {
      scratch[kept++] = v[i + static_cast<size_t>(__builtin_ctz(bits))];
    }
  }
  for (size_t i = n8; i < n; ++i) {
    if (bin(v[i]) == b) scratch[kept++] = v[i];
  }
  // Within the bin by counting (a crowded bin of noise values held thousands: nth_element's
  // branchy partitions over them were most of a noise estimate's selection).
  thread_local std::vector<float> select_scratch;
  return SelectKthByCounting(scratch.data(), scratch.size(), k - below, select_scratch);
}
#endif

inline float SelectKth(const std::vector<float>& x, size_t k, std::vector<float>& scratch) {
  constexpr size_t kSmall = 2048;  // below this nth_element on a copy is as cheap
  constexpr int kSelectBins = 1024;
  const size_t n = x.size();
  const float* v = x.data();
  auto by_nth_element = [&] {
    scratch.assign(x.begin(), x.end());
    std::nth_element(scratch.begin(), scratch.begin() + static_cast<long>(k), scratch.end());
    return scratch[k];
  };
#if CV_SIMD128
  if (n < kSmall) return by_nth_element();
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    bool fallback = false;
    const float answer = SelectKthAvx2(x, k, scratch, fallback);
    return fallback ? by_nth_element() : answer;
  }
#endif
  // Minimum, maximum and whether a NaN or -0 is present (their bits: above the infinity's once
  // the sign is cleared; exactly the sign bit), four values at a time.
  const size_t n4 = n / 4 * 4;
  cv::v_float32x4 lo4 = cv::v_load(v), hi4 = lo4;
  cv::v_uint32x4 odd4 = cv::v_setzero_u32();
  const cv::v_uint32x4 magnitude = cv::v_setall_u32(0x7fffffffu);
  const cv::v_uint32x4 infinity = cv::v_setall_u32(0x7f800000u);
  const cv::v_uint32x4 minus_zero = cv::v_setall_u32(0x80000000u);
  for (size_t i = 0; i < n4; i += 4) {
    const cv::v_float32x4 f = cv::v_load(v + i);
    const cv::v_uint32x4 bits = cv::v_reinterpret_as_u32(f);
    odd4 |= ((bits & magnitude) > infinity) | (bits == minus_zero);
    lo4 = cv::v_min(lo4, f);
    hi4 = cv::v_max(hi4, f);
  }
  float lo = cv::v_reduce_min(lo4), hi = cv::v_reduce_max(hi4);
  bool odd = cv::v_check_any(odd4);
  for (size_t i = n4; i < n; ++i) {
    odd = odd || std::isnan(v[i]) || (v[i] == 0.0f && std::signbit(v[i]));
    lo = std::min(lo, v[i]);
    hi = std::max(hi, v[i]);
  }
  if (odd) return by_nth_element();
  if (lo == hi) return lo;
  const float scale = static_cast<float>(kSelectBins) / (hi - lo);
  if (!(scale > 0.0f) || !std::isfinite(scale)) return by_nth_element();
  const float top = static_cast<float>(kSelectBins - 1);
  auto bin = [&](float f) { return static_cast<int>(std::min((f - lo) * scale, top)); };
  const cv::v_float32x4 lo_v = cv::v_setall_f32(lo), scale_v = cv::v_setall_f32(scale);
  const cv::v_float32x4 top_v = cv::v_setall_f32(top);
  auto bins4 = [&](size_t i) {  // bin() of v[i .. i + 3]: the same float operations
    return cv::v_trunc(cv::v_min((cv::v_load(v + i) - lo_v) * scale_v, top_v));
  };
  std::array<uint32_t, kSelectBins> count{};
  for (size_t i = 0; i < n4; i += 4) {
    alignas(16) int b4[4];
    cv::v_store_aligned(b4, bins4(i));
    ++count[static_cast<size_t>(b4[0])], ++count[static_cast<size_t>(b4[1])];
    ++count[static_cast<size_t>(b4[2])], ++count[static_cast<size_t>(b4[3])];
  }
  for (size_t i = n4; i < n; ++i) ++count[static_cast<size_t>(bin(v[i]))];
  int b = 0;
  size_t below = 0;  // values in the bins under b
  while (below + count[static_cast<size_t>(b)] <= k) below += count[static_cast<size_t>(b++)];
  scratch.clear();
  const cv::v_int32x4 b_v = cv::v_setall_s32(b);
  for (size_t i = 0; i < n4; i += 4) {  // bin b's values in order; most blocks hold none
    if (!cv::v_check_any(bins4(i) == b_v)) continue;
    for (size_t j = i; j < i + 4; ++j) {
      if (bin(v[j]) == b) scratch.push_back(v[j]);
    }
  }
  for (size_t i = n4; i < n; ++i) {
    if (bin(v[i]) == b) scratch.push_back(v[i]);
  }
  const auto at = static_cast<long>(k - below);
  std::nth_element(scratch.begin(), scratch.begin() + at, scratch.end());
  return scratch[static_cast<size_t>(at)];
#else
  return by_nth_element();
#endif
}

// A rows x cols view of `store`, which grows only when too small. A worker that keeps its stores
// across strips of varying size stops mapping and faulting in fresh pages for every strip (on the
// measured machine the page faults cost as much as the arithmetic they fed).
template <typename T>
cv::Mat_<T> ReuseBuffer(cv::Mat_<T>& store, int rows, int cols) {
  const auto need = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  if (store.total() < need) store.create(1, static_cast<int>(need));
  return cv::Mat_<T>(rows, cols, store.template ptr<T>());
}

// out = m transposed (row c = column c of m), in cache-sized tiles: cv::transpose walks one
// side with a full-row stride, which dominated the per-column scans of a 1000-column strip.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// Rows r, r + 8, ... (while 8 fit below r1) of columns [c0, c1) of a row-major float matrix into
// its transpose, 8x8 blocks in AVX registers (half the shuffles and stores per value of 4x4
// blocks); columns past the last whole block one by one. Returns the first row not copied.
// Only data movement: the same values. Call only where the CPU has AVX.
[[gnu::target("avx")]] inline int TransposeRowsAvx(const float* src, size_t in_step, float* dst,
                                                   size_t out_step, int r, int r1, int c0, int c1) {
  for (; r + 8 <= r1; r += 8) {
    const float* in[8];
    for (int k = 0; k < 8; ++k) in[k] = src + static_cast<size_t>(r + k) * in_step;
    int c = c0;
    for (; c + 8 <= c1; c += 8) {
      __m256 t[8], u[8];
      for (int k = 0; k < 8; k += 2) {
        const __m256 a = _mm256_loadu_ps(in[k] + c), b = _mm256_loadu_ps(in[k + 1] + c);
        t[k] = _mm256_unpacklo_ps(a, b);
        t[k + 1] = _mm256_unpackhi_ps(a, b);
      }
      for (int k = 0; k < 8; k += 4) {
        u[k] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(3, 2, 3, 2));
      }
      float* o = dst + static_cast<size_t>(c) * out_step + r;
      for (int k = 0; k < 4; ++k) {  // output rows c + k and c + 4 + k
        _mm256_storeu_ps(o + static_cast<size_t>(k) * out_step,
                         _mm256_permute2f128_ps(u[k], u[k + 4], 0x20));
        _mm256_storeu_ps(o + static_cast<size_t>(k + 4) * out_step,
                         _mm256_permute2f128_ps(u[k], u[k + 4], 0x31));
      }
    }
    for (; c < c1; ++c) {
      float* o = dst + static_cast<size_t>(c) * out_step + r;
      for (int k = 0; k < 8; ++k) o[k] = in[k][c];
    }
  }
  return r;
}
#endif

// Rows [r0, r1) x columns [c0, c1) of m into out (transposed): one tile of TransposeTiled.
inline void TransposeTile(const cv::Mat1f& m, cv::Mat1f& out, int r0, int r1, int c0, int c1) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  static const bool avx = __builtin_cpu_supports("avx");
#endif
  int r = r0;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  if (avx) {
    r = TransposeRowsAvx(reinterpret_cast<const float*>(m.data), m.step1(),
                         reinterpret_cast<float*>(out.data), out.step1(), r, r1, c0, c1);
  }
#endif
#if defined(__SSE2__)
  // 4x4 blocks in registers: 4 row reads and 4 column writes of 16 bytes each instead of 16
  // scalar stores a full output row apart (the scalar loop was most of PrepareSpectrum).
  // Row pointers and steps taken once: the intrinsic stores may alias anything, so the
  // compiler would otherwise reload the Mat headers for every block.
  const auto* src = reinterpret_cast<const float*>(m.data);
  auto* dst = reinterpret_cast<float*>(out.data);
  const size_t in_step = m.step1(), out_step = out.step1();
  for (; r + 4 <= r1; r += 4) {
    const float* i0 = src + static_cast<size_t>(r) * in_step;
    const float* i1 = i0 + in_step;
    const float* i2 = i1 + in_step;
    const float* i3 = i2 + in_step;
    int c = c0;
    for (; c + 4 <= c1; c += 4) {
      __m128 a = _mm_loadu_ps(i0 + c), b = _mm_loadu_ps(i1 + c);
      __m128 x = _mm_loadu_ps(i2 + c), y = _mm_loadu_ps(i3 + c);
      _MM_TRANSPOSE4_PS(a, b, x, y);
      float* o = dst + static_cast<size_t>(c) * out_step + r;
      _mm_storeu_ps(o, a);
      _mm_storeu_ps(o + out_step, b);
      _mm_storeu_ps(o + 2 * out_step, x);
      _mm_storeu_ps(o + 3 * out_step, y);
    }
    for (; c < c1; ++c) {
      float* o = dst + static_cast<size_t>(c) * out_step + r;
      o[0] = i0[c], o[1] = i1[c], o[2] = i2[c], o[3] = i3[c];
    }
  }
#endif
  for (; r < r1; ++r) {
    const float* in = m.ptr<float>(r);
    for (int c = c0; c < c1; ++c) out(c, r) = in[c];
  }
}

constexpr int kTransposeTile = 32;

inline void TransposeTiled(const cv::Mat1f& m, cv::Mat1f& out) {
  out.create(m.cols, m.rows);
  for (int r0 = 0; r0 < m.rows; r0 += kTransposeTile) {
    const int r1 = std::min(m.rows, r0 + kTransposeTile);
    for (int c0 = 0; c0 < m.cols; c0 += kTransposeTile) {
      TransposeTile(m, out, r0, r1, c0, std::min(m.cols, c0 + kTransposeTile));
    }
  }
}

// TransposeTiled for the tiles of columns holding a column c with wanted[c] != 0 (wanted has
// m.cols entries): the rows of `out` of the other columns are left unwritten, for callers that
// read only the wanted ones.
inline void TransposeWanted(const cv::Mat1f& m, const std::vector<uint8_t>& wanted,
                            cv::Mat1f& out) {
  out.create(m.cols, m.rows);
  for (int c0 = 0; c0 < m.cols; c0 += kTransposeTile) {
    const int c1 = std::min(m.cols, c0 + kTransposeTile);
    if (std::none_of(wanted.begin() + c0, wanted.begin() + c1, [](uint8_t w) { return w != 0; }))
      continue;
    for (int r0 = 0; r0 < m.rows; r0 += kTransposeTile) {
      TransposeTile(m, out, r0, std::min(m.rows, r0 + kTransposeTile), c0, c1);
    }
  }
}

}  // namespace refluxscan::spectral::detail
