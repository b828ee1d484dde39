// A tinted map's colour ramp from a strip's distinct colours: the luma-binned ramp, the ramp traced
// through colour cells, each colour's projection on it (docs/algorithms.md, "Display path").
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "spectral/display_ramp_internal.h"
#include "spectral/strip_internal.h"

namespace refluxscan::spectral::detail {
namespace {

constexpr int kLumaBins = 64;
constexpr int kMaxRampGapBins = 6;  // a longer run of empty luma bins ends the ramp
// A bin holding this share of the non-floor (PresentBinCount) is not empty.
constexpr size_t kAboveFloorPerBin = 4000;
constexpr double kMaxRampTurnCos = 0.5;  // a bin turning the ramp by > 60 degrees is an overlay
constexpr int kMaxFloorBin = 16;         // a non-black floor is darker than luma 64
constexpr double kMinFloorShare = 0.1;   // ... and holds >= 10% of the strip
constexpr int kFloorOverBlack = 4;       // ... and >= 4x the pixels of the black bin

int MedianOfHistogram(const std::array<int, 256>& h, int count) {
  int seen = 0;
  for (int v = 0; v < 256; ++v) {
    seen += h[static_cast<size_t>(v)];
    if (2 * seen >= count) return v;
  }
  return 255;
}

// A key's channels back (StripColours::keys: B << 16 | G << 8 | R), in the same (B, G, R) order.
std::array<uint32_t, 3> KeyChannels(uint32_t key) {
  return {key >> 16, (key >> 8) & 0xffu, key & 0xffu};
}

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

// Median colour of the pixels in each luma bin (per channel), for bins with enough pixels;
// `count` receives every bin's pixel count.
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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace refluxscan::spectral::detail
