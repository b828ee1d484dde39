// The full display around the strip: B-mode-like image with vein, gate and label; frames of a
// scrolling cine; and the DICOM regions describing it.
#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "synth/render.h"
#include "synth/render_internal.h"
#include "synth/rng.h"

namespace refluxscan::synth {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kBModeDepthCm = 4.0;  // B-mode region height in cm (superficial venous preset)

// Speckle: Rayleigh noise on a coarse grid, upsampled (resolution cell), depth-attenuated.
cv::Mat1f Speckle(cv::Size size, Rng& rng) {
  cv::Mat1f coarse(std::max(2, size.height / 3), std::max(2, size.width / 2));
  for (int r = 0; r < coarse.rows; ++r) {
    for (int c = 0; c < coarse.cols; ++c) {
      coarse(r, c) = static_cast<float>(std::sqrt(-2 * std::log(1 - rng.Uniform())) * 0.35);
    }
  }
  cv::Mat1f fine;
  cv::resize(coarse, fine, size, 0, 0, cv::INTER_LINEAR);
  for (int r = 0; r < fine.rows; ++r) {
    const float depth_gain = static_cast<float>(0.55 + 0.35 * std::exp(-2.0 * r / fine.rows));
    fine.row(r) *= depth_gain;
  }
  return fine;
}

// The vein: an anechoic band along the image with bright walls, slightly tilted.
void DrawVein(cv::Mat1f& img, cv::Point centre, double half_width, double tilt_rad) {
  for (int r = 0; r < img.rows; ++r) {
    for (int c = 0; c < img.cols; ++c) {
      const double axis_y = centre.y + (c - centre.x) * std::tan(tilt_rad);
      const double dist = std::abs(r - axis_y) / half_width;
      if (dist < 1.0)
        img(r, c) *= 0.06f;
      else if (dist < 1.25)
        img(r, c) = std::min(1.0f, img(r, c) * 1.8f + 0.15f);
    }
  }
}

void DrawDashed(cv::Mat& img, cv::Point2d a, cv::Point2d b, const cv::Scalar& colour) {
  const double length = cv::norm(b - a);
  for (double s = 0; s < length; s += 10) {
    const cv::Point2d p0 = a + (b - a) * (s / length);
    const cv::Point2d p1 = a + (b - a) * (std::min(length, s + 5) / length);
    cv::line(img, p0, p1, colour, 1, cv::LINE_AA);
  }
}

// Beam line, sample gate ("=" across the beam) and angle-correction line along the vessel.
void DrawGate(cv::Mat& roi, cv::Point centre, double steer_rad, double tilt_rad, double gate_px,
              const cv::Scalar& colour) {
  const cv::Point2d beam(std::sin(steer_rad), std::cos(steer_rad));
  const cv::Point2d across(beam.y, -beam.x);
  const cv::Point2d c(centre.x, centre.y);
  DrawDashed(roi, c - beam * (centre.y / beam.y), c - beam * (gate_px * 0.8), colour);
  for (double side : {-1.0, 1.0}) {
    const cv::Point2d mid = c + beam * (side * gate_px * 0.5);
    cv::line(roi, mid - across * 8.0, mid + across * 8.0, colour, 2, cv::LINE_AA);
  }
  const cv::Point2d along(std::cos(tilt_rad), std::sin(tilt_rad));
  cv::line(roi, c - along * 18.0, c + along * 18.0, colour, 1, cv::LINE_AA);
}

void DrawBMode(cv::Mat& img, const DisplaySpec& d, const SignalSpec& s, Rng& rng) {
  cv::Mat1f tissue = Speckle(d.bmode.size(), rng);
  tissue.rowRange(0, std::min(4, tissue.rows)) = 0.9f;  // skin line
  const cv::Point centre(static_cast<int>(d.bmode.width * rng.Uniform(0.35, 0.65)),
                         static_cast<int>(d.bmode.height * rng.Uniform(0.35, 0.6)));
  const double tilt = rng.Uniform(-0.12, 0.12);
  DrawVein(tissue, centre, d.bmode.height * rng.Uniform(0.05, 0.11), tilt);
  cv::Mat1b bytes;
  tissue.convertTo(bytes, CV_8U, 255.0);
  cv::Mat roi = img(d.bmode);
  cv::cvtColor(bytes, roi, cv::COLOR_GRAY2BGR);
  // Steer the beam so that it meets the vessel near the Doppler angle (cosmetic).
  const double steer_mag =
      std::clamp(kPi / 2 - s.angle_deg * kPi / 180.0 - std::abs(tilt), 0.0, 0.45);
  const double steer = (rng.Chance(0.5) ? 1 : -1) * steer_mag;
  DrawGate(roi, centre, steer, tilt, d.bmode.height * 0.08, cv::Scalar(90, 230, 230));
  for (double cm = 1; cm < kBModeDepthCm; cm += 1) {  // depth dots every cm
    const int y = static_cast<int>(cm * d.bmode.height / kBModeDepthCm);
    cv::circle(roi, {d.bmode.width - 6, y}, 2, d.text_bgr, cv::FILLED);
  }
}

void DrawHeader(cv::Mat& img, const DisplaySpec& d, const SignalSpec& s) {
  const std::string header = "SYNTH VASCULAR  L12-5  Venous  " +
                             std::to_string(static_cast<int>(std::lround(s.prf_hz))) + " Hz PRF";
  cv::putText(img, header, {8, std::max(14, d.bmode.y - 6)}, d.font_face, d.font_scale, d.text_bgr,
              1, cv::LINE_AA);
}

void DrawLabel(cv::Mat& img, const DisplaySpec& d) {
  if (d.label_text.empty()) return;
  const cv::Point at(d.bmode.x + 10, d.bmode.y + d.bmode.height - 10);
  cv::putText(img, d.label_text, at, d.font_face, d.font_scale * 1.25, cv::Scalar(255, 255, 255), 1,
              cv::LINE_AA);
}

}  // namespace

std::vector<cv::Mat> RenderFrames(const cv::Mat1f& strip_intensity, const DisplaySpec& d,
                                  const SignalSpec& s) {
  Rng rng(d.seed);
  cv::Mat base(d.image_height, d.image_width, CV_8UC3, cv::Scalar(0, 0, 0));
  DrawBMode(base, d, s, rng);
  DrawHeader(base, d, s);
  DrawLabel(base, d);
  DrawScaleAndTime(base, d, s);
  const cv::Mat strip = StripBgrForFrames(strip_intensity, d, s);
  std::vector<cv::Mat> frames;
  const int count = std::max(1, d.frames);
  for (int k = 0; k < count; ++k) {
    cv::Mat frame = base.clone();
    // Cine: frame k shows the strip filled up to a growing column; the last one is complete.
    const int filled = d.strip.width * (k + 1) / count;
    strip.colRange(0, filled).copyTo(frame(d.strip).colRange(0, filled));
    frames.push_back(frame);
  }
  return frames;
}

std::vector<UltrasoundRegion> RegionsOf(const DisplaySpec& d, const SignalSpec& s) {
  UltrasoundRegion bmode;
  bmode.spatial_format = 1;
  bmode.data_type = 1;
  bmode.min_x0 = d.bmode.x;
  bmode.min_y0 = d.bmode.y;
  bmode.max_x1 = d.bmode.x + d.bmode.width - 1;
  bmode.max_y1 = d.bmode.y + d.bmode.height - 1;
  bmode.reference_pixel_x0 = d.bmode.width / 2;
  bmode.reference_pixel_y0 = 0;
  bmode.reference_physical_x = 0.0;
  bmode.reference_physical_y = 0.0;
  bmode.units_x = bmode.units_y = 3;  // cm
  bmode.delta_x = bmode.delta_y = kBModeDepthCm / d.bmode.height;

  UltrasoundRegion spectral;
  spectral.spatial_format = 3;
  spectral.data_type = d.continuous_wave ? 4 : 3;
  // A margin moves the region's corner, so the reference pixels move with it: time 0 stays at
  // the strip's first column and velocity 0 at its baseline row.
  const int left = std::min(d.margin_left, d.strip.x), top = std::min(d.margin_top, d.strip.y);
  spectral.min_x0 = d.strip.x - left;
  spectral.min_y0 = d.strip.y - top;
  spectral.max_x1 = std::min(d.image_width - 1, d.strip.x + d.strip.width - 1 + d.margin_right);
  spectral.max_y1 = std::min(d.image_height - 1, d.strip.y + d.strip.height - 1 + d.margin_bottom);
  spectral.reference_pixel_x0 = left;
  spectral.reference_pixel_y0 = d.baseline_row + top;
  spectral.reference_physical_x = 0.0;
  spectral.reference_physical_y = 0.0;
  spectral.units_x = 4;  // seconds
  spectral.delta_x = d.seconds_per_column;
  const double delta_cm_s = ScaleOf(d, s).delta_y_cm_s;
  // PhysicalDeltaY is "per pixel downward": negative when velocity grows upward.
  spectral.units_y = d.hz_units ? 5 : 7;
  spectral.delta_y = d.hz_units ? DopplerShiftHz(s, delta_cm_s) : delta_cm_s;
  spectral.doppler_correction_angle_deg = s.angle_deg;
  spectral.transducer_frequency_hz = s.transducer_hz;
  spectral.pulse_repetition_frequency_hz = s.prf_hz;
  return {bmode, spectral};
}

}  // namespace refluxscan::synth
