// Display intensity of a rendered strip: gray maps directly, tinted maps through their colour
// ramp estimated from the strip's own pixels (display_ramp.cpp), and which of the two a strip is
// (docs/algorithms.md, "Display path": Intensity).
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

#include "refluxscan/spectral/strip.h"
#include "spectral/display_ramp_internal.h"
#include "spectral/strip_internal.h"

namespace refluxscan::spectral::detail {
namespace {

constexpr int kNearGraySpread = 12;          // max-min channel spread of a gray pixel after JPEG
constexpr double kGrayMapFraction = 0.9;     // this share of near-gray lit pixels = a gray map
constexpr double kMaxLineLitShare = 0.02;    // a lone line lights under 2% of the strip
constexpr int kMaxLineRows = 4;              // lit pixels per column of a 1-2 px line
constexpr double kLineColumnShare = 0.9;     // share of lit columns that thin for a line
constexpr int kLineBaselineRows = 4;         // a line mostly this close to the baseline is flow
constexpr int kOverlayStrokeTopHat = 50;     // luma over its 5x5 opening: a thin drawn stroke
constexpr double kOverlayStrokeShare = 0.5;  // of the coloured lit pixels: they are overlays
constexpr int kLightFloorLuma = 170;         // a strip's median luma this high: a light floor

// g / 255 correctly rounded to float, for every 8-bit level (the exact gray contract).
float GrayLevel(int g) { return static_cast<float>(g / 255.0); }

// A BGR pixel's colour as one number (B << 16 | G << 8 | R): ColourKey reads its 3 bytes,
// ColourKeyReadingOn one 4-byte word (the caller guarantees a 4th readable byte: another pixel
// of the row follows); both give the same key.
uint32_t ColourKey(const uchar* p) { return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2]; }
uint32_t ColourKeyReadingOn(const uchar* p) {
  uint32_t word = 0;
  std::memcpy(&word, p, sizeof word);
  if constexpr (std::endian::native == std::endian::little) word = std::byteswap(word);
  return word >> 8;
}

// Finds a colour's position in StripColours::keys, adding it when new: open addressing with
// linear probing, the table kept at most half full.
class ColourPositions {
 public:
  void Reset() {
    slots_.assign(size_t{1} << kInitialBits, Slot{});
    mask_ = slots_.size() - 1;
  }
  uint32_t Find(uint32_t key, StripColours& colours) {
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return slots_[i].position;
      if (slots_[i].key != kEmpty) continue;
      const auto position = static_cast<uint32_t>(colours.keys.size());
      slots_[i] = {key, position};
      colours.keys.push_back(key);
      colours.pixels.push_back(0);
      if (2 * colours.keys.size() > slots_.size()) Grow(colours);
      return position;
    }
  }
  // Find, and one more pixel of that colour.
  uint32_t Count(uint32_t key, StripColours& colours) {
    const uint32_t position = Find(key, colours);
    ++colours.pixels[position];
    return position;
  }

 private:
  static constexpr int kInitialBits = 15;
  static constexpr uint32_t kEmpty = 0xffffffffu;  // not a 24-bit colour
  struct Slot {
    uint32_t key = kEmpty, position = 0;
  };
  size_t Home(uint32_t key) const {
    return static_cast<size_t>((key * 2654435761u) >> 8) & mask_;  // 24 bits: tables up to 2^24
  }
  void Grow(const StripColours& colours) {
    slots_.assign(2 * slots_.size(), Slot{});
    mask_ = slots_.size() - 1;
    for (size_t p = 0; p < colours.keys.size(); ++p) {
      size_t i = Home(colours.keys[p]);
      while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
      slots_[i] = {colours.keys[p], static_cast<uint32_t>(p)};
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

// Fills `out` from the strip. Every pixel is looked up, with no test for a run of one colour: on
// a JPEG-tinted strip 2 in 3 pixels start a new run, so that test mispredicted about as often as
// not, while a lookup finds its colour in the home slot almost always (a well-predicted branch).
// The same keys in the same order of first appearance, the same positions and (integer) counts.
void CollectColours(const cv::Mat3b& strip, StripColours& out) {
  thread_local ColourPositions positions_store;
  ColourPositions& positions = positions_store;  // one thread-local lookup
  positions.Reset();
  out.keys.clear();
  out.pixels.clear();
  out.index.resize(strip.total());
  const int cols = strip.cols;
  for (int r = 0; r < strip.rows && cols > 0; ++r) {
    const uchar* row = strip.ptr<uchar>(r);
    uint32_t* __restrict index = out.index.data() + static_cast<size_t>(r) * cols;
    int c = 0;
    for (; c + 1 < cols; ++c) index[c] = positions.Count(ColourKeyReadingOn(row + 3 * c), out);
    index[c] = positions.Count(ColourKey(row + 3 * c), out);
  }
}

}  // namespace

// What a tinted map keeps for a map of a part of its strip (TintedRowsOf).
struct TintedColours {
  cv::Mat3b strip;             // a view of the pixels the map was made from
  std::vector<uint32_t> keys;  // StripColours::keys and ::pixels
  std::vector<int> pixels;
  std::vector<Rgb> ramp;  // FitRamp's answer
  size_t floor_point = 0;
  bool traced = false;                             // the ramp is TraceRamp's
  std::vector<std::pair<float, float>> projected;  // each key's projection on `ramp`
};

namespace {

IntensityMap TintedMap(const cv::Mat3b& strip) {
  thread_local StripColours colours_store;
  StripColours& colours = colours_store;  // one thread-local lookup
  CollectColours(strip, colours);
  // ProjectOnRamp is a pure function of the colour: each distinct colour is projected once.
  thread_local std::vector<std::pair<float, float>> projected_store;
  auto& projected = projected_store;
  RampFit fit = FitRamp(colours, strip.total(), projected);
  auto kept = std::make_shared<TintedColours>(TintedColours{strip, colours.keys, colours.pixels,
                                                            std::move(fit.ramp), fit.floor_point,
                                                            fit.traced, projected});
  IntensityMap out{cv::Mat1f(strip.size()), cv::Mat1f(strip.size()), true, std::move(kept)};
  // Each pixel's projection from its colour's position: one 8-byte load of the (intensity,
  // off-ramp) pair per pixel (half the time of two AVX2 gathers from split arrays on the
  // measured AMD CPU, whose gathers are slow).
  for (int r = 0, cols = strip.cols; r < strip.rows; ++r) {
    const uint32_t* __restrict at = colours.index.data() + static_cast<size_t>(r) * cols;
    const std::pair<float, float>* __restrict of = projected.data();
    float* __restrict intensity = out.intensity.ptr<float>(r);
    float* __restrict off_ramp = out.off_ramp.ptr<float>(r);
    for (int c = 0; c < cols; ++c) {
      const std::pair<float, float> p = of[at[c]];
      intensity[c] = p.first;
      off_ramp[c] = p.second;
    }
  }
  return out;
}

// Whether two ramps are the same bits (a ramp point of -0 and one of +0 are not).
bool SameRamp(const std::vector<Rgb>& a, const std::vector<Rgb>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(Rgb)) == 0;
}

// The tinted map of `strip`, rows [first_row, first_row + strip.rows) of the tinted strip behind
// `outer`, as those rows of `outer`'s map when its ramp is the same: the ramp is estimated from
// the outer strip's colour counts less those of its rows outside `strip` (the counts `strip`
// itself has), and each pixel's value is a function of its colour and the ramp. nullopt when
// the ramps differ (or `outer` kept no colours).
std::optional<IntensityMap> TintedRowsOf(const cv::Mat3b& strip, const GrayRowsSource& outer) {
  if (!outer.map || !outer.map->tinted || !outer.map->colours) return std::nullopt;
  const TintedColours& kept = *outer.map->colours;
  const int first = outer.first_row, end = outer.first_row + strip.rows;
  if (kept.strip.cols != strip.cols || first < 0 || end > kept.strip.rows) return std::nullopt;
  StripColours counts;
  ColourPositions positions;
  positions.Reset();
  for (const uint32_t key : kept.keys) positions.Find(key, counts);  // positions 0, 1, ...
  counts.pixels = kept.pixels;
  auto take_off_rows = [&](int from, int to) {
    for (int r = from; r < to; ++r) {
      const uchar* row = kept.strip.ptr<uchar>(r);
      for (int c = 0; c < kept.strip.cols; ++c) {
        --counts.pixels[positions.Find(ColourKey(row + 3 * c), counts)];
      }
    }
  };
  take_off_rows(0, first);
  take_off_rows(end, kept.strip.rows);
  // FitRamp's answer for these counts, without projecting every colour again where it can be
  // told from the kept map: the same luma ramp leaving under kMinOffShareToTrace of these lit
  // pixels off it (the kept projections are this ramp's) is the answer, the kept map's.
  size_t luma_floor = 0;
  const std::vector<Rgb> luma = EstimateRamp(counts, strip.total(), luma_floor);
  const bool same_luma =
      !kept.traced && luma_floor == kept.floor_point && SameRamp(luma, kept.ramp);
  if (!kept.traced && !same_luma) return std::nullopt;  // the fit is luma or traced: not kept's
  if (!same_luma || OffRampShare(counts, kept.projected) >= kMinOffShareToTrace) {
    std::vector<std::pair<float, float>> projected;
    const RampFit fit = FitRamp(counts, strip.total(), projected);
    if (fit.floor_point != kept.floor_point || !SameRamp(fit.ramp, kept.ramp)) return std::nullopt;
  }
  const cv::Range rows(first, end);
  return IntensityMap{outer.map->intensity.rowRange(rows).clone(),
                      outer.map->off_ramp.rowRange(rows).clone(), true};
}

// Intensity of a pixel whose channels sum to `sum`: their mean / 255 (exactly g / 255 for gray).
const std::array<float, 766>& IntensityOfChannelSum() {
  static const std::array<float, 766> lut = [] {
    std::array<float, 766> t{};
    for (size_t sum = 0; sum < t.size(); ++sum)
      t[sum] = static_cast<float>(static_cast<double>(sum) / 3.0 / 255.0);
    return t;
  }();
  return lut;
}

// Gray map, possibly with coloured overlays: mean of the channels (exactly gray/255 for gray
// pixels); off-ramp = distance from the gray diagonal (0 for gray pixels).
void GrayPixel(const uchar* p, const std::array<float, 766>& level, float& intensity,
               float& off_ramp) {
  const int sum = p[0] + p[1] + p[2];
  intensity = level[static_cast<size_t>(sum)];
  if (p[0] == p[1] && p[1] == p[2]) {
    off_ramp = 0.0f;
    return;
  }
  const double mean = sum / 3.0;
  const double d0 = p[0] - mean, d1 = p[1] - mean, d2 = p[2] - mean;
  off_ramp = static_cast<float>(std::sqrt(d0 * d0 + d1 * d1 + d2 * d2));
}

#if defined(__x86_64__) && defined(__GNUC__)
// Channel `ch` (0 B, 1 G, 2 R) of 16 BGR pixels per 128-bit lane, from the lanes' 48 bytes held
// in t[0..2] (bytes 0-15, 16-31, 32-47 of each lane's pixels): a byte shuffle of each part
// (0x80: none) and their union.
[[gnu::target("avx2")]] inline __m256i Channel(const __m256i (&t)[3], int ch) {
  alignas(32) int8_t index[3][32];
  for (int j = 0; j < 3; ++j) {
    for (int k = 0; k < 16; ++k) {
      const int at = 3 * k + ch - 16 * j;
      index[j][k] = index[j][k + 16] = static_cast<int8_t>(at >= 0 && at < 16 ? at : -128);
    }
  }
  __m256i out = _mm256_setzero_si256();
  for (int j = 0; j < 3; ++j) {
    const __m256i m = _mm256_load_si256(reinterpret_cast<const __m256i*>(index[j]));
    out = _mm256_or_si256(out, _mm256_shuffle_epi8(t[j], m));
  }
  return out;
}

// 32 BGR pixels from `p` split into their channels (lane 0: pixels 0-15, lane 1: 16-31).
struct Bgr32 {
  __m256i b, g, r;
};
[[gnu::target("avx2")]] inline Bgr32 LoadBgr32(const uchar* p) {
  __m256i t[3];
  for (int j = 0; j < 3; ++j) {
    t[j] = _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(p + 48 + 16 * j),
                               reinterpret_cast<const __m128i*>(p + 16 * j));
  }
  return {Channel(t, 0), Channel(t, 1), Channel(t, 2)};
}

// Which of 32 BGR pixels are lit (brightest channel >= kMinLitLevel) and which are near gray
// (channel spread <= kNearGraySpread), as byte masks.
struct LitNearGray32 {
  __m256i lit, near_gray;
};
[[gnu::target("avx2")]] inline LitNearGray32 LitAndNearGray32(const uchar* p) {
  const auto [b, g, rd] = LoadBgr32(p);
  const __m256i lit_level = _mm256_set1_epi8(static_cast<char>(kMinLitLevel));
  const __m256i gray_spread = _mm256_set1_epi8(static_cast<char>(kNearGraySpread));
  const __m256i hi = _mm256_max_epu8(b, _mm256_max_epu8(g, rd));
  const __m256i lo = _mm256_min_epu8(b, _mm256_min_epu8(g, rd));
  const __m256i spread = _mm256_sub_epi8(hi, lo);                 // no wrap
  return {_mm256_cmpeq_epi8(_mm256_max_epu8(hi, lit_level), hi),  // hi >= level
          _mm256_cmpeq_epi8(_mm256_min_epu8(spread, gray_spread), spread)};
}

// GrayMapRow's first pixels, 32 at a time (AVX2; channels split as in CountLitRowAvx2): a half
// of 16 gray pixels gets float(g) / 255.0f (the same conversion and division) and off-ramp 0,
// any other half goes pixel by pixel. Returns how many pixels it mapped.
[[gnu::target("avx2")]] int GrayMapRowAvx2(const uchar* px, int cols,
                                           const std::array<float, 766>& level, float* intensity,
                                           float* off_ramp) {
  const __m256 scale = _mm256_set1_ps(255.0f);
  int c = 0;
  for (; c + 32 <= cols; c += 32) {
    const uchar* p = px + 3 * c;
    const auto [b, g, rd] = LoadBgr32(p);
    const auto gray = static_cast<unsigned>(
        _mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(b, g), _mm256_cmpeq_epi8(g, rd))));
    const __m128i halves[2] = {_mm256_castsi256_si128(g), _mm256_extracti128_si256(g, 1)};
    for (int h = 0; h < 2; ++h) {
      const int at = c + 16 * h;
      if (((gray >> (16 * h)) & 0xffffu) != 0xffffu) {
        for (int k = at; k < at + 16; ++k) GrayPixel(px + 3 * k, level, intensity[k], off_ramp[k]);
        continue;
      }
      const __m128i parts[2] = {halves[h], _mm_srli_si128(halves[h], 8)};
      for (int q = 0; q < 2; ++q) {
        const __m256 f = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(parts[q]));
        _mm256_storeu_ps(intensity + at + 8 * q, _mm256_div_ps(f, scale));
        _mm256_storeu_ps(off_ramp + at + 8 * q, _mm256_setzero_ps());
      }
    }
  }
  return c;
}
#endif

// GrayPixel for the first pixels of a row, 16 at a time: a block of gray pixels (the common
// case) gets its levels g / 255 and off-ramp 0 without the per-pixel test, any other
// block goes pixel by pixel. Returns how many pixels it mapped.
int GrayMapRow(const uchar* px, int cols, const std::array<float, 766>& level, float* intensity,
               float* off_ramp) {
  int c = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) c = GrayMapRowAvx2(px, cols, level, intensity, off_ramp);
#endif
#if CV_SIMD128
  for (; c + 16 <= cols; c += 16) {
    cv::v_uint8x16 b, g, rd;
    cv::v_load_deinterleave(px + 3 * c, b, g, rd);
    if (cv::v_signmask((b == g) & (g == rd)) != 0xffff) {
      for (int k = c; k < c + 16; ++k) GrayPixel(px + 3 * k, level, intensity[k], off_ramp[k]);
      continue;
    }
    // level[3 g] = float(g / 255.0) = float(g) / 255.0f: a float quotient is correctly rounded,
    // and so is the double one rounded to float (53 >= 2 x 24 + 2 bits), so the two agree.
    cv::v_uint16x8 g_lo, g_hi;
    cv::v_expand(g, g_lo, g_hi);
    cv::v_uint32x4 g4[4];
    cv::v_expand(g_lo, g4[0], g4[1]);
    cv::v_expand(g_hi, g4[2], g4[3]);
    for (int q = 0; q < 4; ++q) {
      const cv::v_float32x4 f = cv::v_cvt_f32(cv::v_reinterpret_as_s32(g4[q]));
      cv::v_store(intensity + c + 4 * q, f / cv::v_setall_f32(255.0f));
      cv::v_store(off_ramp + c + 4 * q, cv::v_setzero_f32());
    }
  }
#endif
  return c;
}

IntensityMap GrayMap(const cv::Mat3b& strip) {
  IntensityMap out{cv::Mat1f(strip.size()), cv::Mat1f(strip.size()), false};
  const auto& level = IntensityOfChannelSum();
  for (int r = 0; r < strip.rows; ++r) {
    const uchar* px = strip.ptr<uchar>(r);
    float* intensity = out.intensity.ptr<float>(r);
    float* off_ramp = out.off_ramp.ptr<float>(r);
    for (int c = GrayMapRow(px, strip.cols, level, intensity, off_ramp); c < strip.cols; ++c) {
      GrayPixel(px + 3 * c, level, intensity[c], off_ramp[c]);
    }
  }
  return out;
}

// Lit-pixel counts of a strip (brightest channel >= kMinLitLevel), for MostlyNearGray.
struct LitCounts {
  size_t lit = 0, gray = 0;
  size_t near_baseline = 0;     // lit pixels within kLineBaselineRows of the baseline row
  std::vector<int> per_column;  // lit pixels of each column
};

#if CV_SIMD128
// Set lanes of a 16-lane byte mask (v_signmask's bits), without a popcount instruction (not in
// the x86-64 baseline: the builtin is a libgcc call).
size_t LanesSet(const cv::v_uint8x16& mask) {
  static const std::array<uint8_t, 256> bits = [] {
    std::array<uint8_t, 256> t{};
    for (size_t i = 1; i < t.size(); ++i) t[i] = static_cast<uint8_t>(t[i / 2] + (i & 1));
    return t;
  }();
  const auto m = static_cast<unsigned>(cv::v_signmask(mask));
  return size_t{bits[m & 0xffu]} + bits[(m >> 8) & 0xffu];
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
// CountLitRow's first pixels, 32 at a time (AVX2): the same per-pixel tests on channels split by
// byte shuffles (16 pixels per 128-bit lane), lit and gray counted by popcount.
[[gnu::target("avx2,popcnt")]] int CountLitRowAvx2(const uchar* px, int cols, int* per_column,
                                                   size_t& lit, size_t& gray) {
  const __m256i one = _mm256_set1_epi8(1);
  int c = 0;
  for (; c + 32 <= cols; c += 32) {
    const uchar* p = px + 3 * c;
    const auto [is_lit, near_gray] = LitAndNearGray32(p);
    const __m256i is_gray = _mm256_and_si256(is_lit, near_gray);
    lit += static_cast<size_t>(
        __builtin_popcount(static_cast<unsigned>(_mm256_movemask_epi8(is_lit))));
    gray += static_cast<size_t>(
        __builtin_popcount(static_cast<unsigned>(_mm256_movemask_epi8(is_gray))));
    const __m256i ones = _mm256_and_si256(is_lit, one);
    const __m128i low = _mm256_castsi256_si128(ones), high = _mm256_extracti128_si256(ones, 1);
    const __m128i parts[4] = {low, _mm_srli_si128(low, 8), high, _mm_srli_si128(high, 8)};
    for (int q = 0; q < 4; ++q) {
      int* at = per_column + c + 8 * q;
      const __m256i sum = _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<__m256i*>(at)),
                                           _mm256_cvtepu8_epi32(parts[q]));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(at), sum);
    }
  }
  return c;
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("avx2,popcnt")]] inline size_t LanesSet32(__m256i mask) {
  return static_cast<size_t>(__builtin_popcount(static_cast<unsigned>(_mm256_movemask_epi8(mask))));
}

// MostlyNearGrayBesideOverlays' counts for the first pixels of a row, 32 at a time (AVX2): lit,
// lit and near gray, lit and not near gray inside a stroke. Returns how many pixels it counted.
[[gnu::target("avx2,popcnt")]] int CountStrokesRowAvx2(const uchar* px, const uchar* in_stroke,
                                                       int cols, size_t& lit, size_t& gray,
                                                       size_t& strokes) {
  const __m256i zero = _mm256_setzero_si256();
  int c = 0;
  for (; c + 32 <= cols; c += 32) {
    const uchar* p = px + 3 * c;
    const auto [is_lit, near_gray] = LitAndNearGray32(p);
    const __m256i unmarked = _mm256_cmpeq_epi8(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in_stroke + c)), zero);
    lit += LanesSet32(is_lit);
    gray += LanesSet32(_mm256_and_si256(is_lit, near_gray));
    strokes += LanesSet32(_mm256_andnot_si256(_mm256_or_si256(near_gray, unmarked), is_lit));
  }
  return c;
}
#endif

// MostlyNearGray's counts for the first pixels of a BGR row, 16 at a time (the scalar loop's
// tests on deinterleaved channels: the same counts). Returns how many pixels it counted; the
// caller counts the rest.
int CountLitRow(const uchar* px, int cols, int* per_column, size_t& lit, size_t& gray) {
  int c = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  if (avx2) c = CountLitRowAvx2(px, cols, per_column, lit, gray);
#endif
#if CV_SIMD128
  const cv::v_uint8x16 lit_level = cv::v_setall_u8(kMinLitLevel);
  const cv::v_uint8x16 gray_spread = cv::v_setall_u8(kNearGraySpread);
  const cv::v_uint8x16 one = cv::v_setall_u8(1);
  for (; c + 16 <= cols; c += 16) {
    cv::v_uint8x16 b, g, rd;
    cv::v_load_deinterleave(px + 3 * c, b, g, rd);
    const cv::v_uint8x16 hi = cv::v_max(b, cv::v_max(g, rd));
    const cv::v_uint8x16 lo = cv::v_min(b, cv::v_min(g, rd));
    const cv::v_uint8x16 is_lit = hi >= lit_level;                       // 0xff: lit
    const cv::v_uint8x16 is_gray = is_lit & ((hi - lo) <= gray_spread);  // hi >= lo: no wrap
    lit += LanesSet(is_lit);
    gray += LanesSet(is_gray);
    cv::v_uint16x8 lit16[2];
    cv::v_expand(is_lit & one, lit16[0], lit16[1]);
    for (int half = 0; half < 2; ++half) {
      cv::v_uint32x4 lit32[2];
      cv::v_expand(lit16[half], lit32[0], lit32[1]);
      for (int q = 0; q < 2; ++q) {
        int* at = per_column + c + 8 * half + 4 * q;
        cv::v_store(at, cv::v_load(at) + cv::v_reinterpret_as_s32(lit32[q]));
      }
    }
  }
#endif
  return c;
}

// Whether the lit pixels are a lone thin line across the strip (an ECG or auto-trace on an
// otherwise empty strip), not a spectrum: few lit pixels in all (< kMaxLineLitShare), spread over
// at least half the columns, at most kMaxLineRows of them in nearly every lit column, and mostly
// away from the baseline. A spectrum is taller than that where it is present, a short burst
// covers few columns, and a slow flow's thin trace lies along the baseline (kept through the
// ramp: a quiet vein's resting flow on a short scale).
bool IsLoneLine(const LitCounts& n, size_t total) {
  if (static_cast<double>(n.lit) >= kMaxLineLitShare * static_cast<double>(total)) return false;
  if (2 * n.near_baseline >= n.lit) return false;
  size_t lit_columns = 0, thin_columns = 0;
  for (const int k : n.per_column) {
    lit_columns += k > 0 ? 1 : 0;
    thin_columns += k > 0 && k <= kMaxLineRows ? 1 : 0;
  }
  return 2 * lit_columns >= n.per_column.size() &&
         static_cast<double>(thin_columns) >= kLineColumnShare * static_cast<double>(lit_columns);
}

// Whether the strip is read as a gray map: at least kGrayMapFraction of its lit pixels
// (brightest channel >= kMinLitLevel) are near gray, or nothing but a lone coloured line is lit.
// Near-black pixels are gray in every map, so they do not vote: a dark tinted strip whose trace
// covers a few percent of it (a narrow band on a black floor) is >= 90% near-gray overall, and
// reading it as a gray map masked its whole trace as a coloured overlay (stress set: 6 clips
// with a visible trace read "weak signal"). A lone line does not make a ramp: read through a
// ramp estimated from a green ECG on an empty black strip, the ECG became the spectrum; as a
// gray map (the black floor) it is masked as the overlay it is. `baseline_row` is the strip row
// of zero velocity (NaN: unknown). Stops as soon as the rows left cannot change the answer.
bool MostlyNearGray(const cv::Mat3b& strip, double baseline_row) {
  thread_local LitCounts store;
  LitCounts& n = store;  // one thread-local lookup, not one per pixel
  n.lit = n.gray = n.near_baseline = 0;
  n.per_column.assign(static_cast<size_t>(strip.cols), 0);
  const double line_share = kMaxLineLitShare * static_cast<double>(strip.total());
  for (int r = 0; r < strip.rows; ++r) {
    const uchar* px = strip.ptr<uchar>(r);
    const size_t lit_before = n.lit;
    int c = CountLitRow(px, strip.cols, n.per_column.data(), n.lit, n.gray);
    for (px += 3 * c; c < strip.cols; ++c, px += 3) {
      const int hi = std::max({px[0], px[1], px[2]}), lo = std::min({px[0], px[1], px[2]});
      if (hi < kMinLitLevel) continue;
      ++n.lit;
      ++n.per_column[static_cast<size_t>(c)];
      n.gray += hi - lo <= kNearGraySpread ? 1 : 0;
    }
    if (std::abs(r - baseline_row) <= kLineBaselineRows) n.near_baseline += n.lit - lit_before;
    // Decided once the remaining pixels, all lit and coloured (or all lit and gray), cannot move
    // the share across kGrayMapFraction; "not gray" also needs too many lit pixels for a line.
    const auto g = static_cast<double>(n.gray), l = static_cast<double>(n.lit);
    const auto rest = static_cast<double>(strip.total() - static_cast<size_t>(r + 1) * strip.cols);
    if (n.lit > 0 && g >= kGrayMapFraction * (l + rest)) return true;
    if (g + rest < kGrayMapFraction * (l + rest) && l >= line_share) return false;
  }
  if (n.lit == 0 || static_cast<double>(n.gray) >= kGrayMapFraction * static_cast<double>(n.lit))
    return true;
  return IsLoneLine(n, strip.total());
}

// The gray test again without the coloured pixels of thin bright strokes (luma above its 5x5
// opening by kOverlayStrokeTopHat): overlay text, scale labels and an ECG drawn in colour over a
// gray display. A dim, sparse gray spectrum (low gain) with yellow labels had 85% of its lit
// pixels near gray, was read through a "ramp" and lost its trace to a false erase bar; without
// the strokes, 97% (and 83% of its coloured pixels are strokes). A tinted spectrum's coloured
// pixels are its body, so only strips whose coloured pixels are mostly strokes qualify (a
// slate-floor map, whose dark floor is lit near-gray, reads 0.89 either way and has few strokes).
// Runs only when the first test says "tinted".
bool MostlyNearGrayBesideOverlays(const cv::Mat3b& strip) {
  thread_local cv::Mat1b luma, stroke;
  cv::cvtColor(strip, luma, cv::COLOR_BGR2GRAY);
  cv::morphologyEx(luma, stroke, cv::MORPH_TOPHAT,
                   cv::getStructuringElement(cv::MORPH_RECT, {5, 5}));
  cv::threshold(stroke, stroke, kOverlayStrokeTopHat, 255, cv::THRESH_BINARY);
  cv::dilate(stroke, stroke, cv::Mat());  // with the strokes' anti-aliased rims
  size_t lit = 0, gray = 0, strokes = 0;
  for (int r = 0; r < strip.rows; ++r) {
    const uchar* px = strip.ptr<uchar>(r);
    const uchar* in_stroke = stroke.ptr<uchar>(r);
    int c = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    if (avx2) c = CountStrokesRowAvx2(px, in_stroke, strip.cols, lit, gray, strokes);
#endif
#if CV_SIMD128
    // The same tests on 16 deinterleaved pixels at a time.
    const cv::v_uint8x16 lit_level = cv::v_setall_u8(kMinLitLevel);
    const cv::v_uint8x16 gray_spread = cv::v_setall_u8(kNearGraySpread);
    const cv::v_uint8x16 zero = cv::v_setzero_u8();
    for (; c + 16 <= strip.cols; c += 16) {
      cv::v_uint8x16 b, g, rd;
      cv::v_load_deinterleave(px + 3 * c, b, g, rd);
      const cv::v_uint8x16 hi = cv::v_max(b, cv::v_max(g, rd));
      const cv::v_uint8x16 lo = cv::v_min(b, cv::v_min(g, rd));
      const cv::v_uint8x16 is_lit = hi >= lit_level;
      const cv::v_uint8x16 near_gray = (hi - lo) <= gray_spread;
      const cv::v_uint8x16 marked = cv::v_load(in_stroke + c) != zero;
      lit += LanesSet(is_lit);
      gray += LanesSet(is_lit & near_gray);
      strokes += LanesSet(is_lit & ~near_gray & marked);
    }
#endif
    for (px += 3 * c; c < strip.cols; ++c, px += 3) {
      const int hi = std::max({px[0], px[1], px[2]}), lo = std::min({px[0], px[1], px[2]});
      if (hi < kMinLitLevel) continue;
      ++lit;
      if (hi - lo <= kNearGraySpread) {
        ++gray;
      } else if (in_stroke[c] != 0) {
        ++strokes;
      }
    }
  }
  // The coloured pixels must be mostly strokes (overlays), not a tinted spectrum's body with a
  // few speckle strokes: a slate-floor map's lit gray floor keeps it near the gray share.
  const size_t coloured = lit - gray;
  return gray > 0 && static_cast<double>(strokes) >= kOverlayStrokeShare * coloured &&
         static_cast<double>(gray) >= kGrayMapFraction * static_cast<double>(lit - strokes);
}

// Whether the strip's floor is light: its median luma (BT.601, as cv::COLOR_BGR2GRAY) is at
// least kLightFloorLuma. Most of a strip is the floor where no flow is (noise below the map's
// low end), so on every display that draws strong signal bright the median is dark; a light
// median is a display that draws strong signal dark (an inverted, printer-style map: a cream or
// white floor). 8-bit strips only.
bool LightFloor(const cv::Mat& strip) {
  cv::Mat1b luma;
  if (strip.type() == CV_8UC1) {
    luma = strip;
  } else if (strip.type() == CV_8UC3) {
    cv::cvtColor(strip, luma, cv::COLOR_BGR2GRAY);
  } else if (strip.type() == CV_8UC4) {
    cv::cvtColor(strip, luma, cv::COLOR_BGRA2GRAY);
  } else {
    return false;
  }
  std::array<size_t, 256> histogram{};
  for (int r = 0; r < luma.rows; ++r) {
    const uchar* row = luma.ptr<uchar>(r);
    for (int c = 0; c < luma.cols; ++c) ++histogram[row[c]];
  }
  const size_t half = luma.total() / 2;
  size_t below = 0;
  for (size_t level = 0; level < kLightFloorLuma; ++level) below += histogram[level];
  return below <= half;
}

}  // namespace

bool SameIntensityMap(double baseline_a, double baseline_b, int rows) {
  for (int r = 0; r < rows; ++r) {  // MostlyNearGray's only use of the baseline
    if ((std::abs(r - baseline_a) <= kLineBaselineRows) !=
        (std::abs(r - baseline_b) <= kLineBaselineRows)) {
      return false;
    }
  }
  return true;
}

namespace {

// The intensity map of a strip whose floor is dark (strong signal bright).
IntensityMap MapUprightIntensity(const cv::Mat& strip, double baseline_row,
                                 const GrayRowsSource& outer) {
  if (strip.empty()) return {};
  // The gray map is a function of each pixel alone: when this strip reads as gray and so did the
  // taller strip it is a part of, its map is those rows of that strip's map.
  auto outer_rows = [&]() -> std::optional<IntensityMap> {
    if (!outer.map || outer.map->tinted) return std::nullopt;
    const cv::Range rows(outer.first_row, outer.first_row + strip.rows);
    return IntensityMap{outer.map->intensity.rowRange(rows).clone(),
                        outer.map->off_ramp.rowRange(rows).clone(), false};
  };
  if (strip.type() == CV_8UC1) {
    if (auto reused = outer_rows()) return std::move(*reused);
    IntensityMap out{cv::Mat1f(strip.size()), cv::Mat1f(strip.size(), 0.0f), false};
    std::array<float, 256> level{};
    for (int g = 0; g < 256; ++g) level[static_cast<size_t>(g)] = GrayLevel(g);
    for (int r = 0; r < strip.rows; ++r) {
      const uchar* in = strip.ptr<uchar>(r);
      float* intensity = out.intensity.ptr<float>(r);
      for (int c = 0; c < strip.cols; ++c) intensity[c] = level[in[c]];
    }
    return out;
  }
  cv::Mat3b bgr;
  if (strip.type() == CV_8UC3) {
    bgr = strip;
  } else if (strip.type() == CV_8UC4) {
    cv::cvtColor(strip, bgr, cv::COLOR_BGRA2BGR);
  } else if (strip.channels() == 1 || strip.channels() == 3 || strip.channels() == 4) {
    cv::Mat tmp;
    strip.convertTo(tmp, CV_8U);
    return MapDisplayIntensity(tmp, baseline_row, outer);  // the light-floor test on 8 bits
  } else {
    return {};  // no display has 2 or 5+ channels (converting keeps them: no recursion)
  }
  const bool gray = MostlyNearGray(bgr, baseline_row) || MostlyNearGrayBesideOverlays(bgr);
  if (!gray) {
    if (auto reused = TintedRowsOf(bgr, outer)) return std::move(*reused);
    return TintedMap(bgr);
  }
  if (auto reused = outer_rows()) return std::move(*reused);
  return GrayMap(bgr);
}

}  // namespace

IntensityMap MapDisplayIntensity(const cv::Mat& strip, double baseline_row,
                                 const GrayRowsSource& outer) {
  if (strip.empty()) return {};
  // A light floor (an inverted map: strong signal dark) reads through the negative image, where
  // the floor is dark and strong signal bright, as on every other display. A part of a strip
  // reuses the strip's map only when both read the same way.
  const bool light = LightFloor(strip);
  const GrayRowsSource same =
      outer.map && outer.map->light_floor == light ? outer : GrayRowsSource{};
  if (!light) return MapUprightIntensity(strip, baseline_row, same);
  cv::Mat negative;
  cv::bitwise_not(strip, negative);
  IntensityMap out = MapUprightIntensity(negative, baseline_row, same);
  out.light_floor = true;
  return out;
}

}  // namespace refluxscan::spectral::detail

namespace refluxscan::spectral {

cv::Mat1f DisplayIntensity(const cv::Mat& strip) {
  try {
    return detail::MapDisplayIntensity(strip).intensity;
  } catch (const cv::Exception&) {  // contract: no exception escapes the module
    return {};
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace refluxscan::spectral
