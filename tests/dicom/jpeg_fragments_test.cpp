// JPEG frames split over several fragments without a Basic Offset Table (PS3.5 A.4 allows any
// number of fragments a frame; the offset table may be empty).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <opencv2/core.hpp>

#include "dicom/test_datasets.h"
#include "refluxscan/dicom/read.h"
#include "refluxscan/dicom/write.h"
#include "testing/fixtures.h"

namespace refluxscan::dicom {
namespace {

using refluxscan::testing::Bytes;

// A 3-frame colour JPEG Baseline clip, each frame a different colour gradient.
std::string WriteColourJpeg(const std::string& name) {
  UltrasoundWriteSpec spec;
  for (int i = 0; i < 3; ++i) {
    cv::Mat3b f(48, 64);
    for (int r = 0; r < f.rows; ++r) {
      for (int c = 0; c < f.cols; ++c) {
        f(r, c) = cv::Vec3b(static_cast<uchar>(4 * c), static_cast<uchar>(5 * r),
                            static_cast<uchar>(80 * i));
      }
    }
    spec.frames.push_back(f);
  }
  spec.transfer_syntax = TransferSyntax::kJpegBaseline;
  const std::string path =
      (refluxscan::testing::ScratchDir("jpegfrag_" + name) / "clip.dcm").string();
  EXPECT_TRUE(WriteUltrasound(spec, path).has_value());
  return path;
}

Result<UltrasoundImage> Read(const std::string& path, FrameSelection frames) {
  ReadOptions options;
  options.frames = frames;
  return ReadUltrasound(path, options);
}

// DCMTK 3.6.7's frame-wise decoder cannot tell where such a frame starts ("can't determine
// 'PhotometricInterpretation' of decompressed image", frame 1 included); the reader writes the
// offset table from the fragments that open with SOI, and gets the same pixels as from one
// fragment a frame, decoding only the last frame for kLast (an independent renderer's 6-frame
// clip, 3 fragments a frame, had read as corrupt).
TEST(JpegFragments, FramesSplitOverFragmentsWithoutAnOffsetTableDecode) {
  const std::string path = WriteColourJpeg("split");
  const auto whole = Read(path, FrameSelection::kAll);
  ASSERT_TRUE(whole.has_value()) << whole.error().message;
  ASSERT_EQ(whole->frames.size(), 3u);
  const std::vector<Bytes> fragments = refluxscan::testing::EncapsulatedFragments(path);
  ASSERT_EQ(fragments.size(), 3u);
  std::vector<Bytes> split;
  for (const Bytes& f : fragments) {  // each frame in three pieces of even length
    const size_t third = (f.size() / 3) & ~size_t{1};
    split.emplace_back(f.begin(), f.begin() + static_cast<long>(third));
    split.emplace_back(f.begin() + static_cast<long>(third),
                       f.begin() + static_cast<long>(2 * third));
    split.emplace_back(f.begin() + static_cast<long>(2 * third), f.end());
  }
  refluxscan::testing::ReplaceFragments(path, split);
  {  // labelled YBR_FULL as that renderer's file was (DCMTK then reads the colour model from the
     // frame's first fragment, which it cannot find without the table)
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(path.c_str()).good());
    ASSERT_TRUE(file.loadAllDataIntoMemory().good());  // saved over the file it was read from
    const E_TransferSyntax xfer = file.getDataset()->getOriginalXfer();
    ASSERT_TRUE(
        file.getDataset()->putAndInsertString(DCM_PhotometricInterpretation, "YBR_FULL").good());
    ASSERT_TRUE(file.saveFile(path.c_str(), xfer).good());
  }
  const auto last = Read(path, FrameSelection::kLast);
  ASSERT_TRUE(last.has_value()) << last.error().message;
  ASSERT_EQ(last->frames.size(), 1u);
  EXPECT_EQ(last->decoded_frame_indices, std::vector<int>{2});
  EXPECT_EQ(cv::norm(last->frames[0], whole->frames[2], cv::NORM_INF), 0.0);
  const auto all = Read(path, FrameSelection::kAll);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  ASSERT_EQ(all->frames.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(cv::norm(all->frames[i], whole->frames[i], cv::NORM_INF), 0.0) << i;
  }
}

// A TEM marker (FF 01) before the frame header: DCMTK 3.6.7's walk to the frame header never
// moves past it, and the decode did not return (fuzz_dicom, stop 28). The reader refuses it.
TEST(JpegFragments, ATemMarkerBeforeTheFrameHeaderIsRefusedNotDecodedForever) {
  const std::string path = WriteColourJpeg("tem");
  std::vector<Bytes> fragments = refluxscan::testing::EncapsulatedFragments(path);
  ASSERT_FALSE(fragments.empty());
  fragments[2].insert(fragments[2].begin() + 2, {0xFF, 0x01});  // after SOI; the length stays even
  refluxscan::testing::ReplaceFragments(path, fragments);
  const auto last = Read(path, FrameSelection::kLast);
  ASSERT_FALSE(last.has_value());
  EXPECT_EQ(last.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(last.error().message.find("TEM marker"), std::string::npos) << last.error().message;
}

// Rows larger than the JPEG frame: DCMTK 3.6.7 decodes into a Rows x Columns buffer and leaves
// the rows the stream lacks uninitialised (found by the stop-28 review). Refused as corrupt.
TEST(JpegFragments, RowsBeyondTheJpegFrameAreRefusedNotLeftUninitialised) {
  const std::string path = WriteColourJpeg("tall");
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  ASSERT_TRUE(file.loadAllDataIntoMemory().good());  // saved over the file it was read from
  ASSERT_TRUE(file.getDataset()->putAndInsertUint16(DCM_Rows, 64).good());  // the frames have 48
  ASSERT_TRUE(file.saveFile(path.c_str(), file.getDataset()->getOriginalXfer()).good());
  for (const FrameSelection frames : {FrameSelection::kLast, FrameSelection::kAll}) {
    const auto read = Read(path, frames);
    ASSERT_FALSE(read.has_value());
    EXPECT_EQ(read.error().code, ErrorCode::kCorrupt);
    EXPECT_NE(read.error().message.find("48 lines x 64 samples"), std::string::npos)
        << read.error().message;
  }
}

// A JFIF (YCbCr) stream labelled RGB, a real-world mislabel an independent renderer reproduced:
// DCMTK goes by the label and returned the YCbCr samples as RGB (black read teal). The reader
// decodes what the stream's markers say, as libjpeg does, and warns. Correctly labelled files
// read as before, without the warning.
TEST(JpegFragments, AJfifStreamLabelledRgbIsDecodedAsYcbcrWithAWarning) {
  const std::string path = WriteColourJpeg("jfif_rgb");
  const auto labelled_right = Read(path, FrameSelection::kLast);
  ASSERT_TRUE(labelled_right.has_value()) << labelled_right.error().message;
  auto relabelled = [](const UltrasoundImage& image) {
    return std::count_if(image.warnings.begin(), image.warnings.end(), [](const std::string& w) {
      return w.find("[jfif_labelled_rgb]") != std::string::npos;
    });
  };
  EXPECT_EQ(relabelled(*labelled_right), 0);
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  ASSERT_TRUE(file.loadAllDataIntoMemory().good());  // saved over the file it was read from
  ASSERT_TRUE(file.getDataset()->putAndInsertString(DCM_PhotometricInterpretation, "RGB").good());
  ASSERT_TRUE(file.saveFile(path.c_str(), file.getDataset()->getOriginalXfer()).good());
  const auto mislabelled = Read(path, FrameSelection::kLast);
  ASSERT_TRUE(mislabelled.has_value()) << mislabelled.error().message;
  ASSERT_EQ(mislabelled->frames.size(), 1u);
  EXPECT_EQ(cv::norm(mislabelled->frames[0], labelled_right->frames[0], cv::NORM_INF), 0.0);
  EXPECT_EQ(relabelled(*mislabelled), 1);
}

}  // namespace
}  // namespace refluxscan::dicom
