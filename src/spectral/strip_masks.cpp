// Masks of non-spectrum content in a rendered strip (docs/algorithms.md, "Display masks").
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "spectral/columns.h"
#include "spectral/components.h"
#include "spectral/strip_internal.h"

namespace refluxscan::spectral::detail {
namespace {

constexpr float kBlackLevel = 2.0f / 255.0f;  // at or below: nothing drawn
// A dark column (an erase bar, or silence on a black floor): 98% of it at most kDarkLevel and
// nothing above kDarkMax. JPEG rings a black bar beside a bright spectrum up to ~27/255 (measured
// on generated baseline-JPEG clips); a noise speck on a black floor is brighter than kDarkMax.
constexpr float kDarkLevel = 10.0f / 255.0f, kDarkMax = 48.0f / 255.0f;
constexpr double kDarkShare = 0.98;
// The spectrum beside a dark run this bright: an edge no time window draws (a spectrogram fades
// over its window; only the sweep's erase bar cuts it off), so the run is an erase bar.
constexpr float kAbruptLevel = 0.3f;
constexpr double kAbruptBaselineShare = 0.05;  // ... at least this share of the rows away
constexpr int kMinBarColumns = 3;
constexpr double kMaxBarShare = 0.04;    // FlowAfterCounts: of the strip's width,
constexpr int kMaxBarColumns = 32;       // ... or this many columns, whichever is more
constexpr size_t kMinRegularDashes = 8;  // DashGapColumns
constexpr int kDashRegularityColumns = 2;
constexpr int kLineResumeColumns = 5;      // a drawn line resumes this close to an erase bar
constexpr double kBaselineLineRows = 1.5;  // a drawn baseline lies this close to the zero row
constexpr int kGrowthColumns = 3;          // flow resuming after a silence grows within this ...
constexpr double kGrowthShare = 0.6;       // ... beyond its first column's extent / this
constexpr int kBaselineOverlayRows = 4;    // IsBarCandidate: the drawn baseline's masked rows
constexpr int kReversalLookback = 8;       // ReversesAcross: flow ended at most this far before
constexpr int kMaxSpikeColumns = 16;       // AfterSpike: a thump or mark after a silence
// Dashed: a dashed drawn line is missing over this many stretches of at most this many columns.
constexpr int kMinDashGaps = 4, kMaxDashGapColumns = 16;
constexpr double kNoiseBackgroundLitShare = 0.3;   // median data column lit this much: noise floor
constexpr double kBarLitShareOfBackground = 0.25;  // an erase bar keeps at most this of it
constexpr int kFlankColumns = 4;            // NoiseUpToBothEdges: columns averaged beside a run
constexpr float kUniformTolerance = 0.02f;  // a uniform column stays this close to its median
// OffTheFloor: a uniform run this far from the floor's level is painted, not silence.
constexpr double kFloorLevelTolerance = 3 * kUniformTolerance;
constexpr int kFloorSampleStep = 4;       // ColumnsLevel: every 4th row
constexpr double kFloorEdgeShare = 0.05;  // FloorLevel: the top and bottom 5% of the rows
constexpr double kUniformShare = 0.97;
constexpr float kLineTolerance = 0.06f;  // a drawn line keeps its level within this
constexpr double kLineShare = 0.6;       // ... over this share of the data columns
constexpr float kLineMinLevel = 0.2f;
constexpr double kDottedLineShare = 0.08;  // 1-px-tall dots in this share of the data columns
constexpr float kTextTopHat = 0.4f, kTextLevel = 0.7f, kTextWhite = 0.95f;
constexpr float kTextGroundLevel = 0.15f;   // a stroke's surroundings this dark: the noise floor
constexpr int kTextBodyDistance = 3;        // ... this many pixels around it
constexpr int kMinGroundedTextPixels = 16;  // a glyph's strokes, not a speckle cluster
constexpr double kGroundedTextShare = 0.9;
// Flat text: drawn in one colour, so its strokes' cores (the candidates above kTextLevel) keep
// one level within JPEG's error, where speckle spreads over the log map's range.
constexpr float kFlatTextTolerance = 0.06f;
constexpr double kFlatTextShare = 0.85;
constexpr double kFlatTextRingGround = 0.8;  // ... on the dark ground: this share of the ring
constexpr int kMinFlatTextRows = 5;          // ... glyph-tall (a drawn line is 1-3 rows)
// TextMask's codes: white text also marks scale labels (MaskScaleEdges); text found only by its
// dark ground is masked from the spectrum but does not make a label margin (a noise floor's
// bright speckle near the strip's edges would).
constexpr uchar kWhiteText = 255, kGroundedText = 128;
// TextCandidates' bits: a stroke above kTextLevel; a stroke on the dark ground (either or both).
constexpr uchar kBrightCandidate = 1, kGroundedCandidate = 2;
constexpr double kEdgeZoneShare = 0.12;   // scale ticks and labels live in the outer 12%
constexpr double kMarginLitShare = 0.25;  // a label margin column: at most this share of the
                                          // strip's noise texture lit beside its marks
constexpr double kMinMarginLit = 3;       // (and a few pixels: label halos on a black strip)

// Panel margins beside the display (MaskUntexturedEdges, ColumnTexture).
constexpr float kFaintStep = 4.0f / 255.0f;  // above JPEG's flat-area error on a uniform panel
constexpr float kMarkLevel = 0.5f;           // a tick or label stroke
constexpr int kMarkHalo = 4;                 // its JPEG ringing (half a block)
constexpr double kMarginTextureShare = 0.5;
constexpr double kMinFloorTexture = 6, kMinFloorShare = 0.02;  // rows; share of the rows
constexpr double kMinEligibleShare = 0.25;
constexpr int kInteriorSampleStep = 8;

enum class ColumnKind { kData, kBlank, kUniform };

// Median of `v` (nth_element's value at size / 2), which may be reordered: called once per row
// and column of every strip, so by counting (SelectKthByCounting: no branchy introselect).
float MedianInPlace(std::vector<float>& v) {
  if (v.empty()) return 0;
  thread_local std::vector<float> scratch;
  return SelectKthByCounting(v.data(), v.size(), v.size() / 2, scratch);
}

// An upper bound on how many of `v` lie within +-tol of any one level: the most values in 4
// consecutive bins of width tol (a window of 2 tol touches at most 4 bins). When it is below the
// share a test needs, the exact median-and-count test cannot pass and is skipped.
int MostWithin(std::span<const float> v, float tol, std::vector<int>& bins) {
  const float inv = 1.0f / tol;
  const int nb = static_cast<int>(inv) + 2;
  const auto nbs = static_cast<size_t>(nb);
  // Four partial histograms, lane l of each block counting into histogram l: a column's values
  // crowd a few bins, and increments of one counter queue behind each other's store and reload.
  // Integer counts: their sums are the single histogram's.
  bins.assign(4 * nbs, 0);
  int* const h0 = bins.data();
  int* const h1 = h0 + nbs;
  int* const h2 = h1 + nbs;
  int* const h3 = h2 + nbs;
  auto bin = [&](float x) { return std::clamp(static_cast<int>(x * inv), 0, nb - 1); };
  size_t i = 0;
#if CV_SIMD128
  // Four bins at a time: the same float product, truncation (cvttps2dq, as the scalar
  // conversion) and clamp.
  const cv::v_float32x4 inv4 = cv::v_setall_f32(inv);
  const cv::v_int32x4 last = cv::v_setall_s32(nb - 1), zero = cv::v_setzero_s32();
  for (; i + 4 <= v.size(); i += 4) {
    alignas(16) int b4[4];
    cv::v_store_aligned(b4,
                        cv::v_min(cv::v_max(cv::v_trunc(cv::v_load(&v[i]) * inv4), zero), last));
    ++h0[b4[0]], ++h1[b4[1]], ++h2[b4[2]], ++h3[b4[3]];
  }
#endif
  for (; i < v.size(); ++i) ++h0[bin(v[i])];
  for (size_t b = 0; b < nbs; ++b) h0[b] += h1[b] + h2[b] + h3[b];
  int best = 0;
  for (int j = 0; j + 3 < nb; ++j) {
    const auto b = static_cast<size_t>(j);
    best = std::max(best, h0[b] + h0[b + 1] + h0[b + 2] + h0[b + 3]);
  }
  return best;
}

// Uniform: non-black median with kUniformShare of the values within tolerance of it. `black`:
// how many of `column` are at or below kBlackLevel (the median is non-black exactly when at most
// half of them are). `col` receives a copy of the column only when the median is needed.
bool IsUniform(std::span<const float> column, int black, std::vector<int>& bins,
               std::vector<float>& col) {
  const double needed = kUniformShare * static_cast<double>(column.size());
  if (static_cast<size_t>(black) > column.size() / 2) return false;
  if (static_cast<double>(MostWithin(column, kUniformTolerance, bins)) < needed) return false;
  col.assign(column.begin(), column.end());
  const float med = MedianInPlace(col);
  const auto near = std::count_if(col.begin(), col.end(),
                                  [&](float v) { return std::abs(v - med) <= kUniformTolerance; });
  return static_cast<double>(near) >= needed;
}

// Dark: 98% of the column at most kDarkLevel (given that nothing in it is above kDarkMax). The
// value std::nth_element puts at k = 0.98 (n - 1) is at most kDarkLevel exactly when at least
// k + 1 values are, i.e. when at most n - 1 - k are above it (intensities are finite: a total
// order), so the count of the row-major pass below answers without a copy or a selection.
bool IsDarkBelowMax(size_t rows, int above_dark_level) {
  const auto k = static_cast<size_t>(kDarkShare * static_cast<double>(rows - 1));
  return static_cast<size_t>(above_dark_level) <= rows - 1 - k;
}

// Per column: whether any pixel is above kDarkMax (then it is not dark), how many are above
// kDarkLevel (IsDarkBelowMax) and how many at or below kBlackLevel (more than half: a black
// median, so not uniform). One branch-free row-major pass: most columns are decided by these
// numbers alone, without a copy of the column.
struct ColumnLevels {
  std::vector<int> above_dark_max;  // 0 / 1; int, as wide as a float: the loop vectorizes
  std::vector<int> above_dark_level;
  std::vector<int> black;
};

REFLUXSCAN_AVX2_CLONES ColumnLevels ColumnLevelCounts(const cv::Mat1f& m) {
  const auto cols = static_cast<size_t>(m.cols);
  ColumnLevels out{std::vector<int>(cols, 0), std::vector<int>(cols, 0), std::vector<int>(cols, 0)};
  int* __restrict above = out.above_dark_max.data();
  int* __restrict dark_above = out.above_dark_level.data();
  int* __restrict black = out.black.data();
  for (int r = 0; r < m.rows; ++r) {
    const float* __restrict row = m.ptr<float>(r);
    for (size_t c = 0; c < cols; ++c) {
      above[c] |= row[c] > kDarkMax ? 1 : 0;
      dark_above[c] += row[c] > kDarkLevel ? 1 : 0;
      black[c] += row[c] <= kBlackLevel ? 1 : 0;
    }
  }
  return out;
}

// Blank (dark) and uniform columns; the rest are data. The intensities are finite ([0, 1]), so
// "any pixel above kDarkMax" is the old test "the maximum is above kDarkMax". Only the columns
// the counts leave undecided (~40% on the bench set) are transposed for IsUniform (by tiles of
// columns: the others are never read); a column with a black median is not uniform (IsUniform's
// first test), whether or not it may be dark.
std::vector<ColumnKind> ClassifyColumns(const cv::Mat1f& m) {
  std::vector<ColumnKind> kinds(static_cast<size_t>(m.cols), ColumnKind::kData);
  const ColumnLevels levels = ColumnLevelCounts(m);
  const auto rows = static_cast<size_t>(m.rows);
  thread_local std::vector<uint8_t> undecided;
  undecided.assign(static_cast<size_t>(m.cols), 0);
  for (size_t c = 0; c < kinds.size(); ++c) {
    if (levels.above_dark_max[c] == 0 && IsDarkBelowMax(rows, levels.above_dark_level[c])) {
      kinds[c] = ColumnKind::kBlank;
    } else {
      undecided[c] = static_cast<size_t>(levels.black[c]) > rows / 2 ? 0 : 1;
    }
  }
  thread_local cv::Mat1f store;                            // kept across strips (see ReuseBuffer)
  cv::Mat1f columns = ReuseBuffer(store, m.cols, m.rows);  // each strip column is one row
  TransposeWanted(m, undecided, columns);
  std::vector<float> col;  // a column's copy for IsUniform's median
  std::vector<int> bins;
  for (int c = 0; c < m.cols; ++c) {
    const auto cs = static_cast<size_t>(c);
    if (!undecided[cs]) continue;
    const std::span<const float> column(columns.ptr<float>(c), rows);
    if (IsUniform(column, levels.black[cs], bins, col)) kinds[cs] = ColumnKind::kUniform;
  }
  return kinds;
}

struct Run {
  int first = 0, last = -1;  // inclusive
  int Width() const { return last - first + 1; }
};

// Whether the median of the values of `row` in `runs` (`count` of them) is at least `level`:
// exactly when at most count/2 of them are below it. Counted in place, before the row's data
// columns are copied (most rows fail here and need no copy); an int count of a branch-free
// comparison (the size_t count of the copy vectorized two lanes wide).
REFLUXSCAN_AVX2_CLONES bool MedianAtLeastInRuns(const float* __restrict row,
                                                const std::vector<Run>& runs, size_t count,
                                                float level) {
  int below = 0;
  for (const Run& run : runs) {
    for (int c = run.first, last = run.last; c <= last; ++c) below += row[c] < level ? 1 : 0;
  }
  return static_cast<size_t>(below) <= count / 2;
}

// A drawn line's row, given a median at least kLineMinLevel (MedianAtLeastInRuns): kLineShare of
// the values within tolerance.
bool IsLine(std::vector<float>& row, std::vector<int>& bins) {
  const double needed = kLineShare * static_cast<double>(row.size());
  if (static_cast<double>(MostWithin(row, kLineTolerance, bins)) < needed) return false;
  const float med = MedianInPlace(row);
  const auto near = std::count_if(row.begin(), row.end(),
                                  [&](float v) { return std::abs(v - med) <= kLineTolerance; });
  return static_cast<double>(near) >= needed;
}

// Rows that hold a drawn horizontal line: nearly constant, visible level over most data columns.
std::vector<Run> LineRuns(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds) {
  std::vector<Run> runs;
  // The row's values IsLine sees: the data columns in column order, copied run by run.
  std::vector<Run> data_runs;
  size_t data_count = 0;
  for (int c = 0; c < m.cols; ++c) {
    if (kinds[static_cast<size_t>(c)] != ColumnKind::kData) continue;
    ++data_count;
    if (!data_runs.empty() && data_runs.back().last == c - 1) {
      data_runs.back().last = c;
    } else {
      data_runs.push_back({c, c});
    }
  }
  std::vector<float> row(data_count);
  std::vector<int> bins;
  if (data_count == 0) return runs;
  for (int r = 0; r < m.rows; ++r) {
    const float* data = m.ptr<float>(r);
    if (!MedianAtLeastInRuns(data, data_runs, data_count, kLineMinLevel)) continue;
    float* out = row.data();  // IsLine may reorder the row, never resize it
    for (const Run& run : data_runs) out = std::copy(data + run.first, data + run.last + 1, out);
    if (!IsLine(row, bins)) continue;
    if (!runs.empty() && runs.back().last == r - 1) {
      runs.back().last = r;
    } else {
      runs.push_back({r, r});
    }
  }
  std::erase_if(runs, [](const Run& run) { return run.Width() > 4; });  // a band, not a line
  return runs;
}

#if defined(__x86_64__) && defined(__GNUC__)
// Four 8-lane 32-bit masks (all ones or zero) as one 32-byte mask in pixel order: the two
// saturating packs keep 0xff / 0, and interleave the 128-bit halves, which the permute undoes.
[[gnu::target("avx2")]] inline __m256i PackMasks(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

[[gnu::target("avx2")]] inline __m256i GreaterThan(const float* p, __m256 level) {
  return _mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(p), level, _CMP_GT_OQ));
}

// cv::compare(row, level, out, cv::CMP_GT) for the first pixels of a float row, 32 at a time:
// 255 where row[c] > level (a NaN compares false, as there). Returns how many it wrote.
[[gnu::target("avx2")]] int GreaterMaskAvx2(const float* row, float level, uchar* out, int cols) {
  const __m256 l = _mm256_set1_ps(level);
  int c = 0;
  for (; c + 32 <= cols; c += 32) {
    const __m256i m = PackMasks(GreaterThan(row + c, l), GreaterThan(row + c + 8, l),
                                GreaterThan(row + c + 16, l), GreaterThan(row + c + 24, l));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), m);
  }
  return c;
}

// CandidateRow's first pixels, 32 at a time: the same float comparisons (ordered: false for a
// NaN, as _mm_cmpgt_ps / _mm_cmpge_ps are) on 8 lanes. Returns how many pixels it coded.
[[gnu::target("avx2")]] int CandidateRowAvx2(const float* v, const float* o, const uchar* body,
                                             uchar* cand, uchar* wh, int cols) {
  const __m256 top_hat = _mm256_set1_ps(kTextTopHat), level = _mm256_set1_ps(kTextLevel);
  const __m256 white_level = _mm256_set1_ps(kTextWhite);
  int c = 0;
  for (; c + 32 <= cols; c += 32) {
    __m256i stroke[4], bright[4], whites[4];
    for (int q = 0; q < 4; ++q) {
      const __m256 x = _mm256_loadu_ps(v + c + 8 * q);
      const __m256 y = _mm256_loadu_ps(o + c + 8 * q);
      stroke[q] = _mm256_castps_si256(_mm256_cmp_ps(_mm256_sub_ps(x, y), top_hat, _CMP_GT_OQ));
      bright[q] =
          _mm256_and_si256(stroke[q], _mm256_castps_si256(_mm256_cmp_ps(x, level, _CMP_GT_OQ)));
      whites[q] = _mm256_and_si256(bright[q],
                                   _mm256_castps_si256(_mm256_cmp_ps(x, white_level, _CMP_GE_OQ)));
    }
    const __m256i stroke8 = PackMasks(stroke[0], stroke[1], stroke[2], stroke[3]);
    const __m256i bright8 = PackMasks(bright[0], bright[1], bright[2], bright[3]);
    const __m256i no_body = _mm256_cmpeq_epi8(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(body + c)), _mm256_setzero_si256());
    const __m256i codes = _mm256_or_si256(
        _mm256_and_si256(bright8, _mm256_set1_epi8(kBrightCandidate)),
        _mm256_and_si256(_mm256_and_si256(stroke8, no_body), _mm256_set1_epi8(kGroundedCandidate)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(cand + c), codes);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(wh + c),
                        PackMasks(whites[0], whites[1], whites[2], whites[3]));
  }
  return c;
}
#endif

// One row of TextCandidates' codes from the strip `v`, its opening `o` and the near-body mask:
// a stroke rises more than kTextTopHat above the opening; kBrightCandidate when it is above
// kTextLevel, kGroundedCandidate when no body is near (bright enough by contrast); `wh` 255 for
// a bright stroke at kTextWhite or more. 16 pixels at a time with OpenCV's universal intrinsics
// (GCC left the float -> byte loop at ~10 instructions a pixel): the same float comparisons,
// hence the same bytes, as the scalar tail.
void CandidateRow(const float* __restrict v, const float* __restrict o,
                  const uchar* __restrict body, uchar* __restrict cand, uchar* __restrict wh,
                  int cols) {
  int c = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) c = CandidateRowAvx2(v, o, body, cand, wh, cols);
#endif
#if CV_SIMD128
  const cv::v_float32x4 top_hat = cv::v_setall_f32(kTextTopHat);
  const cv::v_float32x4 level = cv::v_setall_f32(kTextLevel);
  const cv::v_float32x4 white_level = cv::v_setall_f32(kTextWhite);
  const cv::v_uint8x16 bright_bit = cv::v_setall_u8(kBrightCandidate);
  const cv::v_uint8x16 grounded_bit = cv::v_setall_u8(kGroundedCandidate);
  for (; c + 16 <= cols; c += 16) {
    cv::v_uint32x4 stroke[4], bright[4], whites[4];
    for (int q = 0; q < 4; ++q) {
      const cv::v_float32x4 x = cv::v_load(v + c + 4 * q);
      const cv::v_float32x4 y = cv::v_load(o + c + 4 * q);
      stroke[q] = cv::v_reinterpret_as_u32((x - y) > top_hat);
      bright[q] = stroke[q] & cv::v_reinterpret_as_u32(x > level);
      whites[q] = bright[q] & cv::v_reinterpret_as_u32(x >= white_level);
    }
    const cv::v_uint8x16 stroke8 = cv::v_pack_b(stroke[0], stroke[1], stroke[2], stroke[3]);
    const cv::v_uint8x16 bright8 = cv::v_pack_b(bright[0], bright[1], bright[2], bright[3]);
    const cv::v_uint8x16 no_body = cv::v_load(body + c) == cv::v_setzero_u8();
    const cv::v_uint8x16 grounded8 = stroke8 & no_body;
    cv::v_store(cand + c, (bright8 & bright_bit) | (grounded8 & grounded_bit));
    cv::v_store(wh + c, cv::v_pack_b(whites[0], whites[1], whites[2], whites[3]));
  }
#endif
  for (; c < cols; ++c) {
    const int stroke = v[c] - o[c] > kTextTopHat ? 1 : 0;
    const int grounded = stroke & (body[c] == 0 ? 1 : 0);
    const int bright = stroke & (v[c] > kTextLevel ? 1 : 0);
    cand[c] = static_cast<uchar>(bright * kBrightCandidate | grounded * kGroundedCandidate);
    wh[c] = static_cast<uchar>(255 * (bright & (v[c] >= kTextWhite ? 1 : 0)));
  }
}

// Top-hat candidates (thin bright strokes, coded kBrightCandidate / kGroundedCandidate bits);
// among them the saturated white ones (`white`). Grounded: drawn
// on a dark ground (the opened image, the strip without its thin strokes, at most
// kTextGroundLevel within kTextBodyDistance: a noise floor, away from the spectrum).
void TextCandidates(const cv::Mat1f& m, cv::Mat1f& opened, cv::Mat1b& candidate, cv::Mat1b& white) {
  cv::morphologyEx(m, opened, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {5, 5}));
  // Near the spectrum's body (what the opening keeps above the ground level), within
  // kTextBodyDistance: the fringe speckle of the spectrum is there, drawn text need not be.
  thread_local cv::Mat1b near_store;
  cv::Mat1b near_body = ReuseBuffer(near_store, m.rows, m.cols);
  for (int r = 0; r < m.rows; ++r) {  // cv::compare(opened, kTextGroundLevel, CMP_GT), per row
    const float* o = opened.ptr<float>(r);
    uchar* out = near_body.ptr<uchar>(r);
    int c = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    if (avx2) c = GreaterMaskAvx2(o, kTextGroundLevel, out, m.cols);
#endif
    for (; c < m.cols; ++c) out[c] = o[c] > kTextGroundLevel ? 255 : 0;
  }
  const int side = 2 * kTextBodyDistance + 1;
  cv::dilate(near_body, near_body, cv::getStructuringElement(cv::MORPH_RECT, {side, side}));
  for (int r = 0; r < m.rows; ++r) {
    CandidateRow(m.ptr<float>(r), opened.ptr<float>(r), near_body.ptr<uchar>(r),
                 candidate.ptr<uchar>(r), white.ptr<uchar>(r), m.cols);
  }
}

// Share of `values` within kFlatTextTolerance of their median (sorts them).
double FlatShare(std::span<float> values) {
  if (values.empty()) return 0;
  const auto mid = values.begin() + static_cast<long>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  const float median = *mid;
  const auto flat = std::count_if(values.begin(), values.end(), [&](float v) {
    return std::abs(v - median) <= kFlatTextTolerance;
  });
  return static_cast<double>(flat) / static_cast<double>(values.size());
}

// Per component label: kWhiteText or kGroundedText when it is text, else 0: >= 3 candidates mostly
// (>= 70%) saturated white; or >= kMinGroundedTextPixels candidates mostly (>= kGroundedTextShare)
// on a dark ground (light-gray, anti-aliased text on the noise floor; the spectrum's own bright
// speckle lies on the spectrum); or >= kMinGroundedTextPixels bright candidates at one level
// whose bounding box is ringed by the dark ground (>= kFlatTextRingGround of the ring). Flat
// text: a glyph's junctions can survive the opening and read as "body" around its own strokes,
// so the per-pixel ground test missed "PW 2.5MHz" in light gray; the ring around the word is
// the floor it is drawn on. Speckle is not flat, and the flat tops of a spectrum whose colours
// run past the estimated ramp's end are ringed by the spectrum (measured: rings <= 0.57 there,
// >= 0.93 around text). Lines and bands at the baseline are not text (FlatTextShape).
// Share of the ring kTextBodyDistance pixels wide around `box` (clipped to the strip) whose
// opened level is the dark ground's.
double RingGroundShare(const cv::Mat1f& opened, const cv::Rect& box) {
  const int d = kTextBodyDistance;
  const cv::Rect outer = cv::Rect(box.x - d, box.y - d, box.width + 2 * d, box.height + 2 * d) &
                         cv::Rect(0, 0, opened.cols, opened.rows);
  int ring = 0, ground = 0;
  for (int r = outer.y; r < outer.y + outer.height; ++r) {
    const float* o = opened.ptr<float>(r);
    for (int c = outer.x; c < outer.x + outer.width; ++c) {
      if (box.contains({c, r})) continue;
      ++ring;
      ground += o[c] <= kTextGroundLevel ? 1 : 0;
    }
  }
  return ring > 0 ? static_cast<double>(ground) / ring : 0.0;
}

// Whether a flat component can be text: glyph-tall, and clear of the baseline (a drawn baseline's
// segments are flat lines; slow flow along the baseline is a flat band touching it, and venous
// spectra touch the baseline where text is not drawn). `baseline_row` NaN: unknown, not tested.
bool FlatTextShape(const cv::Rect& box, double baseline_row) {
  if (box.height < kMinFlatTextRows) return false;
  return !(baseline_row >= box.y - kTextBodyDistance &&
           baseline_row <= box.y + box.height - 1 + kTextBodyDistance);
}

std::vector<uchar> TextLabels(const cv::Mat1f& m, const cv::Mat1f& opened, const cv::Mat1i& labels,
                              int n, const cv::Mat1b& candidate, const cv::Mat1b& white,
                              double baseline_row) {
  const auto count = static_cast<size_t>(n);
  // total: all candidates; bright: those above kTextLevel (the white rule's denominator, as
  // before grounded candidates existed: a white label's dim anti-aliased rim does not dilute it).
  std::vector<int> total(count, 0), bright(count, 0), whites(count, 0), dark(count, 0);
  std::vector<cv::Rect> box(count);                        // of the bright candidates
  thread_local std::vector<std::pair<int, float>> levels;  // (label, level) of bright candidates
  levels.clear();
  for (int r = 0; r < labels.rows; ++r) {
    const int* l = labels.ptr<int>(r);
    const uchar* cand = candidate.ptr<uchar>(r);
    const uchar* wh = white.ptr<uchar>(r);
    const float* v = m.ptr<float>(r);
    // White pixels are candidates; most pixels are neither.
    ForEachNonZero(cand, labels.cols, [&](int c) {
      const auto k = static_cast<size_t>(l[c]);
      ++total[k];
      if ((cand[c] & kBrightCandidate) != 0) {
        ++bright[k];
        levels.emplace_back(l[c], v[c]);
        box[k] = box[k].empty() ? cv::Rect(c, r, 1, 1) : box[k] | cv::Rect(c, r, 1, 1);
      }
      whites[k] += wh[c] ? 1 : 0;
      dark[k] += (cand[c] & kGroundedCandidate) != 0 ? 1 : 0;
    });
  }
  std::sort(levels.begin(), levels.end());
  std::vector<float> component_levels;
  std::vector<uchar> text(count, 0);
  for (size_t l = 1, at = 0; l < count; ++l) {
    component_levels.clear();
    while (at < levels.size() && static_cast<size_t>(levels[at].first) < l) ++at;
    for (; at < levels.size() && static_cast<size_t>(levels[at].first) == l; ++at) {
      component_levels.push_back(levels[at].second);
    }
    const bool white_text = bright[l] >= 3 && whites[l] * 10 >= bright[l] * 7;
    const bool grounded_text = total[l] >= kMinGroundedTextPixels &&
                               dark[l] >= kGroundedTextShare * static_cast<double>(total[l]);
    const bool flat_text = bright[l] >= kMinGroundedTextPixels &&
                           FlatTextShape(box[l], baseline_row) &&
                           FlatShare(component_levels) >= kFlatTextShare &&
                           RingGroundShare(opened, box[l]) >= kFlatTextRingGround;
    text[l] = white_text ? kWhiteText : grounded_text || flat_text ? kGroundedText : 0;
  }
  return text;
}

// Bright, thin strokes (text, ticks): top-hat residue grouped into components that are mostly
// saturated white or mostly drawn on the dark noise floor (TextLabels). Speckle rarely forms such
// components; drawn text always does. A strip without a pixel above kTextTopHat has no
// candidate, hence no text component: skipped (rarely: nearly every strip runs the mask). Per
// pixel: kWhiteText, kGroundedText or 0.
cv::Mat1b TextMask(const cv::Mat1f& m, double baseline_row) {
  cv::Mat1b mask(m.size(), uchar{0});
  if (!AnyAbove(m, kTextTopHat)) return mask;
  thread_local struct {
    cv::Mat1b candidate, white, grouped;
    cv::Mat1i labels;
  } st;  // kept across strips (see ReuseBuffer)
  cv::Mat1b candidate = ReuseBuffer(st.candidate, m.rows, m.cols);
  cv::Mat1b white = ReuseBuffer(st.white, m.rows, m.cols);
  cv::Mat1b grouped = ReuseBuffer(st.grouped, m.rows, m.cols);
  cv::Mat1i labels = ReuseBuffer(st.labels, m.rows, m.cols);
  thread_local cv::Mat1f opened_store;
  cv::Mat1f opened = ReuseBuffer(opened_store, m.rows, m.cols);
  TextCandidates(m, opened, candidate, white);
  cv::dilate(candidate, grouped, cv::Mat());
  const int n = LabelComponents(grouped, labels);  // labels only at the grouped pixels
  const std::vector<uchar> text = TextLabels(m, opened, labels, n, candidate, white, baseline_row);
  for (int r = 0; r < m.rows; ++r) {  // labelled pixels are the grouped ones; 0 is never text
    const int* l = labels.ptr<int>(r);
    uchar* out = mask.ptr<uchar>(r);
    ForEachNonZero(grouped.ptr<uchar>(r), m.cols,
                   [&](int c) { out[c] = text[static_cast<size_t>(l[c])]; });
  }
  cv::dilate(mask, mask, cv::Mat());
  return mask;
}

// Pixels per column above kBlackLevel.
REFLUXSCAN_AVX2_CLONES std::vector<int> LitPerColumn(const cv::Mat1f& m) {
  return CountPerColumnIf(m, [](float x) { return x > kBlackLevel; });
}

// Median over the data columns of the share of their pixels above kBlackLevel: how much of a
// column the strip's noise texture lights (0 on a black floor).
double BackgroundLitShare(const std::vector<int>& lit_per_column, int rows,
                          const std::vector<ColumnKind>& kinds) {
  std::vector<float> lit;
  for (size_t c = 0; c < kinds.size(); ++c) {
    if (kinds[c] != ColumnKind::kData) continue;
    lit.push_back(static_cast<float>(lit_per_column[c]) / static_cast<float>(rows));
  }
  return lit.empty() ? 0.0 : MedianInPlace(lit);
}

std::vector<Run> EmptyRuns(const std::vector<ColumnKind>& kinds) {
  std::vector<Run> runs;
  for (int c = 0; c < static_cast<int>(kinds.size()); ++c) {
    if (kinds[static_cast<size_t>(c)] == ColumnKind::kData) continue;
    if (!runs.empty() && runs.back().last == c - 1) {
      runs.back().last = c;
    } else {
      runs.push_back({c, c});
    }
  }
  return runs;
}

}  // namespace

namespace {

// An erase bar is kMinBarColumns or more wide and lies outside the edge zones, where scale labels
// and the gaps between their glyphs are.
// In the right edge zone a run is a candidate when it does not reach the edge and no overlay
// (text: a label's glyphs) borders it: a scanner frozen late in its sweep leaves its bar there
// (an independent renderer's bars at 90% and 94% of the width were missed, and the previous
// sweep beyond them read as the recording going on). Not in the left zone: a bar there would
// mask nearly the whole strip as the previous sweep.
// The drawn baseline, masked as an overlay when its colour is off the map's ramp, crosses every
// column: its rows (within kBaselineOverlayRows of the zero row) do not border a run (stop 21: a
// third renderer's teal baseline "bordered" every bar in the right edge zone).
bool IsBarCandidate(const cv::Mat1f& m, const Run& run, const cv::Mat1b& overlays,
                    double baseline_row) {
  const int zone = static_cast<int>(kEdgeZoneShare * m.cols);
  if (run.Width() < kMinBarColumns || run.first < zone) return false;
  if (run.last < m.cols - zone) return true;
  if (overlays.empty() || run.last + 1 >= m.cols) return false;
  const auto bordered = [&](int c) {
    for (int r = 0; r < m.rows; ++r) {
      const bool on_baseline = std::abs(r - baseline_row) <= kBaselineOverlayRows;  // NaN: never
      if (overlays(r, c) != 0 && !on_baseline) return true;
    }
    return false;
  };
  return !bordered(run.first - 1) && !bordered(run.last + 1);
}

// Whether a run of kMinBarColumns or more reaches into the right edge zone, short of the strip's
// edge (a bar may straddle the zone's border: the eighth renderer's at 85-88% of the width).
// There a run that erased the noise, which goes on up to both its edges (NoiseUpToBothEdges), is
// a bar whatever overlays border it: a gap between a label's glyphs lies in a label panel or on
// the noise, never in a blank cut through it, and an ECG or auto-trace line crosses every column,
// so it borders a bar the way glyphs border their gaps (stop 26: ten generated sweeps frozen in
// the last 12% of the strip beside an ECG trace or a label were not masked, their previous sweep
// read as the recording going on). Likewise a painted run whose level differs from the columns
// beside it (PaintedApart). Such a run is taken only when no candidate outside the zone is found
// (MaskEmptyColumns): a false one there would unmask the stale sweep after a true bar.
bool InRightZone(const cv::Mat1f& m, const Run& run) {
  const int zone = static_cast<int>(kEdgeZoneShare * m.cols);
  return run.Width() >= kMinBarColumns && run.last >= m.cols - zone && run.last + 1 < m.cols;
}

// Whether pixel (r, c) is bright spectrum: at kAbruptLevel with a bright pixel above or below it
// (spectrum is a band along the velocity axis; a lone bright pixel is a grid dot, a 1-px drawn
// line, a speck), and not marked in `overlays` (text, off-ramp colour; empty: none).
bool BrightSpectrumPixel(const cv::Mat1f& m, int r, int c, const cv::Mat1b& overlays) {
  if (m(r, c) < kAbruptLevel || (!overlays.empty() && overlays(r, c) != 0)) return false;
  return (r > 0 && m(r - 1, c) >= kAbruptLevel) || (r + 1 < m.rows && m(r + 1, c) >= kAbruptLevel);
}

// Whether column c holds bright spectrum away from the baseline (at least kAbruptBaselineShare
// of the rows from `baseline_row`; NaN: anywhere).
bool BrightSpectrumAway(const cv::Mat1f& m, int c, const cv::Mat1b& overlays, double baseline_row) {
  const double min_distance = kAbruptBaselineShare * m.rows;
  for (int r = 0; r < m.rows; ++r) {
    if (std::abs(r - baseline_row) < min_distance) continue;  // false for NaN: counts
    if (BrightSpectrumPixel(m, r, c, overlays)) return true;
  }
  return false;
}

// Farthest row from `baseline_row` of bright spectrum in column c; -1 when there is none.
double BrightExtentRows(const cv::Mat1f& m, int c, const cv::Mat1b& overlays, double baseline_row) {
  double extent = -1;
  for (int r = 0; r < m.rows; ++r) {
    if (BrightSpectrumPixel(m, r, c, overlays))
      extent = std::max(extent, std::abs(r - baseline_row));
  }
  return extent;
}

// Whether the flow beside a dark run meets the baseline there: the extent of its column next to
// the run (`edge`) is well below (kGrowthShare x) the median over the kGrowthColumns beyond it
// (`step` = +1: the flow right of the run grows out of the baseline; -1: the flow left of it
// falls into the baseline; the median: one column's speck or tick does not make a trend). Flow
// around a silence does both (a squeeze ending at its release, a reflux after it); a sweep's
// erase bar cuts the flow at whatever extent it had.
bool MeetsBaseline(const cv::Mat1f& m, int edge, int step, const cv::Mat1b& overlays,
                   double baseline_row) {
  const double at_edge = BrightExtentRows(m, edge, overlays, baseline_row);
  std::array<double, kGrowthColumns> beyond{};
  int n = 0;
  for (int k = 1; k <= kGrowthColumns; ++k) {
    const int c = edge + step * k;
    if (c < 0 || c >= m.cols) break;
    beyond[static_cast<size_t>(n++)] = BrightExtentRows(m, c, overlays, baseline_row);
  }
  if (n == 0 || at_edge < 0) return false;
  std::sort(beyond.begin(), beyond.begin() + n);
  return at_edge <= kGrowthShare * beyond[static_cast<size_t>(n / 2)];
}

// Whether bright spectrum goes on beyond column c (step +1: to its right, -1: to its left): at
// least two of the kGrowthColumns columns there hold some. Flow cut by a bar goes on away from
// it; a thin vertical line beside a silence (a time mark, a cursor, a grid line: one or two
// bright columns) does not (stop 21: a third independent renderer's 2-pixel marks either side of
// the pause before a squeeze read as a bar, and the squeeze and its reflux were masked).
bool SpectrumGoesOn(const cv::Mat1f& m, int c, int step, const cv::Mat1b& overlays,
                    double baseline_row) {
  int with = 0;
  for (int k = 1; k <= kGrowthColumns; ++k) {
    const int x = c + step * k;
    if (x >= 0 && x < m.cols && BrightExtentRows(m, x, overlays, baseline_row) >= 0) ++with;
  }
  return with >= 2;
}

// Side of the baseline (+1 above, -1 below, 0 none) of column c's farthest bright spectrum.
int BrightSide(const cv::Mat1f& m, int c, const cv::Mat1b& overlays, double baseline_row) {
  double extent = -1;
  int side = 0;
  for (int r = 0; r < m.rows; ++r) {
    if (!BrightSpectrumPixel(m, r, c, overlays) || std::abs(r - baseline_row) <= extent) continue;
    extent = std::abs(r - baseline_row);
    side = r < baseline_row ? +1 : -1;
  }
  return side;
}

// Whether the flow reverses across a dark run: it fell into the baseline just before the run (its
// last bright column, within kReversalLookback of it, lies near the baseline or well below the
// flow before it) on one side, and resumes on the other side.
// That is a release and its reflux: the squeeze's flow ends at the release, the valves leave a
// gap of tens of ms, and the reflux may then rise within a column (measured: an independent
// renderer's reflux reached 29 cm/s in its first column after an 84 ms gap, read as an erase bar
// and masked with all the clip after it). A sweep's bar lines the two sweeps up at random: the
// current one ending exactly at the bar on one side, the previous one starting there on the
// other, is a coincidence.
bool ReversesAcross(const cv::Mat1f& m, const Run& run, const cv::Mat1b& overlays,
                    double baseline_row) {
  if (!std::isfinite(baseline_row) || run.last + 1 >= m.cols) return false;
  const int after = BrightSide(m, run.last + 1, overlays, baseline_row);
  for (int k = 1; k <= kReversalLookback && run.first - k >= 0; ++k) {
    const int c = run.first - k;
    const int before = BrightSide(m, c, overlays, baseline_row);
    if (before == 0) continue;
    const bool fell = !BrightSpectrumAway(m, c, overlays, baseline_row) ||
                      MeetsBaseline(m, c, -1, overlays, baseline_row);
    return before == -after && fell;
  }
  return false;
}

// The first column after a spike starting at column c (step +1: rightward), else c. A spike is a
// few columns (kMaxSpikeColumns at most) of bright spectrum on one side of the baseline followed
// directly by bright spectrum on the other side only: flow does not switch sides from one column
// to the next, but a wall thump at the squeeze's compression is drawn beside the squeeze's start,
// on either side. Flow that a sweep's bar cut goes on as it was (stop 23: a fifth independent
// renderer's thump after the quiet 0.3 s before a squeeze read as flow cut by an erase bar, and
// the squeeze and its 903 ms reflux were masked as the previous sweep). A spike on the flow's
// own side is not told from its speckle, so it is left alone (speckle thins a column's extent
// anywhere in a burst).
int AfterSpike(const cv::Mat1f& m, int c, int step, const cv::Mat1b& overlays,
               double baseline_row) {
  const int side = BrightSide(m, c, overlays, baseline_row);
  if (side == 0) return c;
  for (int k = 1; k < kMaxSpikeColumns; ++k) {
    const int x = c + step * k;
    if (x < 0 || x >= m.cols) return c;
    const int x_side = BrightSide(m, x, overlays, baseline_row);
    if (x_side != side) return x_side == -side ? x : c;  // into silence: says nothing
  }
  return c;
}

// Whether bright spectrum is cut at a bar candidate, and the flow does not meet the baseline
// there (MeetsBaseline): the column just before it holds bright spectrum anywhere (a sweep's bar
// cuts the newest flow wherever it is), or the column just after holds bright spectrum away from
// the baseline (flow resuming after a silence starts from the baseline). Flow stopping and
// resuming around a silence meets the baseline on both sides (a squeeze falling to zero at its
// release, a reflux growing after it). Overlay text is no spectrum. Each of these read as erase
// bars and masked the reflux ("Gn 3 WF 175Hz" ending at a release; a reflux's first column at
// 0.31, two rows from the baseline; the valve gap after a squeeze on a display without noise or
// a drawn baseline).
// `flow_after_counts`: whether the flow after the run alone may make it a bar (MaskEmptyColumns).
bool AbruptEdge(const cv::Mat1f& m, const Run& run, const cv::Mat1b& overlays, double baseline_row,
                bool flow_after_counts) {
  if (!IsBarCandidate(m, run, overlays, baseline_row)) return false;
  constexpr double kAnywhere = std::numeric_limits<double>::quiet_NaN();
  const auto cut = [&](int c, int step, double baseline_for_away) {
    return c >= 0 && c < m.cols && BrightSpectrumAway(m, c, overlays, baseline_for_away) &&
           !MeetsBaseline(m, c, step, overlays, baseline_row) &&
           SpectrumGoesOn(m, c, step, overlays, baseline_row);
  };
  if (cut(run.first - 1, -1, kAnywhere)) return true;
  if (!flow_after_counts) return false;
  const int after = AfterSpike(m, run.last + 1, +1, overlays, baseline_row);
  return cut(after, +1, baseline_row) && !ReversesAcross(m, run, overlays, baseline_row);
}

// Whether a line run is the drawn baseline: within kBaselineLineRows of the row of zero velocity
// (a renderer may round the drawn line a row off; NaN: unknown, never). Every sweeping display
// draws its baseline across the whole strip, so its gap marks the erase bar. A row that only
// looks like a line (a thin sliver of slow flow beside the baseline, outside the wall filter's
// notch; a grid line; a flat stretch of ECG) is missing across a silence too: it says nothing
// about a bar (LineCutAt also wants the line up to both sides of the gap).
bool AtBaseline(const Run& line, double baseline_row) {
  return baseline_row >= line.first - kBaselineLineRows &&
         baseline_row <= line.last + kBaselineLineRows;
}

// Whether no pixel of the drawn line's rows is above kLineMinLevel across the run.
bool LineMissingAcross(const cv::Mat1f& m, const Run& line, const Run& run) {
  return cv::countNonZero(m(cv::Range(line.first, line.last + 1),
                            cv::Range(run.first, run.last + 1)) > kLineMinLevel) == 0;
}

// Whether column c holds a pixel of the drawn line's rows above kLineMinLevel.
bool LineLitAt(const cv::Mat1f& m, const Run& line, int c) {
  if (c < 0 || c >= m.cols) return false;
  for (int r = line.first; r <= line.last; ++r) {
    if (m(r, c) > kLineMinLevel) return true;
  }
  return false;
}

// Whether a drawn baseline (AtBaseline) is lit in every column of the run.
bool BaselineDrawnThrough(const cv::Mat1f& m, const std::vector<Run>& lines, const Run& run,
                          double baseline_row) {
  for (const Run& line : lines) {
    if (!AtBaseline(line, baseline_row)) continue;
    bool lit = true;
    for (int c = run.first; c <= run.last && lit; ++c) lit = LineLitAt(m, line, c);
    if (lit) return true;
  }
  return false;
}

// Whether a drawn line is cut by the dark run: missing across all of it, and there right up to
// it on both sides. A sweep's erase bar erases the line with everything else, exactly over the
// bar. A row that only looked like a line (a thin sliver of slow flow along the baseline, a
// dotted grid line) is also missing across a silence, but not up to both of its edges: the flow
// fades before the silence, the dots have gaps of their own.
bool LineCutAt(const cv::Mat1f& m, const Run& line, const Run& run) {
  const bool missing = LineMissingAcross(m, line, run);
  const auto lit_near = [&](int edge, int step) {
    for (int k = 0; k < kLineResumeColumns; ++k) {
      if (LineLitAt(m, line, edge + step * k)) return true;
    }
    return false;
  };
  return missing && lit_near(run.first - 1, -1) && lit_near(run.last + 1, +1);
}

// The lit (dashes) and dark (gaps) stretches of a drawn line strictly inside the strip, in
// columns; gaps longer than kMaxDashGapColumns are left out (a silence a bar erased, the data's
// end).
struct DashStretches {
  std::vector<int> dashes, gaps;
};

DashStretches Stretches(const cv::Mat1f& m, const Run& line) {
  DashStretches out;
  for (int c = 0; c < m.cols;) {
    const bool lit = LineLitAt(m, line, c);
    const int first = c;
    while (c < m.cols && LineLitAt(m, line, c) == lit) ++c;
    if (first == 0 || c == m.cols) continue;  // touches an edge: its width is unknown
    if (lit) {
      out.dashes.push_back(c - first);
    } else if (c - first <= kMaxDashGapColumns) {
      out.gaps.push_back(c - first);
    }
  }
  return out;
}

// Whether a drawn line (its Stretches) is dashed: missing over kMinDashGaps or more separate
// stretches of at most kMaxDashGapColumns columns. A solid line is missing only where a bar erased
// it; a dashed line's gaps cross every silence (stop 23: a sixth independent renderer's dashed
// baseline made each gap in a quiet stretch an "erase bar", and the squeeze after it was masked
// as the previous sweep).
bool Dashed(const DashStretches& line) {
  return line.gaps.size() >= static_cast<size_t>(kMinDashGaps);
}

// Quartiles of `x` (sorted in place, not empty): {25th, 50th, 75th percentile}.
std::array<int, 3> Quartiles(std::vector<int>& x) {
  std::sort(x.begin(), x.end());
  const size_t n = x.size() - 1;
  return {x[n / 4], x[n / 2], x[3 * n / 4]};
}

// The row within one of `baseline_row` lit (above kLineMinLevel) in the most columns: a renderer
// may draw its baseline a row off the calibrated zero. -1 when none is lit or the row is unknown.
int MostLitBaselineRow(const cv::Mat1f& m, double baseline_row) {
  if (!std::isfinite(baseline_row)) return -1;
  const int zero = static_cast<int>(std::lround(baseline_row));
  int best = -1, most_lit = 0;
  for (int r = zero - 1; r <= zero + 1; ++r) {
    if (r < 0 || r >= m.rows) continue;
    const int lit = cv::countNonZero(m.row(r) > kLineMinLevel);
    if (lit > most_lit) best = r, most_lit = lit;
  }
  return best;
}

// The widest gap of a dashed baseline (the upper quartile of its gaps: dash periods resampled to
// the screen alternate, e.g. 5 and 6 columns), 0 when there is none. From a dashed drawn line at
// the baseline (AtBaseline, Dashed), else from the baseline's own row when its dashes and gaps
// are regular (kMinRegularDashes or more of each, each within kDashRegularityColumns between
// their quartiles): a dashed line lit in half of its columns or less is no drawn line to the line
// finder (kLineShare), and flow crossing the row breaks the pattern only where it is.
// `stretches`: each of `lines`' Stretches.
int DashGapColumns(const cv::Mat1f& m, const std::vector<Run>& lines,
                   const std::vector<DashStretches>& stretches, double baseline_row) {
  int widest = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!AtBaseline(lines[i], baseline_row) || !Dashed(stretches[i])) continue;
    std::vector<int> gaps = stretches[i].gaps;
    widest = std::max(widest, Quartiles(gaps)[2]);
  }
  const int row = widest > 0 ? -1 : MostLitBaselineRow(m, baseline_row);
  if (row < 0) return widest;
  DashStretches row_stretches = Stretches(m, Run{row, row});
  if (row_stretches.gaps.size() < kMinRegularDashes ||
      row_stretches.dashes.size() < kMinRegularDashes) {
    return 0;
  }
  const auto gaps = Quartiles(row_stretches.gaps), dashes = Quartiles(row_stretches.dashes);
  const bool regular = gaps[2] - gaps[0] <= kDashRegularityColumns &&
                       dashes[2] - dashes[0] <= kDashRegularityColumns;
  return regular ? gaps[2] : 0;
}

// Whether a dark run on a noise background holds an erase bar that erased that noise:
// kMinBarColumns consecutive columns (all of a narrower run) each lit (above kBlackLevel) at most
// kBarLitShareOfBackground x the background's share. An erase bar is blank (measured: 0-3% lit
// in a JPEG bar beside a 54% background); a dim noise floor mapped mostly below kDarkLevel
// leaves columns dark by chance that keep a good part of their texture (11-18% beside a 30%
// background read a 4-column "bar" at a release and masked the reflux after it). The run may
// also hold silent columns beside the bar (the whole run is then masked, as before).
bool ErasesTheNoise(const std::vector<int>& lit_per_column, int rows, const Run& run,
                    double background_lit) {
  const double max_lit = kBarLitShareOfBackground * background_lit * rows;
  const int needed = std::min(kMinBarColumns, run.Width());  // a 1-2 column run: all of it
  int blank = 0;
  for (int c = run.first; c <= run.last; ++c) {
    blank = lit_per_column[static_cast<size_t>(c)] <= max_lit ? blank + 1 : 0;
    if (blank >= needed) return true;
  }
  return false;
}

// Whether a dark run reaching one edge of the strip is outside the recording rather than
// silence, on a display without a noise background (where both are black): beside it (the
// column before a run at the right edge, after one at the left edge) bright spectrum does not
// meet the baseline there (a sweep, the recording's end or a scroll not yet filled cut the flow
// wherever it was; flow after the left run must also lie away from the baseline, as for
// AbruptEdge), or the drawn baseline runs right up to it and is missing across it. Silence before
// a squeeze or after a reflux meets the baseline. Stop 20: masked as no data, a silent vein's
// pause made the squeeze after it look risen before the recording (its reflux then set the
// polarity), and the quiet after a reflux made it "truncated".
bool OutsideTheRecording(const cv::Mat1f& m, const Run& run, const std::vector<Run>& lines,
                         const cv::Mat1b& overlays, double baseline_row) {
  constexpr double kAnywhere = std::numeric_limits<double>::quiet_NaN();
  const bool at_end = run.first > 0;
  const int beside = at_end ? run.first - 1 : run.last + 1;
  if (beside < 0 || beside >= m.cols) return true;  // the whole strip
  const int step = at_end ? -1 : +1;
  if (BrightSpectrumAway(m, beside, overlays, at_end ? kAnywhere : baseline_row) &&
      !MeetsBaseline(m, beside, step, overlays, baseline_row)) {
    return true;
  }
  for (const Run& line : lines) {
    if (!AtBaseline(line, baseline_row)) continue;
    if (LineMissingAcross(m, line, run) && LineLitAt(m, line, beside)) return true;
  }
  return false;
}

// A sweep cursor: the vertical line some scanners draw at a sweeping display's write position,
// with or without an erase bar after it (a fourth independent renderer: a 1-px yellow or white
// line followed by 0-2 dark columns, which JPEG ringing keeps above the dark level: no bar).
// A column is line-lit where >= kCursorRowShare of its rows are overlay (off-ramp colour, text;
// dilated: a 1-px line marks up to 9 columns) or bright and within kCursorTolerance of the
// column's median bright level (a drawn line is flat; speckled spectrum, even a full-height
// click, is not). The cursor is the only run of line-lit columns, at most kMaxCursorColumns
// wide, whose columns kCursorClearance beyond either side are line-lit on under half their rows,
// outside the left edge zone (a cursor there would leave almost nothing) and off the right edge.
// Several such lines are calipers or a grid, not a cursor: none is taken.
constexpr double kCursorRowShare = 0.9;
constexpr float kCursorLevel = 0.5f, kCursorTolerance = 0.1f;
constexpr int kMaxCursorColumns = 9, kCursorClearance = 2;
constexpr int kCursorBarColumns = 3;  // MaskEmptyColumns: a bar this close to the cursor is its own

// Per column, the pixels at kCursorLevel or marked in `overlays` (empty: none). Branch-free row
// loops, so that they vectorize.
REFLUXSCAN_AVX2_CLONES std::vector<int> CursorLitPerColumn(const cv::Mat1f& m,
                                                           const cv::Mat1b& overlays) {
  const auto cols = static_cast<size_t>(m.cols);
  std::vector<int> lit(cols, 0);
  for (int r = 0; r < m.rows; ++r) {
    const float* __restrict row = m.ptr<float>(r);
    int* __restrict count = lit.data();
    if (overlays.empty()) {
      for (size_t c = 0; c < cols; ++c) count[c] += row[c] >= kCursorLevel ? 1 : 0;
    } else {
      const uchar* __restrict over = overlays.ptr<uchar>(r);
      for (size_t c = 0; c < cols; ++c) {
        count[c] += static_cast<int>(row[c] >= kCursorLevel) | static_cast<int>(over[c] != 0);
      }
    }
  }
  return lit;
}

// Whether the columns of `run` (with one either side: a line's anti-aliased fringe) draw a solid
// line: kCursorRowShare of the rows hold a pixel at kCursorLevel or of off-ramp colour (`drawn`,
// not dilated; empty: none). A sonographer's caliper is a dotted line, which the dilated overlay
// mask fills in (stop 23: a fifth independent renderer's 1-px dotted caliper at a reflux's onset
// read as a sweep cursor, and the 1.32 s reflux after it as the previous sweep).
bool SolidLine(const cv::Mat1f& m, const cv::Mat1b& drawn, const Run& run) {
  const int first = std::max(0, run.first - 1), last = std::min(m.cols - 1, run.last + 1);
  int rows = 0;
  for (int r = 0; r < m.rows; ++r) {
    bool on = false;
    for (int c = first; c <= last && !on; ++c) {
      on = m(r, c) >= kCursorLevel || (!drawn.empty() && drawn(r, c) != 0);
    }
    rows += on ? 1 : 0;
  }
  return rows >= kCursorRowShare * m.rows;
}

std::optional<Run> SweepCursor(const cv::Mat1f& m, const cv::Mat1b& overlays,
                               const cv::Mat1b& drawn) {
  const std::vector<int> lit = CursorLitPerColumn(m, overlays);
  const auto line_lit = [&](int c) {
    if (static_cast<double>(lit[static_cast<size_t>(c)]) < kCursorRowShare * m.rows) return false;
    std::vector<float> bright;  // the non-overlay bright pixels: flat for a drawn line
    for (int r = 0; r < m.rows; ++r) {
      if (overlays.empty() || overlays(r, c) == 0) {
        if (m(r, c) >= kCursorLevel) bright.push_back(m(r, c));
      }
    }
    if (bright.empty()) return true;
    const float med = MedianInPlace(bright);
    const auto flat = std::count_if(bright.begin(), bright.end(),
                                    [&](float v) { return std::abs(v - med) <= kCursorTolerance; });
    return static_cast<double>(flat) >= kCursorRowShare * static_cast<double>(bright.size());
  };
  const int zone = static_cast<int>(kEdgeZoneShare * m.cols);
  std::optional<Run> cursor;
  for (int c = 0; c < m.cols; ++c) {
    if (!line_lit(c)) continue;
    Run run{c, c};
    while (run.last + 1 < m.cols && line_lit(run.last + 1)) ++run.last;
    c = run.last;
    const int before = run.first - kCursorClearance, after = run.last + kCursorClearance;
    const bool narrow = run.Width() <= kMaxCursorColumns && before >= 0 && after < m.cols &&
                        lit[static_cast<size_t>(before)] < m.rows / 2 &&
                        lit[static_cast<size_t>(after)] < m.rows / 2;
    if (!narrow || run.first < zone) return std::nullopt;
    if (!SolidLine(m, drawn, run)) continue;  // a dotted caliper: no cursor, no second line
    if (cursor) return std::nullopt;          // a second line: calipers or a grid
    cursor = run;
  }
  return cursor;
}

// Masks the previous sweep: the columns from `stale_first` to the strip's end, beyond `mark` (an
// erase bar, or a sweep cursor, which the stale columns include), and says so in a note.
void MaskPreviousSweep(const char* mark_name, const Run& mark, int stale_first, int cols,
                       StripMasks& out) {
  const Run stale{stale_first, cols - 1};
  for (int c = stale.first; c <= stale.last; ++c) out.column_valid[static_cast<size_t>(c)] = 0;
  out.notes.push_back(std::string(mark_name) + " at columns " + std::to_string(mark.first) + "-" +
                      std::to_string(mark.last) + ": " + std::to_string(stale.Width()) +
                      " columns of the previous sweep masked (time axis kept continuous)");
}

// The floor's level: the median of the strip's top and bottom kFloorEdgeShare of rows (every
// other column), the scale's far ends, where flow seldom reaches: black, a flat gray floor, or a
// noise floor's typical level. Not a median over the data columns: where flow fills most of each
// column (a shifted baseline, tall squeezes) that is the spectrum's level, and every silence of a
// flat floor would read as painted (review of stop 26). NaN for an empty strip.
double FloorLevel(const cv::Mat1f& m) {
  const int edge_rows = std::max(1, static_cast<int>(kFloorEdgeShare * m.rows));
  std::vector<float> sample;
  for (int r = 0; r < m.rows; ++r) {
    if (r >= edge_rows && r < m.rows - edge_rows) continue;
    const float* row = m.ptr<float>(r);
    for (int c = 0; c < m.cols; c += 2) sample.push_back(row[c]);
  }
  return sample.empty() ? NAN : MedianInPlace(sample);
}

// Median of every kFloorSampleStep-th row of the columns [first, last] (only those of kind
// `only` in `kinds`, when given); NaN when there are none.
double ColumnsLevel(const cv::Mat1f& m, int first, int last,
                    const std::vector<ColumnKind>* kinds = nullptr,
                    ColumnKind only = ColumnKind::kUniform) {
  std::vector<float> level;
  for (int c = std::max(first, 0); c <= std::min(last, m.cols - 1); ++c) {
    if (kinds != nullptr && (*kinds)[static_cast<size_t>(c)] != only) continue;
    for (int r = 0; r < m.rows; r += kFloorSampleStep) level.push_back(m(r, c));
  }
  return level.empty() ? NAN : MedianInPlace(level);
}

// Whether a run's uniform columns hold a level other than the floor's (`uniform_level`, their
// median, more than kFloorLevelTolerance from `floor_level`): a painted bar, whatever crosses it or
// reverses across it. A silence on a flat floor is the floor's level (ReversesAcross and
// BaselineDrawnThrough tell such a silence from a bar of the floor's colour); a sweep's bar may be
// painted in a colour of its own (stop 26: an eighth independent renderer's green bars, on a
// black floor under the drawn baseline and on a heat map's noise, read as silence where the
// reflux before them and the previous sweep's resting flow after them reversed across them, and
// the reflux cut by the bar read as complete). NaN levels: false.
bool OffTheFloor(double uniform_level, double floor_level) {
  return std::abs(uniform_level - floor_level) > kFloorLevelTolerance;  // NaN: false
}

// Whether a painted run differs in level from kFlankColumns columns on each side of it: a
// bar is painted over the spectrum, while a gap between a label's glyphs is the label panel that
// surrounds the glyphs (IsBarCandidate's concern in the edge zones). Stop 26: an eighth
// independent renderer's gray and green bars at 85-88% of the width, beside an ECG trace that
// "bordered" them like glyphs, were missed.
// `uniform_level` is the run's (the level of its uniform columns, as for OffTheFloor).
bool PaintedApart(const cv::Mat1f& m, const Run& run, double uniform_level) {
  // The kFlankColumns nearest columns are skipped: a JPEG bar's edges blur into them.
  const double before =
      ColumnsLevel(m, run.first - 2 * kFlankColumns, run.first - kFlankColumns - 1);
  const double after = ColumnsLevel(m, run.last + kFlankColumns + 1, run.last + 2 * kFlankColumns);
  return std::abs(uniform_level - before) > kFloorLevelTolerance &&
         std::abs(uniform_level - after) > kFloorLevelTolerance;  // NaN: false
}

// Whether a dark run cuts the noise texture sharply: the two columns beyond it on each side are
// lit at least kBarEdgeShare x the background's share. A sweep's bar cuts through the noise,
// which goes on at full density up to its edges; a quiet gap in a sparse noise texture fades in
// and out with the noise's own blobs (measured: bars' neighbours 0.65-1.07 x the background,
// gaps' 0.05-0.39 x on our generator's sparse low-SNR strips, where 1-10 column gaps under the
// drawn baseline read as bars: stress sets lost 0.2-0.5 points).
constexpr double kBarEdgeShare = 0.6;

bool CutsTheNoiseSharply(const std::vector<int>& lit_per_column, int rows, const Run& run,
                         double background_lit) {
  const double needed = kBarEdgeShare * background_lit * rows;
  for (const int c : {run.first - 2, run.first - 1, run.last + 1, run.last + 2}) {
    if (c < 0 || c >= static_cast<int>(lit_per_column.size())) return false;
    if (lit_per_column[static_cast<size_t>(c)] < needed) return false;
  }
  return true;
}

// Whether the noise goes on up to both edges of a dark run: the mean lit share of the
// kFlankColumns columns beyond it on each side is at least kBarEdgeShare x the background's
// share. A mean, not each column (CutsTheNoiseSharply): a JPEG bar's edge column is half erased.
// Needs kFlankColumns columns each side.
bool NoiseUpToBothEdges(const std::vector<int>& lit_per_column, int rows, const Run& run,
                        double background_lit) {
  const auto cols = static_cast<int>(lit_per_column.size());
  if (run.first < kFlankColumns || run.last + kFlankColumns >= cols) return false;
  int before = 0, after = 0;
  for (int k = 1; k <= kFlankColumns; ++k) {
    before += lit_per_column[static_cast<size_t>(run.first - k)];
    after += lit_per_column[static_cast<size_t>(run.last + k)];
  }
  const double needed = kBarEdgeShare * background_lit * rows * kFlankColumns;
  return before >= needed && after >= needed;
}

// `kinds` with the data columns that are dark but for the drawn lines crossing them (each line's
// rows and one row either side: its anti-aliasing) made kBlank. A renderer may draw its baseline
// over the erase bar: a fourth independent renderer's 3-15 column black bars under the drawn
// baseline were data columns, so the previous sweep beyond them was read as the recording going
// on (its older squeeze and reflux measured instead of the current ones).
std::vector<ColumnKind> BlankAcrossLines(const cv::Mat1f& m, const std::vector<Run>& lines,
                                         std::vector<ColumnKind> kinds) {
  if (lines.empty()) return kinds;
  std::vector<uint8_t> line_row(static_cast<size_t>(m.rows), 0);
  for (const Run& line : lines) {
    for (int r = std::max(0, line.first - 1); r <= std::min(m.rows - 1, line.last + 1); ++r)
      line_row[static_cast<size_t>(r)] = 1;
  }
  const auto cols = static_cast<size_t>(m.cols);
  std::vector<int> above_max(cols, 0), above_dark(cols, 0);
  int rows_outside = 0;
  for (int r = 0; r < m.rows; ++r) {
    if (line_row[static_cast<size_t>(r)]) continue;
    ++rows_outside;
    const float* __restrict row = m.ptr<float>(r);
    for (size_t c = 0; c < cols; ++c) {
      above_max[c] |= row[c] > kDarkMax ? 1 : 0;
      above_dark[c] += row[c] > kDarkLevel ? 1 : 0;
    }
  }
  const double max_above_dark = (1 - kDarkShare) * rows_outside;
  for (size_t c = 0; c < cols; ++c) {
    if (kinds[c] == ColumnKind::kData && above_max[c] == 0 && above_dark[c] <= max_above_dark)
      kinds[c] = ColumnKind::kBlank;
  }
  return kinds;
}

// Whether flow starting abruptly after a dark run (AbruptEdge's second test) may make it an erase
// bar. Flow cut before the run is the bar's own mark (the sweep erases the newest data wherever
// it is), but flow may also start abruptly after a silence (a reflux after a valve gap on a
// display whose high reject hid the squeeze's fading tail). So that test applies only to a run
// that could be a bar: at most kMaxBarShare of the strip or kMaxBarColumns (the generated and
// independent sweeps' bars were 4-22 columns, 0.4-2.4% of their strips), and wider than the
// widest gap of a dashed baseline, whose gaps cross every silence (stop 25: a seventh independent
// renderer's 5- and 6-column dash gaps before a reflux, and a 68-column pause of 1520, read as
// bars; the reflux and all after it were masked).
bool FlowAfterCounts(const Run& run, int cols, int dash_gap) {
  const double widest = std::max<double>(kMaxBarColumns, kMaxBarShare * cols);
  return run.Width() <= widest && run.Width() > dash_gap;
}

// Erase bar and blank columns. A dark run is silence (valid) in a noise-free rendering
// unless the drawn baseline is interrupted there or bright spectrum ends abruptly beside it (at
// a strip edge: OutsideTheRecording); with a noise background when it erased the noise
// (ErasesTheNoise) or reaches an edge (no texture there: no data), or when uniform and
// non-black, it is an erase bar. The data right of the widest erase bar is the previous sweep:
// it is masked, so the kept columns (the current sweep) form one continuous time axis.
void MaskEmptyColumns(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds,
                      const std::vector<Run>& lines, const cv::Mat1b& overlays,
                      const cv::Mat1b& drawn, double baseline_row, StripMasks& out) {
  const std::vector<int> lit_per_column = LitPerColumn(m);
  const double background_lit = BackgroundLitShare(lit_per_column, m.rows, kinds);
  // A noise floor textures every column but an erase bar's: where most columns are empty (dark
  // or uniform), the lit data columns are flow on a flat floor (stop 23: a fifth independent
  // renderer's floor just above black and a fourth one's flat gray floor, most columns silent,
  // read as noise backgrounds whose silent edges held no data, and a squeeze's rise was masked).
  const auto empty = std::count_if(kinds.begin(), kinds.end(),
                                   [](ColumnKind k) { return k != ColumnKind::kData; });
  const bool noise_background =
      background_lit >= kNoiseBackgroundLitShare && 2 * empty < static_cast<long>(kinds.size());
  // On a noise background every column of data is textured, so a column dark but for a drawn
  // line erased the noise too (ErasesTheNoise decides); on a black floor such a column is the
  // silence the drawn baseline crosses, as before.
  std::vector<ColumnKind> across_lines;  // only on a noise background
  if (noise_background) across_lines = BlankAcrossLines(m, lines, kinds);
  const std::vector<ColumnKind>& run_kinds = noise_background ? across_lines : kinds;
  const int cols = m.cols;
  std::vector<DashStretches> stretches;
  for (const Run& line : lines) stretches.push_back(Stretches(m, line));
  const int dash_gap = DashGapColumns(m, lines, stretches, baseline_row);
  std::optional<double> floor_cache;  // FloorLevel, measured when a uniform run first asks
  const auto floor_level = [&] {
    if (!floor_cache) floor_cache = FloorLevel(m);
    return *floor_cache;
  };
  Run bar, right_bar;  // the widest candidates outside and in the right edge zone (InRightZone)
  for (const Run& run : EmptyRuns(run_kinds)) {
    const bool interior = run.first > 0 && run.last < cols - 1;
    const bool edge_no_data =
        !interior &&
        (noise_background || OutsideTheRecording(m, run, lines, overlays, baseline_row));
    // A run with columns crossed by a drawn line is a bar only where it cuts the noise sharply.
    const auto first = static_cast<long>(run.first), end = static_cast<long>(run.last) + 1;
    const bool across_line =
        !std::equal(run_kinds.begin() + first, run_kinds.begin() + end, kinds.begin() + first);
    if (across_line && !CutsTheNoiseSharply(lit_per_column, m.rows, run, background_lit)) continue;
    // A uniform run is a painted bar, unless the drawn baseline runs through it: a bar erases
    // the line with everything else (a tinted floor's silence, the pause before a squeeze, can
    // be uniform but for that line: stop 21, a third renderer's amber and violet maps).
    // Uniform over most of its columns: a trickle of flow in the first column (a squeeze's last
    // few bright rows on a floor just above black) makes that column uniform, not the silence.
    const auto uniform =
        std::count(run_kinds.begin() + first, run_kinds.begin() + end, ColumnKind::kUniform);
    const bool mostly_uniform = interior && 2 * uniform > run.Width();
    const double uniform_level =
        mostly_uniform ? ColumnsLevel(m, run.first, run.last, &run_kinds, ColumnKind::kUniform)
                       : NAN;
    const bool painted = mostly_uniform && (OffTheFloor(uniform_level, floor_level()) ||
                                            (!BaselineDrawnThrough(m, lines, run, baseline_row) &&
                                             !ReversesAcross(m, run, overlays, baseline_row)));
    const bool erased_noise =
        noise_background && ErasesTheNoise(lit_per_column, m.rows, run, background_lit);
    bool erase = edge_no_data || painted || erased_noise ||
                 AbruptEdge(m, run, overlays, baseline_row, FlowAfterCounts(run, cols, dash_gap));
    for (size_t i = 0; i < lines.size(); ++i) {
      erase = erase || (interior && AtBaseline(lines[i], baseline_row) && !Dashed(stretches[i]) &&
                        LineCutAt(m, lines[i], run));
    }
    if (!erase) continue;
    for (int c = run.first; c <= run.last; ++c) out.column_valid[static_cast<size_t>(c)] = 0;
    if (IsBarCandidate(m, run, overlays, baseline_row)) {
      if (run.Width() > bar.Width()) bar = run;
    } else if (InRightZone(m, run) &&
               ((erased_noise && NoiseUpToBothEdges(lit_per_column, m.rows, run, background_lit)) ||
                (painted && PaintedApart(m, run, uniform_level)))) {
      if (run.Width() > right_bar.Width()) right_bar = run;
    }
  }
  if (bar.Width() <= 0) bar = right_bar;
  // Without a bar, a drawn sweep cursor (SweepCursor) marks the previous sweep, the cursor
  // included. With one, the cursor still marks the write position: a bar elsewhere (not within
  // kCursorBarColumns of it) is a silence read as one, so the cursor decides (stop 25: a seventh
  // independent renderer's reflux ending abruptly before a 334-column pause read as flow cut by a
  // bar 450 columns left of the cursor, and the second maneuver was masked as the previous sweep).
  const std::optional<Run> cursor = SweepCursor(m, overlays, drawn);
  const bool cursor_decides =
      bar.Width() <= 0 || (cursor && (cursor->last + kCursorBarColumns < bar.first ||
                                      cursor->first > bar.last + kCursorBarColumns));
  if (cursor_decides) {
    if (!cursor) return;
    for (int c = bar.first; c <= bar.last; ++c) out.column_valid[static_cast<size_t>(c)] = 1;
    MaskPreviousSweep("sweep cursor line", *cursor, cursor->first, cols, out);
    return;
  }
  // A sweep writes left to right and erases ahead of itself: right of the bar is the previous
  // sweep (stale), left of it the current one.
  MaskPreviousSweep("erase bar", bar, bar.last + 1, cols, out);
}

// Median over the strip's columns of the pixels above the lit level that are neither marks nor
// line rows: the texture of this strip's noise background. A label margin is blank beside its
// marks; a spectrum column with a few speckle "marks" is not.
REFLUXSCAN_AVX2_CLONES double MedianLitPixels(const cv::Mat1f& m, const cv::Mat1b& text,
                                              const std::vector<uint8_t>& line_row,
                                              const std::vector<uint8_t>& valid, int zone) {
  std::vector<int> lit(static_cast<size_t>(m.cols), 0);
  for (int r = 0; r < m.rows; ++r) {
    if (line_row[static_cast<size_t>(r)]) continue;
    const float* __restrict row = m.ptr<float>(r);
    int* __restrict count = lit.data();
    // All lit pixels (a float -> int count that vectorizes), then the few marked ones taken off
    // again: the same count as testing the mark at every pixel.
    for (int c = 0, cols = m.cols; c < cols; ++c) count[c] += row[c] > 0.1f ? 1 : 0;
    ForEachNonZero(text.ptr<uchar>(r), m.cols, [&](int c) { count[c] -= row[c] > 0.1f ? 1 : 0; });
  }
  // Only the valid columns between the edge zones: labels, blank and erased columns are not
  // the texture a margin is compared with.
  std::vector<int> inner;
  for (int c = zone; c < m.cols - zone; ++c) {
    if (valid[static_cast<size_t>(c)]) inner.push_back(lit[static_cast<size_t>(c)]);
  }
  if (inner.empty()) return 0.0;
  std::nth_element(inner.begin(), inner.begin() + static_cast<long>(inner.size() / 2), inner.end());
  return inner[inner.size() / 2];
}

// The rows of the drawn horizontal lines, +-1 for the overlay dilation (1 = line row).
std::vector<uint8_t> LineRows(const std::vector<Run>& lines, int rows) {
  std::vector<uint8_t> line_row(static_cast<size_t>(rows), 0);
  for (const Run& line : lines) {
    for (int r = std::max(0, line.first - 1); r <= std::min(rows - 1, line.last + 1); ++r) {
      line_row[static_cast<size_t>(r)] = 1;
    }
  }
  return line_row;
}

// Scale ticks and labels: contiguous columns from each edge (within the edge zone) that hold
// text/tick marks or nothing, before the first column with spectral content. The drawn
// horizontal lines (baseline) cross every column: their rows (+-1 for the overlay dilation) are
// not marks, or every quiet column near an edge would pass for a label column.
void MaskScaleEdges(const cv::Mat1f& m, const cv::Mat1b& text, const std::vector<uint8_t>& line_row,
                    StripMasks& out) {
  const int zone = std::max(1, static_cast<int>(kEdgeZoneShare * m.cols));
  const double background_lit = MedianLitPixels(m, text, line_row, out.column_valid, zone);
  for (int side = 0; side < 2; ++side) {
    int masked_to = -1;
    for (int k = 0; k < zone; ++k) {
      const int c = side == 0 ? k : m.cols - 1 - k;
      int marks = 0, lit = 0;  // direct reads: a column view makes OpenCV iterate row by row
      for (int r = 0; r < m.rows; ++r) {
        if (line_row[static_cast<size_t>(r)]) continue;
        const bool mark = text(r, c) != 0;
        marks += mark ? 1 : 0;
        lit += !mark && m(r, c) > 0.1f ? 1 : 0;
      }
      if (marks == 0 && out.column_valid[static_cast<size_t>(c)]) break;
      if (lit > m.rows / 5 || lit > std::max(kMinMarginLit, kMarginLitShare * background_lit)) {
        break;
      }
      masked_to = k;
    }
    for (int k = 0; k <= masked_to; ++k) {
      out.column_valid[static_cast<size_t>(side == 0 ? k : m.cols - 1 - k)] = 0;
    }
    if (masked_to >= 0) {
      out.notes.push_back(std::string(side == 0 ? "left" : "right") + " edge: " +
                          std::to_string(masked_to + 1) + " columns of scale/labels masked");
    }
  }
}

struct TextureScratch {
  std::vector<float> col, sorted;
  std::vector<uchar> excluded;
};

// Texture of one column: the share of its pixels that differ from the column's median by more
// than kFaintStep, among those that are not drawn line rows (+-1) or `excluded` (TextureExclusion);
// infinite (display) when fewer than kMinEligibleShare of the rows are left: bright flow filling
// most of a column at the display's edge is no margin.
// A display's noise floor, however dim, differs from its median in many rows (measured on
// generated strips: a black floor with faint speckle 10-30% of the rows, a grey floor most of
// them); a panel margin beside the display (uniform, with ticks and labels) in almost none.
// `col` and `excluded`: the column's pixels and exclusion flags, top to bottom.
double TextureOf(const float* col, const uchar* excluded, const std::vector<uint8_t>& line_row,
                 int rows, std::vector<float>& sorted) {
  sorted.assign(col, col + rows);
  const float median = MedianInPlace(sorted);
  int textured = 0, eligible = 0;
  for (int r = 0; r < rows; ++r) {
    const auto i = static_cast<size_t>(r);
    const bool counted = excluded[i] == 0 && !line_row[i];
    eligible += counted ? 1 : 0;
    textured += counted && std::abs(col[i] - median) > kFaintStep ? 1 : 0;
  }
  if (eligible < kMinEligibleShare * rows) return std::numeric_limits<double>::infinity();
  return static_cast<double>(textured) / eligible;
}

// TextureOf column c of `m`.
double ColumnTexture(const cv::Mat1f& m, const cv::Mat1b& excluded,
                     const std::vector<uint8_t>& line_row, int c, TextureScratch& scratch) {
  scratch.col.resize(static_cast<size_t>(m.rows));
  scratch.excluded.resize(static_cast<size_t>(m.rows));
  for (int r = 0; r < m.rows; ++r) {
    scratch.col[static_cast<size_t>(r)] = m(r, c);
    scratch.excluded[static_cast<size_t>(r)] = excluded(r, c);
  }
  return TextureOf(scratch.col.data(), scratch.excluded.data(), line_row, m.rows, scratch.sorted);
}

// Marks and strokes at or above kMarkLevel (ticks, labels, bright flow) with kMarkHalo pixels
// around them: JPEG rings within the 8x8 blocks they touch, which put 10-30 "textured" rows into
// the margin columns beside a bright reflux band or green labels (held-out stress clip; with the
// halo 0-3, the display's edge columns 20-30).
cv::Mat1b TextureExclusion(const cv::Mat1f& m, const cv::Mat1b& marks) {
  cv::Mat1b excluded = (m >= kMarkLevel) | marks;
  const int size = 2 * kMarkHalo + 1;
  cv::dilate(excluded, excluded, cv::getStructuringElement(cv::MORPH_RECT, {size, size}));
  return excluded;
}

// A panel margin inside the region beside the display (the region drawn wider than the sweep: its
// ticks and labels, PS3.3 allows any region extent): edge columns, within the edge zone, whose
// texture is below kMarginTextureShare of the interior's 25th percentile (ColumnTexture), walking
// inward over already masked columns to the first textured one. Masked, they end the time axis
// where the display ends, so a reflux reaching it is read as truncated (unmasked, the margin's
// columns read as silence: the reflux "ended" there). Only when the display has a visible noise
// floor (the interior's 25th percentile at least kMinFloorTexture rows' worth and
// kMinFloorShare): on a noise-free rendering a quiet display column is as flat as a margin.
void MaskUntexturedEdges(const cv::Mat1f& m, const cv::Mat1b& marks,
                         const std::vector<uint8_t>& line_row, StripMasks& out) {
  const int zone = std::max(1, static_cast<int>(kEdgeZoneShare * m.cols));
  const cv::Mat1b excluded = TextureExclusion(m, marks);
  TextureScratch scratch;
  // The interior's sampled columns gathered in one row-major pass (a column read walks a whole
  // row apart per pixel: a cache miss each), then measured in the same order as before.
  std::vector<int> sampled;
  for (int c = zone; c < m.cols - zone; c += kInteriorSampleStep) {
    if (out.column_valid[static_cast<size_t>(c)]) sampled.push_back(c);
  }
  const auto rows = static_cast<size_t>(m.rows);
  std::vector<float> pixels(sampled.size() * rows);  // sample j: [j * rows, (j + 1) * rows)
  std::vector<uchar> flags(sampled.size() * rows);
  for (int r = 0; r < m.rows; ++r) {
    const float* row = m.ptr<float>(r);
    const uchar* excluded_row = excluded.ptr<uchar>(r);
    for (size_t j = 0, at = static_cast<size_t>(r); j < sampled.size(); ++j, at += rows) {
      pixels[at] = row[sampled[j]];
      flags[at] = excluded_row[sampled[j]];
    }
  }
  std::vector<double> interior;
  for (size_t j = 0; j < sampled.size(); ++j) {
    const double texture = TextureOf(pixels.data() + j * rows, flags.data() + j * rows, line_row,
                                     m.rows, scratch.sorted);
    if (std::isfinite(texture)) interior.push_back(texture);
  }
  if (interior.empty()) return;
  const auto q = static_cast<long>(interior.size() / 4);
  std::nth_element(interior.begin(), interior.begin() + q, interior.end());
  const double floor_texture = interior[static_cast<size_t>(q)];
  if (floor_texture < std::max(kMinFloorTexture / m.rows, kMinFloorShare)) return;
  for (int side = 0; side < 2; ++side) {
    int masked = 0;
    for (int k = 0; k < zone; ++k) {
      const auto c = static_cast<size_t>(side == 0 ? k : m.cols - 1 - k);
      if (out.column_valid[c]) {
        const double texture = ColumnTexture(m, excluded, line_row, static_cast<int>(c), scratch);
        if (texture >= kMarginTextureShare * floor_texture) break;
        out.column_valid[c] = 0;
        ++masked;
      }
    }
    if (masked > 0) {
      out.notes.push_back(std::string(side == 0 ? "left" : "right") +
                          " edge: " + std::to_string(masked) +
                          " columns without the display's noise texture masked (panel margin)");
    }
  }
}

// The marks that can be scale labels and ticks: components of `marks` no wider than the edge zone.
// An ECG or auto-trace drawn across the strip puts a mark in every column; counted as a label it
// made every quiet column near an edge pass for a label column, and the edge scan masked the
// whole edge zone (12% of the strip each side; measured: 109 and 112 columns of a 937-column
// strip, the start of the augmentation among them, and the polarity then read from the reflux).
// Component widths are taken from the labels directly: connectedComponentsWithStats computes
// every statistic for every pixel (4x the labelling's cost, ~3% of a whole run), and a strip
// without marks (most of them) needs no labelling at all; the sparse labelling (LabelComponents)
// visits only the marks.
cv::Mat1b LabelMarks(const cv::Mat1b& marks) {
  if (cv::countNonZero(marks) == 0) return marks;
  thread_local cv::Mat1i store;  // kept across strips (see ReuseBuffer)
  cv::Mat1i labels = ReuseBuffer(store, marks.rows, marks.cols);
  const int n = LabelComponents(marks, labels);  // labels only at the marked pixels
  std::vector<int> first(static_cast<size_t>(n), marks.cols), last(static_cast<size_t>(n), -1);
  for (int r = 0; r < marks.rows; ++r) {  // labelled pixels (l != 0) are the marked ones
    const int* l = labels.ptr<int>(r);
    ForEachNonZero(marks.ptr<uchar>(r), marks.cols, [&](int c) {
      const auto k = static_cast<size_t>(l[c]);
      first[k] = std::min(first[k], c);
      last[k] = std::max(last[k], c);
    });
  }
  const int zone = std::max(1, static_cast<int>(kEdgeZoneShare * marks.cols));
  std::vector<uchar> keep(static_cast<size_t>(n), 0);
  bool any_wide = false;
  for (size_t l = 1; l < keep.size(); ++l) {
    const bool wide = last[l] - first[l] + 1 > zone;
    keep[l] = wide ? 0 : 255;
    any_wide = any_wide || wide;
  }
  if (!any_wide) return marks;
  cv::Mat1b out(marks.size(), uchar{0});  // background: label 0, never kept
  for (int r = 0; r < marks.rows; ++r) {
    const int* l = labels.ptr<int>(r);
    uchar* o = out.ptr<uchar>(r);
    ForEachNonZero(marks.ptr<uchar>(r), marks.cols,
                   [&](int c) { o[c] = keep[static_cast<size_t>(l[c])]; });
  }
  return out;
}

// Whether a line run is lit in every dark column kept as data (a silence): a drawn line is drawn
// through silences, a sliver of slow flow beside the baseline that only looks like one is not.
bool DrawnThroughSilences(const cv::Mat1f& m, const Run& line, const std::vector<ColumnKind>& kinds,
                          const std::vector<uint8_t>& column_valid) {
  for (int c = 0; c < m.cols; ++c) {
    const auto k = static_cast<size_t>(c);
    if (kinds[k] != ColumnKind::kData && column_valid[k] != 0 && !LineLitAt(m, line, c)) {
      return false;
    }
  }
  return true;
}

// Whether a pixel of level v is a 1-px-tall bright feature between vertical neighbours `above`
// and `below`: at kLineMinLevel or more with both neighbours below half its level. Only that
// thin: a dot blurred by JPEG into its neighbours, or a narrow band of steady flow (a blunt
// profile), is kept (masking 3-row features made a no-reflux clip read a 500 ms reflux; measured
// on 15 sets). Branch-free (an int 0/1), so that the row loops below vectorize.
int DotPixel(float above, float v, float below) {
  return static_cast<int>(v >= kLineMinLevel) & static_cast<int>(above < 0.5f * v) &
         static_cast<int>(below < 0.5f * v);
}

// Dotted drawn lines: rows where 1-px-tall bright features (DotPixel) recur over
// kDottedLineShare of the data columns. Spectrum is a band along the velocity axis, several rows
// tall; a grid drawn as dots every few columns is neither a line (LineRuns: lit over most
// columns) nor spectrum, and its dots read as flow spikes at the grid's velocities (a 16 cm/s
// squeeze lost among spikes at 10 and 20 cm/s). Only the thin pixels of such rows are masked.
// Rows 0 and rows - 1 have no two neighbours: never dots.
REFLUXSCAN_AVX2_CLONES void MaskDottedLines(const cv::Mat1f& m,
                                            const std::vector<ColumnKind>& kinds, StripMasks& out) {
  const auto cols = static_cast<size_t>(m.cols);
  thread_local std::vector<uint8_t> is_data;  // 1 = a data column (the share is of them)
  is_data.resize(cols);
  int data_columns = 0;
  for (size_t c = 0; c < cols; ++c) {
    is_data[c] = kinds[c] == ColumnKind::kData ? 1 : 0;
    data_columns += is_data[c];
  }
  const double needed = kDottedLineShare * data_columns;
  const uint8_t* __restrict data = is_data.data();
  for (int r = 1; r + 1 < m.rows; ++r) {
    const float* __restrict above = m.ptr<float>(r - 1);
    const float* __restrict row = m.ptr<float>(r);
    const float* __restrict below = m.ptr<float>(r + 1);
    int thin = 0;
    for (size_t c = 0; c < cols; ++c) thin += data[c] & DotPixel(above[c], row[c], below[c]);
    if (thin < needed || thin == 0) continue;
    uchar* valid = out.valid.ptr<uchar>(r);
    for (size_t c = 0; c < cols; ++c) {
      if (DotPixel(above[c], row[c], below[c])) valid[c] = 0;
    }
  }
}

// The drawn baseline checked against the calibration: the line nearest the calibrated zero row
// (within 15 rows) more than 2 rows from it is a warning with the measured offset.
void CheckBaseline(const cv::Mat1f& m, const std::vector<ColumnKind>& kinds,
                   const std::vector<Run>& lines, double expected_row, StripMasks& out) {
  const Run* nearest = nullptr;
  for (const Run& line : lines) {
    if (!DrawnThroughSilences(m, line, kinds, out.column_valid)) continue;
    const double centre = 0.5 * (line.first + line.last);
    if (std::abs(centre - expected_row) <= 15 &&
        (!nearest || std::abs(centre - expected_row) <
                         std::abs(0.5 * (nearest->first + nearest->last) - expected_row))) {
      nearest = &line;
    }
  }
  if (!nearest) return;
  out.drawn_baseline_row = 0.5 * (nearest->first + nearest->last);
  const double offset = *out.drawn_baseline_row - expected_row;
  if (std::abs(offset) > 2.0) {
    out.warnings.push_back("drawn baseline " + std::to_string(std::lround(std::abs(offset))) +
                           " rows " + (offset > 0 ? "below" : "above") +
                           " the calibrated zero row (ReferencePixelY0)");
  }
}

}  // namespace

StripMasks DetectMasks(const IntensityMap& map, double expected_baseline_row, bool mask_overlays) {
  const cv::Mat1f& m = map.intensity;
  StripMasks out;
  out.valid = cv::Mat1b(m.size(), uchar{255});
  out.column_valid.assign(static_cast<size_t>(m.cols), 1);
  const std::vector<ColumnKind> kinds = ClassifyColumns(m);
  const std::vector<Run> lines = LineRuns(m, kinds);
  cv::Mat1b overlay, text;  // off-ramp colour and text: not spectrum (empty: not masked)
  cv::Mat1b drawn;          // off-ramp colour as drawn (not dilated)
  if (mask_overlays) {
    drawn = map.off_ramp > kOffRampRgb;
    cv::dilate(drawn, overlay, cv::Mat());
    text = TextMask(m, expected_baseline_row);
  }
  cv::Mat1b not_spectrum;  // overlays with their anti-aliased fringe (one pixel more)
  if (mask_overlays) cv::dilate(text | overlay, not_spectrum, cv::Mat());
  MaskEmptyColumns(m, kinds, lines, not_spectrum, drawn, expected_baseline_row, out);
  CheckBaseline(m, kinds, lines, expected_baseline_row, out);
  if (mask_overlays) {
    for (const Run& line : lines) out.valid.rowRange(line.first, line.last + 1).setTo(0);
    MaskDottedLines(m, kinds, out);
    out.valid.setTo(0, text);
    out.valid.setTo(0, overlay);
    const cv::Mat1b marks = LabelMarks((text == kWhiteText) | overlay);
    const std::vector<uint8_t> line_row = LineRows(lines, m.rows);
    MaskScaleEdges(m, marks, line_row, out);
    MaskUntexturedEdges(m, marks, line_row, out);
  }
  // Invalid columns cleared row by row (a setTo per column view walks it one row at a time).
  if (std::find(out.column_valid.begin(), out.column_valid.end(), 0) != out.column_valid.end()) {
    const uint8_t* __restrict keep = out.column_valid.data();
    for (int r = 0; r < m.rows; ++r) {
      uchar* __restrict row = out.valid.ptr<uchar>(r);
      for (int c = 0, cols = m.cols; c < cols; ++c) row[c] = keep[c] ? row[c] : 0;
    }
  }
  return out;
}

}  // namespace refluxscan::spectral::detail
