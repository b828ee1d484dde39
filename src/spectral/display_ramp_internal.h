#pragma once
// Private to the spectral module: a tinted strip's distinct colours and the colour ramp estimated
// from them (display_ramp.cpp), through which the tinted map (display_intensity.cpp) reads its
// pixels. docs/algorithms.md, "Display path" (Intensity).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace refluxscan::spectral::detail {

using Rgb = cv::Vec3d;  // stored in OpenCV channel order (B, G, R)

constexpr int kMinLitLevel = 32;  // brightest channel below this: black, gray in any map
// Used by FitRamp, and by TintedRowsOf (display_intensity.cpp) to tell FitRamp's answer.
constexpr double kMinOffShareToTrace = 0.02;  // luma ramp leaving >= 2% of lit pixels off it

// The distinct colours of a strip (a JPEG-tinted strip has ~10^4 of its ~3x10^5 pixels) and
// which of them each pixel is: the ramp's histogram is made from the colours, not the pixels,
// and each colour is projected on the ramp once.
struct StripColours {
  std::vector<uint32_t> keys;   // ColourKey of each colour, in order of first appearance
  std::vector<int> pixels;      // how many pixels have it
  std::vector<uint32_t> index;  // per pixel, row-major: its colour's position in `keys`
};

// A ramp, its floor point and each colour's (intensity, off-ramp distance) on it.
struct RampFit {
  std::vector<Rgb> ramp;
  size_t floor_point = 0;
  bool traced = false;
};

// display_ramp.cpp: the luma-binned ramp, the traced ramp and each colour's projection on a ramp.

// The ramp as a polyline from black (and the floor, when it is not black) through the median
// colours of the luma bins above it, extended along its last direction until a channel reaches
// 255 (the map's top is rarely on screen); `floor_point` is the index of the ramp point of
// intensity 0. `colours` holds the counts of a strip of `total` pixels.
std::vector<Rgb> EstimateRamp(const StripColours& colours, size_t total, size_t& floor_point);

// Share of the lit pixels (brightest channel >= kMinLitLevel) farther than the masks' off-ramp
// level from the ramp.
double OffRampShare(const StripColours& colours,
                    const std::vector<std::pair<float, float>>& projected);

// The luma ramp, or the traced one where the luma ramp leaves >= 2% of the lit pixels off it,
// the traced one at most half as many, and the traced ramp's luminance falls somewhere (by >=
// kMinTracedLumaFall): only a map whose luminance turns back defeats the luma ramp; on a monotonic
// map a better-fitting trace follows JPEG's blends or an overlay (the generated sets' tinted
// clips lost 2 classifications of 6,300 that way); `projected` receives the chosen ramp's
// projections.
RampFit FitRamp(const StripColours& colours, size_t total,
                std::vector<std::pair<float, float>>& projected);

}  // namespace refluxscan::spectral::detail
