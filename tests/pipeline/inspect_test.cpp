// `inspect` JSON on real files, a written spectral file, and corrupt input.
#include <fstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "refluxscan/dicom/write.h"
#include "refluxscan/pipeline/inspect.h"
#include "testing/fixtures.h"

namespace refluxscan::pipeline {
namespace {

using nlohmann::json;

json Parse(const InspectResult& r) { return json::parse(r.json); }

TEST(Inspect, RealFileWithTissueAndEcgRegions) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const InspectResult r = Inspect((dir / "hp_echo_jpeg_34f_2reg.dcm").string());
  ASSERT_TRUE(r.ok) << r.json;
  const json j = Parse(r);
  EXPECT_EQ(j["sop_class"]["name"], "US Multi-frame Image Storage");
  EXPECT_EQ(j["sop_class"]["uid"], "1.2.840.10008.5.1.4.1.1.3.1");
  EXPECT_EQ(j["transfer_syntax"]["uid"], "1.2.840.10008.1.2.4.50");
  EXPECT_EQ(j["rows"], 430);
  EXPECT_EQ(j["columns"], 480);
  EXPECT_EQ(j["frames"], 34);
  EXPECT_EQ(j["photometric_interpretation"], "YBR_FULL_422");
  EXPECT_EQ(j["samples_per_pixel"], 3);
  EXPECT_EQ(j["manufacturer"], "Hewlett-Packard");
  ASSERT_EQ(j["regions"].size(), 2u);
  EXPECT_EQ(j["regions"][0]["data_type_name"], "tissue");
  EXPECT_EQ(j["regions"][0]["calibration"]["y"]["reference_pixel"], -4);
  EXPECT_EQ(j["regions"][1]["data_type_name"], "ecg_trace");
  EXPECT_EQ(j["regions"][1]["calibration"]["x"]["units"], "s");
  EXPECT_TRUE(j["decode"]["ok"].get<bool>());
  EXPECT_EQ(j["decode"]["frame"], 33);
  EXPECT_EQ(j["decode"]["width"], 480);
  EXPECT_FALSE(j.contains("spectral_regions"));
  EXPECT_EQ(j["reason"], "regions but none spectral: tissue, ecg_trace");
  EXPECT_TRUE(j["tags"].contains("image_comments"));
  EXPECT_FALSE(j.contains("patient_id"));
  EXPECT_EQ(r.json.find("patient"), std::string::npos);
}

TEST(Inspect, RealFileWithoutRegionsAndOneThatCannotBeDecoded) {
  REFLUXSCAN_REQUIRE_REALDICOM(dir);
  const json plain = Parse(Inspect((dir / "ge_logiq700_rgb_noreg.dcm").string()));
  EXPECT_EQ(plain["reason"], "no ultrasound regions");
  EXPECT_TRUE(plain["decode"]["ok"].get<bool>());
  EXPECT_TRUE(Parse(Inspect((dir / "ge_logiq700_j2kr_noreg.dcm").string()))["decode"]["ok"]);
  const InspectResult jxl = Inspect((dir / "ge_vivide95_colorflow_jxl.dcm").string());
  EXPECT_TRUE(jxl.ok);  // the header is fine; only decoding is unsupported
  const json j = Parse(jxl);
  EXPECT_FALSE(j["decode"]["ok"].get<bool>());
  EXPECT_EQ(j["decode"]["error"]["code"], "unsupported");
  EXPECT_NE(j["decode"]["error"]["message"].get<std::string>().find("JPEG XL"), std::string::npos);
}

TEST(Inspect, WrittenSpectralFileListsItsSpectralRegionAndHidesThePatient) {
  dicom::UltrasoundWriteSpec spec;
  spec.tags.patient_name = "Secret^Name";
  spec.tags.patient_id = "SECRET-ID-42";
  spec.tags.image_comments = "R GSV\x01 mid thigh";
  spec.frames.emplace_back(60, 80, CV_8UC3, cv::Scalar(20, 40, 60));
  UltrasoundRegion tissue;
  tissue.spatial_format = 1;
  tissue.data_type = 1;
  tissue.max_x1 = 79;
  tissue.max_y1 = 29;
  UltrasoundRegion pw = tissue;
  pw.spatial_format = 3;
  pw.data_type = 3;
  pw.min_y0 = 30;
  pw.max_y1 = 59;
  pw.units_x = 4;
  pw.units_y = 7;
  pw.delta_x = 0.01;
  pw.delta_y = -2.0;
  spec.regions = {tissue, pw};
  const std::string path = (refluxscan::testing::ScratchDir("inspect") / "pw.dcm").string();
  ASSERT_TRUE(dicom::WriteUltrasound(spec, path).has_value());
  const InspectResult r = Inspect(path);
  ASSERT_TRUE(r.ok) << r.json;
  const json j = Parse(r);
  EXPECT_EQ(j["spectral_regions"], json::array({1}));
  EXPECT_FALSE(j.contains("reason"));
  EXPECT_EQ(j["regions"][1]["data_type_name"], "pw_spectral");
  EXPECT_EQ(j["regions"][1]["calibration"]["y"]["units"], "cm/s");
  EXPECT_DOUBLE_EQ(j["regions"][1]["calibration"]["y"]["per_pixel"].get<double>(), -2.0);
  EXPECT_EQ(j["tags"]["image_comments"], "R GSV? mid thigh");  // sanitized
  EXPECT_EQ(r.json.find("SECRET"), std::string::npos);
  EXPECT_EQ(r.json.find("Secret"), std::string::npos);
}

TEST(Inspect, CorruptFileGivesAnErrorEntry) {
  const auto dir = refluxscan::testing::ScratchDir("inspect_corrupt");
  const std::string path = (dir / "junk.dcm").string();
  std::ofstream(path) << "this is not a DICOM file at all, just text";
  const InspectResult r = Inspect(path);
  EXPECT_FALSE(r.ok);
  const json j = Parse(r);
  EXPECT_EQ(j["path"], path);
  EXPECT_EQ(j["error"]["code"], "corrupt");
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  EXPECT_FALSE(j.contains("regions"));
}

TEST(Inspect, TruncatedPixelDataMakesTheEntryNotOk) {
  dicom::UltrasoundWriteSpec spec;
  spec.frames.emplace_back(60, 80, CV_8UC3, cv::Scalar(20, 40, 60));
  const auto dir = refluxscan::testing::ScratchDir("inspect_truncated");
  const std::string path = (dir / "cut.dcm").string();
  ASSERT_TRUE(dicom::WriteUltrasound(spec, path).has_value());
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 1000);
  const InspectResult r = Inspect(path);
  EXPECT_FALSE(r.ok) << r.json;
  const json j = Parse(r);
  EXPECT_EQ(j["error"]["code"], "corrupt");
}

}  // namespace
}  // namespace refluxscan::pipeline
