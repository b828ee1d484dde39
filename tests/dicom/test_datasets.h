#pragma once
// Hand-built DICOM datasets for the dicom tests (DCMTK in memory, saved to a scratch file).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrul.h>

namespace refluxscan::testing {

// A minimal US Image Storage dataset: rows x columns gray, 8-bit, pixel data of value 7.
inline void FillMinimalUs(DcmDataset& ds, int rows, int columns, bool with_pixels = true,
                          const char* sop_class = UID_UltrasoundImageStorage) {
  ds.putAndInsertString(DCM_SOPClassUID, sop_class);
  ds.putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5.6");
  ds.putAndInsertString(DCM_Modality, "US");
  ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(rows));
  ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(columns));
  ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds.putAndInsertUint16(DCM_BitsAllocated, 8);
  ds.putAndInsertUint16(DCM_BitsStored, 8);
  ds.putAndInsertUint16(DCM_HighBit, 7);
  ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
  if (with_pixels) {
    std::vector<Uint8> pixels(static_cast<size_t>(rows) * static_cast<size_t>(columns), 7);
    ds.putAndInsertUint8Array(DCM_PixelData, pixels.data(), pixels.size());
  }
}

// Appends one item to (0018,6011) and lets `fill` put its attributes.
inline void AddRegionItem(DcmDataset& ds, const std::function<void(DcmItem&)>& fill) {
  DcmItem* item = nullptr;
  ds.findOrCreateSequenceItem(DCM_SequenceOfUltrasoundRegions, item, -2);
  fill(*item);
}

// The attributes of a typical spectral region; callers override what a test is about.
inline void PutSpectralRegion(DcmItem& item, Uint16 data_type = 3) {
  item.putAndInsertUint16(DCM_RegionSpatialFormat, 3);
  item.putAndInsertUint16(DCM_RegionDataType, data_type);
  item.putAndInsertUint32(DCM_RegionFlags, 0);
  item.putAndInsertUint32(DCM_RegionLocationMinX0, 10);
  item.putAndInsertUint32(DCM_RegionLocationMinY0, 50);
  item.putAndInsertUint32(DCM_RegionLocationMaxX1, 89);
  item.putAndInsertUint32(DCM_RegionLocationMaxY1, 99);
  item.putAndInsertSint32(DCM_ReferencePixelX0, 0);
  item.putAndInsertSint32(DCM_ReferencePixelY0, 20);
  item.putAndInsertUint16(DCM_PhysicalUnitsXDirection, 4);
  item.putAndInsertUint16(DCM_PhysicalUnitsYDirection, 7);
  item.putAndInsertFloat64(DCM_ReferencePixelPhysicalValueX, 0.0);
  item.putAndInsertFloat64(DCM_ReferencePixelPhysicalValueY, 0.0);
  item.putAndInsertFloat64(DCM_PhysicalDeltaX, 0.01);
  item.putAndInsertFloat64(DCM_PhysicalDeltaY, -2.5);
  item.putAndInsertUint32(DCM_TransducerFrequency, 5000);
  item.putAndInsertUint32(DCM_PulseRepetitionFrequency, 4000);
  item.putAndInsertFloat64(DCM_DopplerCorrectionAngle, 60.0);
}

// Saves with a meta header in `xfer`; returns the path.
inline std::string SaveDataset(DcmFileFormat& file, const std::filesystem::path& path,
                               E_TransferSyntax xfer = EXS_LittleEndianExplicit) {
  const OFCondition c = file.saveFile(path.string().c_str(), xfer);
  if (c.bad()) throw std::runtime_error(std::string("saveFile failed: ") + c.text());
  return path.string();
}

using Bytes = std::vector<Uint8>;

// The fragments of an encapsulated file's pixel data, in order (the offset table left out);
// empty, with a test failure, when it has none.
inline std::vector<Bytes> EncapsulatedFragments(const std::string& path) {
  std::vector<Bytes> fragments;
  DcmFileFormat file;
  DcmElement* element = nullptr;
  DcmPixelSequence* seq = nullptr;
  if (file.loadFile(path.c_str()).bad() ||
      file.getDataset()->findAndGetElement(DCM_PixelData, element).bad() ||
      static_cast<DcmPixelData*>(element)
          ->getEncapsulatedRepresentation(file.getDataset()->getOriginalXfer(), nullptr, seq)
          .bad()) {
    ADD_FAILURE() << "no encapsulated pixel data in " << path;
    return fragments;
  }
  for (unsigned long i = 1; i < seq->card(); ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* data = nullptr;
    if (seq->getItem(item, i).bad() || item->getUint8Array(data).bad()) {
      ADD_FAILURE() << "unreadable fragment " << i << " in " << path;
      return {};
    }
    fragments.emplace_back(data, data + item->getLength());
  }
  return fragments;
}

// Replaces the file's fragments (and empties its offset table), keeping everything else.
inline void ReplaceFragments(const std::string& path, const std::vector<Bytes>& fragments) {
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  ASSERT_TRUE(file.loadAllDataIntoMemory().good());  // saved over the file it was read from
  DcmDataset& ds = *file.getDataset();
  const E_TransferSyntax xfer = ds.getOriginalXfer();
  auto* seq = new DcmPixelSequence(DCM_PixelSequenceTag);
  seq->insert(new DcmPixelItem(DCM_PixelItemTag));
  for (const Bytes& f : fragments) {
    auto* item = new DcmPixelItem(DCM_PixelItemTag);
    item->putUint8Array(f.data(), static_cast<unsigned long>(f.size()));
    seq->insert(item);
  }
  DcmElement* element = nullptr;
  ASSERT_TRUE(ds.findAndGetElement(DCM_PixelData, element).good());
  static_cast<DcmPixelData*>(element)->putOriginalRepresentation(xfer, nullptr, seq);
  ASSERT_TRUE(file.saveFile(path.c_str(), xfer).good());
}

}  // namespace refluxscan::testing
