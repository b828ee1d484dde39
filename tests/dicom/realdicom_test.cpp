// Every file in ../shared/realdicom (see its SOURCES.md): read without crash, decode or refuse
// in a controlled way, region facts per file. None holds spectral Doppler.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "refluxscan/dicom/read.h"
#include "testing/fixtures.h"

namespace refluxscan::dicom {
namespace {

struct RealFile {
  const char* name;
  int rows, columns, frames;
  const char* sop_class_name;
  const char* unsupported_reason;  // nullptr: decodable; else a substring of the error message
};

constexpr RealFile kFiles[] = {
    {"acme_echo_pal_rle_10f_noreg.dcm", 430, 600, 10, "US Multi-frame Image Storage", nullptr},
    {"acuson_sequoia_rle_ybrfull.dcm", 480, 640, 1, "US Image Storage", nullptr},
    {"aloka_ssd4000_pal16_implicit_3reg.dcm", 480, 640, 1, "US Image Storage", "segmented palette"},
    {"atl_hdi5000_ybrfull_noreg.dcm", 480, 640, 1, "US Image Storage", nullptr},
    {"ge_logiq700_j2kr_noreg.dcm", 480, 640, 1, "US Image Storage", nullptr},
    {"ge_logiq700_rgb_bigendian_noreg.dcm", 480, 640, 1, "US Image Storage", nullptr},
    {"ge_logiq700_rgb_noreg.dcm", 480, 640, 1, "US Image Storage", nullptr},
    {"ge_logiq700_rle_noreg.dcm", 480, 640, 1, "US Image Storage", nullptr},
    {"ge_logiqe_j2k_ybrict.dcm", 965, 1660, 1, "US Image Storage", nullptr},
    {"ge_vivide95_colorflow_jxl.dcm", 708, 1016, 27, "US Multi-frame Image Storage",
     "1.2.840.10008.1.2.4.111"},
    {"hp_echo_jpeg_34f_2reg.dcm", 430, 480, 34, "US Multi-frame Image Storage", nullptr},
    {"medistim_veriqc_jpegll_2f.dcm", 768, 1024, 2, "US Multi-frame Image Storage", nullptr},
    {"philips_cx50_ob_palette_2reg.dcm", 600, 800, 1, "US Image Storage", nullptr},
    {"philips_cx50_ob_palette_rle_2f.dcm", 600, 800, 2, "US Multi-frame Image Storage", nullptr},
    {"philips_epiq7c_jpegll_mono.dcm", 768, 1024, 1, "US Image Storage", nullptr},
};

Result<UltrasoundImage> Read(const std::filesystem::path& dir, const std::string& name,
                             FrameSelection frames) {
  ReadOptions options;
  options.frames = frames;
  return ReadUltrasound((dir / name).string(), options);
}

TEST(RealDicom, EveryFileHeaderReadsAndHasNoSpectralRegion) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  for (const RealFile& f : kFiles) {
    SCOPED_TRACE(f.name);
    EXPECT_TRUE(LooksLikeDicom((dir / f.name).string()));
    const Result<UltrasoundImage> img = Read(dir, f.name, FrameSelection::kNone);
    ASSERT_TRUE(img.has_value()) << img.error().message;
    EXPECT_EQ(img->rows, f.rows);
    EXPECT_EQ(img->columns, f.columns);
    EXPECT_EQ(img->number_of_frames, f.frames);
    EXPECT_EQ(img->tags.sop_class_name, f.sop_class_name);
    EXPECT_TRUE(img->is_ultrasound_sop);
    EXPECT_FALSE(img->is_secondary_capture);
    EXPECT_TRUE(img->frames.empty());
    EXPECT_TRUE(img->SpectralRegions().empty());
  }
}

TEST(RealDicom, DecodableFilesGiveTheLastFrameAtFullSizeAndNotBlank) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  for (const RealFile& f : kFiles) {
    if (f.unsupported_reason != nullptr) continue;
    SCOPED_TRACE(f.name);
    const Result<UltrasoundImage> img = Read(dir, f.name, FrameSelection::kLast);
    ASSERT_TRUE(img.has_value()) << img.error().message;
    ASSERT_EQ(img->frames.size(), 1u);
    EXPECT_EQ(img->decoded_frame_indices, std::vector<int>{f.frames - 1});
    const cv::Mat& m = img->frames[0];
    EXPECT_EQ(m.size(), cv::Size(f.columns, f.rows));
    EXPECT_EQ(m.depth(), CV_8U);
    cv::Scalar mean, stddev;
    cv::meanStdDev(m.reshape(1), mean, stddev);
    EXPECT_GT(stddev[0], 10.0) << "blank or flat image";
  }
}

TEST(RealDicom, UndecodableFilesFailWithUnsupportedNamingTheReason) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  for (const RealFile& f : kFiles) {
    if (f.unsupported_reason == nullptr) continue;
    SCOPED_TRACE(f.name);
    const Result<UltrasoundImage> img = Read(dir, f.name, FrameSelection::kLast);
    ASSERT_FALSE(img.has_value());
    EXPECT_EQ(img.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(img.error().message.find(f.unsupported_reason), std::string::npos)
        << img.error().message;
  }
}

TEST(RealDicom, MonochromeJpegLosslessDecodesToGray) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "philips_epiq7c_jpegll_mono.dcm", FrameSelection::kLast);
  ASSERT_TRUE(img.has_value());
  EXPECT_EQ(img->frames[0].type(), CV_8UC1);
  const auto color = Read(dir, "hp_echo_jpeg_34f_2reg.dcm", FrameSelection::kLast);
  ASSERT_TRUE(color.has_value());
  EXPECT_EQ(color->frames[0].type(), CV_8UC3);
}

TEST(RealDicom, RleDecodesExactlyLikeTheUncompressedOriginal) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto raw = Read(dir, "ge_logiq700_rgb_noreg.dcm", FrameSelection::kLast);
  const auto rle = Read(dir, "ge_logiq700_rle_noreg.dcm", FrameSelection::kLast);
  ASSERT_TRUE(raw.has_value() && rle.has_value());
  EXPECT_EQ(cv::norm(raw->frames[0], rle->frames[0], cv::NORM_INF), 0.0);
}

// The NEMA WG04 US1 image again, JPEG 2000 lossless with the reversible colour transform
// (YBR_RCT): OpenJPEG must give back exactly the uncompressed pixels.
TEST(RealDicom, Jpeg2000LosslessDecodesExactlyLikeTheUncompressedOriginal) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto raw = Read(dir, "ge_logiq700_rgb_noreg.dcm", FrameSelection::kLast);
  const auto j2k = Read(dir, "ge_logiq700_j2kr_noreg.dcm", FrameSelection::kLast);
  ASSERT_TRUE(raw.has_value() && j2k.has_value()) << (j2k ? "" : j2k.error().message);
  ASSERT_EQ(j2k->frames[0].type(), CV_8UC3);
  EXPECT_EQ(cv::norm(raw->frames[0], j2k->frames[0], cv::NORM_INF), 0.0);
}

// Lossy JPEG 2000 (YBR_ICT, GE LOGIQ e): a real B-mode image, so smooth, in colour order (a
// gray-scale B-mode stays near-gray: R, G and B agree where the image is not annotated).
TEST(RealDicom, Jpeg2000LossyIctDecodesToANearGrayBmode) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "ge_logiqe_j2k_ybrict.dcm", FrameSelection::kLast);
  ASSERT_TRUE(img.has_value()) << img.error().message;
  ASSERT_EQ(img->frames[0].type(), CV_8UC3);
  std::vector<cv::Mat> bgr;
  cv::split(img->frames[0], bgr);
  cv::Mat rg, bg;
  cv::absdiff(bgr[2], bgr[1], rg);
  cv::absdiff(bgr[0], bgr[1], bg);
  EXPECT_LT(cv::mean(rg)[0], 6.0);
  EXPECT_LT(cv::mean(bg)[0], 6.0);
}

TEST(RealDicom, BigEndianPlanarRgbDecodes) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "ge_logiq700_rgb_bigendian_noreg.dcm", FrameSelection::kLast);
  ASSERT_TRUE(img.has_value()) << img.error().message;
  EXPECT_EQ(img->tags.transfer_syntax_uid, "1.2.840.10008.1.2.2");
  ASSERT_EQ(img->frames[0].type(), CV_8UC3);
  // Planar RGB read as interleaved would make neighbouring pixels unrelated; real ultrasound is
  // smooth: the mean absolute horizontal difference stays small.
  cv::Mat gray;
  cv::extractChannel(img->frames[0], gray, 1);
  cv::Mat diff;
  cv::absdiff(gray.colRange(1, gray.cols), gray.colRange(0, gray.cols - 1), diff);
  EXPECT_LT(cv::mean(diff)[0], 20.0);
}

TEST(RealDicom, AllFramesOfACineDecode) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "hp_echo_jpeg_34f_2reg.dcm", FrameSelection::kAll);
  ASSERT_TRUE(img.has_value()) << img.error().message;
  ASSERT_EQ(img->frames.size(), 34u);
  EXPECT_EQ(img->decoded_frame_indices.front(), 0);
  EXPECT_EQ(img->decoded_frame_indices.back(), 33);
  const auto last = Read(dir, "hp_echo_jpeg_34f_2reg.dcm", FrameSelection::kLast);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(cv::norm(img->frames.back(), last->frames[0], cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(img->frames.front(), img->frames.back(), cv::NORM_L1), 0.0);
}

TEST(RealDicom, HpEchoHasANegativeReferencePixelY) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "hp_echo_jpeg_34f_2reg.dcm", FrameSelection::kNone);
  ASSERT_TRUE(img.has_value());
  ASSERT_EQ(img->regions.size(), 2u);
  EXPECT_EQ(img->regions[0].data_type, 1);
  EXPECT_EQ(img->regions[0].reference_pixel_x0, 198);
  EXPECT_EQ(img->regions[0].reference_pixel_y0, -4);
  EXPECT_EQ(img->regions[1].data_type, 10);  // ECG trace
  EXPECT_EQ(img->regions[1].units_x, 4);
}

TEST(RealDicom, PhilipsTissueBoxIsClampedWithAWarning) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "philips_cx50_ob_palette_2reg.dcm", FrameSelection::kNone);
  ASSERT_TRUE(img.has_value());
  ASSERT_EQ(img->regions.size(), 2u);
  const UltrasoundRegion& r = img->regions[0];
  EXPECT_EQ(r.min_x0, 120);
  EXPECT_EQ(r.max_x1, 799);
  EXPECT_EQ(r.max_y1, 518);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find("bounds_one_past_edge"), std::string::npos);
  EXPECT_EQ(img->regions[1].reference_pixel_x0, -176);
  EXPECT_EQ(img->regions[1].reference_pixel_y0, -522);
}

TEST(RealDicom, MedistimEcgRegionHasNegativeDeltaY) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "medistim_veriqc_jpegll_2f.dcm", FrameSelection::kNone);
  ASSERT_TRUE(img.has_value());
  ASSERT_EQ(img->regions.size(), 2u);
  EXPECT_NEAR(img->regions[1].delta_y, -0.051282051282051277, 1e-12);
  EXPECT_NEAR(img->regions[1].delta_x, 0.005617977528089888, 1e-12);
}

TEST(RealDicom, AlokaHasTwoTissueRegionsAndAGrayBar) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "aloka_ssd4000_pal16_implicit_3reg.dcm", FrameSelection::kNone);
  ASSERT_TRUE(img.has_value());
  ASSERT_EQ(img->regions.size(), 3u);
  EXPECT_EQ(img->regions[0].data_type, 1);
  EXPECT_EQ(img->regions[1].data_type, 1);
  EXPECT_EQ(img->regions[2].data_type, 13);
  EXPECT_EQ(img->regions[1].min_x0, 336);
  EXPECT_DOUBLE_EQ(img->regions[0].transducer_frequency_hz.value_or(0), 5.0e6);
  EXPECT_DOUBLE_EQ(img->regions[0].pulse_repetition_frequency_hz.value_or(0), 4340.0);
  EXPECT_FALSE(img->regions[2].reference_pixel_x0.has_value());
  EXPECT_EQ(img->tags.transfer_syntax_uid, "1.2.840.10008.1.2");
}

TEST(RealDicom, TransducerFrequencyIsStoredInHertz) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto logiqe = Read(dir, "ge_logiqe_j2k_ybrict.dcm", FrameSelection::kNone);
  ASSERT_TRUE(logiqe.has_value());
  ASSERT_EQ(logiqe->regions.size(), 1u);
  EXPECT_DOUBLE_EQ(logiqe->regions[0].transducer_frequency_hz.value_or(0), 12.0e6);
  const auto vivid = Read(dir, "ge_vivide95_colorflow_jxl.dcm", FrameSelection::kNone);
  ASSERT_TRUE(vivid.has_value());
  ASSERT_EQ(vivid->regions.size(), 1u);
  EXPECT_EQ(vivid->regions[0].data_type, 2);
  EXPECT_DOUBLE_EQ(vivid->regions[0].transducer_frequency_hz.value_or(0), 1.67e6);
  EXPECT_DOUBLE_EQ(vivid->regions[0].pulse_repetition_frequency_hz.value_or(0), 4000.0);
  EXPECT_EQ(vivid->tags.transfer_syntax_name, "JPEG XL JPEG Recompression");
}

TEST(RealDicom, AcusonPlaceholderRegionAndPhysicalReferenceX) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "acuson_sequoia_rle_ybrfull.dcm", FrameSelection::kNone);
  ASSERT_TRUE(img.has_value());
  ASSERT_EQ(img->regions.size(), 2u);
  EXPECT_EQ(img->regions[0].data_type, 0);
  EXPECT_FALSE(img->regions[0].warnings.empty());
  EXPECT_NEAR(img->regions[1].reference_physical_x.value_or(0), 1.907357036127471, 1e-12);
}

TEST(RealDicom, TagsAreFilledAndTrimmed) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const auto img = Read(dir, "philips_epiq7c_jpegll_mono.dcm", FrameSelection::kNone);
  ASSERT_TRUE(img.has_value());
  EXPECT_EQ(img->tags.manufacturer, "Philips Medical Systems");
  EXPECT_EQ(img->tags.model, "EPIQ 7C");
  EXPECT_EQ(img->tags.modality, "US");
  EXPECT_EQ(img->tags.sop_class_uid, "1.2.840.10008.5.1.4.1.1.6.1");
  EXPECT_EQ(img->tags.transfer_syntax_uid, "1.2.840.10008.1.2.4.70");
  EXPECT_FALSE(img->tags.sop_instance_uid.empty());
  EXPECT_NE(img->tags.sop_instance_uid.back(), '\0');
  EXPECT_EQ(img->photometric_interpretation, "MONOCHROME2");
}

}  // namespace
}  // namespace refluxscan::dicom
