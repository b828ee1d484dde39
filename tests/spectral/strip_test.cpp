#include "refluxscan/spectral/strip.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "refluxscan/spectral/envelope.h"
#include "refluxscan/spectral/signal.h"
#include "spectral/strip_internal.h"
#include "synthetic.h"

namespace refluxscan::spectral {
namespace {

constexpr int kRows = 200, kCols = 300, kX0 = 50, kY0 = 30;

UltrasoundRegion SpectralRegion() { return testing::StripRegion(kX0, kY0, kCols, kRows); }

// A 260 x 400 frame holding `strip` at the region position.
UltrasoundImage ImageWith(const cv::Mat& strip) {
  UltrasoundImage image;
  image.rows = 260, image.columns = 400;
  cv::Mat frame(260, 400, strip.type(), cv::Scalar::all(0));
  strip.copyTo(frame(cv::Rect(kX0, kY0, kCols, kRows)));
  image.frames.push_back(frame);
  image.decoded_frame_indices.push_back(0);
  return image;
}

// Forward flow up to 30 cm/s in the middle third, noise elsewhere.
cv::Mat1b NoisyStrip(unsigned seed = 3) {
  std::vector<double> v(kCols, 0.0);
  for (int c = 100; c < 200; ++c) v[static_cast<size_t>(c)] = 30;
  testing::SyntheticSpec spec;
  spec.seed = seed;
  return testing::ToGray8(testing::MakeSpectrogram(spec, v).intensity);
}

bool HasWarning(const Spectrogram& s, const std::string& needle) {
  return std::any_of(s.warnings.begin(), s.warnings.end(),
                     [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

// Notes say how the display was read (masks, tint): information, never a calibration warning.
bool HasNote(const Spectrogram& s, const std::string& needle) {
  return !HasWarning(s, needle) &&
         std::any_of(s.notes.begin(), s.notes.end(),
                     [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

// `strip` is read without an erase bar, its columns [first, end) kept as data.
void ExpectNoEraseBar(const cv::Mat& strip, int first, int end) {
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_FALSE(HasNote(*s, "erase bar"));
  for (int c = first; c < end; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
}

// `strip` is read with an erase bar (the control of a case that has none).
void ExpectEraseBar(const cv::Mat& strip) {
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_TRUE(HasNote(*s, "erase bar"));
}

// The strip read as a sweep with its erase bar: a note says so, columns from `stale_first` on (the
// bar and the previous sweep) are masked and [valid_first, valid_end) kept.
void ExpectSweepMasked(const cv::Mat& strip, int stale_first, int valid_first, int valid_end) {
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(HasNote(*s, "erase bar"));
  for (int c = stale_first; c < kCols; ++c) {
    EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
  }
  for (int c = valid_first; c < valid_end; ++c) {
    EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  }
}

TEST(StripCalibration, BaselineFromReferenceRow) {
  auto s = SpectrogramFromDisplay(ImageWith(NoisyStrip()), SpectralRegion());
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_DOUBLE_EQ(s->velocity_top, 60.0);
  EXPECT_DOUBLE_EQ(s->velocity_step_per_row, 0.5);
  EXPECT_DOUBLE_EQ(s->BaselineRow(), 120.0);
  EXPECT_DOUBLE_EQ(s->seconds_per_column, 0.01);
  EXPECT_EQ(s->unit, VelocityUnit::kCmPerSecond);
  EXPECT_EQ(s->Rows(), kRows);
  EXPECT_EQ(s->Columns(), kCols);
}

TEST(StripCalibration, NonZeroReferenceValue) {
  auto region = SpectralRegion();
  region.reference_pixel_y0 = 20;
  region.reference_physical_y = 50.0;  // 50 cm/s at row 20 -> zero at row 20 + 50 / 0.5 = 120
  auto s = SpectrogramFromDisplay(ImageWith(NoisyStrip()), region);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->BaselineRow(), 120.0);
  EXPECT_DOUBLE_EQ(s->velocity_top, 60.0);
}

TEST(StripCalibration, PositiveDeltaFlipsRows) {
  cv::Mat1b strip(kRows, kCols, uchar{0});
  strip.row(10).setTo(255);  // unflipped row 10 = (10 - 80) * 0.5 = -35 cm/s
  auto region = SpectralRegion();
  region.reference_pixel_y0 = 80;
  region.delta_y = 0.5;  // velocity grows downward
  StripOptions options;
  options.mask_overlays = false;
  auto s = SpectrogramFromDisplay(ImageWith(strip), region, options);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->BaselineRow(), 199.0 - 80.0);
  EXPECT_DOUBLE_EQ(s->velocity_top, (199.0 - 80.0) * 0.5);
  const int row = static_cast<int>(std::lround(s->RowOfVelocity(-35)));
  EXPECT_EQ(row, 189);
  EXPECT_FLOAT_EQ(s->intensity(row, 5), 1.0f);
  EXPECT_FLOAT_EQ(s->intensity(10, 5), 0.0f);
}

TEST(StripCalibration, HertzConvertedWithTransducerAndAngle) {
  auto region = SpectralRegion();
  region.units_y = 5;
  region.delta_y = -20;  // Hz per row
  region.transducer_frequency_hz = 5e6;
  region.doppler_correction_angle_deg = 60;
  auto s = SpectrogramFromDisplay(ImageWith(NoisyStrip()), region);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->unit, VelocityUnit::kCmPerSecond);
  EXPECT_NEAR(s->velocity_step_per_row, VelocityCmSFromDopplerShift(20, 5e6, 60), 1e-9);
  EXPECT_NEAR(s->velocity_top, 120 * VelocityCmSFromDopplerShift(20, 5e6, 60), 1e-9);
  region.doppler_correction_angle_deg.reset();
  auto hz = SpectrogramFromDisplay(ImageWith(NoisyStrip()), region);
  ASSERT_TRUE(hz.has_value());
  EXPECT_EQ(hz->unit, VelocityUnit::kHertz);
  EXPECT_DOUBLE_EQ(hz->velocity_step_per_row, 20.0);
  EXPECT_TRUE(HasWarning(*hz, "Hz"));
}

TEST(StripCalibration, RejectsUnusableCalibration) {
  const auto image = ImageWith(NoisyStrip());
  auto region = SpectralRegion();
  region.reference_pixel_y0.reset();
  EXPECT_EQ(SpectrogramFromDisplay(image, region).error().code, ErrorCode::kNotFound);
  region = SpectralRegion();
  region.delta_y = 0;
  EXPECT_EQ(SpectrogramFromDisplay(image, region).error().code, ErrorCode::kNotFound);
  region = SpectralRegion();
  region.units_y = 3;
  EXPECT_EQ(SpectrogramFromDisplay(image, region).error().code, ErrorCode::kUnsupported);
  region = SpectralRegion();
  region.units_x = 3;
  EXPECT_EQ(SpectrogramFromDisplay(image, region).error().code, ErrorCode::kNotFound);
  region = SpectralRegion();
  region.data_type = 1, region.spatial_format = 1;
  EXPECT_EQ(SpectrogramFromDisplay(image, region).error().code, ErrorCode::kInvalidInput);
}

TEST(StripFrames, PicksRequestedOrLastDecodedFrame) {
  UltrasoundImage image = ImageWith(NoisyStrip(1));
  image.frames.push_back(ImageWith(NoisyStrip(2)).frames[0]);
  image.frames.push_back(ImageWith(NoisyStrip(3)).frames[0]);
  image.decoded_frame_indices = {0, 5, 9};
  image.number_of_frames = 10;
  auto last = SpectrogramFromDisplay(image, SpectralRegion());
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->frame_index, 9);
  EXPECT_EQ(last->frames_total, 10);
  EXPECT_EQ(cv::norm(last->intensity, DisplayIntensity(NoisyStrip(3)), cv::NORM_INF), 0.0);
  StripOptions options;
  options.frame_index = 5;
  auto fifth = SpectrogramFromDisplay(image, SpectralRegion(), options);
  ASSERT_TRUE(fifth.has_value());
  EXPECT_EQ(fifth->frame_index, 5);
  options.frame_index = 7;
  EXPECT_FALSE(SpectrogramFromDisplay(image, SpectralRegion(), options).has_value());
}

// Tinted maps: gray g -> colour LUT(g). Blue: linear tint; sepia: curved, channel-wise gammas.
cv::Mat3b ApplyLut(const cv::Mat1b& gray, cv::Vec3b (*lut)(int)) {
  cv::Mat3b out(gray.size());
  for (int r = 0; r < gray.rows; ++r) {
    for (int c = 0; c < gray.cols; ++c) out(r, c) = lut(gray(r, c));
  }
  return out;
}
cv::Vec3b BlueLut(int g) {  // BGR
  return {static_cast<uchar>(g), static_cast<uchar>(std::lround(0.78 * g)),
          static_cast<uchar>(std::lround(0.55 * g))};
}
cv::Vec3b SepiaLut(int g) {
  const double t = g / 255.0;
  return {static_cast<uchar>(std::lround(200 * std::pow(t, 1.15))),
          static_cast<uchar>(std::lround(235 * std::pow(t, 1.0))),
          static_cast<uchar>(std::lround(255 * std::pow(t, 0.9)))};
}

TEST(DisplayIntensity, GrayIsExact) {
  const cv::Mat1b gray = NoisyStrip();
  const cv::Mat1f from_gray = DisplayIntensity(gray);
  cv::Mat1f expected(gray.size());
  for (int r = 0; r < gray.rows; ++r) {
    for (int c = 0; c < gray.cols; ++c) expected(r, c) = static_cast<float>(gray(r, c) / 255.0);
  }
  EXPECT_EQ(cv::norm(from_gray, expected, cv::NORM_INF), 0.0);
  cv::Mat3b bgr;
  cv::cvtColor(gray, bgr, cv::COLOR_GRAY2BGR);
  EXPECT_EQ(cv::norm(DisplayIntensity(bgr), expected, cv::NORM_INF), 0.0);
}

TEST(DisplayIntensity, TintedMapsInvertToTheGrayLevel) {
  const cv::Mat1b gray = NoisyStrip();
  cv::Mat1f expected;
  gray.convertTo(expected, CV_32F, 1.0 / 255.0);
  for (auto lut : {&BlueLut, &SepiaLut}) {
    const cv::Mat1f got = DisplayIntensity(ApplyLut(gray, lut));
    ASSERT_EQ(got.size(), gray.size());
    cv::Mat1f err = cv::abs(got - expected);
    std::vector<float> e(err.begin(), err.end());
    std::nth_element(e.begin(), e.begin() + static_cast<long>(e.size() * 95 / 100), e.end());
    EXPECT_LT(e[e.size() * 95 / 100], 0.04f)
        << "95th percentile error, lut " << (lut == &BlueLut ? "blue" : "sepia");
    EXPECT_LT(cv::mean(err)[0], 0.015) << (lut == &BlueLut ? "blue" : "sepia");
    std::cout << (lut == &BlueLut ? "blue" : "sepia") << " p95 " << e[e.size() * 95 / 100]
              << " mean " << cv::mean(err)[0] << "\n";
  }
}

// A strip of no display's channel count (2) has no intensity: an empty map, not an endless
// conversion (8 bits keep the channels).
TEST(DisplayIntensity, ATwoChannelStripHasNoIntensity) {
  EXPECT_TRUE(DisplayIntensity(cv::Mat(20, 30, CV_8UC2, cv::Scalar(40, 200))).empty());
  EXPECT_TRUE(DisplayIntensity(cv::Mat(20, 30, CV_16UC2, cv::Scalar(400, 2000))).empty());
}

// An inverted (printer-style) display draws strong signal dark on a light floor: it reads
// through its negative, exactly for gray (the negative of the negative), through the ramp for a
// tint whose negative is a cream floor with dark-brown signal.
TEST(DisplayIntensity, ALightFloorDisplayReadsThroughItsNegative) {
  const cv::Mat1b gray = NoisyStrip();
  cv::Mat1f expected(gray.size());
  for (int r = 0; r < gray.rows; ++r) {
    for (int c = 0; c < gray.cols; ++c) expected(r, c) = static_cast<float>(gray(r, c) / 255.0);
  }
  cv::Mat1b light;
  cv::bitwise_not(gray, light);
  EXPECT_EQ(cv::norm(DisplayIntensity(light), expected, cv::NORM_INF), 0.0);
  cv::Mat3b cream;
  cv::bitwise_not(ApplyLut(gray, &SepiaLut), cream);
  const cv::Mat1f got = DisplayIntensity(cream);
  ASSERT_EQ(got.size(), gray.size());
  EXPECT_LT(cv::mean(cv::abs(got - expected))[0], 0.015);
}

// A rainbow whose luminance is not monotonic (black -> blue -> cyan -> green -> yellow -> red,
// red darker than cyan), as refluxscan-synth's --tint rainbow: the luma-ordered ramp mixes
// distant parts of it; the ramp traced along the colours' ridge reads the gray level back.
cv::Vec3b RainbowLut(int g) {
  static const int kRgb[9][3] = {{0, 0, 0},     {0, 0, 150},   {0, 90, 230},
                                 {0, 200, 220}, {40, 210, 60}, {230, 230, 0},
                                 {255, 130, 0}, {230, 30, 20}, {255, 200, 200}};
  const double x = g / 255.0 * 8;
  const int k = std::min(7, static_cast<int>(x));
  const double w = x - k;
  cv::Vec3b bgr;
  for (int ch = 0; ch < 3; ++ch) {
    bgr[2 - ch] = static_cast<uchar>(std::lround(kRgb[k][ch] * (1 - w) + kRgb[k + 1][ch] * w));
  }
  return bgr;
}

TEST(DisplayIntensity, ARainbowMapIsReadAlongItsColours) {
  const cv::Mat1b gray = NoisyStrip();
  cv::Mat1f expected;
  gray.convertTo(expected, CV_32F, 1.0 / 255.0);
  const detail::IntensityMap map = detail::MapDisplayIntensity(ApplyLut(gray, &RainbowLut));
  ASSERT_TRUE(map.tinted);
  // The flow (levels >= 0.25): on the ramp (not masked as an overlay) and read near its level.
  int flow = 0, off = 0;
  std::vector<float> e;
  for (int r = 0; r < gray.rows; ++r) {
    for (int c = 0; c < gray.cols; ++c) {
      if (expected(r, c) < 0.25f) continue;
      ++flow;
      off += map.off_ramp(r, c) > 40.0f ? 1 : 0;
      e.push_back(std::abs(map.intensity(r, c) - expected(r, c)));
    }
  }
  ASSERT_GT(flow, 1000);
  std::nth_element(e.begin(), e.begin() + static_cast<long>(e.size() / 2), e.end());
  EXPECT_LT(off, flow / 50) << off << " of " << flow << " flow pixels off the ramp";
  EXPECT_LT(e[e.size() / 2], 0.05f) << "median error";
  std::cout << "rainbow: " << off << " of " << flow << " flow pixels off the ramp, median error "
            << e[e.size() / 2] << "\n";
}

// A tinted map reads each pixel through its colour alone, along a ramp made from the strip's
// colour histogram: the same pixels in another order (mirrored, or a view with a row stride)
// map to the same values in that order. The jitter gives > 2^14 distinct colours (the colour
// table grows) and breaks the runs of equal neighbours differently in each order.
TEST(DisplayIntensity, TintedMapIsAFunctionOfEachPixelsColour) {
  cv::Mat3b tinted = ApplyLut(NoisyStrip(), &BlueLut);
  cv::RNG rng(7);
  for (auto& p : tinted) {
    for (int ch = 0; ch < 3; ++ch) p[ch] = cv::saturate_cast<uchar>(p[ch] + rng.uniform(-8, 9));
  }
  std::vector<int> keys;
  for (const auto& p : tinted) keys.push_back(p[0] << 16 | p[1] << 8 | p[2]);
  std::sort(keys.begin(), keys.end());
  ASSERT_GT(std::unique(keys.begin(), keys.end()) - keys.begin(), 1 << 14);
  const detail::IntensityMap map = detail::MapDisplayIntensity(tinted);
  ASSERT_TRUE(map.tinted);
  cv::Mat3b mirrored;
  cv::flip(tinted, mirrored, 1);
  const detail::IntensityMap from_mirrored = detail::MapDisplayIntensity(mirrored);
  cv::Mat1f back;
  cv::flip(from_mirrored.intensity, back, 1);
  EXPECT_EQ(cv::norm(back, map.intensity, cv::NORM_INF), 0.0);
  cv::flip(from_mirrored.off_ramp, back, 1);
  EXPECT_EQ(cv::norm(back, map.off_ramp, cv::NORM_INF), 0.0);
  cv::Mat3b wider(tinted.rows, tinted.cols + 5, cv::Vec3b(255, 0, 255));
  tinted.copyTo(wider.colRange(2, 2 + tinted.cols));
  const detail::IntensityMap from_view =
      detail::MapDisplayIntensity(wider.colRange(2, 2 + tinted.cols));
  EXPECT_EQ(cv::norm(from_view.intensity, map.intensity, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(from_view.off_ramp, map.off_ramp, cv::NORM_INF), 0.0);
}

// A tinted strip mapped as a part of a taller one (DisplayRegion's region, then the display
// rows): the same map as mapping the part alone, whether the part's ramp matches the taller
// strip's (its rows are reused) or not (it is mapped again).
TEST(DisplayIntensity, TintedPartOfATallerStripMapsAsItself) {
  const cv::Mat3b tinted = ApplyLut(NoisyStrip(), &SepiaLut);
  cv::Mat3b taller(tinted.rows + 3, tinted.cols, cv::Vec3b(0, 0, 0));
  tinted.copyTo(taller.rowRange(2, 2 + tinted.rows));
  const detail::IntensityMap outer = detail::MapDisplayIntensity(taller);
  ASSERT_TRUE(outer.tinted);
  for (const auto& [first, rows] : {std::pair{2, tinted.rows}, std::pair{50, 40}}) {
    const cv::Mat3b part = taller.rowRange(first, first + rows);
    const detail::IntensityMap alone = detail::MapDisplayIntensity(part.clone());
    const detail::IntensityMap as_part = detail::MapDisplayIntensity(part, NAN, {&outer, first});
    EXPECT_EQ(as_part.tinted, alone.tinted);
    EXPECT_EQ(cv::norm(as_part.intensity, alone.intensity, cv::NORM_INF), 0.0) << first;
    EXPECT_EQ(cv::norm(as_part.off_ramp, alone.off_ramp, cv::NORM_INF), 0.0) << first;
  }
}

// A map whose floor (intensity 0) is not black: dark navy BGR (30,10,5) rising to white; noise
// below the display's black level renders as that floor colour. (Mildly curved: a strongly
// curved map loses its sparse mid bins to the ramp's gap rule, a separate known gap.)
cv::Vec3b NavyFloorLut(int g) {
  const double t = g / 255.0;
  return {static_cast<uchar>(std::lround(30 + 225 * std::pow(t, 0.9))),
          static_cast<uchar>(std::lround(10 + 245 * t)),
          static_cast<uchar>(std::lround(5 + 250 * std::pow(t, 1.1)))};
}
// A dark-gray floor, lit (brightest channel >= 32) and near gray, rising to ice blue.
cv::Vec3b SlateFloorLut(int g) {
  const double t = g / 255.0;
  return {static_cast<uchar>(std::lround(44 + 211 * std::pow(t, 0.9))),
          static_cast<uchar>(std::lround(40 + 215 * t)),
          static_cast<uchar>(std::lround(38 + 217 * std::pow(t, 1.1)))};
}

// A tinted floor reads 0, like black on other maps (it was read as the ramp's position past a
// black start: 0.07-0.15, so quiet floor-only columns looked like a uniform non-black erase bar
// and a raised noise level hid weak flow). Levels above it invert as on black-floor maps, and the
// black columns of an erase bar read 0 too, on the ramp, not an overlay.
TEST(DisplayIntensity, TintedFloorReadsZero) {
  const cv::Mat1b gray = NoisyStrip();
  ASSERT_GT(cv::countNonZero(gray == 0), static_cast<int>(gray.total() / 10));  // a floor
  cv::Mat1f expected;
  gray.convertTo(expected, CV_32F, 1.0 / 255.0);
  for (auto lut : {&NavyFloorLut, &SlateFloorLut}) {
    const char* name = lut == &NavyFloorLut ? "navy floor" : "slate floor";
    cv::Mat3b tinted = ApplyLut(gray, lut);
    tinted.colRange(220, 228).setTo(cv::Vec3b(0, 0, 0));  // an erase bar
    const cv::Mat1f got = DisplayIntensity(tinted);
    ASSERT_EQ(got.size(), gray.size());
    cv::Mat1f err = cv::abs(got - expected);
    err.colRange(220, 228).setTo(0.0f);
    std::vector<float> e(err.begin(), err.end());
    std::nth_element(e.begin(), e.begin() + static_cast<long>(e.size() * 95 / 100), e.end());
    EXPECT_LT(e[e.size() * 95 / 100], 0.04f) << name << ": 95th percentile error";
    EXPECT_LT(cv::mean(err)[0], 0.015) << name;
    double floor_max = 0;
    cv::minMaxLoc(got, nullptr, &floor_max, nullptr, nullptr, gray == 0);
    EXPECT_LT(floor_max, 0.01) << name << ": the floor colour";
    EXPECT_EQ(cv::norm(got.colRange(220, 228), cv::NORM_INF), 0.0) << name << ": erase bar";
    auto s = SpectrogramFromDisplay(ImageWith(tinted), SpectralRegion());
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(HasNote(*s, "tinted display map")) << name;
    // Only the erase bar and the previous sweep right of it are invalid columns.
    for (int c = 10; c < 215; ++c)
      EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << name << c;
    for (int c = 220; c < kCols; ++c)
      EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << name << c;
    // The flow stays on the ramp (88-89% of it; its brightest speckle is off the extension).
    EXPECT_GT(cv::countNonZero(s->valid(cv::Rect(100, 60, 100, 55))), 100 * 55 * 85 / 100) << name;
  }
}

cv::Vec3b HotLut(int g) {  // black -> red -> yellow -> white (BGR)
  const double t = 3.0 * g / 255.0;
  auto byte = [](double v) {
    return static_cast<uchar>(std::lround(255 * std::clamp(v, 0.0, 1.0)));
  };
  return {byte(t - 2), byte(t - 1), byte(t)};
}

// A hot map whose red-to-orange stretch is sparse (few pixels a luma bin, as on a strip that is
// mostly noise floor, the flow's flanks thin): the ramp goes on past it instead of ending at red
// and reading the yellow and white flow off-ramp at the top of the ramp.
TEST(DisplayIntensity, RampGoesOnPastASparseStretchOfTheMap) {
  cv::Mat1b gray(200, 300);
  cv::RNG rng(11);
  rng.fill(gray, cv::RNG::UNIFORM, 0, 40);  // noise floor
  auto scatter = [&](int level, int pixels) {
    for (int k = 0; k < pixels; ++k) gray(rng.uniform(100, 200), rng.uniform(0, 300)) = level;
  };
  for (int g = 41; g <= 120; ++g) scatter(g, 10);   // sparse: fewer than total / 2000 a bin
  for (int g = 121; g <= 240; ++g) scatter(g, 60);  // the flow body
  gray(cv::Rect(50, 20, 200, 40)).setTo(250);
  const detail::IntensityMap map = detail::MapDisplayIntensity(ApplyLut(gray, &HotLut));
  ASSERT_TRUE(map.tinted);
  for (int level : {150, 200, 235}) {
    std::vector<float> at, off;
    for (int r = 100; r < 200; ++r) {
      for (int c = 0; c < 300; ++c) {
        if (gray(r, c) != level) continue;
        at.push_back(map.intensity(r, c));
        off.push_back(map.off_ramp(r, c));
      }
    }
    ASSERT_FALSE(at.empty());
    std::nth_element(at.begin(), at.begin() + static_cast<long>(at.size() / 2), at.end());
    std::nth_element(off.begin(), off.begin() + static_cast<long>(off.size() / 2), off.end());
    EXPECT_NEAR(at[at.size() / 2], level / 255.0, 0.06) << "level " << level;
    EXPECT_LT(off[off.size() / 2], 15.0f) << "level " << level << " read off the ramp";
  }
}

// An ECG drawn across a black-floored strip puts an overlay mark in every column; the quiet
// columns near the edges must not pass for scale-label columns because of it (they were masked
// up to the 12% edge zone on each side).
TEST(StripMasks, AnEcgAcrossTheStripIsNoScaleLabel) {
  cv::Mat1b gray(kRows, kCols, uchar{0});
  cv::RNG rng(7);
  cv::Mat1b burst(70, 60);
  rng.fill(burst, cv::RNG::UNIFORM, 120, 255);
  burst.copyTo(gray(cv::Rect(120, 40, 60, 70)));
  cv::Mat3b strip;
  cv::cvtColor(gray, strip, cv::COLOR_GRAY2BGR);
  std::vector<cv::Point> ecg;
  for (int c = 0; c < kCols; ++c)
    ecg.emplace_back(c, 170 + static_cast<int>(6 * std::sin(c * 0.15)));
  cv::polylines(strip, ecg, false, cv::Scalar(0, 220, 0), 1);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(HasNote(*s, "scale/labels")) << (s->notes.empty() ? "" : s->notes.back());
  for (int c = 0; c < kCols; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
}

// Draws a green ECG-like trace over `strip` and returns how many of its points were masked
// (-1, with a test failure, when no spectrogram was made).
int MaskedEcgPoints(cv::Mat3b strip) {
  std::vector<cv::Point> ecg;
  for (int c = 0; c < kCols; ++c)
    ecg.emplace_back(c, 180 + static_cast<int>(8 * std::sin(c * 0.2)));
  cv::polylines(strip, ecg, false, cv::Scalar(0, 220, 0), 1);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  if (!s) {
    ADD_FAILURE() << "no spectrogram: " << s.error().message;
    return -1;
  }
  int masked = 0;
  for (const auto& p : ecg) masked += s->valid(p.y, p.x) == 0 ? 1 : 0;
  return masked;
}

// No flow at all: the ECG is the only lit thing. It must not be taken for the spectrum (read
// through a ramp estimated from the line itself, it was): it is masked like any overlay.
TEST(StripMasks, EcgOnAnEmptyBlackStripIsMasked) {
  EXPECT_GE(MaskedEcgPoints(cv::Mat3b(kRows, kCols, cv::Vec3b(0, 0, 0))), kCols * 95 / 100);
}

// A vertical stroke in column c, rows [first, last], its brightness varying as JPEG leaves it
// (not one flat level: flat strokes are text).
void DrawStroke(cv::Mat3b& strip, int c, int first, int last, cv::RNG& rng) {
  for (int r = first; r <= last; ++r) strip(r, c) = cv::Vec3b::all(rng.uniform(200, 236));
}

// An ECG drawn inside the strip: its flat line in colour (off the gray map, masked), its QRS
// spikes near white (JPEG's chroma subsampling bleaches a 1-px line: an eighth independent
// renderer's yellow ECG on an ice map). The spikes hang from the masked line and are masked with
// it; a stroke rising from the baseline (a thump) and one touching nothing drawn are spectrum.
TEST(StripMasks, QrsSpikesHangingFromAnEcgLineAreMasked) {
  cv::Mat1b gray = NoisyStrip();
  cv::RNG rng(13);
  for (int r = 122; r < kRows; ++r) {  // a lit noise floor below the baseline: no dark ground
    for (int c = 0; c < kCols; ++c) gray(r, c) = cv::saturate_cast<uchar>(rng.uniform(40, 110));
  }
  cv::Mat3b strip;
  cv::cvtColor(gray, strip, cv::COLOR_GRAY2BGR);
  cv::line(strip, {0, 175}, {kCols - 1, 175}, cv::Scalar(0, 220, 0));
  std::vector<int> spikes;
  for (int c = 20; c < kCols - 10; c += 60) {
    DrawStroke(strip, c, 150, 174, rng);      // down one column ...
    DrawStroke(strip, c + 2, 160, 174, rng);  // ... and up the next
    spikes.push_back(c);
  }
  DrawStroke(strip, 50, 121, 185, rng);   // a thump from the baseline, across the ECG
  DrawStroke(strip, 110, 135, 165, rng);  // a lone stroke
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  for (int c : spikes) {
    for (int r = 150; r < 172; ++r) EXPECT_EQ(s->valid(r, c), 0) << "spike " << c << " row " << r;
    for (int r = 160; r < 172; ++r) EXPECT_EQ(s->valid(r, c + 2), 0) << c + 2 << " row " << r;
  }
  for (int r = 125; r < 170; ++r) EXPECT_NE(s->valid(r, 50), 0) << "thump row " << r;
  for (int r = 135; r < 166; ++r) EXPECT_NE(s->valid(r, 110), 0) << "lone stroke row " << r;
}

// A slow flow's thin trace (3 rows along the zero row, the whole clip, its brightness following
// the flow) on a tinted map: thin and sparse like an ECG line, but on the baseline: it is flow,
// and the strip is read through its ramp, not as a gray map with a lone overlay line. (Its
// pixels are then still masked: a trace this sparse leaves the ramp's luma bins short of
// pixels, a separate known gap in docs/algorithms.md.)
TEST(StripMasks, ThinTintedTraceAlongTheBaselineIsNotALoneLine) {
  cv::Mat1b gray(kRows, kCols, uchar{0});
  for (int r = 117; r < 120; ++r) {  // 1.5% of the strip lit, 3 per column: line-like
    for (int c = 0; c < kCols; ++c)
      gray(r, c) = cv::saturate_cast<uchar>(160 + 40 * std::sin(c * 0.05) + (r - 117) * 3);
  }
  for (auto lut : {&BlueLut, &SepiaLut}) {
    auto s = SpectrogramFromDisplay(ImageWith(ApplyLut(gray, lut)), SpectralRegion());
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(HasNote(*s, "tinted display map")) << (lut == &BlueLut ? "blue" : "sepia");
  }
}

// A narrow band of flow on a black floor: a few percent of the strip is lit, so the strip is
// >= 90% near-gray (black) whatever its map. A dark tinted band must still be read through its
// ramp (not masked as a coloured overlay), and a gray band's coloured ECG must still be masked.
cv::Mat1b NarrowBandOnBlack() {
  cv::Mat1b gray(kRows, kCols, uchar{0});
  cv::RNG rng(11);
  for (int r = 112; r < 120; ++r) {  // 8 rows above the zero row (row 120): 4% of the strip
    for (int c = 0; c < kCols; ++c) gray(r, c) = cv::saturate_cast<uchar>(rng.uniform(60, 200));
  }
  return gray;
}

// A dim, sparse gray spectrum (low gain) with yellow overlay text: the text's coloured strokes
// are most of the coloured lit pixels, and the strip must still read as gray (through a "ramp"
// the trace was lost to a false erase bar: edge seed 3 IMG_0012).
TEST(DisplayIntensity, DimGrayStripWithColouredTextIsGray) {
  cv::Mat1b gray(kRows, kCols, uchar{0});
  cv::RNG rng(5);
  for (int r = 95; r < 120; ++r) {  // a dim burst above the baseline
    for (int c = 120; c < 160; ++c) {
      gray(r, c) = rng.uniform(0, 3) == 0 ? 0 : cv::saturate_cast<uchar>(rng.uniform(32, 70));
    }
  }
  cv::Mat3b strip;
  cv::cvtColor(gray, strip, cv::COLOR_GRAY2BGR);
  const cv::Scalar yellow(130, 220, 240);
  cv::putText(strip, "PW 5.9MHz", {8, 20}, cv::FONT_HERSHEY_SIMPLEX, 0.45, yellow, 1, cv::LINE_AA);
  cv::putText(strip, "Gn 3 WF 175Hz", {8, 40}, cv::FONT_HERSHEY_SIMPLEX, 0.45, yellow, 1,
              cv::LINE_AA);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(HasNote(*s, "tinted display map"));
  const cv::Rect burst(120, 95, 40, 25);
  cv::Mat1f expected;
  gray(burst).convertTo(expected, CV_32F, 1.0 / 255.0);
  EXPECT_LT(cv::norm(s->intensity(burst), expected, cv::NORM_INF), 1e-6);  // the gray contract
}

TEST(DisplayIntensity, DarkTintedNarrowBandIsReadThroughItsRamp) {
  const cv::Mat1b gray = NarrowBandOnBlack();
  for (auto lut : {&BlueLut, &SepiaLut}) {
    const cv::Mat3b tinted = ApplyLut(gray, lut);
    const cv::Mat1f got = DisplayIntensity(tinted);
    ASSERT_EQ(got.size(), gray.size());
    cv::Mat1f expected;
    gray.convertTo(expected, CV_32F, 1.0 / 255.0);
    const cv::Rect band(0, 112, kCols, 8);
    EXPECT_LT(cv::mean(cv::abs(got(band) - expected(band)))[0], 0.03)
        << (lut == &BlueLut ? "blue" : "sepia");
    auto s = SpectrogramFromDisplay(ImageWith(tinted), SpectralRegion());
    ASSERT_TRUE(s.has_value());
    EXPECT_GT(cv::countNonZero(s->valid(band)), band.area() * 9 / 10)
        << (lut == &BlueLut ? "blue" : "sepia") << ": the trace was masked as an overlay";
  }
}

// The ECG's green pixels are ~13% of the lit ones, so this strip is read through the tinted
// path (a gray ramp estimated from the band): the ECG must be masked as off the ramp.
TEST(StripMasks, OffRampColouredTraceOnANarrowGrayBandIsMasked) {
  cv::Mat3b strip;
  cv::cvtColor(NarrowBandOnBlack(), strip, cv::COLOR_GRAY2BGR);
  EXPECT_GE(MaskedEcgPoints(strip), kCols * 95 / 100);
}

TEST(StripMasks, DrawnBaselineAndTextAreMasked) {
  cv::Mat1b strip = NoisyStrip();
  strip.row(120).setTo(200);  // drawn baseline at the calibrated zero row
  cv::putText(strip, "PW 4.0", {160, 40}, cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(255), 1);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(cv::countNonZero(s->valid.row(120)), 0);
  int text_pixels = 0, text_masked = 0;
  for (int r = 20; r < 45; ++r) {
    for (int c = 160; c < 230; ++c) {
      if (strip(r, c) != 255) continue;
      ++text_pixels;
      text_masked += s->valid(r, c) == 0 ? 1 : 0;
    }
  }
  ASSERT_GT(text_pixels, 30);
  EXPECT_GE(text_masked, text_pixels * 95 / 100);
  // The spectrum itself stays valid: most pixels away from overlays are kept.
  EXPECT_GT(cv::countNonZero(s->valid(cv::Rect(100, 60, 100, 55))), 100 * 55 * 9 / 10);
  EXPECT_FALSE(HasWarning(*s, "drawn baseline"));
}

// Draws `text` at `level` on the noisy strip and checks that its strokes' cores (>= 90% of the
// level, in rows 20-44 from column 20 to `right`) are masked while the spectrum stays valid.
void ExpectTextMasked(const std::string& text, int font, double scale, int level, int right,
                      int min_cores) {
  cv::Mat1b strip = NoisyStrip();
  cv::putText(strip, text, {20, 40}, font, scale, cv::Scalar(level), 1, cv::LINE_AA);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  int text_pixels = 0, text_masked = 0;
  for (int r = 20; r < 45; ++r) {
    for (int c = 20; c < right; ++c) {
      if (strip(r, c) < level * 9 / 10) continue;  // the strokes' cores
      ++text_pixels;
      text_masked += s->valid(r, c) == 0 ? 1 : 0;
    }
  }
  ASSERT_GT(text_pixels, min_cores) << text << " " << level;
  EXPECT_GE(text_masked, text_pixels * 95 / 100) << text << " " << level;
  EXPECT_GT(cv::countNonZero(s->valid(cv::Rect(100, 60, 100, 55))), 100 * 55 * 9 / 10)
      << text << " " << level;
}

// Overlay text in light gray, anti-aliased (not white) on a gray map's dark floor: masked as
// strokes drawn on the noise floor, while the spectrum (bright, but speckled) stays valid.
TEST(StripMasks, LightGrayAntiAliasedTextIsMasked) {
  for (const int level : {200, 215, 235}) {
    ExpectTextMasked("Gn 3 WF 80Hz", cv::FONT_HERSHEY_SIMPLEX, 0.5, level, 140, 30);
  }
}

// Bold light-gray text: its glyphs' junctions are thicker than the 5x5 opening, so they read as
// "body" and the ground test alone left half of each word (a stop-17 clip: "PW 2.5MHz" above an
// inverted display's baseline read as a 12 cm/s squeeze and turned the polarity around). Drawn
// in one colour, its strokes' cores are flat where the spectrum's speckle is not.
TEST(StripMasks, BoldLightGrayTextIsMasked) {
  for (const int level : {190, 215}) {
    ExpectTextMasked("PW 2.5MHz", cv::FONT_HERSHEY_COMPLEX_SMALL, 0.75, level, 150, 100);
  }
}

TEST(StripMasks, WarnsWhenDrawnBaselineDisagreesWithCalibration) {
  cv::Mat1b strip = NoisyStrip();
  strip.row(130).setTo(200);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(HasWarning(*s, "drawn baseline 10 rows below"));
  EXPECT_EQ(cv::countNonZero(s->valid.row(130)), 0);
}

// On a black (noise-free) display, the silence between a release and its reflux is no erase bar:
// the reflux starts from the baseline (its first column bright only beside it) and yellow text
// may end beside the gap. Both read as bright spectrum cut by a bar and masked the reflux with
// "the previous sweep" (edge seed 3 IMG_0012). A flow cut at full height on the left of a dark
// run still is one.
TEST(StripMasks, SilenceBeforeARefluxIsNoEraseBar) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 60; c <= 100; ++c) {  // a squeeze, back to the baseline (row 120) at its release
    const int top = 120 - static_cast<int>(60 * std::sin(CV_PI * (c - 60) / 41.0));
    for (int r = top; r < 120; ++r) strip(r, c) = cv::Vec3b(150, 150, 150);
  }
  for (int c = 131; c < 230; ++c) {  // the reflux, from the baseline down, 150 right away
    const int depth = std::min(30, 2 + (c - 131) / 2);
    for (int r = 121; r <= 120 + depth; ++r) strip(r, c) = cv::Vec3b(150, 150, 150);
  }
  cv::putText(strip, "Gn 3 WF 175Hz", {2, 20}, cv::FONT_HERSHEY_SIMPLEX, 0.45,
              cv::Scalar(130, 220, 240), 1, cv::LINE_AA);  // its end lies near column 110
  ExpectNoEraseBar(strip, 131, 230);
  // The same flow cut at full height by a dark run (a sweep's bar) is an erase bar.
  for (int c = 101; c <= 115; ++c) {  // past the text's end
    for (int r = 70; r < 120; ++r) strip(r, c) = cv::Vec3b(150, 150, 150);
  }
  ExpectEraseBar(strip);
}

// A reflux whose first column already reaches beyond 5% of the rows (a wide wall filter hides
// its slow start: it shows from 6 rows off the baseline, 16 rows deep) still grows out of the
// baseline over the next columns: no cut. The same flow going on at its extent right of the dark
// run is the previous sweep cut by an erase bar (q43 STUDY_003/IMG_0001: 508 columns masked, a
// 2.7 s reflux lost).
cv::Mat3b SilenceThenFlow(bool growing) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 60; c <= 100; ++c) {  // a squeeze fading into its release (the window's blur)
    const int top = 120 - static_cast<int>(60 * std::sin(CV_PI * (c - 60) / 41.0));
    const auto level = static_cast<uchar>(std::min(150, 30 * (100 - c)));
    for (int r = top; r < 114; ++r) strip(r, c) = cv::Vec3b(level, level, level);
  }
  for (int c = 115; c < 230; ++c) {  // from 6 rows off the baseline down
    const int depth = growing ? std::min(60, 16 + 12 * (c - 115)) : 40;
    for (int r = 126; r <= 120 + depth; ++r) strip(r, c) = cv::Vec3b(150, 150, 150);
  }
  return strip;
}

TEST(StripMasks, FlowGrowingAfterASilenceIsNoEraseBar) {
  ExpectNoEraseBar(SilenceThenFlow(true), 115, 230);
  ExpectEraseBar(SilenceThenFlow(false));
}

// A black display without a drawn baseline (an independent renderer's look): a squeeze falling
// to zero at its release, a valve gap of 6 dark columns, a reflux growing from the baseline. The
// flow meets the baseline on both sides of the gap: silence, no erase bar (the squeeze's last
// bright column read as "spectrum cut by a bar" and masked the reflux). Steady flow cut beside
// the same gap (no fall into the baseline) is a sweep's bar.
// `after`: the flow after the gap. kGrowing: a reflux below the baseline growing from it;
// kJumping: a reflux there at 30 rows in its first column (a valve failing at once, drawn
// without a time blur); kJumpingAbove: the same on the squeeze's side.
enum class After { kGrowing, kJumping, kJumpingAbove };

cv::Mat3b ValveGap(bool squeeze_falls, After after = After::kGrowing) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 60; c <= 110; ++c) {  // squeeze: sin^2 rise and fall to 0 at column 111
    const double x = CV_PI * (c - 60) / 51.0;
    const int height = squeeze_falls ? static_cast<int>(60 * std::sin(x) * std::sin(x)) : 12;
    for (int r = 120 - height; r < 120; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
  }
  for (int c = 117; c < 230; ++c) {
    const int depth =
        after == After::kGrowing ? std::min(40, 2 + 3 * (c - 117)) : std::min(40, 30 + (c - 117));
    if (after == After::kJumpingAbove) {
      for (int r = 120 - depth; r < 120; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
    } else {
      for (int r = 121; r <= 120 + depth; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
    }
  }
  return strip;
}

TEST(StripMasks, AValveGapOnABlackDisplayIsNoEraseBar) {
  ExpectNoEraseBar(ValveGap(true), 117, 230);
  ExpectEraseBar(ValveGap(false));
}

// A reflux may rise within a column after the valve gap (an independent renderer's reached 29
// cm/s in its first one): abrupt, but the flow reversed across the gap after falling into the
// baseline, so it is a release and its reflux, not a bar. The same jump on the squeeze's side
// (flow resuming the way it went) is still a cut.
TEST(StripMasks, ARefluxRisingAtOnceAfterTheValveGapIsNoEraseBar) {
  ExpectNoEraseBar(ValveGap(true, After::kJumping), 117, 230);
  ExpectEraseBar(ValveGap(true, After::kJumpingAbove));
}

// A wall thump at the squeeze's compression right after the quiet pause before it, on a black
// display without a drawn baseline: resting flow below the baseline fading out, the pause, 5
// columns of a bright streak 30 rows below the baseline, then the squeeze growing above it. Flow
// does not switch sides between two columns, so the streak is no flow cut by a bar; the squeeze
// after it meets the baseline (stop 23: a fifth independent renderer's thump masked a squeeze and
// its reflux as "the previous sweep"). Steady flow below from the streak on (`thump` false) is
// flow cut by a bar.
cv::Mat3b ThumpAfterSilence(bool thump) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 40; c < 100; ++c) {  // resting flow below, fading into the pause (100-124)
    for (int r = 121; r <= 120 + (100 - c) / 6; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
  }
  for (int c = 125; c < 230; ++c) {
    if (!thump || c < 130) {  // the streak, or steady flow below
      for (int r = 121; r <= 150; ++r) strip(r, c) = cv::Vec3b(250, 250, 250);
    } else {  // the squeeze, growing from the baseline
      for (int r = 120 - std::min(60, 2 + 2 * (c - 130)); r < 120; ++r) {
        strip(r, c) = cv::Vec3b(200, 200, 200);
      }
    }
  }
  return strip;
}

TEST(StripMasks, AThumpAfterTheQuietBeforeASqueezeIsNoEraseBar) {
  ExpectNoEraseBar(ThumpAfterSilence(true), 125, 230);
  ExpectEraseBar(ThumpAfterSilence(false));
}

// Thin bright strokes (2 columns wide: glyph stems of a label the text mask missed, a time mark)
// either side of the pause before a squeeze, on a black display without a drawn baseline: a
// stroke is bright "beside" the dark run, but no flow goes on beyond it, so it is no spectrum cut
// by a bar (stop 21: a third independent renderer's label glyphs at the strip's top masked a
// squeeze and its reflux as "the previous sweep"). The masks are run without the overlay masks,
// as if the text mask had missed the strokes. A bar cutting a squeeze that goes on is still one
// (AValveGapOnABlackDisplayIsNoEraseBar's control).
TEST(StripMasks, ThinStrokesBesideASilenceAreNoEraseBar) {
  cv::Mat3b strip = ValveGap(true);
  for (const int c : {44, 45, 52, 53}) {
    for (int r = 2; r < 12; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
  }
  const detail::IntensityMap map = detail::MapDisplayIntensity(strip);
  const detail::StripMasks masks = detail::DetectMasks(map, 120.0, false);
  for (int c = 46; c < 230; ++c) EXPECT_EQ(masks.column_valid[static_cast<size_t>(c)], 1) << c;
}

// A tinted map's floor can render silence as a uniform non-black level (here 40/255) with the
// drawn baseline through it: the pause before a squeeze is then uniform columns but for that
// line. A painted bar erases the line with everything else; a uniform run the line crosses is
// silence. Without the line the same run is a painted bar.
cv::Mat3b UniformFloorSilence(bool baseline_drawn) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(40, 40, 40));
  for (int c = 0; c < kCols; ++c) {
    const bool pause = c >= 120 && c < 140;
    for (int r = 0; r < kRows && !pause; ++r) {  // a floor textured everywhere but the pause
      const auto v = static_cast<uchar>(30 + 8 * ((r * 7 + c * 13) % 5));
      strip(r, c) = cv::Vec3b(v, v, v);
    }
    if (baseline_drawn) strip(120, c) = cv::Vec3b(230, 230, 230);
  }
  return strip;
}

TEST(StripMasks, AUniformSilenceCrossedByTheDrawnBaselineIsNoEraseBar) {
  ExpectNoEraseBar(UniformFloorSilence(true), 120, 140);
  ExpectEraseBar(UniformFloorSilence(false));
}

// A black display (no noise, no drawn baseline): silence before the squeeze and after the
// reflux reaches the strip's edges. Both are silence, kept as data: masked as "no data", the
// squeeze looked risen before the recording and the reflux ended at the data's end (truncated).
// Flow cut mid-height by the dark run at the right edge is the data's end: masked.
cv::Mat3b SilencesAtTheEdges(bool cut_at_the_end) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 60; c <= 110; ++c) {  // squeeze: sin^2 rise and fall to 0 at column 111
    const double x = CV_PI * (c - 60) / 51.0;
    const int height = static_cast<int>(60 * std::sin(x) * std::sin(x));
    for (int r = 120 - height; r < 120; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
  }
  const int last = cut_at_the_end ? 259 : 200;
  for (int c = 117; c <= last;
       ++c) {  // reflux below the baseline: grows, then falls back (or is cut)
    const int depth = cut_at_the_end ? std::min(40, 2 + 3 * (c - 117))
                                     : std::min({40, 2 + 3 * (c - 117), 2 * (200 - c)});
    for (int r = 121; r <= 120 + depth; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
  }
  return strip;
}

TEST(StripMasks, SilencesAtTheStripEdgesOfABlackDisplayAreData) {
  auto s = SpectrogramFromDisplay(ImageWith(SilencesAtTheEdges(false)), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  for (int c = 0; c < kCols; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  auto cut = SpectrogramFromDisplay(ImageWith(SilencesAtTheEdges(true)), SpectralRegion());
  ASSERT_TRUE(cut.has_value());
  for (int c = 0; c < 60; ++c) EXPECT_EQ(cut->column_valid[static_cast<size_t>(c)], 1) << c;
  for (int c = 261; c < kCols; ++c) EXPECT_EQ(cut->column_valid[static_cast<size_t>(c)], 0) << c;
  // A scroll not yet filled: dark at the start, then flow already 40 rows tall (it does not grow
  // out of the baseline): the dark run is outside the recording.
  cv::Mat3b late(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 40; c < 150; ++c) late.rowRange(80, 120).col(c).setTo(cv::Vec3b(200, 200, 200));
  auto started = SpectrogramFromDisplay(ImageWith(late), SpectralRegion());
  ASSERT_TRUE(started.has_value());
  for (int c = 0; c < 38; ++c) EXPECT_EQ(started->column_valid[static_cast<size_t>(c)], 0) << c;
  for (int c = 40; c < 150; ++c) EXPECT_EQ(started->column_valid[static_cast<size_t>(c)], 1) << c;
}

// A thin sliver of slow flow 3 rows off the baseline (outside the wall filter's notch) is as
// level as a drawn line. It fades before a silence (the reflux is on the other side) and is
// missing across it: that is no erase bar, and no drawn baseline 3 rows off the calibration.
// A line drawn at the calibrated zero row and cut over the same gap is the drawn baseline
// interrupted by an erase bar.
cv::Mat3b SliverAndSilence(bool drawn_line, int line_row = 120) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 0; c < kCols; ++c) {
    const bool quiet = c < 80 || c >= 200;  // slow antegrade flow: a 2-row sliver
    if (quiet && !drawn_line) strip.rowRange(116, 118).col(c).setTo(cv::Vec3b(180, 180, 180));
    if (drawn_line && (c < 150 || c > 160)) strip(line_row, c) = cv::Vec3b(180, 180, 180);
  }
  for (int c = 90; c < 150; ++c) {  // reflux below the baseline, back at it by column 150
    const auto depth = static_cast<int>(std::lround(30 * std::sin(CV_PI * (c - 90) / 60.0)));
    for (int r = 121; r <= 120 + depth; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
  }
  return strip;
}

TEST(StripMasks, ASliverOfSlowFlowIsNoDrawnLine) {
  auto s = SpectrogramFromDisplay(ImageWith(SliverAndSilence(false)), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(HasNote(*s, "erase bar"));
  EXPECT_FALSE(HasWarning(*s, "drawn baseline"));
  for (int c = 161; c < 250; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  ExpectEraseBar(SliverAndSilence(true));
  // A renderer may draw its baseline a row off the calibrated zero row: still the baseline.
  for (const int row : {119, 121}) {
    auto off = SpectrogramFromDisplay(ImageWith(SliverAndSilence(true, row)), SpectralRegion());
    ASSERT_TRUE(off.has_value());
    EXPECT_TRUE(HasNote(*off, "erase bar")) << row;
  }
}

// The sliver may run right up to both sides of a silence (slow flow before a squeeze and after
// it): only a line at the calibrated zero row is the drawn baseline whose gap marks a bar.
TEST(StripMasks, ASliverUpToASilenceIsNoDrawnBaseline) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 0; c < kCols; ++c) {
    if (c < 150 || c > 160) strip.rowRange(116, 118).col(c).setTo(cv::Vec3b(180, 180, 180));
  }
  for (int c = 100; c < 150; ++c) {  // a squeeze falling to zero at the silence
    const auto height = static_cast<int>(std::lround(50 * std::sin(CV_PI * (c - 100) / 50.0)));
    for (int r = 116 - height; r < 118; ++r) strip(r, c) = cv::Vec3b(200, 200, 200);
  }
  ExpectNoEraseBar(strip, 161, 250);
}

// A dotted grid (gray dots every 6 columns on two rows) is masked dot by dot; the spectrum and
// the rows between the dots stay valid. Unmasked, the dots read as flow spikes at the grid's
// velocities. (Dots blurred by JPEG into the rows beside them are not masked: a known limit,
// docs/algorithms.md.)
TEST(StripMasks, DottedGridDotsAreMasked) {
  cv::Mat1b strip = NoisyStrip();
  for (int c = 0; c < kCols; c += 6) {
    for (const int r : {60, 180}) {
      strip(r, c) = 110;
    }
  }
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  int dots = 0, masked = 0, between_valid = 0;
  for (int c = 30; c < kCols - 30; c += 6) {
    for (const int r : {60, 180}) {
      if (c >= 100 && c < 200 && r == 60) continue;  // inside the flow band (30 cm/s = 60 rows)
      ++dots;
      masked += s->valid(r, c) == 0;
      between_valid += s->valid(r, c + 3) != 0;  // a thin noise speck there is masked too
    }
  }
  EXPECT_GE(masked, dots * 8 / 10) << masked << " of " << dots;
  EXPECT_GE(between_valid, dots * 8 / 10) << between_valid << " of " << dots;
  EXPECT_GE(cv::countNonZero(s->valid.rowRange(61, 120).colRange(100, 200)), 59 * 100 * 9 / 10);
}

// A caliper's readout drawn over the strip as a box filled at one dark-gray level, with a gray
// border and white text: the whole box is masked, and no flow is read there (a thirteenth
// independent renderer's box, on a black floor, read as a 62 cm/s band). The flow beside it
// stays valid.
TEST(StripMasks, AReadoutPanelIsMasked) {
  cv::Mat1b strip = NoisyStrip();
  const cv::Rect box(10, 20, 80, 30);
  strip(box).setTo(20);
  cv::rectangle(strip, box, cv::Scalar(128), 1);
  cv::putText(strip, "Vel 39.3", {14, 40}, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(230), 1,
              cv::LINE_AA);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(cv::countNonZero(s->valid(box)), 0);
  EXPECT_GE(cv::countNonZero(s->valid(cv::Rect(110, 70, 80, 40))), 80 * 40 * 8 / 10);
  auto env = EstimateEnvelope(*s);
  ASSERT_TRUE(env.has_value());
  for (int c = 15; c < 85; ++c) EXPECT_LT(env->max_forward[static_cast<size_t>(c)], 3.0f) << c;
}

// A caliper's time mark drawn as a dotted 1-px vertical line down the strip, through the flow
// and the noise: its dots are masked, and the envelope reads the flow there, not a broadband
// spike (a thirteenth independent renderer's mark read as the reflux's 70.9 cm/s peak, truth
// 39.1).
TEST(StripMasks, ADottedVerticalCaliperLineIsMasked) {
  cv::Mat1b strip = NoisyStrip();
  for (int r = 0; r < kRows; r += 3) strip(r, 150) = 230;
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  int dots = 0, masked = 0;
  for (int r = 3; r + 1 < kRows; r += 3) {
    if (r >= 58 && r <= 122) continue;  // inside the flow band a dot does not stand out
    ++dots;
    masked += s->valid(r, 150) == 0;
  }
  EXPECT_GE(masked, dots * 9 / 10) << masked << " of " << dots;
  auto env = EstimateEnvelope(*s);
  ASSERT_TRUE(env.has_value());
  EXPECT_NEAR(env->max_forward[150], 30.0f, 3.0f);
  EXPECT_LT(env->max_reverse[150], 3.0f);
}

TEST(StripMasks, EraseBarAndStaleSweepColumnsInvalid) {
  cv::Mat1b strip = NoisyStrip();
  strip.colRange(220, 228).setTo(0);  // erase bar; columns 228.. belong to the previous sweep
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  for (int c = 220; c < kCols; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
  for (int c = 10; c < 215; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  EXPECT_EQ(cv::countNonZero(s->valid.col(250)), 0);
  EXPECT_TRUE(HasNote(*s, "erase bar"));
}

// Read again with the previous sweep kept (the pipeline, when the current sweep shows no
// maneuver): the previous sweep is valid and the current sweep and the bar are masked; the
// first reading says how many columns it masked as the previous sweep.
TEST(StripMasks, ThePreviousSweepCanBeReadInsteadOfTheCurrentOne) {
  cv::Mat1b strip = NoisyStrip();
  strip.colRange(220, 228).setTo(0);
  auto first = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->previous_sweep_columns, kCols - 228);
  auto previous =
      SpectrogramFromDisplay(ImageWith(strip), SpectralRegion(), {.read_previous_sweep = true});
  ASSERT_TRUE(previous.has_value());
  EXPECT_EQ(previous->previous_sweep_columns, 0);
  for (int c = 0; c < 228; ++c) EXPECT_EQ(previous->column_valid[static_cast<size_t>(c)], 0) << c;
  for (int c = 230; c < kCols - 10; ++c) {
    EXPECT_EQ(previous->column_valid[static_cast<size_t>(c)], 1) << c;
  }
  EXPECT_TRUE(HasNote(*previous, "were read instead"));
}

// A noisy strip of flow `v` (cm/s per column) with a black band over columns [140, 148).
cv::Mat1b FlowWithBlankBand(const std::vector<double>& v) {
  testing::SyntheticSpec spec;
  spec.seed = 5;
  cv::Mat1b strip = testing::ToGray8(testing::MakeSpectrogram(spec, v).intensity);
  strip.colRange(140, 148).setTo(0);
  return strip;
}

// A blank band in one continuous recording (a duplex display pausing its Doppler to update the
// image; the eleventh independent renderer): resting flow goes on across the band, a squeeze
// follows, and the strip ends quiet, seconds after its resting start. Only the band is masked;
// the squeeze after it is kept (it had been masked as "the previous sweep": no augmentation).
// Control: a sweep, whose previous sweep beyond the bar ends (resting) where the current one
// starts (resting), while the bar separates a quiet moment from resting flow.
TEST(StripMasks, ABlankBandTheRecordingGoesOnAcrossIsNoEraseBar) {
  std::vector<double> gap(kCols, 0.0), sweep(kCols, 0.0);
  for (int c = 0; c < kCols; ++c) {
    const auto i = static_cast<size_t>(c);
    gap[i] = c < 180 ? 10 : (c < 230 ? 30 : 0);
    sweep[i] = c < 40 || c >= 148 ? 10 : (c < 90 ? 30 : 0);
  }
  auto s = SpectrogramFromDisplay(ImageWith(FlowWithBlankBand(gap)), SpectralRegion());
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_FALSE(HasNote(*s, "erase bar"));
  EXPECT_TRUE(HasNote(*s, "blank band at columns"));
  for (int c = 141; c < 147; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
  for (int c = 150; c < 290; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  ExpectSweepMasked(FlowWithBlankBand(sweep), 141, 30, 135);
}

// A scanner frozen late in its sweep leaves its bar in the right edge zone (here at 92% of the
// width): still a bar, the few columns beyond it the previous sweep. The same dark run bordered by
// a label's glyphs is a gap between them (ScaleLabelsAtTheEdgeInvalidateColumns).
TEST(StripMasks, EraseBarLateInTheSweepIsFound) {
  cv::Mat1b strip = NoisyStrip();
  strip.colRange(276, 284).setTo(0);
  ExpectSweepMasked(strip, 276, 30, 270);
}

// The same late bar where a coloured baseline (teal: off a gray map's ramp, masked as an overlay)
// crosses every column: the line's rows do not "border" the bar the way a label's glyphs do.
TEST(StripMasks, EraseBarLateInTheSweepBesideAColouredBaselineIsFound) {
  cv::Mat3b strip;
  cv::cvtColor(NoisyStrip(), strip, cv::COLOR_GRAY2BGR);
  strip.row(120).setTo(cv::Vec3b(200, 180, 0));
  strip.colRange(276, 284).setTo(cv::Vec3b(0, 0, 0));
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(HasNote(*s, "erase bar"));
  for (int c = 276; c < kCols; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
}

// The same late bar where an ECG trace crosses the strip: the trace's pixels border the bar on
// both sides, as a label's glyphs border the gaps between them, but the noise goes on up to both
// edges of the bar, which a gap in a label panel never has (stop 26: ten generated sweeps).
TEST(StripMasks, EraseBarLateInTheSweepBesideAnEcgIsFound) {
  cv::Mat3b strip;
  cv::cvtColor(NoisyStrip(), strip, cv::COLOR_GRAY2BGR);
  std::vector<cv::Point> ecg;
  for (int c = 0; c < kCols; ++c)
    ecg.emplace_back(c, 180 + static_cast<int>(6 * std::sin(c * 0.15)));
  cv::polylines(strip, ecg, false, cv::Scalar(0, 220, 0), 1);
  strip.colRange(276, 284).setTo(cv::Vec3b(0, 0, 0));  // the sweep erases the trace too
  ExpectSweepMasked(strip, 276, 30, 270);
}

// A sweep's bar painted in a level of its own (gray 110 on a black floor), the drawn baseline
// drawn over it, a reflux cut by it and the previous sweep's antegrade flow after it: flow that
// reverses across a uniform run and a baseline through it make a flat floor's silence, not a bar,
// but a run off the floor's level is painted (an eighth independent renderer's bars).
TEST(StripMasks, APaintedBarOffTheFloorsLevelIsABarWhateverCrossesIt) {
  cv::Mat1b strip(kRows, kCols, uchar{0});
  strip(cv::Rect(60, 125, 90, 25)).setTo(170);   // reflux (below the baseline) up to the bar
  strip(cv::Rect(160, 95, 100, 20)).setTo(170);  // the previous sweep's antegrade flow
  strip.colRange(150, 160).setTo(110);           // the bar
  cv::RNG rng(3);  // its edges blurred into the columns beside it (JPEG): neither bar nor flow
  for (const int c : {146, 147, 148, 149, 160, 161, 162, 163}) {
    for (int r = 0; r < kRows; ++r) strip(r, c) = static_cast<uchar>(rng.uniform(50, 72));
  }
  strip.row(120).setTo(230);  // the drawn baseline, over the bar
  ExpectSweepMasked(strip, 160, 30, 145);
}

// A flat gray floor (50) where tall squeezes fill most of their columns (rows 2-119 above the
// baseline at row 120), a pause between them with the drawn baseline through it: the
// pause is the floor's level (the strip's top and bottom rows), not a painted bar, though the
// data columns' median is the flow's (review of stop 26: read as a bar, the second squeeze was
// masked as the previous sweep).
TEST(StripMasks, APauseOnAFlatFloorBetweenTallSqueezesIsNoPaintedBar) {
  cv::Mat1b strip(kRows, kCols, uchar{50});
  cv::RNG rng(9);
  for (int c = 0; c < kCols; ++c) {  // speckled squeezes rising and falling 40 rows a column
    int height = 0;
    if (c >= 60 && c < 140) height = std::min({118, 40 * (c - 59), 40 * (139 - c)});
    if (c >= 170 && c < 250) height = std::min({118, 40 * (c - 169), 40 * (249 - c)});
    for (int r = 120 - height; r < 120; ++r)
      strip(r, c) = static_cast<uchar>(rng.uniform(150, 230));
  }
  strip.row(120).setTo(230);
  ExpectNoEraseBar(strip, 170, 249);
}

// The same painted bar late in the sweep (at 88% of the width) beside an ECG trace, which borders
// it as a label's glyphs border their gaps: its level differs from the columns beside it (a gap
// in a label panel is the panel's level), so it is a bar.
TEST(StripMasks, APaintedBarLateInTheSweepBesideAnEcgIsFound) {
  cv::Mat3b strip;
  cv::cvtColor(NoisyStrip(), strip, cv::COLOR_GRAY2BGR);
  std::vector<cv::Point> ecg;
  for (int c = 0; c < kCols; ++c)
    ecg.emplace_back(c, 180 + static_cast<int>(6 * std::sin(c * 0.15)));
  cv::polylines(strip, ecg, false, cv::Scalar(0, 220, 0), 1);
  strip.colRange(264, 276).setTo(cv::Vec3b(110, 110, 110));
  ExpectSweepMasked(strip, 264, 30, 258);
}

// Some scanners draw the baseline over the erase bar (a fourth independent renderer): a 5-column
// black bar crossed by the drawn line on a noise background is still a bar.
TEST(StripMasks, EraseBarUnderTheDrawnBaselineIsFound) {
  cv::Mat1b strip = NoisyStrip();
  strip.colRange(220, 225).setTo(0);
  strip.row(120).setTo(200);  // drawn after the bar, across it
  ExpectSweepMasked(strip, 220, 30, 215);
}

// An ECG or auto-trace drawn over the sweep after the bar was erased crosses it: the bar's columns
// hold the trace's bright pixels, so they are not dark, yet the noise is erased. Gray (on the
// map's ramp, not an overlay colour) and green traces alike (stop 32: such bars on our generator,
// the sixth, eighth and ninth independent renderers read as the recording going on, truncated
// clips as complete). Without the bar, the trace over the noise is no bar.
TEST(StripMasks, EraseBarCrossedByATraceIsFound) {
  for (const cv::Scalar& colour : {cv::Scalar(200, 200, 200), cv::Scalar(0, 220, 0)}) {
    cv::Mat3b strip;
    cv::cvtColor(NoisyStrip(), strip, cv::COLOR_GRAY2BGR);
    std::vector<cv::Point> ecg;
    for (int c = 0; c < kCols; ++c)
      ecg.emplace_back(c, 180 + static_cast<int>(6 * std::sin(c * 0.15)));
    cv::Mat3b no_bar = strip.clone();
    cv::polylines(no_bar, ecg, false, colour, 1);
    ExpectNoEraseBar(no_bar, 30, 258);
    strip.colRange(220, 228).setTo(cv::Vec3b(0, 0, 0));
    cv::polylines(strip, ecg, false, colour, 1);  // drawn after the bar, across it
    ExpectSweepMasked(strip, 220, 30, 215);
  }
}

// A painted gray bar, 4 columns wide beside a 1-column cursor line, one column of it blurred by
// JPEG just short of the uniform share (6% of its pixels 8 levels off): still one bar, and the
// previous sweep right of it is masked (a ninth independent renderer's bars read as runs of 2
// and 1 columns, each too narrow for a bar).
TEST(StripMasks, APaintedBarWithOneBlurredColumnIsOneBar) {
  cv::Mat1b strip = NoisyStrip();
  strip.colRange(220, 224).setTo(40);
  strip.col(224).setTo(90);  // the cursor line
  cv::RNG rng(5);
  for (int r = 0; r < kRows; ++r) {
    if (rng.uniform(0.0, 1.0) < 0.06)
      strip(r, 222) = static_cast<uchar>(rng.uniform(0, 2) ? 48 : 32);
  }
  strip.row(120).setTo(200);  // the drawn baseline, across the bar
  ExpectSweepMasked(strip, 220, 30, 215);
}

// A sparse noise floor (a third of the pixels lit, in short vertical streaks) thins out to
// nothing over a few columns and back, under the drawn baseline: a quiet moment of the noise,
// not a bar (a bar cuts the noise at full density on both sides).
TEST(StripMasks, AQuietGapOfASparseNoiseFloorUnderTheBaselineIsNoEraseBar) {
  cv::Mat1b strip(kRows, kCols, uchar{0});
  cv::RNG rng(11);
  for (int c = 0; c < kCols; ++c) {
    const int from_gap = c < 150 ? 150 - c : c - 157;  // dark 150-157, thinning over 5 columns
    const double share = from_gap <= 0 ? 0.0 : 0.35 * std::min(1.0, from_gap / 5.0);
    for (int r = 0; r + 3 < kRows; r += 4) {
      if (rng.uniform(0.0, 1.0) < share) strip(cv::Rect(c, r, 1, 4)).setTo(rng.uniform(40, 90));
    }
  }
  strip(cv::Rect(30, 60, 90, 55)).setTo(160);  // a squeeze before the gap
  strip.row(120).setTo(200);
  ExpectNoEraseBar(strip, 160, 260);
}

// A sweep cursor (a 1-px yellow line at the write position, then a 1-column gap too narrow for a
// bar): the previous sweep beyond it is masked. Two such lines are calipers: nothing is masked.
TEST(StripMasks, ASweepCursorLineMasksThePreviousSweep) {
  cv::Mat3b strip;
  cv::cvtColor(NoisyStrip(), strip, cv::COLOR_GRAY2BGR);
  strip.col(201).setTo(cv::Vec3b(0, 0, 0));
  strip.col(200).setTo(cv::Vec3b(80, 230, 230));
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(HasNote(*s, "sweep cursor"));
  for (int c = 203; c < kCols; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
  for (int c = 30; c < 195; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;

  strip.col(120).setTo(cv::Vec3b(80, 230, 230));
  auto calipers = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(calipers.has_value());
  EXPECT_FALSE(HasNote(*calipers, "sweep cursor"));
  for (int c = 210; c < 260; ++c) EXPECT_EQ(calipers->column_valid[static_cast<size_t>(c)], 1);
}

// A black display where a reflux below the baseline ends abruptly at column 110 (flow cut: the
// mark of an erase bar), a 60-column silence, a second squeeze above (171-230), and, with
// `cursor`, a solid sweep cursor at column 250. The cursor marks the write position: the dark run
// 80 columns left of it is silence, and only the previous sweep beyond the cursor is masked
// (stop 25: a seventh independent renderer's second maneuver was masked as the previous sweep).
cv::Mat3b CutFlowSilenceAndCursor(bool cursor) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 60; c <= 110; ++c) {
    for (int r = 126; r <= 160; ++r) strip(r, c) = cv::Vec3b(170, 170, 170);
  }
  for (int c = 171; c <= 230; ++c) {
    const int top = 120 - std::max(2, static_cast<int>(50 * std::sin(CV_PI * (c - 171) / 60.0)));
    for (int r = top; r < 118; ++r) strip(r, c) = cv::Vec3b(170, 170, 170);
  }
  if (cursor) strip.col(250).setTo(cv::Vec3b(80, 230, 230));
  return strip;
}

TEST(StripMasks, ASweepCursorOutranksABarFarFromIt) {
  auto s = SpectrogramFromDisplay(ImageWith(CutFlowSilenceAndCursor(true)), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(HasNote(*s, "erase bar"));
  EXPECT_TRUE(HasNote(*s, "sweep cursor"));
  for (int c = 111; c < 245; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  for (int c = 252; c < kCols; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
  ExpectEraseBar(CutFlowSilenceAndCursor(false));
}

// A floor just above black (6/255: lit, but dark) where most of the clip is silent: the lit data
// columns are a squeeze, not a noise texture, so the silent runs at the strip's edges are
// silence, not "no data" (stop 23: a fifth independent renderer's cubehelix floor; the squeeze's
// rise and fall were masked and the clip read no_augmentation).
TEST(StripMasks, ADarkUniformFloorAroundASqueezeIsSilenceNotNoData) {
  cv::Mat1b strip(kRows, kCols, uchar{6});
  cv::RNG rng(5);
  for (int i = 0; i < kRows * kCols / 100; ++i) {  // sparse faint specks
    strip(rng.uniform(0, kRows), rng.uniform(0, kCols)) = static_cast<uchar>(rng.uniform(20, 45));
  }
  for (int c = 120; c < 200; ++c) {  // rising from the baseline (row 120) and falling back to it
    const int height = std::min({60, 3 * (c - 119), 3 * (199 - c)});
    for (int r = 120 - height; r < 120; ++r)
      strip(r, c) = static_cast<uchar>(rng.uniform(120, 220));
  }
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  for (int c = 40; c < kCols - 40; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
}

// A flat gray floor (50/255, no texture): the silence before a squeeze at the strip's left edge
// is silence, not "no data" or a painted bar (the squeeze's rise is in the recording), and the
// 10-column valve gap between the squeeze and its reflux, across which the flow reverses, is no
// painted bar (stop 23: a fourth independent renderer's gray-floor clips read no_augmentation,
// or lost everything after the valve gap as the previous sweep).
TEST(StripMasks, SilencesOnAFlatGrayFloorAreNoBars) {
  cv::Mat1b strip(kRows, kCols, uchar{50});
  cv::RNG rng(9);
  for (int c = 100; c < 160; ++c) {  // the squeeze: rises from the baseline, falls back to it
    const int height = std::min({60, 3 * (c - 99), 3 * (159 - c)});
    for (int r = 120 - height; r < 120; ++r)
      strip(r, c) = static_cast<uchar>(rng.uniform(150, 230));
  }
  for (int c = 170; c < 240; ++c) {  // the reflux below, after a 10-column valve gap
    const int depth = std::min({40, 4 * (c - 169), 4 * (239 - c)});
    for (int r = 121; r <= 120 + depth; ++r)
      strip(r, c) = static_cast<uchar>(rng.uniform(150, 230));
  }
  ExpectNoEraseBar(strip, 40, 240);
}

// A dashed drawn baseline (7 columns drawn, 5 not) across a black display: each gap in a quiet
// stretch is the line "missing up to both sides", but a dashed line is missing everywhere, so no
// gap is an erase bar (stop 23: a sixth independent renderer's dashed baseline masked a squeeze
// and its reflux as the previous sweep). A solid line cut by the same 5-column gap still is one.
cv::Mat1b DashedBaselineStrip(bool dashed) {
  cv::Mat1b strip(kRows, kCols, uchar{0});
  for (int c = 0; c < kCols; ++c) {
    const bool drawn = dashed ? c % 12 < 7 : !(c >= 96 && c < 101);
    if (drawn) strip(120, c) = 200;
  }
  cv::RNG rng(3);
  for (int c = 150; c < 210; ++c) {  // a squeeze rising from the baseline and falling back to it
    const int height = std::min({50, 3 * (c - 149), 3 * (209 - c)});
    for (int r = 120 - height; r < 120; ++r)
      strip(r, c) = static_cast<uchar>(rng.uniform(120, 220));
  }
  return strip;
}

TEST(StripMasks, GapsOfADashedBaselineAreNoEraseBars) {
  ExpectNoEraseBar(DashedBaselineStrip(true), 40, 260);
  ExpectEraseBar(DashedBaselineStrip(false));
}

// A black display whose high reject hides the squeeze's fading tail: the squeeze above the
// baseline (row 120) fades out at column 100, a silence follows, and the reflux below starts at
// full depth (30 rows) at column `reflux_from`. `pause_from`..`reflux_from - 1` is dark; with
// `dashes`, a baseline drawn in 5-column dashes and 5-column gaps (lit in half of its columns: no
// drawn line to the line finder) crosses the rest; without, flow below the baseline falls into it
// from column 101 to `pause_from` (the same side as the flow after: no reversal across the run).
// The dash pattern: 5-column dashes, gaps of 5 columns, or (`alternating`) of 5 and 6 in turn
// (a dash period resampled to the screen), the 6-column gaps ending at columns 20 + 21k.
bool DashLit(int c, bool alternating) {
  if (!alternating) return (c / 5) % 2 == 0;
  const int x = c % 21;  // dash 0-4, gap 5-9, dash 10-14, gap 15-20
  return x < 5 || (x >= 10 && x < 15);
}

cv::Mat3b FadedSqueezeThenAbruptReflux(int pause_from, int reflux_from, bool dashes,
                                       bool alternating = false) {
  cv::Mat3b strip(kRows, kCols, cv::Vec3b(0, 0, 0));
  for (int c = 40; c <= 100; ++c) {
    const int top = 120 - static_cast<int>(60 * std::sin(CV_PI * (c - 40) / 70.0));
    const auto level = static_cast<uchar>(std::min(160, 16 * (100 - c)));
    for (int r = top; r < 114; ++r) strip(r, c) = cv::Vec3b(level, level, level);
  }
  for (int c = reflux_from; c < 260; ++c) {
    for (int r = 126; r <= 150; ++r) strip(r, c) = cv::Vec3b(170, 170, 170);
  }
  for (int c = 0; c < kCols && dashes; ++c) {
    const bool dash = DashLit(c, alternating) && (c < pause_from || c >= reflux_from);
    if (dash) strip(120, c) = cv::Vec3b(200, 200, 200);
  }
  for (int c = 101; c < pause_from && !dashes; ++c) {  // flow below, falling into the baseline
    for (int r = 126; r <= 126 + (pause_from - c) / 2; ++r) strip(r, c) = cv::Vec3b(160, 160, 160);
  }
  return strip;
}

// Flow starting at full depth after a dark run is the previous sweep after an erase bar only
// when the run could be a bar (FlowAfterCounts): not one of a dashed baseline's own gaps, and
// not a pause wider than any bar (stop 25: a seventh independent renderer's 5-column dash gap and
// 68-column pause before a reflux read as bars; the reflux and everything after were masked).
// A dark run wider than the dashes' gaps (a bar erasing them), or a 16-column pause, still is one.
TEST(StripMasks, AnAbruptRefluxAfterADashGapOrALongPauseIsNoEraseBar) {
  const auto has_bar = [](const cv::Mat3b& strip) {
    auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
    EXPECT_TRUE(s.has_value());
    return s && HasNote(*s, "erase bar");
  };
  EXPECT_FALSE(has_bar(FadedSqueezeThenAbruptReflux(145, 150, true)));        // one dash gap
  EXPECT_FALSE(has_bar(FadedSqueezeThenAbruptReflux(141, 147, true, true)));  // a 6-column one
  EXPECT_TRUE(has_bar(FadedSqueezeThenAbruptReflux(135, 150, true)));         // 15 dark columns
  EXPECT_FALSE(has_bar(FadedSqueezeThenAbruptReflux(101, 150, false)));       // a 49-column pause
  EXPECT_TRUE(has_bar(FadedSqueezeThenAbruptReflux(134, 150, false)));        // 16 columns
}

// A sonographer's caliper: a 1-px dotted yellow line (one pixel in three lit) beside a 1-column
// gap, alone: the dilated overlay mask fills it in, but a sweep cursor is drawn solid (stop 23: a
// fifth independent renderer's caliper at a reflux's onset masked the reflux as the previous
// sweep).
TEST(StripMasks, ADottedCaliperIsNoSweepCursor) {
  cv::Mat3b strip;
  cv::cvtColor(NoisyStrip(), strip, cv::COLOR_GRAY2BGR);
  strip.col(201).setTo(cv::Vec3b(0, 0, 0));
  strip.col(200).setTo(cv::Vec3b(0, 0, 0));
  for (int r = 0; r < kRows; r += 3) strip(r, 200) = cv::Vec3b(80, 230, 230);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(HasNote(*s, "sweep cursor"));
  for (int c = 210; c < 260; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
}

TEST(StripMasks, ColouredTraceIsMasked) {
  cv::Mat3b strip;
  cv::cvtColor(NoisyStrip(), strip, cv::COLOR_GRAY2BGR);
  EXPECT_GE(MaskedEcgPoints(strip), kCols * 95 / 100);
}

TEST(StripMasks, ScaleLabelsAtTheEdgeInvalidateColumns) {
  cv::Mat1b strip = NoisyStrip();
  strip.colRange(0, 24).setTo(0);
  for (int r = 10; r < kRows; r += 20) {
    strip(cv::Rect(0, r, 5, 1)).setTo(255);  // ticks
    cv::putText(strip, std::to_string(60 - r / 2), {7, r + 4}, cv::FONT_HERSHEY_PLAIN, 0.7,
                cv::Scalar(255), 1);
  }
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  for (int c = 0; c < 20; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
  for (int c = 30; c < 100; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  EXPECT_TRUE(HasNote(*s, "scale/labels masked"));
}

TEST(StripMasks, DarkNoiseBesideADrawnBaselineIsNotALabelMargin) {
  // A white baseline line crosses every column, and most noise pixels are darker than the lit
  // level: neither may make the quiet columns at the edges look like a scale margin.
  cv::Mat1b strip = NoisyStrip();
  strip.row(120).setTo(255);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(HasNote(*s, "scale/labels masked"));
  EXPECT_FALSE(HasWarning(*s, "scale/labels masked"));
  for (int c = 0; c < 40; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  for (int c = kCols - 40; c < kCols; ++c) {
    EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  }
}

// A region drawn 10 columns wider than the sweep on the right: panel with grey (not white) ticks.
TEST(StripMasks, APanelMarginBesideTheDisplayIsMasked) {
  constexpr int kPanel = 10;
  UltrasoundImage image = ImageWith(NoisyStrip());
  for (int r = kY0 + 10; r < kY0 + kRows; r += 30) {
    image.frames[0](cv::Rect(kX0 + kCols + 1, r, 5, 1)).setTo(200);
  }
  UltrasoundRegion region = SpectralRegion();
  region.max_x1 += kPanel;
  auto s = SpectrogramFromDisplay(image, region);
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->Columns(), kCols + kPanel);
  for (int c = kCols; c < kCols + kPanel; ++c) {
    EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
  }
  for (int c = kCols - 40; c < kCols; ++c) {
    EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  }
  EXPECT_TRUE(HasNote(*s, "panel margin"));
}

// Without a visible noise floor a quiet display column is as flat as a panel: nothing is masked.
// The interior holds a few specks (3 rows a column, under the 6-row floor) and the edges none,
// so only the floor requirement keeps the quiet edge columns.
TEST(StripMasks, QuietColumnsOfANoiseFreeDisplayAreNoMargin) {
  cv::Mat1b strip(kRows, kCols, uchar{0});
  strip(cv::Rect(100, 60, 100, 60)).setTo(180);  // flow
  for (int c = 40; c < kCols - 40; ++c) {
    for (int k = 0; k < 3; ++k) strip((c * 37 + k * 61) % 50 + 140, c) = 40;  // faint specks
  }
  strip.row(120).setTo(120);  // drawn baseline
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(HasNote(*s, "panel margin"));
  for (int c = 0; c < 36; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  for (int c = kCols - 36; c < kCols; ++c) {
    EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  }
}

// Bright flow filling most of the edge columns (58 of a 60 cm/s scale) leaves few rows to show
// the noise texture: display, not margin.
TEST(StripMasks, BrightFlowAtTheEdgesIsNoMargin) {
  std::vector<double> v(kCols, 0.0);
  for (int c = 0; c < 40; ++c) v[static_cast<size_t>(c)] = 58;
  for (int c = 250; c < kCols; ++c) v[static_cast<size_t>(c)] = 58;
  testing::SyntheticSpec spec;
  spec.seed = 3;
  auto s = SpectrogramFromDisplay(
      ImageWith(testing::ToGray8(testing::MakeSpectrogram(spec, v).intensity)), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(HasNote(*s, "panel margin"));
  for (int c = 0; c < 36; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
}

TEST(StripMasks, EraseBarLeftOfTheMiddleMasksThePreviousSweepOnItsRight) {
  // A sweep writes left to right: right of the bar is the previous sweep, whatever its size.
  cv::Mat1b strip = NoisyStrip();
  strip.colRange(90, 98).setTo(0);
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  for (int c = 40; c < 88; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  for (int c = 90; c < kCols; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
}

// A dim noise floor (lit above black in ~40% of a column, all of it darker than 10/255) with a
// band of flow on either side of a quiet stretch (columns 121-184, dark: silence on this floor).
// `quiet_share` of the pixels of columns 150-153 keep their noise: a share near the
// background's is chance (a dark moment of the floor), near zero an erase bar.
cv::Mat1b DimNoiseFloorWithQuietColumns(double quiet_share) {
  cv::Mat1b strip(kRows, kCols, uchar{0});
  cv::RNG rng(5);
  for (int r = 0; r < kRows; ++r) {
    for (int c = 0; c < kCols; ++c) {
      const double keep = c >= 150 && c < 154 ? quiet_share : 0.4;
      if (rng.uniform(0.0, 1.0) < keep) strip(r, c) = static_cast<uchar>(rng.uniform(3, 10));
    }
  }
  // Flow fading into the quiet stretch, as a spectrogram's window draws it: no abrupt edge.
  for (int c = 40; c < 265; ++c) {
    const int from_gap = c < 121 ? 120 - c : c - 185;
    if (from_gap >= 0) strip(cv::Rect(c, 90, 1, 30)).setTo(std::min(150, 12 + 12 * from_gap));
  }
  return strip;
}

TEST(StripMasks, ChanceDarkColumnsOfADimNoiseFloorAreNoEraseBar) {
  auto s = SpectrogramFromDisplay(ImageWith(DimNoiseFloorWithQuietColumns(0.15)), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  for (int c = 40; c < 260; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  EXPECT_FALSE(HasNote(*s, "erase bar"));
  auto bar =
      SpectrogramFromDisplay(ImageWith(DimNoiseFloorWithQuietColumns(0.01)), SpectralRegion());
  ASSERT_TRUE(bar.has_value());
  for (int c = 150; c < kCols; ++c) EXPECT_EQ(bar->column_valid[static_cast<size_t>(c)], 0) << c;
  EXPECT_TRUE(HasNote(*bar, "erase bar"));
}

TEST(StripMasks, JpegRingingEraseBarOnABlackFloorIsFound) {
  // No noise texture and no drawn baseline: the bar is told from silence by the bright spectrum
  // it cuts off, and JPEG ringing (up to ~25/255) inside it does not hide it.
  cv::Mat1b strip(kRows, kCols, uchar{0});
  strip(cv::Rect(40, 60, 220, 60)).setTo(200);
  strip.colRange(150, 158).setTo(0);
  for (int r = 58; r < 122; r += 3) strip(r, 150 + r % 8) = 25;
  auto s = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  ASSERT_TRUE(s.has_value());
  for (int c = 50; c < 148; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 1) << c;
  for (int c = 150; c < kCols; ++c) EXPECT_EQ(s->column_valid[static_cast<size_t>(c)], 0) << c;
  EXPECT_TRUE(HasNote(*s, "erase bar"));
}

// ---- a region with a margin around the display (strip_window.cpp) -----------------------------

namespace display_window {

constexpr int kMargin = 12;
constexpr double kF0Hz = 5e6, kAngleDeg = 60;

// The strip in a frame whose region also covers kMargin rows of panel above and below it, with a
// time label in the lower margin; the PRF tag spans exactly the strip's 200 rows (100 cm/s).
struct MarginCase {
  UltrasoundImage image;
  UltrasoundRegion region;
};

MarginCase WithMargin(const cv::Mat1b& strip, bool prf_tag) {
  MarginCase m{ImageWith(strip), SpectralRegion()};
  cv::Mat& frame = m.image.frames[0];
  frame.rowRange(kY0 - kMargin, kY0).setTo(40);
  frame.rowRange(kY0 + kRows, kY0 + kRows + kMargin).setTo(40);
  cv::putText(frame, "1 s", {kX0 + 20, kY0 + kRows + 10}, cv::FONT_HERSHEY_PLAIN, 0.8, 255);
  m.region.min_y0 -= kMargin;
  m.region.max_y1 += kMargin;
  m.region.reference_pixel_y0 = *m.region.reference_pixel_y0 + kMargin;
  m.region.transducer_frequency_hz = kF0Hz;
  m.region.doppler_correction_angle_deg = kAngleDeg;
  if (prf_tag) {
    m.region.pulse_repetition_frequency_hz =
        DopplerShiftHzFromVelocity(0.5 * kRows, kF0Hz, kAngleDeg);
  }
  return m;
}

TEST(StripDisplayWindow, RegionWithAMarginIsNarrowedToTheRowsOfOnePrf) {
  const cv::Mat1b strip = NoisyStrip();
  const auto plain = SpectrogramFromDisplay(ImageWith(strip), SpectralRegion());
  const MarginCase m = WithMargin(strip, true);
  const auto s = SpectrogramFromDisplay(m.image, m.region);
  ASSERT_TRUE(plain.has_value() && s.has_value());
  EXPECT_TRUE(HasNote(*s, "the display one PRF = 200 rows: read from region rows 12-211"));
  EXPECT_EQ(s->Rows(), kRows);
  EXPECT_DOUBLE_EQ(s->velocity_top, plain->velocity_top);
  EXPECT_DOUBLE_EQ(s->BaselineRow(), plain->BaselineRow());
  EXPECT_EQ(cv::norm(s->intensity, plain->intensity, cv::NORM_INF), 0.0);
}

TEST(StripDisplayWindow, WithoutAPrfTagTheRegionIsReadWhole) {
  const MarginCase m = WithMargin(NoisyStrip(), false);
  const auto s = SpectrogramFromDisplay(m.image, m.region);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->Rows(), kRows + 2 * kMargin);
  EXPECT_TRUE(s->notes.empty() || !HasNote(*s, "one PRF"));
}

TEST(StripDisplayWindow, ARegionOfOnePrfIsLeftAlone) {
  UltrasoundRegion region = SpectralRegion();
  region.transducer_frequency_hz = kF0Hz;
  region.doppler_correction_angle_deg = kAngleDeg;
  // A PRF tag rounded up by 2% (as scanners round it) is no margin either.
  region.pulse_repetition_frequency_hz =
      DopplerShiftHzFromVelocity(0.5 * kRows * 0.98, kF0Hz, kAngleDeg);
  const auto s = SpectrogramFromDisplay(ImageWith(NoisyStrip()), region);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->Rows(), kRows);
  EXPECT_FALSE(HasNote(*s, "one PRF"));
}

// PhysicalDeltaY > 0 (velocity grows downward: rows flipped) in Hz without f0: the window is found
// in the unflipped crop and the result is the margin-free strip's.
TEST(StripDisplayWindow, FlippedRowsInHertzAreNarrowedToo) {
  auto hertz = [](UltrasoundRegion r) {
    r.units_y = 5, r.delta_y = 40.0;    // 40 Hz per row, growing downward
    r.transducer_frequency_hz.reset();  // kept in Hz
    return r;
  };
  const cv::Mat1b strip = NoisyStrip();
  const auto plain = SpectrogramFromDisplay(ImageWith(strip), hertz(SpectralRegion()));
  MarginCase m = WithMargin(strip, false);
  m.region = hertz(m.region);
  m.region.pulse_repetition_frequency_hz = 40.0 * kRows;
  const auto s = SpectrogramFromDisplay(m.image, m.region);
  ASSERT_TRUE(plain.has_value() && s.has_value());
  EXPECT_EQ(s->unit, VelocityUnit::kHertz);
  EXPECT_EQ(s->Rows(), kRows);
  EXPECT_DOUBLE_EQ(s->BaselineRow(), plain->BaselineRow());
  EXPECT_EQ(cv::norm(s->intensity, plain->intensity, cv::NORM_INF), 0.0);
}

// A PRF tag that spans a few rows (kHz stored as Hz) names no display: the region is read whole.
TEST(StripDisplayWindow, APrfTagOfAFewRowsIsNoDisplay) {
  MarginCase m = WithMargin(NoisyStrip(), true);
  m.region.pulse_repetition_frequency_hz = *m.region.pulse_repetition_frequency_hz / 1000.0;
  const auto s = SpectrogramFromDisplay(m.image, m.region);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->Rows(), kRows + 2 * kMargin);
  EXPECT_FALSE(HasNote(*s, "one PRF"));
}

cv::Mat1f TexturedRows(int rows, int first, int last) {
  cv::Mat1f m(rows, 100, 0.2f);
  cv::RNG rng(5);
  for (int r = first; r <= last; ++r) {
    for (int c = 0; c < m.cols; ++c) m(r, c) = static_cast<float>(rng.uniform(0.0, 0.6));
  }
  return m;
}

TEST(StripDisplayWindow, WindowHoldsTheTexturedRowsAndTheBaseline) {
  // Textured rows 10-89 and a span of 80: the window is exactly them.
  const auto exact = detail::FindDisplayRows(TexturedRows(100, 10, 89), 50, 80);
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->first, 10);
  EXPECT_EQ(exact->count, 80);
  // Textured rows 11-89 leave one row of play: the middle of it.
  const auto play = detail::FindDisplayRows(TexturedRows(100, 11, 89), 50, 80);
  ASSERT_TRUE(play.has_value());
  EXPECT_EQ(play->first, 10);
  // Textured rows 30-69 leave 20 rows of play: the margins are unknowable, no window (a guess
  // could cut flow off).
  EXPECT_FALSE(detail::FindDisplayRows(TexturedRows(100, 30, 69), 50, 80).has_value());
  // The baseline pins it too: row 95 needs a window from row 16 on, the texture up to row 16.
  const auto low = detail::FindDisplayRows(TexturedRows(100, 16, 69), 95, 80);
  ASSERT_TRUE(low.has_value());
  EXPECT_EQ(low->first, 16);
  // Texture over more rows than one PRF, or a baseline no window can hold: no window.
  EXPECT_FALSE(detail::FindDisplayRows(TexturedRows(100, 5, 94), 50, 80).has_value());
  EXPECT_FALSE(detail::FindDisplayRows(TexturedRows(100, 10, 89), 95, 80).has_value());
  // Not taller than the span (plus 4 rows and 3%): nothing to do.
  EXPECT_FALSE(detail::FindDisplayRows(TexturedRows(84, 2, 81), 40, 80).has_value());
}

}  // namespace display_window

}  // namespace
}  // namespace refluxscan::spectral
