#pragma once
// The meeting point of the display path and the signal path: a calibrated time x velocity image.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace refluxscan {

enum class VelocityUnit { kCmPerSecond, kHertz };  // kHertz: no f0/angle to convert, flagged
enum class SpectrogramSource { kDisplay, kIq, kAudio };
std::string_view VelocityUnitName(VelocityUnit u);            // "cm/s" / "Hz"
std::string_view SpectrogramSourceName(SpectrogramSource s);  // "display" / "iq" / "audio"

// Canonical orientation: row 0 holds the highest velocity of the scale, velocity falls by
// `velocity_step_per_row` each row (the step is > 0), columns advance in time.
//   velocity(row) = velocity_top - row * velocity_step_per_row
// Positive velocity = the calibration's positive direction (toward the probe for a non-inverted
// display). Which direction is antegrade is decided later, in the reflux stage.
struct Spectrogram {
  cv::Mat1f intensity;  // log-compressed power mapped to [0, 1] (0 = bottom of dynamic range)
  cv::Mat1b valid;      // 255 = spectrum pixel, 0 = masked (baseline line, text, ticks, trace)
  std::vector<uint8_t> column_valid;  // 0 = blank column, erase bar or stale sweep data
  double t0_s = 0;                    // time of column 0
  double seconds_per_column = 0;      // > 0
  double velocity_top = 0;            // at row 0, in `unit`
  double velocity_step_per_row = 0;   // > 0, in `unit` per row
  VelocityUnit unit = VelocityUnit::kCmPerSecond;
  double dynamic_range_db = 40;  // intensity 1.0 - 0.0 spans this many dB (undoes log map)
  SpectrogramSource source = SpectrogramSource::kDisplay;
  int frame_index = 0;  // display path: which frame was analyzed
  int frames_total = 1;
  // Display path: columns masked as a sweeping display's previous sweep (0: none, or kept by
  // StripOptions::read_previous_sweep).
  int previous_sweep_columns = 0;
  std::vector<std::string> warnings;  // calibration checks that failed: the QA flag
                                      // calibration_inconsistent
  std::vector<std::string> notes;     // what was done to read it: masks, tint, unit conversion

  int Rows() const { return intensity.rows; }
  int Columns() const { return intensity.cols; }
  double VelocityAtRow(double row) const { return velocity_top - row * velocity_step_per_row; }
  double RowOfVelocity(double v) const { return (velocity_top - v) / velocity_step_per_row; }
  double BaselineRow() const { return RowOfVelocity(0.0); }
  double TimeOfColumn(double col) const { return t0_s + col * seconds_per_column; }
  double VelocityBottom() const { return VelocityAtRow(Rows() - 1); }
};

// Per-column flags of an Envelope (bit mask).
enum EnvelopeColumnFlag : uint8_t {
  kColumnMasked = 1 << 0,   // no usable spectrum (erase bar, blank, stale)
  kColumnAliased = 1 << 1,  // wrap-around detected (unwrapped if kColumnUnwrapped)
  kColumnUnwrapped = 1 << 2,
  kColumnSaturated = 1 << 3,     // gain too high: spectrum clipped at full brightness
  kColumnWeak = 1 << 4,          // signal barely above the noise floor
  kColumnInterpolated = 1 << 5,  // value bridged from neighbours (masked overlay)
};

// Velocity envelopes per column. All velocities in `unit` (cm/s normally).
struct Envelope {
  double t0_s = 0;
  double seconds_per_column = 0;
  VelocityUnit unit = VelocityUnit::kCmPerSecond;
  std::vector<float> max_forward;  // >= 0: highest velocity with signal on the positive side
  std::vector<float> max_reverse;  // >= 0: magnitude of the most negative velocity with signal
  std::vector<float> mean;         // signed intensity-weighted mean velocity
  std::vector<float> confidence;   // 0..1, per column
  // Per column, the mean linear spectral power (log map undone) over each side's rows beyond
  // the baseline line, in units of the noise power (about 1 where there is no flow). Flow adds
  // its whole power here whatever its velocity, so the time where it reaches half its plateau
  // is not moved by the spectrogram's time window (reflux onset timing). NaN where masked;
  // empty when unknown (hand-made envelopes).
  std::vector<float> power_forward, power_reverse;
  // Per column, the lit spectrum's texture on each side: the mean change of display intensity
  // (0..1) over ~30 ms, between the baseline and the envelope, unclipped pixels only. Blood's
  // speckle changes within one analysis window, a coherent band of tissue clutter does not.
  // NaN where too few pixels qualify; empty when unknown (hand-made envelopes).
  std::vector<float> texture_forward, texture_reverse;
  std::vector<uint8_t> flags;      // EnvelopeColumnFlag bits
  double positive_limit = 0;       // top of the velocity scale (> 0 normally)
  double negative_limit = 0;       // bottom of the scale (< 0 normally)
  double velocity_resolution = 0;  // one row / one FFT bin, in `unit`
  double noise_floor = 0;          // estimated noise intensity (0..1 display units)
  double noise_velocity = 0;       // smallest velocity distinguishable from wall/noise
  bool aliased = false, saturated = false, weak_signal = false;
  std::vector<std::string> warnings;

  size_t Size() const { return max_forward.size(); }
  double TimeOf(double column) const { return t0_s + column * seconds_per_column; }
};

}  // namespace refluxscan
