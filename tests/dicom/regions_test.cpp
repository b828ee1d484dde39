// Region parsing on hand-built datasets, read back through the public API.
#include <algorithm>

#include <gtest/gtest.h>

#include "dicom/test_datasets.h"
#include "refluxscan/dicom/read.h"
#include "testing/fixtures.h"

namespace refluxscan::dicom {
namespace {

using refluxscan::testing::AddRegionItem;
using refluxscan::testing::FillMinimalUs;
using refluxscan::testing::PutSpectralRegion;

// Builds a 100 x 120 (rows x columns) US image with the given region items, reads the header.
UltrasoundImage ReadWithRegions(const std::string& name,
                                const std::vector<std::function<void(DcmItem&)>>& items) {
  DcmFileFormat file;
  FillMinimalUs(*file.getDataset(), 100, 120);
  for (const auto& fill : items) AddRegionItem(*file.getDataset(), fill);
  const std::string path = refluxscan::testing::SaveDataset(
      file, refluxscan::testing::ScratchDir("regions") / (name + ".dcm"));
  ReadOptions options;
  options.frames = FrameSelection::kNone;
  Result<UltrasoundImage> image = ReadUltrasound(path, options);
  EXPECT_TRUE(image.has_value()) << (image ? "" : image.error().message);
  return image ? *image : UltrasoundImage{};
}

bool HasWarning(const UltrasoundRegion& r, const std::string& needle) {
  return std::any_of(r.warnings.begin(), r.warnings.end(),
                     [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

TEST(Regions, PwRegionWithNegativeDeltaYIsFullyParsed) {
  const UltrasoundImage img = ReadWithRegions("pw", {[](DcmItem& i) { PutSpectralRegion(i, 3); }});
  ASSERT_EQ(img.regions.size(), 1u);
  const UltrasoundRegion& r = img.regions[0];
  EXPECT_TRUE(r.IsSpectral());
  EXPECT_EQ(r.spatial_format, 3);
  EXPECT_EQ(r.data_type, 3);
  EXPECT_EQ(r.Rect(), cv::Rect(10, 50, 80, 50));
  EXPECT_EQ(r.reference_pixel_x0, 0);
  EXPECT_EQ(r.reference_pixel_y0, 20);
  EXPECT_EQ(r.units_x, 4);
  EXPECT_EQ(r.units_y, 7);
  EXPECT_DOUBLE_EQ(r.delta_x, 0.01);
  EXPECT_DOUBLE_EQ(r.delta_y, -2.5);
  EXPECT_DOUBLE_EQ(r.transducer_frequency_hz.value_or(0), 5.0e6);  // 5000 kHz in the file
  EXPECT_DOUBLE_EQ(r.pulse_repetition_frequency_hz.value_or(0), 4000.0);
  EXPECT_DOUBLE_EQ(r.doppler_correction_angle_deg.value_or(0), 60.0);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  EXPECT_EQ(img.SpectralRegions().size(), 1u);
}

TEST(Regions, CwRegionIsSpectral) {
  const UltrasoundImage img = ReadWithRegions("cw", {[](DcmItem& i) { PutSpectralRegion(i, 4); }});
  ASSERT_EQ(img.regions.size(), 1u);
  EXPECT_EQ(img.regions[0].data_type, 4);
  EXPECT_TRUE(img.regions[0].IsSpectral());
}

TEST(Regions, HzUnitsAreAcceptedWithTransducerFrequency) {
  const UltrasoundImage img =
      ReadWithRegions("hz", {[](DcmItem& i) {
                        PutSpectralRegion(i);
                        i.putAndInsertUint16(DCM_PhysicalUnitsYDirection, 5);
                      }});
  ASSERT_EQ(img.regions.size(), 1u);
  EXPECT_EQ(img.regions[0].units_y, 5);
  EXPECT_TRUE(img.regions[0].warnings.empty());
}

TEST(Regions, HzUnitsWithoutTransducerFrequencyWarn) {
  const UltrasoundImage img =
      ReadWithRegions("hz_no_f0", {[](DcmItem& i) {
                        PutSpectralRegion(i);
                        i.putAndInsertUint16(DCM_PhysicalUnitsYDirection, 5);
                        delete i.remove(DCM_TransducerFrequency);
                      }});
  ASSERT_EQ(img.regions.size(), 1u);
  EXPECT_FALSE(img.regions[0].transducer_frequency_hz.has_value());
  EXPECT_TRUE(HasWarning(img.regions[0], "TransducerFrequency"));
}

TEST(Regions, AbsentReferencePixelStaysAbsent) {
  const UltrasoundImage img = ReadWithRegions("noref", {[](DcmItem& i) {
                                                PutSpectralRegion(i);
                                                delete i.remove(DCM_ReferencePixelX0);
                                                delete i.remove(DCM_ReferencePixelY0);
                                                delete i.remove(DCM_ReferencePixelPhysicalValueY);
                                              }});
  ASSERT_EQ(img.regions.size(), 1u);
  EXPECT_FALSE(img.regions[0].reference_pixel_x0.has_value());
  EXPECT_FALSE(img.regions[0].reference_pixel_y0.has_value());
  EXPECT_FALSE(img.regions[0].reference_physical_y.has_value());
  EXPECT_TRUE(img.regions[0].reference_physical_x.has_value());
}

TEST(Regions, NegativeReferencePixelIsKept) {
  const UltrasoundImage img = ReadWithRegions("negref", {[](DcmItem& i) {
                                                PutSpectralRegion(i);
                                                i.putAndInsertSint32(DCM_ReferencePixelY0, -4);
                                              }});
  ASSERT_EQ(img.regions.size(), 1u);
  EXPECT_EQ(img.regions[0].reference_pixel_y0, -4);
}

TEST(Regions, BoundsBeyondTheImageAreClampedWithAWarning) {
  const UltrasoundImage img = ReadWithRegions("beyond", {[](DcmItem& i) {
                                                PutSpectralRegion(i);
                                                i.putAndInsertUint32(DCM_RegionLocationMaxX1, 1000);
                                                i.putAndInsertUint32(DCM_RegionLocationMaxY1, 100);
                                              }});
  ASSERT_EQ(img.regions.size(), 1u);
  const UltrasoundRegion& r = img.regions[0];
  EXPECT_EQ(r.max_x1, 119);  // Columns 120
  EXPECT_EQ(r.max_y1, 99);   // Rows 100: MaxY1 == Rows is one past the edge
  EXPECT_TRUE(HasWarning(r, "bounds_beyond_image"));
  EXPECT_TRUE(HasWarning(r, "1000"));
  EXPECT_TRUE(HasWarning(r, "bounds_one_past_edge"));
}

TEST(Regions, InvertedBoundsAreSwappedWithAWarning) {
  const UltrasoundImage img = ReadWithRegions("inverted", {[](DcmItem& i) {
                                                PutSpectralRegion(i);
                                                i.putAndInsertUint32(DCM_RegionLocationMinX0, 90);
                                                i.putAndInsertUint32(DCM_RegionLocationMaxX1, 10);
                                              }});
  ASSERT_EQ(img.regions.size(), 1u);
  EXPECT_EQ(img.regions[0].min_x0, 10);
  EXPECT_EQ(img.regions[0].max_x1, 90);
  EXPECT_TRUE(HasWarning(img.regions[0], "bounds_inverted"));
}

TEST(Regions, ZeroAndAbsentDeltasAreReported) {
  const UltrasoundImage img = ReadWithRegions("zero_delta", {[](DcmItem& i) {
                                                PutSpectralRegion(i);
                                                i.putAndInsertFloat64(DCM_PhysicalDeltaX, 0.0);
                                                delete i.remove(DCM_PhysicalDeltaY);
                                              }});
  ASSERT_EQ(img.regions.size(), 1u);
  EXPECT_EQ(img.regions[0].delta_x, 0.0);
  EXPECT_EQ(img.regions[0].delta_y, 0.0);
  EXPECT_TRUE(HasWarning(img.regions[0], "PhysicalDeltaX"));
  EXPECT_TRUE(HasWarning(img.regions[0], "PhysicalDeltaY"));
}

TEST(Regions, SpectralRegionInCentimetresWarnsAboutUnits) {
  const UltrasoundImage img =
      ReadWithRegions("cm_units", {[](DcmItem& i) {
                        PutSpectralRegion(i);
                        i.putAndInsertUint16(DCM_PhysicalUnitsXDirection, 3);
                        i.putAndInsertUint16(DCM_PhysicalUnitsYDirection, 3);
                      }});
  ASSERT_EQ(img.regions.size(), 1u);
  EXPECT_TRUE(HasWarning(img.regions[0], "spectral X units are cm"));
  EXPECT_TRUE(HasWarning(img.regions[0], "spectral Y units are cm"));
}

TEST(Regions, SeveralItemsKeepTheirOrderAndOnlySpectralOnesCount) {
  const UltrasoundImage img =
      ReadWithRegions("multi", {[](DcmItem& i) {
                                  PutSpectralRegion(i);
                                  i.putAndInsertUint16(DCM_RegionSpatialFormat, 1);
                                  i.putAndInsertUint16(DCM_RegionDataType, 1);
                                },
                                [](DcmItem& i) { PutSpectralRegion(i, 3); }});
  ASSERT_EQ(img.regions.size(), 2u);
  EXPECT_EQ(img.regions[0].data_type, 1);
  ASSERT_EQ(img.SpectralRegions().size(), 1u);
  EXPECT_EQ(img.SpectralRegions()[0], &img.regions[1]);
}

TEST(Regions, NoSequenceMeansNoRegionsAndAnImageWarning) {
  const UltrasoundImage img = ReadWithRegions("none", {});
  EXPECT_TRUE(img.regions.empty());
  ASSERT_FALSE(img.warnings.empty());
  EXPECT_NE(img.warnings[0].find("no_region_sequence"), std::string::npos);
}

}  // namespace
}  // namespace refluxscan::dicom
