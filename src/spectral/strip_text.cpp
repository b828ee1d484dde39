// Masks of non-spectrum content in a rendered strip: text overlays (labels, parameters) on the
// strip (docs/algorithms.md, "Display masks").
#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "spectral/columns.h"
#include "spectral/components.h"
#include "spectral/strip_masks_internal.h"

namespace refluxscan::spectral::detail {

namespace {

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

}  // namespace

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

namespace {

// Whether the component `box` (its flat pixels `flat`, its `text`) is a panel: a readout, so
// holding text (>= kPanelMinText of its box; flat blocks without any are drawn flow in tests and
// painted bars on displays); glyph-tall and wide enough, at most kPanelMaxShare of the strip each
// way (a painted erase bar, a gain step or a flat floor spans it); drawn, not grown: its box
// covered (>= kPanelMinCover) by its flat fill and text, with straight edges, and the fill at one
// level (its 10th to 90th percentile within kPanelFlatRange: a saturated clutter band's flat pieces
// are ragged and shaded); and no piece of a flat floor (its ring, kPanelRing pixels outside the
// box, flat at the same level over less than half of it: a panel stands out from what is around
// it).
bool IsPanel(const cv::Mat1f& m, const cv::Mat1b& flat, const cv::Mat1b& text,
             const cv::Rect& box) {
  if (box.height < kPanelMinRows || box.width < kPanelMinColumns ||
      box.height > kPanelMaxShare * m.rows || box.width > kPanelMaxShare * m.cols) {
    return false;
  }
  std::vector<float> fill;
  int covered = 0, written = 0;
  for (int r = box.y; r < box.y + box.height; ++r) {
    for (int c = box.x; c < box.x + box.width; ++c) {
      if (flat(r, c)) fill.push_back(m(r, c));
      covered += flat(r, c) || text(r, c);
      written += !flat(r, c) && text(r, c);
    }
  }
  if (covered < kPanelMinCover * box.area() || fill.size() < kPanelMinFill * box.area() ||
      written < kPanelMinText * box.area()) {
    return false;
  }
  const auto at = [&](double q) {
    auto k = fill.begin() + static_cast<long>(q * static_cast<double>(fill.size() - 1));
    std::nth_element(fill.begin(), k, fill.end());
    return *k;
  };
  const float low = at(0.1), high = at(0.9), level = at(0.5);
  if (high - low > kPanelFlatRange) return false;
  const cv::Rect outer =
      (box + cv::Size(2 * kPanelRing, 2 * kPanelRing) - cv::Point(kPanelRing, kPanelRing)) &
      cv::Rect(0, 0, m.cols, m.rows);
  int ring = 0, same = 0;
  for (int r = outer.y; r < outer.y + outer.height; ++r) {
    for (int c = outer.x; c < outer.x + outer.width; ++c) {
      if (box.contains({c, r})) continue;
      ++ring;
      same += flat(r, c) && std::abs(m(r, c) - level) <= kPanelSameLevel;
    }
  }
  return 2 * same < ring;
}

}  // namespace

cv::Mat1b PanelMask(const cv::Mat1f& m, const cv::Mat1b& text) {
  cv::Mat1b mask(m.size(), uchar{0});
  if (m.empty() || text.empty() || cv::countNonZero(text) == 0) return mask;  // a readout has text
  cv::Mat1f hi, lo;
  cv::dilate(m, hi, cv::Mat());
  cv::erode(m, lo, cv::Mat());
  const cv::Mat1b flat =
      ((hi - lo) <= kPanelFlatRange) & (m > kPanelMinLevel) & (m < kPanelMaxLevel);
  const cv::Mat1b grouped = flat | text;
  cv::Mat1i labels, stats;
  cv::Mat1d centroids;
  const int n = cv::connectedComponentsWithStats(grouped, labels, stats, centroids, 8, CV_32S);
  for (int k = 1; k < n; ++k) {
    const cv::Rect box(stats(k, cv::CC_STAT_LEFT), stats(k, cv::CC_STAT_TOP),
                       stats(k, cv::CC_STAT_WIDTH), stats(k, cv::CC_STAT_HEIGHT));
    if (!IsPanel(m, flat, text, box)) continue;
    const cv::Rect framed =
        (box + cv::Size(2 * kPanelFrame, 2 * kPanelFrame) - cv::Point(kPanelFrame, kPanelFrame)) &
        cv::Rect(0, 0, m.cols, m.rows);
    mask(framed).setTo(255);
  }
  return mask;
}

}  // namespace refluxscan::spectral::detail
