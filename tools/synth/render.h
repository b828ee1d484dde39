#pragma once
// The scanner display: spectral strip rendered from an STFT power spectrogram (so aliasing and
// baseline shifts are physically right), tinted, annotated, below a B-mode-like image.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/ultrasound.h"
#include "refluxscan/spectral/signal.h"
#include "synth/doppler.h"

namespace refluxscan::synth {

// Display maps of the spectral strip; luminance rises monotonically with intensity in every one.
// kNavyFloor and kSlateFloor do not start at black: their floor (intensity 0) is a dark tint.
enum class Tint {
  kGray,
  kBlue,
  kSepia,
  kGreen,
  kHot,
  kRose,        // black -> magenta/rose -> near white
  kIce,         // black -> cyan -> white
  kAmber,       // black -> orange/amber -> pale yellow
  kBone,        // gray with a blue cast in the mid tones
  kCopper,      // black -> copper (red saturates at 80%); top is not white
  kPurple,      // black -> purple, then a knee towards white
  kNavyFloor,   // floor BGR (30,10,5) -> white (a tinted floor below the lit threshold)
  kSlateFloor,  // floor BGR (44,40,38): dark gray, lit -> ice-blue -> white
  kViridis,     // matplotlib's viridis: dark purple floor -> blue -> green -> yellow (curved)
  kMagma,       // matplotlib's magma: black -> purple -> orange -> pale yellow (curved)
  kRainbow,     // black -> blue -> cyan -> green -> yellow -> red -> pale pink: luminance NOT
                // monotonic
};
inline constexpr int kTintCount = 16;
// The presets draw from the first kDrawnTintCount maps (the sets measured in docs/accuracy.md);
// the later maps are chosen with --tint, to test generalization to maps the presets never draw.
inline constexpr int kDrawnTintCount = 13;
// Tint by TintName; nullopt for an unknown name.
std::optional<Tint> TintFromName(std::string_view name);
std::string_view TintName(Tint t);
// Display intensity in [0, 1] to BGR. Every map's luminance rises monotonically with intensity.
cv::Vec3b TintColor(Tint t, double intensity);

struct DisplaySpec {
  int image_width = 800, image_height = 600;
  cv::Rect strip;                     // spectral data area = the DICOM spectral region
  cv::Rect bmode;                     // B-mode region
  double seconds_per_column = 0.008;  // 0.002..0.015
  int baseline_row = 100;             // zero-velocity row within the strip
  bool inverted_display = false;      // scanner "invert": velocity grows downward (DeltaY > 0)
  bool hz_units = false;              // calibrate the strip in Hz instead of cm/s
  bool continuous_wave = false;       // region data type 4 (CW) instead of 3 (PW)
  Tint tint = Tint::kGray;
  double gamma = 1.0;            // 0.7..1.4 applied to intensity before the map
  double dynamic_range_db = 45;  // 30..60 dB span of the log map
  double black_level = 0.08;     // intensity of the median noise floor (the "gain")
  double window_ms = 20;         // STFT Hann window, 8..40 ms
  double wall_filter_hz = 60;    // high-pass cut-off of the STFT
  // Decorations.
  bool draw_baseline = true;
  cv::Scalar baseline_bgr{200, 200, 200};
  bool scale_on_right = true;
  // The DICOM spectral region extends this many pixels beyond the strip on each side (clamped to
  // the image): some renderers' regions include panel, scale labels and time marks. 0 = the
  // region is the strip.
  int margin_left = 0, margin_top = 0, margin_right = 0, margin_bottom = 0;
  cv::Scalar text_bgr{230, 230, 230};
  int font_face = 0;  // cv::HersheyFonts
  double font_scale = 0.45;
  bool overlay_text = false;  // "PW 4.0MHz" / "Gn 45" inside the strip
  bool ecg = false;           // an ECG-like trace across the lower strip
  // The scanner's own max-velocity auto-trace: a 1-px line along the displayed spectrum's outer
  // edge on both sides (on the baseline where there is no flow), in this colour.
  bool auto_trace = false;
  cv::Scalar auto_trace_bgr{80, 230, 230};
  bool grid = false;          // dotted horizontal lines at the scale's tick velocities
  int erase_bar_column = -1;  // first blank column of the sweep erase bar; < 0: none
  int erase_bar_width = 0;
  // A sweeping display writes left to right and erases ahead of itself: columns left of the
  // erase bar are the current sweep, columns right of it still show the previous sweep (one
  // sweep, strip width x seconds_per_column, earlier). Stale columns are invalid in the truth.
  bool StaleColumn(int c) const {
    return erase_bar_column >= 0 && c >= erase_bar_column + erase_bar_width;
  }
  // The time a column shows (s from column 0 of the current sweep).
  double ColumnTimeS(int c) const {
    return c * seconds_per_column - (StaleColumn(c) ? strip.width * seconds_per_column : 0.0);
  }
  std::string label_text;  // burned into the B-mode area
  int frames = 1;          // > 1: scrolling cine, last frame = full strip
  uint64_t seed = 1;       // speckle, ECG phase
};

// Velocity scale of the strip, all in calibrated (toward-probe positive) cm/s.
struct StripScale {
  double cm_s_per_row = 0;  // > 0
  double delta_y_cm_s = 0;  // per row downward: -cm_s_per_row normally, + when inverted
  double VelocityAtRow(const DisplaySpec& d, double row) const {
    return (row - d.baseline_row) * delta_y_cm_s;
  }
};
StripScale ScaleOf(const DisplaySpec& d, const SignalSpec& s);

// Strip intensity (rows x columns, [0, 1]) from a power spectrogram of a signal whose sample 0
// is at time `signal_t0_s`; column c shows time d.ColumnTimeS(c). `noise_floor_db` is the
// median power of noise alone, mapped to `black_level`.
cv::Mat1f StripIntensity(const spectral::PowerSpectrogram& ps, double signal_t0_s,
                         double noise_floor_db, const DisplaySpec& d, const SignalSpec& s);

// The whole display, one image per frame (the last is the frozen full strip).
std::vector<cv::Mat> RenderFrames(const cv::Mat1f& strip_intensity, const DisplaySpec& d,
                                  const SignalSpec& s);

// DICOM regions (B-mode and spectral) matching RenderFrames' layout and calibration.
std::vector<UltrasoundRegion> RegionsOf(const DisplaySpec& d, const SignalSpec& s);

}  // namespace refluxscan::synth
