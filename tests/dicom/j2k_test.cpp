// JPEG 2000 frames from hostile or unusual encapsulations: a codestream that disagrees with the
// header, a tile grid that would make OpenJPEG allocate per tile, fragments that hide the frames.
#include <chrono>
#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <opencv2/core.hpp>

#include "dicom/test_datasets.h"
#include "refluxscan/dicom/read.h"
#include "refluxscan/dicom/write.h"
#include "testing/fixtures.h"

namespace refluxscan::dicom {
namespace {

using refluxscan::testing::Bytes;

// A valid JPEG 2000 lossless gray clip of `frames` frames, `rows` x `cols`.
std::string WriteJ2k(const std::string& name, int frames, int rows = 64, int cols = 64) {
  UltrasoundWriteSpec spec;
  for (int i = 0; i < frames; ++i) {
    cv::Mat1b f(rows, cols);
    cv::randu(f, 0, 255);
    spec.frames.push_back(f);
  }
  spec.transfer_syntax = TransferSyntax::kJpeg2000Lossless;
  const std::string path = (refluxscan::testing::ScratchDir("j2k_" + name) / "clip.dcm").string();
  EXPECT_TRUE(WriteUltrasound(spec, path).has_value());
  return path;
}

Result<UltrasoundImage> ReadLast(const std::string& path) {
  ReadOptions options;
  options.frames = FrameSelection::kLast;
  return ReadUltrasound(path, options);
}

TEST(Jpeg2000, CodestreamLargerThanTheHeaderIsRefusedBeforeDecoding) {
  const std::string path = WriteJ2k("rows", 1);
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  ASSERT_TRUE(file.loadAllDataIntoMemory().good());  // saved over the file it was read from
  const E_TransferSyntax xfer = file.getDataset()->getOriginalXfer();
  ASSERT_TRUE(file.getDataset()->putAndInsertUint16(DCM_Rows, 40).good());
  ASSERT_TRUE(file.saveFile(path.c_str(), xfer).good());
  const auto img = ReadLast(path);
  ASSERT_FALSE(img.has_value());
  EXPECT_EQ(img.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(img.error().message.find("disagrees with the header"), std::string::npos)
      << img.error().message;
}

// SOC + SIZ of a one-component 8-bit image of `width` x `height` in `tile` x `tile` tiles, then
// EOC: a header with no tile data.
Bytes SocSiz(uint32_t width, uint32_t height, uint32_t tile) {
  Bytes b = {0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, 0x00, 0x00};
  auto put32 = [&b](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<Uint8>(v >> s));
  };
  put32(width), put32(height), put32(0), put32(0), put32(tile), put32(tile), put32(0), put32(0);
  b.insert(b.end(), {0x00, 0x01, 0x07, 0x01, 0x01});  // Csiz 1: 8 bits unsigned, no subsampling
  b.insert(b.end(), {0xFF, 0xD9});                    // EOC: no tile data at all
  return b;
}

TEST(Jpeg2000, ATileGridOfMoreThan4096TilesIsRefusedBeforeOpenJpegReadsIt) {
  const std::string path = WriteJ2k("tiles", 1, 128, 128);
  refluxscan::testing::ReplaceFragments(path, {SocSiz(128, 128, 1)});  // 16384 tiles
  const auto img = ReadLast(path);
  ASSERT_FALSE(img.has_value());
  EXPECT_EQ(img.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(img.error().message.find("16384 tiles"), std::string::npos) << img.error().message;
  refluxscan::testing::ReplaceFragments(
      path, {SocSiz(128, 128, 64)});  // 4 tiles, but no data: corrupt, not a crash
  const auto empty = ReadLast(path);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kCorrupt);
}

// 100000 empty fragments for 2 frames, no offset table, no frame start: the frames cannot be
// found, and finding that out takes one pass over the items (DCMTK 3.6.7's getItem(i) walks from
// the first item: a lookup per item would take minutes).
TEST(Jpeg2000, MillionsOfFragmentsAreOnePassNotAQuadraticWalk) {
  const std::string path = WriteJ2k("fragments", 2);
  refluxscan::testing::ReplaceFragments(path, std::vector<Bytes>(100000, Bytes{0x00, 0x00}));
  const auto start = std::chrono::steady_clock::now();
  const auto img = ReadLast(path);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(img.has_value());
  EXPECT_EQ(img.error().code, ErrorCode::kCorrupt);
  EXPECT_LT(seconds, 30.0) << "a generous bound: one pass takes well under a second";
}

// A continuation fragment that happens to begin with FF4F (SOC) but not FF4F FF51 is not a new
// frame.
TEST(Jpeg2000, AFragmentBeginningWithSocAloneDoesNotOpenAFrame) {
  UltrasoundWriteSpec spec;
  for (int i = 0; i < 2; ++i) {
    cv::Mat1b f(64, 64);
    cv::randu(f, 0, 255);
    spec.frames.push_back(f);
  }
  spec.transfer_syntax = TransferSyntax::kJpeg2000Lossless;
  spec.j2k_offset_table = false;
  spec.j2k_fragment_kib = 1;
  const std::string path = (refluxscan::testing::ScratchDir("j2k_soc") / "clip.dcm").string();
  ASSERT_TRUE(WriteUltrasound(spec, path).has_value());
  std::vector<Bytes> fragments = refluxscan::testing::EncapsulatedFragments(path);
  ASSERT_GE(fragments.size(), 4u);
  // Coded data can hold FF 4F: frame 0's second fragment now begins with it (frame 0 damaged).
  fragments[1].insert(fragments[1].begin(), {0xFF, 0x4F});
  refluxscan::testing::ReplaceFragments(path, fragments);
  const auto all = [&] {
    ReadOptions options;
    options.frames = FrameSelection::kAll;
    return ReadUltrasound(path, options);
  }();
  // Two frames are still found (the FF 4F continuation is no frame start); frame 0's bytes are
  // now damaged, so it may fail to decode, but never as a third frame.
  if (all.has_value()) {
    EXPECT_EQ(all->frames.size(), 2u);
  } else {
    EXPECT_EQ(all.error().message.find("cannot tell which"), std::string::npos)
        << all.error().message;
  }
}

}  // namespace
}  // namespace refluxscan::dicom
