// Broken inputs: each a clear error value, no crash, no huge allocation.
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "dicom/test_datasets.h"
#include "refluxscan/dicom/read.h"
#include "refluxscan/dicom/write.h"
#include "testing/fixtures.h"

namespace refluxscan::dicom {
namespace {

std::string WriteBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path.string();
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

// A valid 3-frame file in `ts`, for truncation.
std::string ValidFile(const std::filesystem::path& dir, TransferSyntax ts) {
  UltrasoundWriteSpec spec;
  cv::RNG rng(42);  // noise: compressed frames stay large enough to cut in many places
  for (int i = 0; i < 3; ++i) {
    cv::Mat frame(64, 80, CV_8UC3);
    rng.fill(frame, cv::RNG::UNIFORM, 0, 256);
    spec.frames.push_back(frame);
  }
  UltrasoundRegion r;
  r.spatial_format = 3;
  r.data_type = 3;
  r.max_x1 = 79;
  r.max_y1 = 63;
  spec.regions.push_back(r);
  spec.transfer_syntax = ts;
  const std::string path = (dir / "valid.dcm").string();
  EXPECT_TRUE(WriteUltrasound(spec, path).has_value());
  return path;
}

TEST(Corrupt, MissingFileIsAnIoError) {
  const auto r = ReadUltrasound("/nonexistent/dir/file.dcm");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

TEST(Corrupt, EmptyFileIsCorrupt) {
  const auto dir = refluxscan::testing::ScratchDir("corrupt_empty");
  const std::string path = WriteBytes(dir / "empty.dcm", "");
  EXPECT_FALSE(LooksLikeDicom(path));
  const auto r = ReadUltrasound(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(r.error().message.find("empty"), std::string::npos);
}

TEST(Corrupt, RandomBytesAreCorrupt) {
  const auto dir = refluxscan::testing::ScratchDir("corrupt_random");
  for (unsigned seed = 1; seed <= 20; ++seed) {
    const std::string path = WriteBytes(dir / "random.bin", RandomBytes(4096, seed));
    const auto r = ReadUltrasound(path);
    ASSERT_FALSE(r.has_value()) << "seed " << seed;
    EXPECT_EQ(r.error().code, ErrorCode::kCorrupt) << r.error().message;
  }
}

TEST(Corrupt, RandomBytesAfterADicmPreambleAreCorrupt) {
  const auto dir = refluxscan::testing::ScratchDir("corrupt_dicm_random");
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::string bytes(128, '\0');
    bytes += "DICM" + RandomBytes(2048, seed);
    const std::string path = WriteBytes(dir / "random.dcm", bytes);
    EXPECT_TRUE(LooksLikeDicom(path));
    const auto r = ReadUltrasound(path);
    ASSERT_FALSE(r.has_value()) << "seed " << seed;
    EXPECT_EQ(r.error().code, ErrorCode::kCorrupt) << r.error().message;
  }
}

TEST(Corrupt, TruncatedFilesFailCleanlyAtEveryOffset) {
  for (TransferSyntax ts : {TransferSyntax::kExplicitLittle, TransferSyntax::kRle,
                            TransferSyntax::kJpegBaseline, TransferSyntax::kDeflated}) {
    const auto dir =
        refluxscan::testing::ScratchDir("corrupt_trunc_" + std::string(TransferSyntaxName(ts)));
    const std::string full = ReadBytes(ValidFile(dir, ts));
    ASSERT_GT(full.size(), 1000u);
    for (size_t cut : {size_t{10}, size_t{131}, size_t{200}, size_t{400}, full.size() / 2,
                       full.size() - 100, full.size() - 2}) {
      SCOPED_TRACE(std::string(TransferSyntaxName(ts)) + " cut at " + std::to_string(cut));
      const std::string path = WriteBytes(dir / "cut.dcm", full.substr(0, cut));
      const auto r = ReadUltrasound(path);
      ASSERT_FALSE(r.has_value());
      EXPECT_EQ(r.error().code, ErrorCode::kCorrupt) << r.error().message;
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

// Rows/Columns written as UL so they can claim 100000 (US tops out at 65535).
std::string HugeClaimFile(const std::filesystem::path& dir) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  refluxscan::testing::FillMinimalUs(ds, 4, 4, true, UID_UltrasoundMultiframeImageStorage);
  for (const DcmTagKey& key : {DCM_Rows, DCM_Columns}) {
    auto* big = new DcmUnsignedLong(DcmTag(key, EVR_UL));
    big->putUint32(100000);
    ds.insert(big, OFTrue);
  }
  ds.putAndInsertString(DCM_NumberOfFrames, "1000");
  ds.putAndInsertUint16(DCM_SamplesPerPixel, 3);
  return refluxscan::testing::SaveDataset(file, dir / "huge.dcm");
}

TEST(Corrupt, HugeClaimedImageIsRefusedBeforeAllocating) {
  const std::string path = HugeClaimFile(refluxscan::testing::ScratchDir("corrupt_huge"));
  ReadOptions header_only;
  header_only.frames = FrameSelection::kNone;
  const auto header = ReadUltrasound(path, header_only);
  ASSERT_TRUE(header.has_value()) << header.error().message;
  EXPECT_EQ(header->rows, 100000);
  EXPECT_EQ(header->number_of_frames, 1000);
  for (FrameSelection sel : {FrameSelection::kLast, FrameSelection::kAll}) {
    ReadOptions options;
    options.frames = sel;
    const auto r = ReadUltrasound(path, options);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kResourceLimit);
    EXPECT_NE(r.error().message.find("max_pixel_bytes"), std::string::npos) << r.error().message;
  }
}

TEST(Corrupt, MemoryLimitIsConfigurable) {
  const auto dir = refluxscan::testing::ScratchDir("corrupt_limit");
  const std::string path = ValidFile(dir, TransferSyntax::kExplicitLittle);
  ReadOptions options;
  options.frames = FrameSelection::kAll;
  options.max_pixel_bytes = 64 * 80 * 3 * 2;  // two of the three frames
  const auto all = ReadUltrasound(path, options);
  ASSERT_FALSE(all.has_value());
  EXPECT_EQ(all.error().code, ErrorCode::kResourceLimit);
  options.frames = FrameSelection::kLast;  // one frame fits
  EXPECT_TRUE(ReadUltrasound(path, options).has_value());
}

TEST(Corrupt, PixelDataClaimingMoreThanTheFileIsCorrupt) {
  const auto dir = refluxscan::testing::ScratchDir("corrupt_length");
  std::string bytes = ReadBytes(ValidFile(dir, TransferSyntax::kExplicitLittle));
  // Explicit VR little endian: (7FE0,0010) "OB"/"OW" 00 00 then a 4-byte length.
  const std::string tag("\xE0\x7F\x10\x00", 4);
  const size_t at = bytes.rfind(tag);
  ASSERT_NE(at, std::string::npos);
  for (int i = 0; i < 4; ++i) bytes[at + 8 + i] = '\xF0';  // 0xF0F0F0F0 bytes
  const std::string path = WriteBytes(dir / "long.dcm", bytes);
  const auto r = ReadUltrasound(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt) << r.error().message;
}

TEST(Corrupt, ObjectWithoutPixelDataIsInvalidInputWhenFramesAreAsked) {
  DcmFileFormat file;
  refluxscan::testing::FillMinimalUs(*file.getDataset(), 8, 8, /*with_pixels=*/false);
  const std::string path = refluxscan::testing::SaveDataset(
      file, refluxscan::testing::ScratchDir("corrupt_nopixels") / "nopix.dcm");
  const auto r = ReadUltrasound(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
}

TEST(Corrupt, PreamblelessDatasetIsRecognisedAndRead) {
  DcmFileFormat file;
  refluxscan::testing::FillMinimalUs(*file.getDataset(), 8, 8);
  const auto dir = refluxscan::testing::ScratchDir("corrupt_nometa");
  const std::string path = (dir / "bare.dcm").string();
  ASSERT_TRUE(file.getDataset()->saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
  EXPECT_TRUE(LooksLikeDicom(path));
  const auto r = ReadUltrasound(path);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->frames.size(), 1u);
}

}  // namespace
}  // namespace refluxscan::dicom
