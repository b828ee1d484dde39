// Axes of a spectral strip from its Sequence of Ultrasound Regions item (DOMAIN.md table).
#include <cmath>
#include <string>

#include "refluxscan/spectral/signal.h"
#include "spectral/strip_internal.h"

namespace refluxscan::spectral::detail {
namespace {

bool Usable(double x) { return std::isfinite(x) && x != 0.0; }

// Scale from the region's vertical unit to the spectrogram unit: 1 for cm/s; for Hz, cm/s per
// Hz when f0 and the angle are known, else 1 with the unit kept as Hz (and a warning).
Result<double> VerticalUnitScale(const UltrasoundRegion& region, StripAxes& axes) {
  if (region.units_y == static_cast<int>(PhysicalUnits::kCmPerSecond)) {
    axes.unit = VelocityUnit::kCmPerSecond;
    return 1.0;
  }
  if (region.units_y != static_cast<int>(PhysicalUnits::kHertz)) {
    return Fail(ErrorCode::kUnsupported, "spectral region vertical units are " +
                                             PhysicalUnitsName(region.units_y) +
                                             ", neither cm/s nor Hz");
  }
  const auto f0 = region.transducer_frequency_hz;
  const auto angle = region.doppler_correction_angle_deg;
  if (f0 && angle && *f0 > 0 && std::abs(*angle) < 89.0) {
    axes.unit = VelocityUnit::kCmPerSecond;
    axes.notes.push_back("velocity scale converted from Hz using f0 and the Doppler angle");
    return VelocityCmSFromDopplerShift(1.0, *f0, *angle);
  }
  axes.unit = VelocityUnit::kHertz;
  axes.warnings.push_back(
      "velocity scale in Hz: transducer frequency or Doppler angle missing, not converted");
  return 1.0;
}

Result<void> TimeAxis(const UltrasoundRegion& region, StripAxes& axes) {
  if (region.units_x != static_cast<int>(PhysicalUnits::kSeconds) || !Usable(region.delta_x)) {
    return Fail(ErrorCode::kNotFound,
                "no usable calibration: horizontal axis is not seconds "
                "with a non-zero PhysicalDeltaX (units " +
                    PhysicalUnitsName(region.units_x) + ")");
  }
  axes.seconds_per_column = std::abs(region.delta_x);
  if (region.delta_x < 0) axes.warnings.push_back("PhysicalDeltaX < 0: time taken as increasing");
  // Time of column 0 from the reference pixel when both are given, else 0.
  if (region.reference_pixel_x0 && region.reference_physical_x) {
    axes.t0_s = *region.reference_physical_x - *region.reference_pixel_x0 * axes.seconds_per_column;
  }
  return {};
}

}  // namespace

Result<StripAxes> AxesFromRegion(const UltrasoundRegion& region, int rows) {
  StripAxes axes;
  if (!Usable(region.delta_y)) {
    return Fail(ErrorCode::kNotFound, "no usable calibration: PhysicalDeltaY is zero or absent");
  }
  if (!region.reference_pixel_y0) {
    return Fail(ErrorCode::kNotFound, "no usable calibration: ReferencePixelY0 (baseline) absent");
  }
  auto scale = VerticalUnitScale(region, axes);
  if (!scale) return std::unexpected(scale.error());
  if (auto t = TimeAxis(region, axes); !t) return std::unexpected(t.error());
  // value(y) = ref_value + (y - ref_y0) * delta_y  =>  value 0 at y = ref_y0 - ref_value/delta_y.
  const double ref_value = region.reference_physical_y.value_or(0.0);
  if (!std::isfinite(ref_value)) {
    return Fail(ErrorCode::kNotFound,
                "no usable calibration: ReferencePixelPhysicalValueY is not a finite number");
  }
  axes.zero_row_in_region = *region.reference_pixel_y0 - ref_value / region.delta_y;
  if (!std::isfinite(axes.zero_row_in_region) || std::abs(axes.zero_row_in_region) > 1e7) {
    return Fail(ErrorCode::kNotFound, "no usable calibration: the baseline row is out of range");
  }
  const double step = std::abs(region.delta_y);
  // delta_y < 0: value grows upward, already canonical. delta_y > 0: flip rows.
  axes.flip_rows = region.delta_y > 0;
  const double zero_row =
      axes.flip_rows ? (rows - 1) - axes.zero_row_in_region : axes.zero_row_in_region;
  axes.velocity_top = zero_row * step * *scale;
  axes.velocity_step_per_row = step * *scale;
  if (zero_row < 0 || zero_row > rows - 1) {
    axes.warnings.push_back("baseline (zero velocity) lies outside the strip");
  }
  return axes;
}

}  // namespace refluxscan::spectral::detail
