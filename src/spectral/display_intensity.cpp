// Display intensity of a rendered strip: gray maps directly, tinted maps through their colour
// ramp estimated from the strip's own pixels (docs/algorithms.md, "Tinted maps").
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

#include "refluxscan/spectral/strip.h"
#include "spectral/strip_internal.h"

namespace refluxscan::spectral::detail {
namespace {

using Rgb = cv::Vec3d;  // stored in OpenCV channel order (B, G, R)

constexpr int kLumaBins = 64;
constexpr int kNearGraySpread = 12;        // max-min channel spread of a gray pixel after JPEG
constexpr double kGrayMapFraction = 0.9;   // this share of near-gray lit pixels = a gray map
constexpr int kMinLitLevel = 32;           // brightest channel below this: black, gray in any map
constexpr double kMaxLineLitShare = 0.02;  // a lone line lights under 2% of the strip
constexpr int kMaxLineRows = 4;            // lit pixels per column of a 1-2 px line
constexpr double kLineColumnShare = 0.9;   // share of lit columns that thin for a line
constexpr int kLineBaselineRows = 4;       // a line mostly this close to the baseline is flow
constexpr int kMaxRampGapBins = 6;         // a longer run of empty luma bins ends the ramp
constexpr size_t kAboveFloorPerBin =
    4000;                                 // a bin holding this share of the non-floor is not empty
constexpr double kMaxRampTurnCos = 0.5;   // a bin turning the ramp by > 60 degrees is an overlay
constexpr int kMaxFloorBin = 16;          // a non-black floor is darker than luma 64
constexpr double kMinFloorShare = 0.1;    // ... and holds >= 10% of the strip
constexpr int kFloorOverBlack = 4;        // ... and >= 4x the pixels of the black bin
constexpr int kOverlayStrokeTopHat = 50;  // luma over its 5x5 opening: a thin drawn stroke
constexpr double kOverlayStrokeShare = 0.5;  // of the coloured lit pixels: they are overlays

// g / 255 correctly rounded to float, for every 8-bit level (the exact gray contract).
float GrayLevel(int g) { return static_cast<float>(g / 255.0); }

int MedianOfHistogram(const std::array<int, 256>& h, int count) {
  int seen = 0;
  for (int v = 0; v < 256; ++v) {
    seen += h[static_cast<size_t>(v)];
    if (2 * seen >= count) return v;
  }
  return 255;
}

// A BGR pixel's colour as one number (B << 16 | G << 8 | R): ColourKey reads its 3 bytes,
// ColourKeyReadingOn one 4-byte word (the caller guarantees a 4th readable byte: another pixel
// of the row follows); both give the same key.
uint32_t ColourKey(const uchar* p) { return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2]; }
// A key's channels back, in the same (B, G, R) order.
std::array<uint32_t, 3> KeyChannels(uint32_t key) {
  return {key >> 16, (key >> 8) & 0xffu, key & 0xffu};
}
uint32_t ColourKeyReadingOn(const uchar* p) {
  uint32_t word = 0;
  std::memcpy(&word, p, sizeof word);
  if constexpr (std::endian::native == std::endian::little) word = std::byteswap(word);
  return word >> 8;
}

// The distinct colours of a strip (a JPEG-tinted strip has ~10^4 of its ~3x10^5 pixels) and
// which of them each pixel is: the ramp's histogram is made from the colours, not the pixels,
// and each colour is projected on the ramp once.
struct StripColours {
  std::vector<uint32_t> keys;   // ColourKey of each colour, in order of first appearance
  std::vector<int> pixels;      // how many pixels have it
  std::vector<uint32_t> index;  // per pixel, row-major: its colour's position in `keys`
};

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

// Median colour of the pixels in each luma bin (per channel), for bins with enough pixels;
// `counts` receives every bin's pixel count.
// Each channel's term of a colour's luma (0.114 B + 0.587 G + 0.299 R) for every 8-bit level:
// the same products, so their sum in the same order is bit-for-bit the luma computed directly.
struct LumaTerms {
  std::array<double, 256> b, g, r;
};
const LumaTerms& LumaTermTable() {
  static const LumaTerms t = [] {
    LumaTerms x{};
    for (int v = 0; v < 256; ++v) {
      const auto i = static_cast<size_t>(v);
      const auto u = static_cast<uchar>(v);
      x.b[i] = 0.114 * u, x.g[i] = 0.587 * u, x.r[i] = 0.299 * u;
    }
    return x;
  }();
  return t;
}

std::vector<std::pair<int, Rgb>> LumaBinMedians(const StripColours& colours, size_t total,
                                                std::vector<int>& count) {
  thread_local std::vector<std::array<std::array<int, 256>, 3>> hist_store(kLumaBins);
  auto& hist = hist_store;  // one thread-local lookup, not one per colour
  for (auto& h : hist) h = {};
  count.assign(kLumaBins, 0);
  const LumaTerms& luma = LumaTermTable();
  // Each colour's bin and levels counted once per pixel of that colour (integer counts: the
  // order of the additions does not matter).
  for (size_t i = 0; i < colours.keys.size(); ++i) {
    const uint32_t key = colours.keys[i];
    const int n = colours.pixels[i];
    const std::array<uint32_t, 3> p = KeyChannels(key);
    const double y = luma.b[p[0]] + luma.g[p[1]] + luma.r[p[2]];
    const int bin = std::min(kLumaBins - 1, static_cast<int>(y * kLumaBins / 256.0));
    count[static_cast<size_t>(bin)] += n;
    for (int ch = 0; ch < 3; ++ch)
      hist[static_cast<size_t>(bin)][static_cast<size_t>(ch)][p[ch]] += n;
  }
  const int min_count = std::max(8, static_cast<int>(total / 2000));
  std::vector<std::pair<int, Rgb>> medians;
  for (int b = 0; b < kLumaBins; ++b) {
    const auto bs = static_cast<size_t>(b);
    if (count[bs] < min_count) continue;
    Rgb c;
    for (int ch = 0; ch < 3; ++ch)
      c[ch] = MedianOfHistogram(hist[bs][static_cast<size_t>(ch)], count[bs]);
    medians.emplace_back(b, c);
  }
  return medians;
}

double CosAngle(const Rgb& a, const Rgb& b) {
  const double na = cv::norm(a), nb = cv::norm(b);
  return na > 0 && nb > 0 ? a.dot(b) / (na * nb) : 1.0;
}

// The ramp as a polyline from black through the bin medians, extended along its last direction
// until a channel reaches 255 (the map's top is rarely on screen).
// A bin turning the ramp sharply is an overlay unless the next bin continues in the new
// direction: a persistent turn belongs to the map (hot: black -> red -> yellow -> white).
bool PersistentTurn(const std::vector<std::pair<int, Rgb>>& medians, size_t i) {
  if (i + 1 >= medians.size()) return false;
  const Rgb step = medians[i].second - medians[i - 1].second;
  const Rgb next = medians[i + 1].second - medians[i].second;
  return CosAngle(step, next) >= kMaxRampTurnCos;
}

// The map's floor (intensity 0): black, unless the strip's most populated dark luma bin is
// another colour and black itself is rare there (a tinted or dark-gray floor: the noise below
// the display's black level renders as that colour, often a third or more of the strip). Black
// pixels of such a strip (an erase bar) still read 0 through the ramp's first segment.
size_t FloorBin(const std::vector<std::pair<int, Rgb>>& medians, const std::vector<int>& count,
                size_t total) {
  size_t floor = medians.size();  // none: black
  int best = 0;
  for (size_t i = 0; i < medians.size() && medians[i].first < kMaxFloorBin; ++i) {
    const int n = count[static_cast<size_t>(medians[i].first)];
    if (n > best) best = n, floor = i;
  }
  if (floor == medians.size() || medians[floor].first == 0) return medians.size();
  if (static_cast<double>(best) < kMinFloorShare * static_cast<double>(total))
    return medians.size();
  if (kFloorOverBlack * count[0] > best) return medians.size();
  return floor;
}

// How many pixels make a luma bin "present": a share of the pixels above the floor (outside the
// most populated bin). A bin too sparse to give a reliable median colour (< total / 2000) still
// shows that the map goes on there. A hot map's orange and yellow (the flow's flanks) fill only
// ~120-200 pixels a bin of a 350k-pixel strip: counted as empty they ended the ramp at red, and
// the flow read off-ramp (masked) and at the top of the ramp (saturated).
size_t PresentBinCount(const std::vector<int>& count, size_t total) {
  const int floor_count = *std::max_element(count.begin(), count.end());
  return std::max<size_t>(8, (total - static_cast<size_t>(floor_count)) / kAboveFloorPerBin);
}

// The longest run of bins strictly between bins `from` and `to` holding fewer than `present`.
int LongestEmptyRun(const std::vector<int>& count, int from, int to, size_t present) {
  int run = 0, longest = 0;
  for (int b = from + 1; b < to; ++b) {
    run = static_cast<size_t>(count[static_cast<size_t>(b)]) < present ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// Extends the ramp along its last direction (over up to 3 segments) until a channel reaches 255:
// the map's top is rarely on screen.
void ExtendToTop(std::vector<Rgb>& ramp) {
  const Rgb dir = ramp.back() - ramp[ramp.size() >= 4 ? ramp.size() - 4 : 0];
  double scale = 1e9;
  for (int ch = 0; ch < 3; ++ch) {
    if (dir[ch] > 1e-6) scale = std::min(scale, (255.0 - ramp.back()[ch]) / dir[ch]);
  }
  if (scale > 1e-3 && scale < 1e9) ramp.push_back(ramp.back() + dir * scale);
}

// The ramp from black (and the floor, when it is not black) through the bin medians above it;
// `floor_point` is the index of the ramp point of intensity 0.
std::vector<Rgb> EstimateRamp(const StripColours& colours, size_t total, size_t& floor_point) {
  std::vector<Rgb> ramp{Rgb(0, 0, 0)};
  floor_point = 0;
  int last_bin = -1;
  std::vector<int> count;
  const auto medians = LumaBinMedians(colours, total, count);
  const size_t floor = FloorBin(medians, count, total);
  const size_t present = PresentBinCount(count, total);
  for (size_t i = floor == medians.size() ? 0 : floor; i < medians.size(); ++i) {
    const auto& [bin, colour] = medians[i];
    if (last_bin >= 0 && LongestEmptyRun(count, last_bin, bin, present) >= kMaxRampGapBins) break;
    const Rgb step = colour - ramp.back();
    if (cv::norm(step) < 1.0) continue;
    if (ramp.size() >= 3 && CosAngle(step, ramp.back() - ramp[ramp.size() - 3]) < kMaxRampTurnCos &&
        !(i > 0 && PersistentTurn(medians, i))) {
      continue;
    }
    ramp.push_back(colour);
    if (i == floor) floor_point = ramp.size() - 1;
    last_bin = bin;
  }
  if (ramp.size() < 2) {
    floor_point = 0;
    return {Rgb(0, 0, 0), Rgb(255, 255, 255)};
  }
  ExtendToTop(ramp);
  return ramp;
}

// The ramp's segments with what ProjectOnRamp needs of each, computed once per strip instead of
// once per projected colour: the same operations as cv::Vec3d's (component-wise, dot products
// summed from 0 in channel order), so every projection is bit-for-bit what it was.
struct RampSegment {
  double start[3], step[3];  // ramp[i], ramp[i + 1] - ramp[i]
  double len2;               // step . step
  double arc0, arc_step;     // arc[i], arc[i + 1] - arc[i]
  double luma_lo, luma_hi;   // luma range of the segment's points (luma is linear)
};

// Luma weights in channel order (B, G, R) and their squared norm: |luma(a) - luma(b)| <=
// |w| |a - b| (Cauchy-Schwarz), so a segment whose luma range lies `gap` away from a colour's
// luma is at least gap / |w| away from it in RGB.
constexpr double kLumaWeight[3] = {0.114, 0.587, 0.299};
constexpr double kLumaNorm2 = 0.114 * 0.114 + 0.587 * 0.587 + 0.299 * 0.299;

double LumaOf(const double (&c)[3]) {
  return kLumaWeight[0] * c[0] + kLumaWeight[1] * c[1] + kLumaWeight[2] * c[2];
}

std::vector<RampSegment> RampSegments(const std::vector<Rgb>& ramp,
                                      const std::vector<double>& arc) {
  std::vector<RampSegment> segments;
  for (size_t i = 0; i + 1 < ramp.size(); ++i) {
    const Rgb seg = ramp[i + 1] - ramp[i];
    RampSegment g{};
    for (int ch = 0; ch < 3; ++ch) g.start[ch] = ramp[i][ch], g.step[ch] = seg[ch];
    g.len2 = seg.dot(seg);
    g.arc0 = arc[i];
    g.arc_step = arc[i + 1] - arc[i];
    const double a[3] = {ramp[i][0], ramp[i][1], ramp[i][2]};
    const double b[3] = {ramp[i + 1][0], ramp[i + 1][1], ramp[i + 1][2]};
    g.luma_lo = std::min(LumaOf(a), LumaOf(b));
    g.luma_hi = std::max(LumaOf(a), LumaOf(b));
    segments.push_back(g);
  }
  return segments;
}

// Squared distance from colour c to its nearest point on segment g, and that point's arc length.
struct SegmentProjection {
  double d2 = 1e300, arc = 0;
  size_t index = 0;
};

SegmentProjection ProjectOnSegment(const RampSegment& g, size_t index, const double (&c)[3]) {
  double along = 0;
  for (int ch = 0; ch < 3; ++ch) along += (c[ch] - g.start[ch]) * g.step[ch];
  const double u = g.len2 > 0 ? std::clamp(along / g.len2, 0.0, 1.0) : 0.0;
  double d2 = 0;
  for (int ch = 0; ch < 3; ++ch) {
    const double d = c[ch] - (g.start[ch] + g.step[ch] * u);
    d2 += d * d;
  }
  return {d2, g.arc0 + u * g.arc_step, index};
}

// How far a luma lies outside the segment's luma range (0 inside it).
double LumaGap(const RampSegment& g, double luma) {
  return std::max({0.0, g.luma_lo - luma, luma - g.luma_hi});
}

// The segments ordered by the low end of their luma range, for ProjectOnRamp's search: built
// once per strip.
struct RampIndex {
  std::vector<RampSegment> segments;
  std::vector<size_t> by_lo;   // segment indices, luma_lo ascending
  std::vector<double> lo;      // luma_lo in that order
  std::vector<double> max_hi;  // max luma_hi over by_lo[0..k]
};

RampIndex IndexRamp(std::vector<RampSegment> segments) {
  RampIndex x;
  x.segments = std::move(segments);
  x.by_lo.resize(x.segments.size());
  for (size_t i = 0; i < x.by_lo.size(); ++i) x.by_lo[i] = i;
  std::stable_sort(x.by_lo.begin(), x.by_lo.end(), [&](size_t a, size_t b) {
    return x.segments[a].luma_lo < x.segments[b].luma_lo;
  });
  double hi = -1e300;
  for (const size_t i : x.by_lo) {
    x.lo.push_back(x.segments[i].luma_lo);
    hi = std::max(hi, x.segments[i].luma_hi);
    x.max_hi.push_back(hi);
  }
  return x;
}

// Position along the ramp (arc length / total) of the nearest ramp point, and the distance.
// The nearest point over all segments, ties to the first segment (lowest index). A segment whose
// luma gap alone puts it farther than the best so far is skipped (a bound with a rounding margin:
// it never skips a segment that could win or tie), so the answer does not depend on the order in
// which segments are tried: it is exactly the answer of projecting on every segment in order.
// Segments are tried outward from the colour's luma in luma_lo order, and each direction stops
// once the bound rules out everything left in it: below, through the running maximum of
// luma_hi; above, through luma_lo itself. A JPEG-tinted strip has ~10^4 distinct colours and
// ramps have up to 65 segments, of which a handful lie near a colour's luma.
std::pair<float, float> ProjectOnRamp(const RampIndex& x, double arc_total, const double (&c)[3]) {
  const double luma = LumaOf(c);
  SegmentProjection best;
  bool have_best = false;
  auto skip_above = [](double d2) { return d2 * kLumaNorm2 * (1 + 1e-9) + 1e-9; };
  double bound = 0;  // read only once have_best
  auto consider = [&](size_t i) {
    const double gap = LumaGap(x.segments[i], luma);
    if (have_best && gap * gap > bound) return;
    const SegmentProjection p = ProjectOnSegment(x.segments[i], i, c);
    if (!have_best || p.d2 < best.d2 || (p.d2 == best.d2 && i < best.index)) {
      best = p;
      have_best = true;
      bound = skip_above(best.d2);
    }
  };
  const auto first_above =
      static_cast<size_t>(std::upper_bound(x.lo.begin(), x.lo.end(), luma) - x.lo.begin());
  for (size_t k = first_above; k-- > 0;) {    // luma_lo <= luma: gap = max(0, luma - luma_hi)
    const double below = luma - x.max_hi[k];  // <= every gap of by_lo[0..k] when positive
    if (have_best && below > 0 && below * below > bound) break;
    consider(x.by_lo[k]);
  }
  for (size_t k = first_above; k < x.lo.size(); ++k) {  // luma_lo > luma: gap = luma_lo - luma
    const double above = x.lo[k] - luma;
    if (have_best && above * above > bound) break;
    consider(x.by_lo[k]);
  }
  return {static_cast<float>(std::max(0.0, best.arc) / arc_total),
          static_cast<float>(std::sqrt(best.d2))};
}

// Ramps for maps whose luminance is not monotonic along the map (a rainbow: black -> blue ->
// cyan -> green -> yellow -> red -> white, where red is darker than cyan). Luma bins mix colours
// of distant parts of such a map, so the luma ramp leaves much of the flow off it. The traced
// ramp follows the densest ridge of the strip's colour distribution instead: from the floor, the
// next point is the densest place about one step away that lies nearer the current point than
// any earlier one (so the trace never turns back, yet may turn by any angle). Blends between
// distant colours (JPEG and the display mixing a bright core with the floor) spread thinly over
// many directions, while the map's own colours pile up along one curve.
constexpr int kTraceCellShift = 3;  // colour cells of 8 x 8 x 8 levels
constexpr int kTraceCells = 256 >> kTraceCellShift;
constexpr double kTraceStepRgb = 24;  // ramp points about this far apart
constexpr int kMaxTraceSteps = 64;
constexpr size_t kTracePixelsPerPoint = 4000;  // a point needs this share of the strip nearby
constexpr double kMinOffShareToTrace = 0.02;   // luma ramp leaving >= 2% of lit pixels off it
constexpr double kTraceMustHalveOffShare = 0.5;
constexpr double kMinTracedLumaFall = 20;  // luma levels (of 255) the traced ramp falls somewhere

struct ColourCells {
  std::vector<int> pixels;                 // per cell
  std::vector<std::array<double, 3>> sum;  // per cell, pixel-weighted colour sum
  std::vector<int> occupied;               // cells with pixels
  static int Cell(int b, int g, int r) {
    return ((b >> kTraceCellShift) * kTraceCells + (g >> kTraceCellShift)) * kTraceCells +
           (r >> kTraceCellShift);
  }
  Rgb Mean(int cell) const {
    const auto& t = sum[static_cast<size_t>(cell)];
    const double n = pixels[static_cast<size_t>(cell)];
    return Rgb(t[0] / n, t[1] / n, t[2] / n);
  }
};

ColourCells CellsOf(const StripColours& colours) {
  ColourCells cells;
  const size_t n = size_t{kTraceCells} * kTraceCells * kTraceCells;
  cells.pixels.assign(n, 0);
  cells.sum.assign(n, {0, 0, 0});
  for (size_t i = 0; i < colours.keys.size(); ++i) {
    const int count = colours.pixels[i];
    if (count <= 0) continue;
    const std::array<uint32_t, 3> p = KeyChannels(colours.keys[i]);
    const auto c = static_cast<size_t>(
        ColourCells::Cell(static_cast<int>(p[0]), static_cast<int>(p[1]), static_cast<int>(p[2])));
    if (cells.pixels[c] == 0) cells.occupied.push_back(static_cast<int>(c));
    cells.pixels[c] += count;
    for (size_t ch = 0; ch < 3; ++ch) cells.sum[c][ch] += double{1} * p[ch] * count;
  }
  return cells;
}

// The next ramp point after ramp.back(): among cells whose mean lies [0.5, 1.5] steps from it and
// nearer it than any earlier ramp point, the one whose neighbourhood of such cells holds the most
// pixels; the point is that neighbourhood's mean colour. Candidates that turn the ramp by at most
// 60 degrees come first (an overlay colour near the map, e.g. a green auto-trace beside a
// rainbow's green, is a side branch); any turn is taken where nothing ahead holds enough pixels
// (a rainbow's red -> white reverses its direction). nullopt when no neighbourhood holds
// `min_pixels`.
struct RidgeCandidate {
  int pixels = 0;
  Rgb sum{0, 0, 0};
};

RidgeCandidate NeighbourhoodOf(const ColourCells& cells, int c, const std::vector<char>& in_shell) {
  const int b = c / (kTraceCells * kTraceCells), g = c / kTraceCells % kTraceCells,
            r = c % kTraceCells;
  RidgeCandidate x;
  for (int db = -1; db <= 1; ++db)
    for (int dg = -1; dg <= 1; ++dg)
      for (int dr = -1; dr <= 1; ++dr) {
        const int nb = b + db, ng = g + dg, nr = r + dr;
        if (std::min({nb, ng, nr}) < 0 || std::max({nb, ng, nr}) >= kTraceCells) continue;
        const auto k = static_cast<size_t>((nb * kTraceCells + ng) * kTraceCells + nr);
        if (!in_shell[k]) continue;
        x.pixels += cells.pixels[k];
        x.sum += Rgb(cells.sum[k][0], cells.sum[k][1], cells.sum[k][2]);
      }
  return x;
}

std::optional<Rgb> NextRidgePoint(const ColourCells& cells, const std::vector<Rgb>& ramp,
                                  int min_pixels, double step_rgb, std::vector<char>& in_shell) {
  const Rgb& p = ramp.back();
  const bool has_direction = ramp.size() >= 2;
  const Rgb direction = has_direction ? p - ramp[ramp.size() - 2] : Rgb(0, 0, 0);
  std::vector<int> shell;
  for (const int c : cells.occupied) {
    const Rgb m = cells.Mean(c);
    const double d = cv::norm(m - p);
    if (d < 0.5 * step_rgb || d > 1.5 * step_rgb) continue;
    bool forward = true;
    for (size_t q = 0; q + 1 < ramp.size() && forward; ++q) forward = cv::norm(m - ramp[q]) > d;
    if (forward) shell.push_back(c), in_shell[static_cast<size_t>(c)] = 1;
  }
  RidgeCandidate ahead, any;
  double ahead_score = 0;
  for (const int c : shell) {
    const RidgeCandidate x = NeighbourhoodOf(cells, c, in_shell);
    if (x.pixels > any.pixels) any = x;
    const double cos = has_direction ? CosAngle(cells.Mean(c) - p, direction) : 1.0;
    const bool straight = cos >= kMaxRampTurnCos;
    if (straight && x.pixels * cos * cos > ahead_score)
      ahead = x, ahead_score = x.pixels * cos * cos;
  }
  for (const int c : shell) in_shell[static_cast<size_t>(c)] = 0;
  const RidgeCandidate& best = ahead.pixels >= min_pixels ? ahead : any;
  if (best.pixels < min_pixels) return std::nullopt;
  return best.sum * (1.0 / best.pixels);
}

// The traced ramp: black (and the floor, as the luma ramp found it), then ridge points, extended
// to the top as the luma ramp is.
std::vector<Rgb> TraceRamp(const StripColours& colours, size_t total,
                           const std::vector<Rgb>& luma_ramp, size_t floor_point) {
  const ColourCells cells = CellsOf(colours);
  std::vector<Rgb> ramp(luma_ramp.begin(),
                        luma_ramp.begin() + static_cast<std::ptrdiff_t>(floor_point) + 1);
  const int min_pixels = std::max(8, static_cast<int>(total / kTracePixelsPerPoint));
  std::vector<char> in_shell(cells.pixels.size(), 0);
  for (int step = 0; step < kMaxTraceSteps; ++step) {
    // A stretch of the map the strip barely uses (a flow bright at its core, little between) is
    // bridged by looking 2 steps ahead before the trace ends (4 reached from a copper map's top to
    // the gray of overlay text, and the trace walked down the text's anti-aliasing).
    std::optional<Rgb> next;
    for (const double reach : {1.0, 2.0}) {
      next = NextRidgePoint(cells, ramp, min_pixels, reach * kTraceStepRgb, in_shell);
      if (next) break;
    }
    if (!next || cv::norm(*next - ramp.back()) < 0.25 * kTraceStepRgb) break;
    ramp.push_back(*next);
  }
  if (ramp.size() < 2) return luma_ramp;
  // Extended along its last direction by at most the length of its last 3 segments, inside the
  // RGB cube: a traced ramp ends where its colours thin out, often near the map's top, and its
  // last direction (e.g. into a rainbow's red) need not point at white.
  const Rgb dir = ramp.back() - ramp[ramp.size() >= 4 ? ramp.size() - 4 : 0];
  double scale = 1.0;
  for (int ch = 0; ch < 3; ++ch) {
    if (dir[ch] > 1e-6) scale = std::min(scale, (255.0 - ramp.back()[ch]) / dir[ch]);
    if (dir[ch] < -1e-6) scale = std::min(scale, -ramp.back()[ch] / dir[ch]);
  }
  if (scale > 1e-3) ramp.push_back(ramp.back() + dir * scale);
  return ramp;
}

// A ramp, its floor point and each colour's (intensity, off-ramp distance) on it.
struct RampFit {
  std::vector<Rgb> ramp;
  size_t floor_point = 0;
  bool traced = false;
};

// Projects every colour on the ramp: arc length from the floor point (the black -> floor segment,
// when the floor is not black, lies before 0 and reads 0: ProjectOnRamp clamps).
void ProjectColours(const StripColours& colours, const RampFit& fit,
                    std::vector<std::pair<float, float>>& projected) {
  std::vector<double> arc{0.0};
  for (size_t i = 1; i < fit.ramp.size(); ++i)
    arc.push_back(arc.back() + cv::norm(fit.ramp[i] - fit.ramp[i - 1]));
  const double arc_floor = arc[fit.floor_point];
  for (double& a : arc) a -= arc_floor;
  const RampIndex index = IndexRamp(RampSegments(fit.ramp, arc));
  projected.resize(colours.keys.size());
  for (size_t i = 0; i < colours.keys.size(); ++i) {
    const std::array<uint32_t, 3> p = KeyChannels(colours.keys[i]);
    const double colour[3] = {static_cast<double>(p[0]), static_cast<double>(p[1]),
                              static_cast<double>(p[2])};
    projected[i] = ProjectOnRamp(index, arc.back(), colour);
  }
}

// Share of the lit pixels (brightest channel >= kMinLitLevel) farther than the masks' off-ramp
// level from the ramp.
double OffRampShare(const StripColours& colours,
                    const std::vector<std::pair<float, float>>& projected) {
  double lit = 0, off = 0;
  for (size_t i = 0; i < colours.keys.size(); ++i) {
    const std::array<uint32_t, 3> p = KeyChannels(colours.keys[i]);
    const uint32_t top = std::max({p[0], p[1], p[2]});
    if (top < kMinLitLevel) continue;
    lit += colours.pixels[i];
    if (projected[i].second > kOffRampRgb) off += colours.pixels[i];
  }
  return lit > 0 ? off / lit : 0.0;
}

// How far the luma falls along a ramp (the largest drop from an earlier point to a later one):
// 0 on a map whose luminance rises monotonically.
double LumaFall(const std::vector<Rgb>& ramp) {
  double highest = -1, fall = 0;
  for (const Rgb& p : ramp) {
    const double c[3] = {p[0], p[1], p[2]};
    const double y = LumaOf(c);
    highest = std::max(highest, y);
    fall = std::max(fall, highest - y);
  }
  return fall;
}

// The luma ramp, or the traced one where the luma ramp leaves >= 2% of the lit pixels off it,
// the traced one at most half as many, and the traced ramp's luminance falls somewhere (by >=
// kMinTracedLumaFall): only a map whose luminance turns back defeats the luma ramp; on a monotonic
// map a better-fitting trace follows JPEG's blends or an overlay (the generated sets' tinted
// clips lost 2 classifications of 6,300 that way); `projected` receives the chosen ramp's
// projections.
RampFit FitRamp(const StripColours& colours, size_t total,
                std::vector<std::pair<float, float>>& projected) {
  RampFit luma;
  luma.ramp = EstimateRamp(colours, total, luma.floor_point);
  ProjectColours(colours, luma, projected);
  const double luma_off = OffRampShare(colours, projected);
  if (luma_off < kMinOffShareToTrace) return luma;
  RampFit traced{TraceRamp(colours, total, luma.ramp, luma.floor_point), luma.floor_point, true};
  if (LumaFall(traced.ramp) < kMinTracedLumaFall) return luma;
  std::vector<std::pair<float, float>> traced_projected;
  ProjectColours(colours, traced, traced_projected);
  if (OffRampShare(colours, traced_projected) > kTraceMustHalveOffShare * luma_off) return luma;
  projected = std::move(traced_projected);
  return traced;
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

IntensityMap MapDisplayIntensity(const cv::Mat& strip, double baseline_row,
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
  } else {
    cv::Mat tmp;
    strip.convertTo(tmp, CV_8U);
    return MapDisplayIntensity(tmp, baseline_row, outer);
  }
  const bool gray = MostlyNearGray(bgr, baseline_row) || MostlyNearGrayBesideOverlays(bgr);
  if (!gray) {
    if (auto reused = TintedRowsOf(bgr, outer)) return std::move(*reused);
    return TintedMap(bgr);
  }
  if (auto reused = outer_rows()) return std::move(*reused);
  return GrayMap(bgr);
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
