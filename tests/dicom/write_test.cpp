// WriteUltrasound -> ReadUltrasound round trips for every transfer syntax, and dciodvfy.
#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "refluxscan/dicom/read.h"
#include "refluxscan/dicom/write.h"
#include "testing/fixtures.h"

namespace refluxscan::dicom {
namespace {

constexpr std::array<TransferSyntax, 8> kAllSyntaxes = {
    TransferSyntax::kExplicitLittle,   TransferSyntax::kImplicitLittle,
    TransferSyntax::kDeflated,         TransferSyntax::kRle,
    TransferSyntax::kJpegBaseline,     TransferSyntax::kJpegLsLossless,
    TransferSyntax::kJpeg2000Lossless, TransferSyntax::kJpeg2000};

// A smooth BGR test picture with some structure; `seed` shifts it so frames differ.
cv::Mat TestFrame(int seed, int rows = 96, int columns = 128) {
  cv::Mat frame(rows, columns, CV_8UC3);
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < columns; ++x) {
      frame.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>((x * 2 + seed * 20) % 256),
                                            static_cast<uchar>((y * 2) % 256),
                                            static_cast<uchar>((x + y + seed * 7) % 256));
    }
  }
  cv::circle(frame, {40 + seed, 40}, 15, cv::Scalar(255, 255, 255), -1);
  return frame;
}

UltrasoundRegion SpectralRegion() {
  UltrasoundRegion r;
  r.spatial_format = 3;
  r.data_type = 3;
  r.flags = 2;
  r.min_x0 = 4;
  r.min_y0 = 40;
  r.max_x1 = 123;
  r.max_y1 = 91;
  r.reference_pixel_x0 = 0;
  r.reference_pixel_y0 = -3;
  r.reference_physical_x = 0.0;
  r.reference_physical_y = 0.0;
  r.units_x = 4;
  r.units_y = 7;
  r.delta_x = 0.004;
  r.delta_y = -1.25;
  r.doppler_correction_angle_deg = 60.0;
  r.transducer_frequency_hz = 5.0e6;
  r.pulse_repetition_frequency_hz = 4500.0;
  return r;
}

UltrasoundWriteSpec Spec(TransferSyntax ts, int frame_count) {
  UltrasoundWriteSpec spec;
  spec.tags.image_comments = "GSV SFJ";
  spec.tags.series_description = "Left leg reflux";
  spec.tags.laterality = "L";
  spec.tags.patient_id = "TEST001";
  spec.tags.patient_name = "Test^Patient";
  for (int i = 0; i < frame_count; ++i) spec.frames.push_back(TestFrame(i));
  spec.regions.push_back(SpectralRegion());
  spec.transfer_syntax = ts;
  return spec;
}

std::string WriteSpec(const UltrasoundWriteSpec& spec, const std::string& name) {
  const std::string path =
      (refluxscan::testing::ScratchDir("write_" + name) / (name + ".dcm")).string();
  const Result<void> ok = WriteUltrasound(spec, path);
  EXPECT_TRUE(ok.has_value()) << (ok ? "" : ok.error().message);
  return path;
}

Result<UltrasoundImage> Read(const std::string& path, FrameSelection frames) {
  ReadOptions options;
  options.frames = frames;
  return ReadUltrasound(path, options);
}

void ExpectSameRegion(const UltrasoundRegion& a, const UltrasoundRegion& b) {
  EXPECT_EQ(a.spatial_format, b.spatial_format);
  EXPECT_EQ(a.data_type, b.data_type);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.Rect(), b.Rect());
  EXPECT_EQ(a.reference_pixel_x0, b.reference_pixel_x0);
  EXPECT_EQ(a.reference_pixel_y0, b.reference_pixel_y0);
  EXPECT_EQ(a.reference_physical_y, b.reference_physical_y);
  EXPECT_EQ(a.units_x, b.units_x);
  EXPECT_EQ(a.units_y, b.units_y);
  EXPECT_DOUBLE_EQ(a.delta_x, b.delta_x);
  EXPECT_DOUBLE_EQ(a.delta_y, b.delta_y);
  EXPECT_EQ(a.doppler_correction_angle_deg, b.doppler_correction_angle_deg);
  EXPECT_EQ(a.transducer_frequency_hz, b.transducer_frequency_hz);
  EXPECT_EQ(a.pulse_repetition_frequency_hz, b.pulse_repetition_frequency_hz);
  EXPECT_TRUE(b.warnings.empty());
}

TEST(Write, EveryTransferSyntaxRoundTrips) {
  for (TransferSyntax ts : kAllSyntaxes) {
    const std::string name(TransferSyntaxName(ts));
    SCOPED_TRACE(name);
    const UltrasoundWriteSpec spec = Spec(ts, 1);
    const auto img = Read(WriteSpec(spec, name), FrameSelection::kAll);
    ASSERT_TRUE(img.has_value()) << img.error().message;
    EXPECT_EQ(img->tags.sop_class_name, "US Image Storage");
    EXPECT_TRUE(img->is_ultrasound_sop);
    EXPECT_EQ(img->tags.image_comments, "GSV SFJ");
    EXPECT_EQ(img->tags.series_description, "Left leg reflux");
    EXPECT_EQ(img->tags.laterality, "L");
    ASSERT_EQ(img->frames.size(), 1u);
    ASSERT_EQ(img->frames[0].type(), CV_8UC3);
    const double max_error = cv::norm(img->frames[0], spec.frames[0], cv::NORM_INF);
    const double mean_error = cv::norm(img->frames[0], spec.frames[0], cv::NORM_L1) /
                              static_cast<double>(spec.frames[0].total() * 3);
    if (ts == TransferSyntax::kJpegBaseline) {
      EXPECT_EQ(img->photometric_interpretation, "YBR_FULL_422");
      EXPECT_LT(mean_error, 4.0);
    } else if (ts == TransferSyntax::kJpeg2000) {
      EXPECT_EQ(img->photometric_interpretation, "YBR_ICT");
      EXPECT_LT(mean_error, 4.0);
      EXPECT_GT(max_error, 0.0);  // lossy indeed
    } else if (ts == TransferSyntax::kJpeg2000Lossless) {
      EXPECT_EQ(img->photometric_interpretation, "YBR_RCT");
      EXPECT_EQ(max_error, 0.0);
    } else {
      EXPECT_EQ(img->photometric_interpretation, "RGB");
      EXPECT_EQ(max_error, 0.0);
    }
    ASSERT_EQ(img->regions.size(), 1u);
    ExpectSameRegion(spec.regions[0], img->regions[0]);
  }
}

TEST(Write, ImageLateralityReplacesSeriesLaterality) {
  UltrasoundWriteSpec spec = Spec(TransferSyntax::kExplicitLittle, 1);
  spec.tags.image_laterality = "R";
  const auto img = Read(WriteSpec(spec, "image_laterality"), FrameSelection::kNone);
  ASSERT_TRUE(img.has_value());
  EXPECT_EQ(img->tags.image_laterality, "R");
  EXPECT_EQ(img->tags.laterality, "");  // 2C: not allowed beside Image Laterality
}

TEST(Write, TransferSyntaxUidsAreTheExpectedOnes) {
  const std::array<const char*, 8> uids = {"1.2.840.10008.1.2.1",    "1.2.840.10008.1.2",
                                           "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.5",
                                           "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.80",
                                           "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"};
  for (size_t i = 0; i < kAllSyntaxes.size(); ++i) {
    const std::string name(TransferSyntaxName(kAllSyntaxes[i]));
    const auto img =
        Read(WriteSpec(Spec(kAllSyntaxes[i], 1), "uid_" + name), FrameSelection::kNone);
    ASSERT_TRUE(img.has_value());
    EXPECT_EQ(img->tags.transfer_syntax_uid, uids[i]) << name;
  }
}

// L1 distance between what a spec wrote and what reads back: the loss of a lossy syntax.
double RoundTripError(const UltrasoundWriteSpec& spec, const std::string& name) {
  const auto img = Read(WriteSpec(spec, name), FrameSelection::kLast);
  EXPECT_TRUE(img.has_value()) << name;
  return img ? cv::norm(img->frames[0], spec.frames[0], cv::NORM_L1) : 0.0;
}

TEST(Write, JpegQualityChangesTheError) {
  UltrasoundWriteSpec low = Spec(TransferSyntax::kJpegBaseline, 1);
  low.jpeg_quality = 10;
  UltrasoundWriteSpec high = low;
  high.jpeg_quality = 98;
  EXPECT_GT(RoundTripError(low, "q10"), RoundTripError(high, "q98"));
}

TEST(Write, MultiFrameLastDecodesOnlyTheLastFrame) {
  for (TransferSyntax ts : {TransferSyntax::kExplicitLittle, TransferSyntax::kRle,
                            TransferSyntax::kJpegLsLossless, TransferSyntax::kJpeg2000Lossless}) {
    SCOPED_TRACE(std::string(TransferSyntaxName(ts)));
    const UltrasoundWriteSpec spec = Spec(ts, 5);
    const std::string path = WriteSpec(spec, "multi_" + std::string(TransferSyntaxName(ts)));
    const auto last = Read(path, FrameSelection::kLast);
    ASSERT_TRUE(last.has_value()) << last.error().message;
    EXPECT_EQ(last->tags.sop_class_name, "US Multi-frame Image Storage");
    EXPECT_EQ(last->number_of_frames, 5);
    ASSERT_EQ(last->frames.size(), 1u);
    EXPECT_EQ(last->decoded_frame_indices, std::vector<int>{4});
    EXPECT_EQ(cv::norm(last->frames[0], spec.frames[4], cv::NORM_INF), 0.0);
    const auto all = Read(path, FrameSelection::kAll);
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->frames.size(), 5u);
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(all->decoded_frame_indices[i], i);
      EXPECT_EQ(cv::norm(all->frames[i], spec.frames[i], cv::NORM_INF), 0.0) << "frame " << i;
    }
  }
}

TEST(Write, GrayFramesRoundTripAsMonochrome) {
  for (TransferSyntax ts : {TransferSyntax::kRle, TransferSyntax::kJpeg2000Lossless}) {
    const std::string name(TransferSyntaxName(ts));
    SCOPED_TRACE(name);
    UltrasoundWriteSpec spec = Spec(ts, 1);
    cv::cvtColor(spec.frames[0], spec.frames[0], cv::COLOR_BGR2GRAY);
    const auto img = Read(WriteSpec(spec, "gray_" + name), FrameSelection::kLast);
    ASSERT_TRUE(img.has_value()) << img.error().message;
    EXPECT_EQ(img->photometric_interpretation, "MONOCHROME2");
    ASSERT_EQ(img->frames[0].type(), CV_8UC1);
    EXPECT_EQ(cv::norm(img->frames[0], spec.frames[0], cv::NORM_INF), 0.0);
  }
}

// JPEG 2000 multi-frame: the Basic Offset Table, or (without one) the start-of-codestream
// marker of each frame's first fragment, says which fragments are which frame.
TEST(Write, Jpeg2000CineFramesAreFoundHoweverTheyAreFragmented) {
  struct Layout {
    const char* name;
    unsigned fragment_kib;  // 1 KiB fragments: each 128 x 96 frame takes several
    bool offset_table;
  };
  for (const Layout& l :
       {Layout{"one_each", 0, true}, Layout{"one_each_no_table", 0, false},
        Layout{"split_with_table", 1, true}, Layout{"split_no_table", 1, false}}) {
    SCOPED_TRACE(l.name);
    UltrasoundWriteSpec spec = Spec(TransferSyntax::kJpeg2000Lossless, 3);
    spec.j2k_fragment_kib = l.fragment_kib;
    spec.j2k_offset_table = l.offset_table;
    const std::string path = WriteSpec(spec, std::string("j2k_cine_") + l.name);
    const auto all = Read(path, FrameSelection::kAll);
    ASSERT_TRUE(all.has_value()) << all.error().message;
    ASSERT_EQ(all->frames.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(cv::norm(all->frames[i], spec.frames[i], cv::NORM_INF), 0.0) << "frame " << i;
    }
    const auto last = Read(path, FrameSelection::kLast);
    ASSERT_TRUE(last.has_value()) << last.error().message;
    EXPECT_EQ(cv::norm(last->frames[0], spec.frames[2], cv::NORM_INF), 0.0);
  }
}

TEST(Write, Jpeg2000CompressionRatioChangesTheError) {
  UltrasoundWriteSpec low = Spec(TransferSyntax::kJpeg2000, 1);
  low.j2k_compression_ratio = 60;
  UltrasoundWriteSpec high = low;
  high.j2k_compression_ratio = 4;
  EXPECT_GT(RoundTripError(low, "r60"), RoundTripError(high, "r4"));
  UltrasoundWriteSpec bad = low;
  bad.j2k_compression_ratio = 1.0;
  EXPECT_FALSE(WriteUltrasound(bad, "/nonexistent/never.dcm").has_value());
}

TEST(Write, InvalidSpecsAreRejected) {
  const std::string path = (refluxscan::testing::ScratchDir("write_bad") / "x.dcm").string();
  UltrasoundWriteSpec empty;
  EXPECT_EQ(WriteUltrasound(empty, path).error().code, ErrorCode::kInvalidInput);
  UltrasoundWriteSpec mixed = Spec(TransferSyntax::kExplicitLittle, 2);
  mixed.frames[1] = TestFrame(1, 50, 50);
  EXPECT_EQ(WriteUltrasound(mixed, path).error().code, ErrorCode::kInvalidInput);
  UltrasoundWriteSpec quality = Spec(TransferSyntax::kJpegBaseline, 1);
  quality.jpeg_quality = 0;
  EXPECT_EQ(WriteUltrasound(quality, path).error().code, ErrorCode::kInvalidInput);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(Write, TransferSyntaxNamesRoundTrip) {
  std::set<std::string> names;
  for (TransferSyntax ts : kAllSyntaxes) {
    const std::string name(TransferSyntaxName(ts));
    names.insert(name);
    const Result<TransferSyntax> back = TransferSyntaxFromName(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, ts);
  }
  EXPECT_EQ(names, (std::set<std::string>{"explicit", "implicit", "deflated", "rle", "jpeg",
                                          "jpegls", "j2k", "j2k-lossy"}));
  EXPECT_EQ(TransferSyntaxFromName("jpeg2000").error().code, ErrorCode::kInvalidInput);
}

TEST(Write, NewUidIsUniqueAndValid) {
  const std::string a = NewUid();
  const std::string b = NewUid();
  EXPECT_NE(a, b);
  EXPECT_LE(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789."), std::string::npos);
}

TEST(Write, ExplicitUidsAreKept) {
  UltrasoundWriteSpec spec = Spec(TransferSyntax::kJpegBaseline, 1);
  spec.tags.sop_instance_uid = "1.2.826.0.1.3680043.2.1143.1";
  spec.tags.study_instance_uid = "1.2.826.0.1.3680043.2.1143.2";
  spec.tags.series_instance_uid = "1.2.826.0.1.3680043.2.1143.3";
  const auto img = Read(WriteSpec(spec, "uids"), FrameSelection::kNone);
  ASSERT_TRUE(img.has_value());
  EXPECT_EQ(img->tags.sop_instance_uid, spec.tags.sop_instance_uid);
  EXPECT_EQ(img->tags.study_instance_uid, spec.tags.study_instance_uid);
  EXPECT_EQ(img->tags.series_instance_uid, spec.tags.series_instance_uid);
}

// Runs dciodvfy (Debian dicom3tools) and returns the lines that report errors.
std::vector<std::string> DciodvfyErrors(const std::string& path, std::string& all_output) {
  const std::string cmd = "/usr/bin/dciodvfy '" + path + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::vector<std::string> errors;
  if (!pipe) return {"cannot run dciodvfy"};
  std::array<char, 4096> line{};
  while (fgets(line.data(), static_cast<int>(line.size()), pipe.get()) != nullptr) {
    const std::string text(line.data());
    all_output += text;
    if (text.find("Error") != std::string::npos) errors.push_back(text);
  }
  return errors;
}

TEST(Write, DciodvfyReportsNoErrors) {
  if (!std::filesystem::exists("/usr/bin/dciodvfy")) GTEST_SKIP() << "dciodvfy not installed";
  for (TransferSyntax ts : kAllSyntaxes) {
    // dicom3tools reads no deflated streams; the deflated dataset is the explicit one, zipped.
    if (ts == TransferSyntax::kDeflated) continue;
    for (int frames : {1, 3}) {
      const std::string name =
          "dciodvfy_" + std::string(TransferSyntaxName(ts)) + "_" + std::to_string(frames);
      SCOPED_TRACE(name);
      std::string output;
      const std::vector<std::string> errors =
          DciodvfyErrors(WriteSpec(Spec(ts, frames), name), output);
      EXPECT_TRUE(errors.empty()) << output;
    }
  }
}

}  // namespace
}  // namespace refluxscan::dicom
