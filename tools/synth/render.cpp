#include "synth/render.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "synth/render_internal.h"
#include "synth/rng.h"

namespace refluxscan::synth {
namespace {

constexpr double kPi = std::numbers::pi;

uint8_t Byte(double unit) { return cv::saturate_cast<uint8_t>(255.0 * std::clamp(unit, 0.0, 1.0)); }

double WrapHz(double hz, double prf_hz) {
  return hz - prf_hz * std::floor((hz + 0.5 * prf_hz) / prf_hz);
}

// Per display row: the two FFT rows it interpolates between (after wrapping the row's Doppler
// shift into [-PRF/2, PRF/2): that wrap is what makes aliasing physically right).
struct RowTap {
  int row0 = 0, row1 = 0;
  float weight1 = 0;
};

std::vector<RowTap> RowTaps(const spectral::PowerSpectrogram& ps, const DisplaySpec& d,
                            const SignalSpec& s) {
  const StripScale scale = ScaleOf(d, s);
  const int bins = ps.power_db.rows;
  std::vector<RowTap> taps(static_cast<size_t>(d.strip.height));
  for (int r = 0; r < d.strip.height; ++r) {
    const double hz = WrapHz(DopplerShiftHz(s, scale.VelocityAtRow(d, r)), s.prf_hz);
    const double bin = (ps.hz_top - hz) / ps.hz_per_row;
    const double floor_bin = std::floor(bin);
    const int b0 = static_cast<int>(floor_bin);
    RowTap& tap = taps[static_cast<size_t>(r)];
    tap.row0 = ((b0 % bins) + bins) % bins;
    tap.row1 = (tap.row0 + 1) % bins;
    tap.weight1 = static_cast<float>(bin - floor_bin);
  }
  return taps;
}

void DrawText(cv::Mat& img, const std::string& text, cv::Point at, const DisplaySpec& d,
              double scale_factor = 1.0) {
  cv::putText(img, text, at, d.font_face, d.font_scale * scale_factor, d.text_bgr, 1, cv::LINE_AA);
}

std::string Format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// A tick step of 1, 2, 2.5 or 5 x 10^k giving about 3-6 ticks over the span.
double NiceStep(double span) {
  const double raw = span / 5;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

// Velocity (or kHz) ticks and labels just outside the strip, on the scale side.
void DrawScale(cv::Mat& img, const DisplaySpec& d, const SignalSpec& s) {
  const StripScale scale = ScaleOf(d, s);
  const double units_per_cm_s = d.hz_units ? DopplerShiftHz(s, 1.0) / 1000.0 : 1.0;  // kHz
  const double per_row = std::abs(scale.delta_y_cm_s) * units_per_cm_s;
  const double step = NiceStep(per_row * d.strip.height);
  const int x_edge = d.scale_on_right ? d.strip.x + d.strip.width : d.strip.x - 1;
  const int dir = d.scale_on_right ? 1 : -1;
  const double top = -d.baseline_row * (scale.delta_y_cm_s * units_per_cm_s);
  const double bottom = (d.strip.height - 1 - d.baseline_row) * scale.delta_y_cm_s * units_per_cm_s;
  for (double v = std::ceil(std::min(top, bottom) / step) * step; v <= std::max(top, bottom);
       v += step) {
    const double row = d.baseline_row + v / (scale.delta_y_cm_s * units_per_cm_s);
    const int y = d.strip.y + static_cast<int>(std::lround(row));
    cv::line(img, {x_edge + dir, y}, {x_edge + dir * 6, y}, d.text_bgr, 1);
    const std::string text = Format(d.hz_units ? "%.1f" : "%.0f", std::abs(v) < 1e-9 ? 0.0 : v);
    const int width = cv::getTextSize(text, d.font_face, d.font_scale, 1, nullptr).width;
    const int x = d.scale_on_right ? x_edge + 9 : x_edge - 9 - width;
    DrawText(img, text, {x, y + 4}, d);
  }
  const std::string unit = d.hz_units ? "kHz" : "cm/s";
  const int unit_w = cv::getTextSize(unit, d.font_face, d.font_scale * 0.9, 1, nullptr).width;
  const int unit_x = d.scale_on_right ? x_edge + 4 : x_edge - unit_w - 4;
  DrawText(img, unit, {unit_x, std::max(12, d.strip.y - 5)}, d, 0.9);
}

// One-second time marks below the strip.
void DrawTimeMarks(cv::Mat& img, const DisplaySpec& d) {
  const int y = d.strip.y + d.strip.height + 2;
  const double per_second = 1.0 / d.seconds_per_column;
  for (double c = 0; c < d.strip.width; c += per_second) {
    const int x = d.strip.x + static_cast<int>(std::lround(c));
    cv::line(img, {x, y}, {x, y + 4}, d.text_bgr, 1);
  }
}

// An ECG-like trace in the lower part of the strip: flat with P, QRS and T waves at 60-90 bpm,
// drawn in one of the colours scanners use (green, yellow, white, cyan), 1 or 2 px wide. A white
// or yellow trace on a gray or tinted map is near the map's own ramp (after JPEG's chroma
// subsampling a thin yellow line is nearly white): only its shape tells it from the spectrum.
void DrawEcg(cv::Mat& strip, const DisplaySpec& d) {
  Rng rng(d.seed ^ 0xEC6ull);
  const double beat_s = rng.Uniform(0.66, 1.0);
  const double phase_s = rng.Uniform(0, beat_s);
  const int base_y = static_cast<int>(strip.rows * rng.Uniform(0.8, 0.92));
  const double amp = strip.rows * rng.Uniform(0.06, 0.14);
  static constexpr std::array<std::array<double, 3>, 4> kColoursBgr = {
      {{60, 220, 60}, {80, 220, 255}, {235, 235, 235}, {235, 225, 90}}};
  const auto& bgr = kColoursBgr[static_cast<size_t>(rng.Int(0, 3))];
  const int thickness = rng.Uniform() < 0.75 ? 1 : 2;
  std::vector<cv::Point> pts;
  for (int c = 0; c < strip.cols; ++c) {
    const double t = std::fmod(c * d.seconds_per_column + phase_s, beat_s);
    const double wave = 0.1 * std::exp(-std::pow((t - 0.1) / 0.03, 2)) +
                        std::exp(-std::pow((t - 0.2) / 0.012, 2)) -
                        0.25 * std::exp(-std::pow((t - 0.23) / 0.015, 2)) +
                        0.15 * std::exp(-std::pow((t - 0.45) / 0.05, 2));
    pts.emplace_back(c, base_y - static_cast<int>(std::lround(amp * wave)));
  }
  cv::polylines(strip, pts, false, cv::Scalar(bgr[0], bgr[1], bgr[2]), thickness, cv::LINE_8);
}

// Dotted lines across the strip at the scale's tick velocities (not at 0: the baseline's row).
void DrawGrid(cv::Mat& strip, const DisplaySpec& d, const SignalSpec& s) {
  const StripScale scale = ScaleOf(d, s);  // the same ticks as DrawScale (cm/s or kHz)
  const double units_per_cm_s = d.hz_units ? DopplerShiftHz(s, 1.0) / 1000.0 : 1.0;
  const double per_row = std::abs(scale.delta_y_cm_s) * units_per_cm_s;
  const double rows_per_step = NiceStep(per_row * d.strip.height) / per_row;
  for (int k = -50; k <= 50; ++k) {
    const auto row = static_cast<int>(std::lround(d.baseline_row + k * rows_per_step));
    if (k == 0 || row < 0 || row >= strip.rows) continue;
    for (int c = 0; c < strip.cols; c += 6) {
      strip.at<cv::Vec3b>(row, c) = cv::Vec3b(110, 110, 110);
    }
  }
}

// The scanner's auto-trace: on each side of the baseline, the outermost row where the display
// intensity, smoothed over 5 x 5 pixels (speckle), reaches the trace level, then a 9-column running
// median; drawn as a 1-px line, on the baseline where a side holds no flow. It follows what is
// displayed (also in the previous sweep right of an erase bar).
constexpr double kTraceMarginDb = 15;
void DrawAutoTrace(cv::Mat& strip, const cv::Mat1f& intensity, const DisplaySpec& d) {
  // A scanner traces at a fixed margin over its noise floor (the median noise sits at black_level;
  // dynamic_range_db spans the intensity range), never below 0.2.
  const auto trace_level =
      static_cast<float>(std::max(0.2, d.black_level + kTraceMarginDb / d.dynamic_range_db));
  constexpr int kMedian = 9;
  cv::Mat1f smooth;
  cv::blur(intensity, smooth, {5, 5});
  for (const int dir : {-1, +1}) {  // -1: rows above the baseline, +1: below
    std::vector<int> edge(static_cast<size_t>(smooth.cols), d.baseline_row);
    for (int c = 0; c < smooth.cols; ++c) {
      for (int r = d.baseline_row + dir; r >= 0 && r < smooth.rows; r += dir) {
        if (smooth(r, c) >= trace_level) edge[static_cast<size_t>(c)] = r;
      }
    }
    std::vector<cv::Point> pts;
    std::array<int, kMedian> w{};
    for (int c = 0; c < smooth.cols; ++c) {
      for (int k = 0; k < kMedian; ++k) {
        const int at = std::clamp(c + k - kMedian / 2, 0, smooth.cols - 1);
        w[static_cast<size_t>(k)] = edge[static_cast<size_t>(at)];
      }
      std::nth_element(w.begin(), w.begin() + kMedian / 2, w.end());
      pts.emplace_back(c, w[kMedian / 2]);
    }
    cv::polylines(strip, pts, false, d.auto_trace_bgr, 1, cv::LINE_8);
  }
}

void DrawOverlayText(cv::Mat& strip, const DisplaySpec& d, const SignalSpec& s) {
  const int gain = static_cast<int>(std::lround(20 + 200 * d.black_level));
  const std::string line1 = Format("PW %.1fMHz", s.transducer_hz / 1e6);
  const std::string line2 = "Gn " + std::to_string(gain) + "  WF " +
                            std::to_string(static_cast<int>(d.wall_filter_hz)) + "Hz";
  const int x = d.scale_on_right ? 6 : strip.cols - 150;
  DrawText(strip, line1, {std::max(2, x), 16}, d, 0.9);
  DrawText(strip, line2, {std::max(2, x), 32}, d, 0.9);
}

cv::Mat StripBgr(const cv::Mat1f& intensity, const DisplaySpec& d, const SignalSpec& s) {
  std::array<cv::Vec3b, 256> lut;
  for (int i = 0; i < 256; ++i)
    lut[static_cast<size_t>(i)] = TintColor(d.tint, std::pow(i / 255.0, d.gamma));
  cv::Mat3b strip(intensity.size());
  for (int r = 0; r < intensity.rows; ++r) {
    for (int c = 0; c < intensity.cols; ++c) {
      strip(r, c) = lut[Byte(intensity(r, c))];
    }
  }
  if (d.draw_baseline) {
    cv::line(strip, {0, d.baseline_row}, {strip.cols - 1, d.baseline_row}, d.baseline_bgr, 1);
  }
  if (d.grid) DrawGrid(strip, d, s);
  if (d.ecg) DrawEcg(strip, d);
  if (d.auto_trace) DrawAutoTrace(strip, intensity, d);
  if (d.overlay_text) DrawOverlayText(strip, d, s);
  if (d.erase_bar_column >= 0) {
    const int c0 = std::clamp(d.erase_bar_column, 0, strip.cols);
    const int c1 = std::clamp(d.erase_bar_column + d.erase_bar_width, 0, strip.cols);
    strip.colRange(c0, c1).setTo(cv::Scalar(0, 0, 0));
  }
  return strip;
}

}  // namespace

// Shared with compose.cpp.
cv::Mat StripBgrForFrames(const cv::Mat1f& intensity, const DisplaySpec& d, const SignalSpec& s) {
  return StripBgr(intensity, d, s);
}
void DrawScaleAndTime(cv::Mat& img, const DisplaySpec& d, const SignalSpec& s) {
  DrawScale(img, d, s);
  DrawTimeMarks(img, d);
}

namespace {
constexpr std::string_view kTintNames[kTintCount] = {
    "gray", "blue",   "sepia",  "green",      "hot",         "rose",    "ice",   "amber",
    "bone", "copper", "purple", "navy-floor", "slate-floor", "viridis", "magma", "rainbow"};

// Piecewise-linear map through 9 RGB control points at i = 0, 1/8, ..., 1 (matplotlib's tables,
// sampled), returned as B G R.
cv::Vec3b Sampled(const std::array<std::array<int, 3>, 9>& rgb, double i) {
  const double x = std::clamp(i, 0.0, 1.0) * 8;
  const auto k = static_cast<size_t>(std::min(7.0, std::floor(x)));
  const double w = x - static_cast<double>(k);
  cv::Vec3b c;
  for (int ch = 0; ch < 3; ++ch) {
    const double v =
        rgb[k][static_cast<size_t>(ch)] * (1 - w) + rgb[k + 1][static_cast<size_t>(ch)] * w;
    c[2 - ch] = static_cast<uchar>(std::lround(v));
  }
  return c;
}

constexpr std::array<std::array<int, 3>, 9> kViridisRgb = {{{68, 1, 84},
                                                            {71, 44, 122},
                                                            {59, 82, 139},
                                                            {44, 114, 142},
                                                            {33, 145, 140},
                                                            {39, 173, 129},
                                                            {94, 201, 98},
                                                            {170, 220, 50},
                                                            {253, 231, 37}}};
constexpr std::array<std::array<int, 3>, 9> kMagmaRgb = {{{0, 0, 4},
                                                          {28, 16, 68},
                                                          {79, 18, 123},
                                                          {129, 37, 129},
                                                          {181, 54, 122},
                                                          {229, 80, 100},
                                                          {251, 135, 97},
                                                          {254, 194, 135},
                                                          {252, 253, 191}}};

// A rainbow as some scanners offer for the spectrum: luma rises to yellow (0.62), falls to red
// (0.88: darker than cyan) and rises again to a pale top, so ordering colours by luma fails.
constexpr std::array<std::array<int, 3>, 9> kRainbowRgb = {{{0, 0, 0},
                                                            {0, 0, 150},
                                                            {0, 90, 230},
                                                            {0, 200, 220},
                                                            {40, 210, 60},
                                                            {230, 230, 0},
                                                            {255, 130, 0},
                                                            {230, 30, 20},
                                                            {255, 200, 200}}};

// From `floor` (intensity 0, B G R in [0, 1]) towards white, each channel along its own power.
cv::Vec3b FloorRamp(const cv::Vec3d& floor, const cv::Vec3d& power, double i) {
  cv::Vec3b c;
  for (int ch = 0; ch < 3; ++ch) c[ch] = Byte(floor[ch] + (1 - floor[ch]) * std::pow(i, power[ch]));
  return c;
}
}  // namespace

std::string_view TintName(Tint t) {
  const auto k = static_cast<size_t>(t);
  return k < static_cast<size_t>(kTintCount) ? kTintNames[k] : kTintNames[0];
}

std::optional<Tint> TintFromName(std::string_view name) {
  for (int k = 0; k < kTintCount; ++k)
    if (kTintNames[static_cast<size_t>(k)] == name) return static_cast<Tint>(k);
  return std::nullopt;
}

// Luminance rises monotonically with i in every map (every channel is non-decreasing, except in
// viridis and magma, whose luminance is monotonic by design) but rainbow (--tint only).
cv::Vec3b TintColor(Tint t, double i) {
  i = std::clamp(i, 0.0, 1.0);
  switch (t) {
    case Tint::kGray:
      return {Byte(i), Byte(i), Byte(i)};
    case Tint::kBlue:
      return {Byte(std::pow(i, 0.6)), Byte(std::pow(i, 1.2)), Byte(std::pow(i, 1.9))};
    case Tint::kSepia:
      return {Byte(0.7 * std::pow(i, 1.5)), Byte(0.88 * std::pow(i, 1.05)), Byte(std::pow(i, 0.8))};
    case Tint::kGreen:
      return {Byte(0.75 * std::pow(i, 1.6)), Byte(std::pow(i, 0.8)), Byte(0.8 * std::pow(i, 1.6))};
    case Tint::kHot:
      return {Byte(3 * i - 2), Byte(3 * i - 1), Byte(3 * i)};
    case Tint::kRose:
      return {Byte(0.8 * std::pow(i, 1.15)), Byte(0.75 * std::pow(i, 1.9)), Byte(std::pow(i, 0.7))};
    case Tint::kIce:
      return {Byte(std::pow(i, 0.65)), Byte(0.95 * std::pow(i, 0.9)),
              Byte(0.85 * std::pow(i, 1.7))};
    case Tint::kAmber:
      return {Byte(0.55 * std::pow(i, 2.4)), Byte(0.9 * std::pow(i, 1.25)), Byte(std::pow(i, 0.6))};
    case Tint::kBone:
      return {Byte(std::pow(i, 0.8)), Byte(std::pow(i, 0.97)), Byte(std::pow(i, 1.15))};
    case Tint::kCopper:  // matplotlib's copper
      return {Byte(0.4975 * i), Byte(0.7812 * i), Byte(1.25 * i)};
    case Tint::kPurple: {  // black -> purple (55%) -> white: a knee of ~54 degrees
      constexpr double kKnee = 0.55;
      const cv::Vec3d purple(0.75, 0.12, 0.55), white(1.0, 0.95, 1.0);
      const cv::Vec3d c = i <= kKnee ? purple * (i / kKnee)
                                     : purple + (white - purple) * ((i - kKnee) / (1 - kKnee));
      return {Byte(c[0]), Byte(c[1]), Byte(c[2])};
    }
    case Tint::kNavyFloor:
      return FloorRamp({30 / 255.0, 10 / 255.0, 5 / 255.0}, {0.75, 1.0, 1.3}, i);
    case Tint::kSlateFloor:
      return FloorRamp({44 / 255.0, 40 / 255.0, 38 / 255.0}, {0.7, 0.95, 1.3}, i);
    case Tint::kViridis:
      return Sampled(kViridisRgb, i);
    case Tint::kMagma:
      return Sampled(kMagmaRgb, i);
    case Tint::kRainbow:
      return Sampled(kRainbowRgb, i);
  }
  return {Byte(i), Byte(i), Byte(i)};
}

StripScale ScaleOf(const DisplaySpec& d, const SignalSpec& s) {
  StripScale scale;
  scale.cm_s_per_row = NyquistSpanCmS(s) / d.strip.height;
  scale.delta_y_cm_s = d.inverted_display ? scale.cm_s_per_row : -scale.cm_s_per_row;
  return scale;
}

cv::Mat1f StripIntensity(const spectral::PowerSpectrogram& ps, double signal_t0_s,
                         double noise_floor_db, const DisplaySpec& d, const SignalSpec& s) {
  const std::vector<RowTap> taps = RowTaps(ps, d, s);
  cv::Mat1f out(d.strip.height, d.strip.width, 0.0f);
  const int frames = ps.power_db.cols;
  for (int c = 0; c < d.strip.width; ++c) {
    const double t = d.ColumnTimeS(c);
    const double f =
        std::clamp((t - signal_t0_s - ps.t0_s) / ps.seconds_per_column, 0.0, frames - 1.0);
    const int f0 = static_cast<int>(std::floor(f));
    const int f1 = std::min(frames - 1, f0 + 1);
    const float wf = static_cast<float>(f - f0);
    for (int r = 0; r < d.strip.height; ++r) {
      const RowTap& tap = taps[static_cast<size_t>(r)];
      const cv::Mat1f& p = ps.power_db;
      const float a = p(tap.row0, f0) + tap.weight1 * (p(tap.row1, f0) - p(tap.row0, f0));
      const float b = p(tap.row0, f1) + tap.weight1 * (p(tap.row1, f1) - p(tap.row0, f1));
      const double db = a + wf * (b - a);
      out(r, c) = static_cast<float>(
          std::clamp(d.black_level + (db - noise_floor_db) / d.dynamic_range_db, 0.0, 1.0));
    }
  }
  return out;
}

}  // namespace refluxscan::synth
