// One test per entry of the quirk table (src/dicom/quirks.h): each quirk is triggered on a
// hand-built file and must surface as a warning or error carrying its key.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcmetinf.h>

#include "../../src/dicom/quirks.h"  // private table, tested directly
#include "dicom/test_datasets.h"
#include "refluxscan/dicom/read.h"
#include "testing/fixtures.h"

namespace refluxscan::dicom {
namespace {

using refluxscan::testing::AddRegionItem;
using refluxscan::testing::FillMinimalUs;
using refluxscan::testing::PutSpectralRegion;

// Built with append: GCC 12 gives a false -Wrestrict on "[" + std::string(...).
std::string Key(QuirkId id) {
  std::string key(1, '[');
  key.append(GetQuirk(id).key);
  key.push_back(']');
  return key;
}

bool Contains(const std::vector<std::string>& texts, const std::string& needle) {
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& t) { return t.find(needle) != std::string::npos; });
}

// Saves `file` (rows 100 x columns 120 unless the caller filled otherwise) and reads it.
Result<UltrasoundImage> SaveAndRead(DcmFileFormat& file, const std::string& name,
                                    FrameSelection frames = FrameSelection::kNone) {
  const std::string path = refluxscan::testing::SaveDataset(
      file, refluxscan::testing::ScratchDir("quirk_" + name) / (name + ".dcm"));
  ReadOptions options;
  options.frames = frames;
  return ReadUltrasound(path, options);
}

UltrasoundRegion OneRegion(const std::string& name, const std::function<void(DcmItem&)>& edit) {
  DcmFileFormat file;
  FillMinimalUs(*file.getDataset(), 100, 120);
  AddRegionItem(*file.getDataset(), [&](DcmItem& i) {
    PutSpectralRegion(i);
    edit(i);
  });
  const auto img = SaveAndRead(file, name);
  EXPECT_TRUE(img.has_value());
  return img && !img->regions.empty() ? img->regions[0] : UltrasoundRegion{};
}

TEST(Quirks, TableHasOneEntryPerIdWithUniqueKeys) {
  std::set<std::string_view> keys;
  for (const Quirk& q : AllQuirks()) {
    EXPECT_EQ(GetQuirk(q.id).key, q.key);
    EXPECT_FALSE(q.seen_in.empty());
    EXPECT_FALSE(q.handling.empty());
    keys.insert(q.key);
  }
  EXPECT_EQ(keys.size(), AllQuirks().size());
  EXPECT_EQ(AllQuirks().size(), static_cast<size_t>(QuirkId::kJfifLabelledRgb) + 1);
  EXPECT_EQ(QuirkWarning(QuirkId::kBoundsInverted, "x"), "[bounds_inverted] x");
}

TEST(Quirks, BoundsOnePastEdge) {
  const UltrasoundRegion r =
      OneRegion("one_past", [](DcmItem& i) { i.putAndInsertUint32(DCM_RegionLocationMaxX1, 120); });
  EXPECT_EQ(r.max_x1, 119);
  EXPECT_TRUE(Contains(r.warnings, Key(QuirkId::kBoundsOnePastEdge)));
}

TEST(Quirks, BoundsBeyondImage) {
  const UltrasoundRegion r =
      OneRegion("beyond", [](DcmItem& i) { i.putAndInsertUint32(DCM_RegionLocationMaxY1, 480); });
  EXPECT_EQ(r.max_y1, 99);
  EXPECT_TRUE(Contains(r.warnings, Key(QuirkId::kBoundsBeyondImage)));
}

TEST(Quirks, BoundsInverted) {
  const UltrasoundRegion r = OneRegion("inverted", [](DcmItem& i) {
    i.putAndInsertUint32(DCM_RegionLocationMinY0, 99);
    i.putAndInsertUint32(DCM_RegionLocationMaxY1, 50);
  });
  EXPECT_EQ(r.min_y0, 50);
  EXPECT_EQ(r.max_y1, 99);
  EXPECT_TRUE(Contains(r.warnings, Key(QuirkId::kBoundsInverted)));
}

TEST(Quirks, ZeroOrAbsentDelta) {
  const UltrasoundRegion r =
      OneRegion("zero_delta", [](DcmItem& i) { i.putAndInsertFloat64(DCM_PhysicalDeltaY, 0.0); });
  EXPECT_TRUE(Contains(r.warnings, Key(QuirkId::kZeroOrAbsentDelta)));
}

TEST(Quirks, UnexpectedSpectralUnits) {
  const UltrasoundRegion r =
      OneRegion("units", [](DcmItem& i) { i.putAndInsertUint16(DCM_PhysicalUnitsYDirection, 2); });
  EXPECT_TRUE(Contains(r.warnings, Key(QuirkId::kUnexpectedSpectralUnits)));
}

TEST(Quirks, ReferencePixelImageOrigin) {
  const UltrasoundRegion r = OneRegion("origin", [](DcmItem& i) {
    i.putAndInsertSint32(DCM_ReferencePixelX0, -10);
    i.putAndInsertSint32(DCM_ReferencePixelY0, -50);
  });
  EXPECT_EQ(r.reference_pixel_x0, -10);  // kept as stored
  EXPECT_TRUE(Contains(r.warnings, Key(QuirkId::kReferencePixelImageOrigin)));
}

TEST(Quirks, PlaceholderRegion) {
  const UltrasoundRegion r = OneRegion("placeholder", [](DcmItem& i) {
    i.putAndInsertUint16(DCM_RegionSpatialFormat, 0);
    i.putAndInsertUint16(DCM_RegionDataType, 0);
  });
  EXPECT_FALSE(r.IsSpectral());
  EXPECT_TRUE(Contains(r.warnings, Key(QuirkId::kPlaceholderRegion)));
}

TEST(Quirks, TransducerFrequencyKhz) {
  const UltrasoundRegion r =
      OneRegion("khz", [](DcmItem& i) { i.putAndInsertUint32(DCM_TransducerFrequency, 7500); });
  EXPECT_DOUBLE_EQ(r.transducer_frequency_hz.value_or(0), 7.5e6);
}

TEST(Quirks, ImplausibleTransducerFrequency) {
  for (const Uint32 khz : {6000000u, 6u}) {  // Hz, MHz stored in the kHz field
    const UltrasoundRegion r = OneRegion(
        "implausible", [khz](DcmItem& i) { i.putAndInsertUint32(DCM_TransducerFrequency, khz); });
    EXPECT_FALSE(r.transducer_frequency_hz.has_value()) << khz;
    EXPECT_TRUE(Contains(r.warnings, Key(QuirkId::kImplausibleTransducerFrequency))) << khz;
  }
}

TEST(Quirks, NoRegionSequence) {
  DcmFileFormat file;
  FillMinimalUs(*file.getDataset(), 10, 10);
  const auto img = SaveAndRead(file, "noseq");
  ASSERT_TRUE(img.has_value());
  EXPECT_TRUE(img->regions.empty());
  EXPECT_TRUE(Contains(img->warnings, Key(QuirkId::kNoRegionSequence)));
}

TEST(Quirks, SegmentedPalette) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  FillMinimalUs(ds, 10, 10);
  ds.putAndInsertString(DCM_PhotometricInterpretation, "PALETTE COLOR");
  const Uint16 descriptor[3] = {0, 0, 16};
  const Uint16 segment[6] = {0, 1, 0, 1, 2, 0xFFFF};  // discrete segment: 1 value, then linear
  for (const DcmTagKey& key :
       {DCM_RedPaletteColorLookupTableDescriptor, DCM_GreenPaletteColorLookupTableDescriptor,
        DCM_BluePaletteColorLookupTableDescriptor}) {
    ds.putAndInsertUint16Array(key, descriptor, 3);
  }
  for (const DcmTagKey& key :
       {DCM_SegmentedRedPaletteColorLookupTableData, DCM_SegmentedGreenPaletteColorLookupTableData,
        DCM_SegmentedBluePaletteColorLookupTableData}) {
    ds.putAndInsertUint16Array(key, segment, 6);
  }
  const auto img = SaveAndRead(file, "segmented", FrameSelection::kLast);
  ASSERT_FALSE(img.has_value());
  EXPECT_EQ(img.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(img.error().message.find(Key(QuirkId::kSegmentedPalette)), std::string::npos);
}

TEST(Quirks, UnknownTransferSyntax) {
  DcmFileFormat file;
  FillMinimalUs(*file.getDataset(), 10, 10);
  // The meta header names JPEG XL while the dataset is explicit little endian, as DCMTK then
  // reads it; the header must still be readable and decoding refused by name.
  DcmMetaInfo& meta = *file.getMetaInfo();
  const Uint8 version[2] = {0, 1};
  meta.putAndInsertUint8Array(DCM_FileMetaInformationVersion, version, 2);
  meta.putAndInsertString(DCM_MediaStorageSOPClassUID, UID_UltrasoundImageStorage);
  meta.putAndInsertString(DCM_MediaStorageSOPInstanceUID, "1.2.3.4.5.6");
  meta.putAndInsertString(DCM_TransferSyntaxUID, "1.2.840.10008.1.2.4.112");
  meta.putAndInsertString(DCM_ImplementationClassUID, "1.2.3");
  const std::string path =
      (refluxscan::testing::ScratchDir("quirk_unknown_ts") / "jxl.dcm").string();
  ASSERT_TRUE(file.saveFile(path.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength,
                            EGL_recalcGL, EPD_noChange, 0, 0, EWM_dontUpdateMeta)
                  .good());
  ReadOptions header_only;
  header_only.frames = FrameSelection::kNone;
  const auto header = ReadUltrasound(path, header_only);
  ASSERT_TRUE(header.has_value()) << header.error().message;
  EXPECT_EQ(header->tags.transfer_syntax_uid, "1.2.840.10008.1.2.4.112");
  EXPECT_EQ(header->tags.transfer_syntax_name, "JPEG XL");
  const auto decoded = ReadUltrasound(path);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(decoded.error().message.find("1.2.840.10008.1.2.4.112"), std::string::npos);
  EXPECT_NE(decoded.error().message.find(Key(QuirkId::kUnknownTransferSyntax)), std::string::npos);
}

TEST(Quirks, RetiredUsSopClass) {
  DcmFileFormat file;
  FillMinimalUs(*file.getDataset(), 10, 10, true, "1.2.840.10008.5.1.4.1.1.6");
  const auto img = SaveAndRead(file, "retired", FrameSelection::kLast);
  ASSERT_TRUE(img.has_value()) << img.error().message;
  EXPECT_TRUE(img->is_ultrasound_sop);
  EXPECT_EQ(img->tags.sop_class_name, "US Image Storage (Retired)");
  EXPECT_TRUE(Contains(img->warnings, Key(QuirkId::kRetiredUsSopClass)));
  EXPECT_EQ(img->frames.size(), 1u);
}

TEST(Quirks, SecondaryCaptureIsReportedAsSuch) {
  DcmFileFormat file;
  FillMinimalUs(*file.getDataset(), 10, 10, true, UID_SecondaryCaptureImageStorage);
  const auto img = SaveAndRead(file, "sc");
  ASSERT_TRUE(img.has_value());
  EXPECT_TRUE(img->is_secondary_capture);
  EXPECT_FALSE(img->is_ultrasound_sop);
  EXPECT_EQ(img->tags.sop_class_name, "Secondary Capture Image Storage");
}

}  // namespace
}  // namespace refluxscan::dicom
