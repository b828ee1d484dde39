// The display path: crop, intensity, axes, masks -> Spectrogram.
#include "refluxscan/spectral/strip.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>

#include "spectral/guard.h"
#include "spectral/strip_internal.h"

namespace refluxscan::spectral {
namespace {

// Position in image.frames of the requested frame (-1 = the last decoded one).
Result<size_t> PickFrame(const UltrasoundImage& image, int frame_index) {
  if (image.frames.empty()) return Fail(ErrorCode::kInvalidInput, "no decoded frames");
  if (frame_index < 0) return image.frames.size() - 1;
  const auto& idx = image.decoded_frame_indices;
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] == frame_index) return i;
  }
  if (idx.empty() && static_cast<size_t>(frame_index) < image.frames.size()) {
    return static_cast<size_t>(frame_index);
  }
  return Fail(ErrorCode::kInvalidInput,
              "frame " + std::to_string(frame_index) + " was not decoded");
}

Result<cv::Mat> CropRegion(const cv::Mat& frame, const UltrasoundRegion& region,
                           std::vector<std::string>& warnings) {
  const cv::Rect wanted = region.Rect();
  const cv::Rect rect = wanted & cv::Rect(0, 0, frame.cols, frame.rows);
  if (rect.width < 4 || rect.height < 4) {
    return Fail(ErrorCode::kInvalidInput, "spectral region is empty or outside the frame");
  }
  if (rect != wanted) warnings.push_back("spectral region clamped to the frame");
  return frame(rect);  // a view: the intensity map is the only reader
}

// The region narrowed to the rows of the display when it holds a margin (FindDisplayRows), else
// the region itself. A note says what was done. `map` receives the intensity map of the whole
// region's crop when one was computed (with the baseline row it was computed for), so that the
// display's own map need not be computed again (SpectrogramFromDisplay).
struct RegionMap {
  std::optional<detail::IntensityMap> map;
  double baseline_row = NAN;
};
UltrasoundRegion DisplayRegion(const cv::Mat& crop, const UltrasoundRegion& region,
                               const detail::StripAxes& axes, std::vector<std::string>& notes,
                               RegionMap& map) {
  const std::optional<double> span = detail::PrfSpanRows(region, axes);
  if (!span || !region.reference_pixel_y0 || crop.rows <= *span) return region;
  // Rows are counted from the region's top: a region clamped to the frame is read as it is.
  if (crop.rows != region.max_y1 - region.min_y0 + 1) return region;
  map.map = detail::MapDisplayIntensity(crop, axes.zero_row_in_region);
  map.baseline_row = axes.zero_row_in_region;
  const auto window = detail::FindDisplayRows(map.map->intensity, axes.zero_row_in_region, *span);
  if (!window) return region;
  UltrasoundRegion narrowed = region;
  narrowed.min_y0 = region.min_y0 + window->first;
  narrowed.max_y1 = narrowed.min_y0 + window->count - 1;
  narrowed.reference_pixel_y0 = *region.reference_pixel_y0 - window->first;
  notes.push_back("spectral region is " + std::to_string(crop.rows) +
                  " rows tall, the display one PRF = " + std::to_string(window->count) +
                  " rows: read from region rows " + std::to_string(window->first) + "-" +
                  std::to_string(window->first + window->count - 1));
  return narrowed;
}

// The display's intensity map, from the region's map when DisplayRegion made one: the same map
// when the crop is the same (and the baseline marks the same rows), its rows when the display is
// a part of the region and both read as gray maps (MapDisplayIntensity), else computed.
detail::IntensityMap DisplayMap(const cv::Mat& crop, double zero_row, const cv::Mat& region_crop,
                                RegionMap& region_map) {
  if (!region_map.map) return detail::MapDisplayIntensity(crop, zero_row);
  const bool same_columns = crop.cols == region_crop.cols && crop.step == region_crop.step &&
                            crop.type() == region_crop.type();
  const auto offset = crop.data - region_crop.data;
  const bool row_aligned =
      same_columns && offset >= 0 && offset % static_cast<std::ptrdiff_t>(crop.step) == 0;
  const int first =
      row_aligned ? static_cast<int>(offset / static_cast<std::ptrdiff_t>(crop.step)) : -1;
  if (first < 0 || first + crop.rows > region_crop.rows) {
    return detail::MapDisplayIntensity(crop, zero_row);
  }
  if (first == 0 && crop.rows == region_crop.rows &&
      detail::SameIntensityMap(zero_row, region_map.baseline_row, crop.rows)) {
    return std::move(*region_map.map);
  }
  return detail::MapDisplayIntensity(crop, zero_row, {&*region_map.map, first});
}

}  // namespace

Result<Spectrogram> SpectrogramFromDisplay(const UltrasoundImage& image,
                                           const UltrasoundRegion& region,
                                           const StripOptions& options) {
  if (!region.IsSpectral() &&
      region.spatial_format != static_cast<int>(RegionSpatialFormat::kSpectral)) {
    return Fail(ErrorCode::kInvalidInput,
                "region is not spectral Doppler (" + RegionDataTypeName(region.data_type) + ")");
  }
  return detail::Guarded("display strip", [&]() -> Result<Spectrogram> {
    auto frame_pos = PickFrame(image, options.frame_index);
    if (!frame_pos) return std::unexpected(frame_pos.error());
    Spectrogram s;
    const cv::Mat& frame = image.frames[*frame_pos];
    auto crop = CropRegion(frame, region, s.warnings);
    if (!crop) return std::unexpected(crop.error());
    auto axes = detail::AxesFromRegion(region, crop->rows);
    if (!axes) return std::unexpected(axes.error());
    RegionMap region_map;
    const cv::Mat region_crop = *crop;
    if (const UltrasoundRegion display = DisplayRegion(*crop, region, *axes, s.notes, region_map);
        display.min_y0 != region.min_y0 || display.max_y1 != region.max_y1) {
      crop = CropRegion(frame, display, s.warnings);
      if (!crop) return std::unexpected(crop.error());
      axes = detail::AxesFromRegion(display, crop->rows);
      if (!axes) return std::unexpected(axes.error());
    }
    const double zero_row = axes->velocity_top / axes->velocity_step_per_row;  // canonical rows
    const double crop_zero_row = axes->flip_rows ? crop->rows - 1 - zero_row : zero_row;
    detail::IntensityMap map = DisplayMap(*crop, crop_zero_row, region_crop, region_map);
    if (axes->flip_rows) {
      cv::flip(map.intensity, map.intensity, 0);
      cv::flip(map.off_ramp, map.off_ramp, 0);
    }
    detail::StripMasks masks =
        detail::DetectMasks(map, zero_row, options.mask_overlays, options.read_previous_sweep);
    s.intensity = map.intensity;
    s.valid = masks.valid;
    s.column_valid = std::move(masks.column_valid);
    s.previous_sweep_columns = masks.previous_sweep_columns;
    s.t0_s = axes->t0_s;
    s.seconds_per_column = axes->seconds_per_column;
    s.velocity_top = axes->velocity_top;
    s.velocity_step_per_row = axes->velocity_step_per_row;
    s.unit = axes->unit;
    s.dynamic_range_db = options.assumed_dynamic_range_db;
    s.source = SpectrogramSource::kDisplay;
    const auto& idx = image.decoded_frame_indices;
    s.frame_index = *frame_pos < idx.size() ? idx[*frame_pos] : static_cast<int>(*frame_pos);
    s.frames_total = std::max(image.number_of_frames, static_cast<int>(image.frames.size()));
    if (map.tinted) s.notes.push_back("tinted display map: intensity read along its colour ramp");
    s.warnings.insert(s.warnings.end(), axes->warnings.begin(), axes->warnings.end());
    s.warnings.insert(s.warnings.end(), masks.warnings.begin(), masks.warnings.end());
    s.notes.insert(s.notes.end(), axes->notes.begin(), axes->notes.end());
    s.notes.insert(s.notes.end(), masks.notes.begin(), masks.notes.end());
    detail::LevelGainSteps(s);
    return s;
  });
}

}  // namespace refluxscan::spectral
