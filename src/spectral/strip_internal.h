#pragma once
// Private pieces of the display path (strip.cpp composes them). Exposed here for unit tests of
// the arithmetic and for the envelope tests' synthetic strips.
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/error.h"
#include "refluxscan/core/spectrogram.h"
#include "refluxscan/core/ultrasound.h"

namespace refluxscan::spectral::detail {

// Display intensity plus, per pixel, how far its colour lies from the display's colour ramp
// (Euclidean distance in 8-bit RGB units). Overlays (ECG, auto-trace, coloured text) are
// off the ramp; spectrum pixels are on it up to JPEG noise.
// A pixel this far off the ramp is an overlay (the masks); JPEG chroma noise stays well below.
inline constexpr float kOffRampRgb = 40.0f;
struct TintedColours;  // a tinted map's colours and ramp (display_intensity.cpp)
struct IntensityMap {
  cv::Mat1f intensity;  // [0, 1]
  cv::Mat1f off_ramp;   // >= 0, RGB units
  bool tinted = false;  // a non-gray colour ramp was estimated
  // Tinted maps: the strip's colour counts and ramp, so that a map of a part of the strip whose
  // ramp comes out the same is those rows of this map (GrayRowsSource).
  std::shared_ptr<const TintedColours> colours = nullptr;
  bool light_floor = false;  // read through the negative image (an inverted map: LightFloor)
};
// `baseline_row`: the crop's row of zero velocity when known (NaN otherwise): a thin line along it
// is a slow flow, not an overlay line (see MostlyNearGray).
// `outer`: the map of a taller strip of the same columns whose rows [first_row, first_row +
// strip.rows) are `strip` (DisplayRegion maps the whole region before narrowing it to the
// display). When both read as gray maps, the result is those rows of `outer.map`, not computed
// again: the same values (the gray map is a function of each pixel alone). When both read as
// tinted and the strip's ramp (from the outer strip's colour counts less those of the rows
// outside `strip`) is the outer one, likewise (a tinted map is a function of each pixel's colour
// and the ramp).
struct GrayRowsSource {
  const IntensityMap* map = nullptr;
  int first_row = 0;
};
IntensityMap MapDisplayIntensity(const cv::Mat& strip, double baseline_row = NAN,
                                 const GrayRowsSource& outer = {});
// Whether MapDisplayIntensity gives the same map of a strip of `rows` rows for both baseline
// rows (the baseline only decides which rows count as near it).
bool SameIntensityMap(double baseline_a, double baseline_b, int rows);

// Levels the strip's gain steps (the operator turned the gain while it was drawn): where the
// noise floor on both sides of the baseline steps by the same amount and stays there, the
// brighter part is darkened by the step. Adds a note per step. strip_gain.cpp.
void LevelGainSteps(Spectrogram& s);

// Axes of a strip from its region calibration, in the canonical orientation (row 0 = highest
// velocity). `flip_rows` says whether the cropped image must be flipped vertically to get there.
struct StripAxes {
  double velocity_top = 0, velocity_step_per_row = 0;
  VelocityUnit unit = VelocityUnit::kCmPerSecond;
  double zero_row_in_region = 0;  // row of velocity 0 in the unflipped crop (may be fractional)
  bool flip_rows = false;
  double t0_s = 0, seconds_per_column = 0;
  std::vector<std::string> warnings;  // calibration inconsistencies
  std::vector<std::string> notes;     // what was done to read it (unit conversion)
};
// Errors: kNotFound (no usable calibration), kUnsupported (units neither cm/s nor Hz).
Result<StripAxes> AxesFromRegion(const UltrasoundRegion& region, int rows);

// A PW display spans exactly one PRF: its height in rows is PRF / (velocity per row) (a CW
// region's PRF tag, when present, is the rate its scale spans too). nullopt without the PRF tag,
// or (cm/s regions) without the transducer frequency.
std::optional<double> PrfSpanRows(const UltrasoundRegion& region, const StripAxes& axes);

// Rows [first, first + count) of a crop that hold the display, when the region is taller than
// one PRF (by more than 4 rows and 3%): some renderers' regions include a margin of panel (scale
// labels, time marks) around the display, which would move the scale edges (aliasing wraps
// between them) and dilute the noise estimate. The window is `span_rows` tall and holds the
// baseline and every textured row (>= 1.5% of its columns, and >= 10% of the middle rows' typical
// share, differ from the row's median: a noise floor's speckle; a margin is uniform apart from a
// few labels), and must be pinned by them within 2 rows. nullopt when the region is not taller,
// the span is not most of it (>= 16 rows and half the region), or no window is pinned.
struct DisplayRows {
  int first = 0, count = 0;
};
std::optional<DisplayRows> FindDisplayRows(const cv::Mat1f& intensity, double zero_row,
                                           double span_rows);

// Masks on the canonical-orientation strip. `expected_baseline_row` is the calibrated zero row.
struct StripMasks {
  cv::Mat1b valid;                           // 255 = spectrum
  std::vector<uint8_t> column_valid;         // 0 = blank, erase bar, stale sweep, scale/labels
  std::optional<double> drawn_baseline_row;  // centre of the detected baseline line, if any
  std::vector<std::string> warnings;         // the display disagrees with the calibration
  std::vector<std::string> notes;            // what was masked (erase bar, scale labels)
  int previous_sweep_columns = 0;            // columns masked as the previous sweep
};
// `keep_previous_sweep`: a sweeping display's previous sweep is read instead of its current
// one (the current sweep and the bar or cursor masked).
StripMasks DetectMasks(const IntensityMap& map, double expected_baseline_row, bool mask_overlays,
                       bool keep_previous_sweep = false);

}  // namespace refluxscan::spectral::detail
