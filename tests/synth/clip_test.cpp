// Generated clips: the rendered strip agrees with the truth envelope, regions read back with the
// intended calibration, files pass dciodvfy, and the truth's classification rules hold.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "refluxscan/dicom/read.h"
#include "refluxscan/dicom/write.h"
#include "synth/clip.h"
#include "synth/scenario.h"
#include "testing/fixtures.h"

namespace refluxscan::synth {
namespace {

ClipSpec PlainSpec(Tint tint, bool inverted_display, uint64_t seed) {
  ClipPlan plan;
  plan.laterality = Laterality::kLeft;
  plan.segment = Segment::kGsvSfj;
  plan.kind = CaseKind::kReflux;
  plan.tint = tint;
  plan.inverted_display = inverted_display;
  plan.inverted_flow = plan.aliasing = plan.overlay_text = plan.erase_bar = plan.ecg =
      plan.multiframe = plan.hz_units = plan.cw = plan.low_snr = plan.two_maneuvers = false;
  Rng rng(seed);
  ClipSpec spec = BuildClipSpec(plan, SampleStyle(), rng);
  spec.display.gamma = 1.0;  // a known display map: noise stays dark, flow bright
  spec.display.black_level = -0.05;
  spec.display.dynamic_range_db = 45;
  spec.signal.snr_db = 25;
  return spec;
}

Result<UltrasoundImage> WriteAndRead(const ClipSpec& spec, const ClipOutput& out,
                                     const std::string& path) {
  dicom::UltrasoundWriteSpec w;
  // Laterality is Type 2C: the writer omits it when empty, which dciodvfy reports (see report).
  w.tags.laterality = "L";
  w.frames = out.frames;
  w.regions = out.regions;
  w.transfer_syntax = spec.transfer_syntax;
  w.jpeg_quality = 90;
  if (auto ok = dicom::WriteUltrasound(w, path); !ok) return std::unexpected(ok.error());
  return dicom::ReadUltrasound(path);
}

// Fraction of checked columns whose outermost bright row lies within tolerance of the truth.
double EnvelopeAgreement(const UltrasoundImage& image, const ClipTruth& truth, Tint tint) {
  // The same display intensity (0.45) for every map, as luminance.
  const cv::Vec3b ref = TintColor(tint, 0.45);
  const double threshold = 0.114 * ref[0] + 0.587 * ref[1] + 0.299 * ref[2];
  const UltrasoundRegion& r = *image.SpectralRegions().front();
  cv::Mat strip;  // luminance: every tint map's luminance rises with intensity
  cv::cvtColor(image.frames.back()(r.Rect()), strip, cv::COLOR_BGR2GRAY);
  int checked = 0, good = 0;
  const double limit =
      std::min(std::abs(truth.velocity_top_cm_s), std::abs(truth.velocity_bottom_cm_s));
  for (int c = 0; c < strip.cols; ++c) {
    const double fwd = truth.envelope.max_forward_cm_s[static_cast<size_t>(c)];
    const double rev = truth.envelope.max_reverse_cm_s[static_cast<size_t>(c)];
    const double v = fwd > rev ? fwd : -rev;
    if (truth.envelope.valid[static_cast<size_t>(c)] == 0) continue;
    if (std::abs(v) < 10 || std::abs(v) > 0.9 * limit) continue;
    // Walk from the scale edge on the flow's side toward the baseline: first bright pixel.
    const int baseline = *r.reference_pixel_y0;
    const bool up = (v > 0) == (r.delta_y < 0);
    double measured = 0;
    for (int k = 0; k < strip.rows; ++k) {
      const int row = up ? k : strip.rows - 1 - k;
      if (std::abs(row - baseline) <= 2) break;
      const int next = up ? row + 1 : row - 1;  // two bright rows: not an isolated speckle
      if (strip.at<uint8_t>(row, c) > threshold && strip.at<uint8_t>(next, c) > threshold) {
        measured = (row - baseline) * r.delta_y;
        break;
      }
    }
    ++checked;
    // Tolerance: a few rows, or the spectral broadening (transit time + Hann main lobe, ~10-15%
    // of the shift) by which a thresholded edge of a speckled spectrum exceeds the true maximum.
    const double tolerance = std::max({5 * std::abs(r.delta_y), 0.15 * std::abs(v), 2.0});
    if (std::abs(measured - v) <= tolerance) ++good;
  }
  return checked > 30 ? static_cast<double>(good) / checked : 0.0;
}

TEST(Clip, RenderedStripMatchesTruthEnvelope) {
  int n = 0;
  for (Tint tint : {Tint::kGray, Tint::kBlue, Tint::kSepia, Tint::kHot}) {
    for (bool inverted : {false, true}) {
      const ClipSpec spec = PlainSpec(tint, inverted, 100 + static_cast<uint64_t>(n++));
      auto out = GenerateClip(spec);
      ASSERT_TRUE(out.has_value()) << out.error().message;
      const auto dir = testing::ScratchDir("synth_envelope");
      auto image = WriteAndRead(spec, *out, (dir / "clip.dcm").string());
      ASSERT_TRUE(image.has_value()) << image.error().message;
      const double agreement = EnvelopeAgreement(*image, out->truth, tint);
      EXPECT_GT(agreement, 0.7) << TintName(tint) << (inverted ? " inverted" : "");
      if (agreement <= 0.7) {  // keep the evidence for a person to look at
        cv::imwrite(
            (testing::BinaryDir() / ("synth_envelope_failure_" + std::to_string(n) + ".png"))
                .string(),
            image->frames.back());
      }
    }
  }
}

TEST(Clip, RegionsReadBackWithTheIntendedCalibration) {
  ClipSpec spec = PlainSpec(Tint::kGray, true, 7);
  spec.display.hz_units = true;
  spec.display.continuous_wave = true;
  auto out = GenerateClip(spec);
  ASSERT_TRUE(out.has_value());
  auto image = WriteAndRead(spec, *out, (testing::ScratchDir("synth_regions") / "c.dcm").string());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  ASSERT_EQ(image->SpectralRegions().size(), 1u);
  const UltrasoundRegion& r = *image->SpectralRegions().front();
  const DisplaySpec& d = spec.display;
  EXPECT_EQ(r.data_type, 4);
  EXPECT_EQ(r.Rect(), d.strip);
  EXPECT_EQ(r.reference_pixel_y0, d.baseline_row);
  EXPECT_EQ(r.units_x, 4);
  EXPECT_EQ(r.units_y, 5);
  EXPECT_NEAR(r.delta_x, d.seconds_per_column, 1e-9);
  EXPECT_GT(r.delta_y, 0);  // inverted display: values grow downward
  EXPECT_NEAR(r.delta_y * d.strip.height, spec.signal.prf_hz, 1e-6 * spec.signal.prf_hz);
  EXPECT_NEAR(*r.transducer_frequency_hz, spec.signal.transducer_hz, 1.0);
  EXPECT_NEAR(*r.pulse_repetition_frequency_hz, spec.signal.prf_hz, 1e-6);
  EXPECT_NEAR(*r.doppler_correction_angle_deg, spec.signal.angle_deg, 1e-9);
  const bool has_bmode =
      std::any_of(image->regions.begin(), image->regions.end(),
                  [](const UltrasoundRegion& x) { return x.spatial_format == 1; });
  EXPECT_TRUE(has_bmode);
}

TEST(Clip, WrittenFilesPassDciodvfy) {
  if (!std::filesystem::exists("/usr/bin/dciodvfy")) GTEST_SKIP() << "dciodvfy not installed";
  const auto dir = testing::ScratchDir("synth_dciodvfy");
  for (int frames : {1, 3}) {
    ClipSpec spec = PlainSpec(Tint::kGray, false, 11);
    spec.display.frames = frames;
    auto out = GenerateClip(spec);
    ASSERT_TRUE(out.has_value());
    const std::string path = (dir / (frames == 1 ? "single.dcm" : "multi.dcm")).string();
    ASSERT_TRUE(WriteAndRead(spec, *out, path).has_value());
    std::string command = "/usr/bin/dciodvfy ";
    command.append(path).append(" 2>&1");
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    ASSERT_TRUE(pipe);
    std::string report;
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe.get()) != nullptr) report += buffer;
    EXPECT_EQ(report.find("Error"), std::string::npos) << report;
  }
}

TEST(Clip, TruthClassificationRules) {
  ClipSpec spec = PlainSpec(Tint::kGray, false, 3);
  ClipTruth t = TruthOf(spec);
  EXPECT_EQ(t.expected_classification, "reflux");
  EXPECT_GT(t.reflux_duration_ms, t.threshold_ms + 79);
  spec.signal.snr_db = -25;
  t = TruthOf(spec);
  EXPECT_EQ(t.expected_reason, "weak_signal");
  spec.signal.snr_db = 20;
  spec.flow.maneuvers.clear();
  t = TruthOf(spec);
  EXPECT_EQ(t.expected_reason, "no_augmentation");
  // Truncated below threshold: the clip ends 200 ms after onset.
  spec = PlainSpec(Tint::kGray, false, 3);
  const double onset = spec.flow.maneuvers[0].RefluxOnsetS();
  spec.display.strip.width = static_cast<int>((onset + 0.2) / spec.display.seconds_per_column) + 1;
  t = TruthOf(spec);
  EXPECT_EQ(t.expected_reason, "truncated_below_threshold");
  EXPECT_TRUE(t.maneuvers[0].truncated);
}

TEST(Clip, EraseBarShowsThePreviousSweepAndEndsTheRecording) {
  ClipSpec spec = PlainSpec(Tint::kGray, false, 3);
  const double release = spec.flow.maneuvers[0].ReleaseS();
  const int bar = static_cast<int>((release - 0.3) / spec.display.seconds_per_column);
  spec.display.erase_bar_column = bar;
  spec.display.erase_bar_width = 8;
  const double sweep_s = spec.display.strip.width * spec.display.seconds_per_column;
  EXPECT_DOUBLE_EQ(spec.display.ColumnTimeS(bar - 1), (bar - 1) * spec.display.seconds_per_column);
  EXPECT_DOUBLE_EQ(spec.display.ColumnTimeS(bar + 8),
                   (bar + 8) * spec.display.seconds_per_column - sweep_s);
  const ClipTruth t = TruthOf(spec);
  ASSERT_EQ(t.invalid_columns.size(), 1u);
  EXPECT_EQ(t.invalid_columns[0].first, bar);
  EXPECT_EQ(t.invalid_columns[0].second, spec.display.strip.width - 1);
  // The release falls after the bar: the maneuver is not in this recording.
  EXPECT_TRUE(t.maneuvers.empty());
  EXPECT_EQ(t.expected_reason, "no_augmentation");
  auto out = GenerateClip(spec);
  ASSERT_TRUE(out.has_value());
  // The emitted signal is the current sweep's, ending just after the bar's start.
  const double signal_end_s =
      out->iq.start_s + static_cast<double>(out->iq.samples.size()) / out->iq.prf_hz;
  EXPECT_LT(signal_end_s, bar * spec.display.seconds_per_column + 0.2);
}

// The scanner's auto-trace lies on the displayed spectrum's outer edge (within a few rows of the
// truth envelope where there is flow) in every column; a dotted grid is drawn at the scale's
// ticks. Both are named in the truth's conditions. Without them the strip is the plain one.
TEST(Clip, AutoTraceFollowsTheSpectrumEdgeAndGridDotsTheTicks) {
  ClipSpec spec = PlainSpec(Tint::kGray, false, 5);
  const auto plain = GenerateClip(spec);
  spec.display.auto_trace = spec.display.grid = true;
  spec.display.auto_trace_bgr = cv::Scalar(80, 230, 230);
  const auto decorated = GenerateClip(spec);
  ASSERT_TRUE(plain.has_value() && decorated.has_value());
  const cv::Rect strip = spec.display.strip;
  const cv::Mat3b a = plain->frames.back()(strip), b = decorated->frames.back()(strip);
  int traced = 0, near_truth = 0, flow_columns = 0;
  const ClipTruth t = TruthOf(spec);
  const StripScale scale = ScaleOf(spec.display, spec.signal);
  for (int c = 0; c < b.cols; ++c) {
    int farthest = -1;
    for (int r = 0; r < b.rows; ++r) {
      if (b(r, c) == cv::Vec3b(80, 230, 230)) {
        farthest = std::max(farthest, std::abs(r - spec.display.baseline_row));
      }
    }
    traced += farthest >= 0;
    const double v = std::max(t.envelope.max_forward_cm_s[static_cast<size_t>(c)],
                              t.envelope.max_reverse_cm_s[static_cast<size_t>(c)]);
    if (v / scale.cm_s_per_row < 8) continue;  // the edge of flow at least 8 rows tall
    ++flow_columns;
    near_truth += std::abs(farthest - v / scale.cm_s_per_row) <= 0.25 * v / scale.cm_s_per_row;
  }
  EXPECT_GE(traced, b.cols * 95 / 100);
  ASSERT_GT(flow_columns, 20);
  EXPECT_GE(near_truth, flow_columns * 8 / 10) << near_truth << " of " << flow_columns;
  int grid_dots = 0;  // gray dots where the plain strip differs only by the grid and the trace
  for (int r = 0; r < b.rows; ++r) {
    for (int c = 0; c < b.cols; ++c)
      grid_dots += b(r, c) == cv::Vec3b(110, 110, 110) && a(r, c) != b(r, c);
  }
  EXPECT_GT(grid_dots, b.cols / 6);
  const std::vector<std::string>& conditions = decorated->truth.conditions;
  EXPECT_NE(std::find(conditions.begin(), conditions.end(), "auto_trace"), conditions.end());
  EXPECT_NE(std::find(conditions.begin(), conditions.end(), "grid"), conditions.end());
}

TEST(Clip, PlannedDurationsStayClearOfThresholds) {
  Rng rng(5);
  for (int study = 0; study < 10; ++study) {
    for (const ClipPlan& plan : StressStudyPlans(rng)) {
      const ClipSpec spec = BuildClipSpec(plan, StressStyle(), rng);
      const ClipTruth t = TruthOf(spec);
      const bool near = std::find(t.conditions.begin(), t.conditions.end(), "near_threshold") !=
                        t.conditions.end();
      for (const ManeuverTruth& m : t.maneuvers) {
        if (!m.has_reflux) continue;
        EXPECT_GE(std::abs(m.reflux_duration_ms - t.threshold_ms), near ? 15.0 - 1e-6 : 10.0);
      }
      EXPECT_GE(spec.display.seconds_per_column, 0.002);
      EXPECT_LE(spec.display.seconds_per_column, 0.015 + 1e-12);  // rounded to 1e-5 s
      EXPECT_GE(spec.signal.prf_hz, 1000);
      EXPECT_LE(spec.signal.prf_hz, 12000);
    }
  }
}

}  // namespace
}  // namespace refluxscan::synth
