// Damaged DICOM files through the reader and the analysis stages: truncations, bit flips,
// billion-pixel claims, deeply nested sequences, empty and non-DICOM files. Every case must end
// in a value or a clear error, within a time guard, never a crash.
#include <algorithm>
#include <random>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "../../fuzz/harness.h"
#include "refluxscan/dicom/read.h"
#include "robustness/hostile.h"

namespace refluxscan::robustness {
namespace {

using dicom::TransferSyntax;

struct Outcome {
  bool ok = false;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

// Reads (last frame, 64 MiB budget) and, on success, runs every spectral region's stages.
Outcome ReadAndAnalyze(const fs::path& path, uint64_t max_pixel_bytes = uint64_t{64} << 20) {
  return WithinTime(Guard(60), path.filename().c_str(), [&] {
    dicom::ReadOptions options;
    options.max_pixel_bytes = max_pixel_bytes;
    Result<UltrasoundImage> image = dicom::ReadUltrasound(path.string(), options);
    if (!image) return Outcome{false, image.error().code, image.error().message};
    for (const UltrasoundRegion* region : image->SpectralRegions()) {
      fuzz::RunStages(*image, *region);
    }
    return Outcome{true, ErrorCode::kInternal, ""};
  });
}

void ExpectCleanError(const Outcome& o, const std::string& what) {
  EXPECT_FALSE(o.ok) << what;
  EXPECT_FALSE(o.message.empty()) << what;
  EXPECT_NE(o.code, ErrorCode::kInternal) << what << ": " << o.message;
}

constexpr TransferSyntax kSyntaxes[] = {
    TransferSyntax::kExplicitLittle,   TransferSyntax::kImplicitLittle,
    TransferSyntax::kDeflated,         TransferSyntax::kRle,
    TransferSyntax::kJpegBaseline,     TransferSyntax::kJpegLsLossless,
    TransferSyntax::kJpeg2000Lossless, TransferSyntax::kJpeg2000,
};

class DamagedDicom : public ::testing::TestWithParam<TransferSyntax> {};

TEST_P(DamagedDicom, TruncatedAtManyOffsetsGivesAnErrorNotACrash) {
  const fs::path dir = testing::ScratchDir("truncated");
  const Bytes whole = ReadBytes(WriteCompactClip(dir / "whole.dcm", GetParam()));
  ASSERT_GT(whole.size(), 1000u);
  ASSERT_TRUE(ReadAndAnalyze(dir / "whole.dcm").ok);
  std::vector<size_t> cuts;
  for (size_t n = 0; n < std::min<size_t>(whole.size(), 700); n += kSanitized ? 37 : 5) {
    cuts.push_back(n);
  }
  const int spread = Iterations(48);
  for (int k = 1; k < spread; ++k) cuts.push_back(whole.size() * k / spread);
  cuts.push_back(whole.size() - 1);
  for (size_t n : cuts) {
    const fs::path p = dir / "cut.dcm";
    WriteBytes(p, Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n)));
    const Outcome o = ReadAndAnalyze(p);
    const std::string what = "cut at " + std::to_string(n) + " of " + std::to_string(whole.size());
    EXPECT_NE(o.code, ErrorCode::kInternal) << what << ": " << o.message;
    // Native pixel data is the last element: any cut removes pixels and must be refused.
    if (GetParam() == TransferSyntax::kExplicitLittle) ExpectCleanError(o, what);
  }
}

TEST_P(DamagedDicom, BitFlipsGiveAValueOrAnErrorNotACrash) {
  const fs::path dir = testing::ScratchDir("bitflip");
  const Bytes whole = ReadBytes(WriteCompactClip(dir / "whole.dcm", GetParam()));
  const size_t header = std::min(whole.size(), MetaEnd(whole) + 1500);
  std::mt19937_64 rng(20240601u + static_cast<unsigned>(GetParam()));
  int ok = 0, failed = 0;
  for (int i = 0; i < Iterations(80); ++i) {
    Bytes mutant = whole;
    const int changes = 1 + static_cast<int>(rng() % 12);
    for (int c = 0; c < changes; ++c) {
      // Two thirds of the damage lands in the header, where the parser makes its decisions.
      const size_t at = rng() % 3 ? rng() % header : rng() % mutant.size();
      switch (rng() % 3) {
        case 0:
          mutant[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          mutant[at] = static_cast<uint8_t>(rng());
          break;
        default:
          mutant[at] = rng() % 2 ? 0xff : 0x00;
          break;
      }
    }
    const fs::path p = dir / "mutant.dcm";
    WriteBytes(p, mutant);
    const Outcome o = ReadAndAnalyze(p);
    (o.ok ? ok : failed)++;
    if (!o.ok) {
      EXPECT_FALSE(o.message.empty()) << "mutant " << i;
    }
  }
  EXPECT_GT(ok + failed, 0);
}

INSTANTIATE_TEST_SUITE_P(Syntaxes, DamagedDicom, ::testing::ValuesIn(kSyntaxes),
                         [](const auto& param_info) {
                           std::string name(dicom::TransferSyntaxName(param_info.param));
                           std::replace(name.begin(), name.end(), '-', '_');  // gtest names
                           return name;
                         });

// Rewrites header attributes of a valid file with DCMTK (the pixel data stays as written).
void Claim(const fs::path& path, Uint16 rows, Uint16 columns, const char* frames,
           Uint16 samples = 0) {
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(path.c_str()).good());
  DcmDataset& ds = *file.getDataset();
  ASSERT_TRUE(ds.putAndInsertUint16(DCM_Rows, rows).good());
  ASSERT_TRUE(ds.putAndInsertUint16(DCM_Columns, columns).good());
  if (frames != nullptr) {
    ASSERT_TRUE(ds.putAndInsertString(DCM_NumberOfFrames, frames).good());
  }
  if (samples != 0) {
    ASSERT_TRUE(ds.putAndInsertUint16(DCM_SamplesPerPixel, samples).good());
  }
  ASSERT_TRUE(file.saveFile(path.c_str(), EXS_Unknown).good());
}

TEST(HugeClaims, BillionPixelHeadersAreRefusedBeforeAllocating) {
  const fs::path dir = testing::ScratchDir("huge");
  struct Case {
    Uint16 rows, columns;
    const char* frames;
    Uint16 samples;
    bool must_fail = true;
  };
  const Case cases[] = {
      {65535, 65535, nullptr, 0},          // 4.3 G pixels x 3 samples in one frame
      {65535, 65535, "2147483647", 0},     // and two billion frames
      {200, 300, "2147483647", 0, false},  // count above the 2e9 cap: read as 1 frame
      {65535, 65535, "1", 65535},          // absurd samples per pixel
      {1, 1, "999999999999", 0, false},    // frame count beyond int: read as 1 frame of 1 pixel
  };
  for (TransferSyntax syntax : kSyntaxes) {
    for (const Case& c : cases) {
      // A frame smaller than the encoded one crashes DCMTK's RLE decoder: see the next test.
      if (syntax == TransferSyntax::kRle && c.rows == 1) continue;
      const fs::path p = dir / "huge.dcm";
      WriteCompactClip(p, syntax);
      Claim(p, c.rows, c.columns, c.frames, c.samples);
      const std::string what = std::string(dicom::TransferSyntaxName(syntax)) + " " +
                               std::to_string(c.rows) + "x" + std::to_string(c.columns) + "x" +
                               (c.frames ? c.frames : "-");
      // Even with the default 2 GiB budget and every frame requested, nothing is allocated.
      const Outcome last = ReadAndAnalyze(p, uint64_t{2} << 30);
      if (!c.must_fail && last.ok) continue;
      ExpectCleanError(last, what);
      Outcome all = WithinTime(Guard(60), "read all frames", [&] {
        auto image = dicom::ReadUltrasound(p.string(), {.frames = dicom::FrameSelection::kAll});
        return image ? Outcome{true, ErrorCode::kInternal, ""}
                     : Outcome{false, image.error().code, image.error().message};
      });
      if (!c.must_fail && all.ok) continue;
      ExpectCleanError(all, what + " (all frames)");
    }
  }
}

// Rows/Columns shrunk below the size the RLE segments were encoded for: DCMTK 3.6.7's RLE
// decoder (DcmRLECodecDecoder::decodeFrame) wrote past its frame buffer and crashed the process
// (found by this suite; reported to the dicom owner).
TEST(HugeClaims, RleHeaderSmallerThanTheEncodedFrameDoesNotCrash) {
  const fs::path dir = testing::ScratchDir("rle_small");
  for (auto [rows, columns] : {std::pair<Uint16, Uint16>{1, 1}, {2, 3}, {16, 16}}) {
    const fs::path p = dir / "small.dcm";
    WriteCompactClip(p, TransferSyntax::kRle);
    Claim(p, rows, columns, nullptr);
    const Outcome o = ReadAndAnalyze(p);
    if (!o.ok) {
      EXPECT_NE(o.code, ErrorCode::kInternal) << o.message;
    }
  }
}

TEST(DeepNesting, TenThousandLevelsOfSequencesDoNotOverflowTheStack) {
  const fs::path dir = testing::ScratchDir("nested");
  // Alone in a minimal object (no pixels) ...
  WriteBytes(dir / "nested_min.dcm", MinimalPart10(NestedSequences(10000)));
  ExpectCleanError(ReadAndAnalyze(dir / "nested_min.dcm"), "nested minimal");
  // ... and spliced into a valid clip right after its File Meta Information.
  Bytes clip = ReadBytes(WriteCompactClip(dir / "clip.dcm", TransferSyntax::kExplicitLittle));
  const Bytes nested = NestedSequences(10000);
  clip.insert(clip.begin() + static_cast<std::ptrdiff_t>(MetaEnd(clip)), nested.begin(),
              nested.end());
  WriteBytes(dir / "nested_clip.dcm", clip);
  const Outcome o = ReadAndAnalyze(dir / "nested_clip.dcm");
  if (!o.ok) {
    EXPECT_NE(o.code, ErrorCode::kInternal) << o.message;
  }
  // Unterminated nesting (the file ends inside level 10000).
  Bytes open_only = MinimalPart10(NestedSequences(10000));
  open_only.resize(open_only.size() - 10000 * 16 - 20);
  WriteBytes(dir / "nested_open.dcm", open_only);
  ExpectCleanError(ReadAndAnalyze(dir / "nested_open.dcm"), "nested unterminated");
}

TEST(NotDicom, EmptyTextRandomAndLookalikeFilesGiveClearErrors) {
  const fs::path dir = testing::ScratchDir("notdicom");
  std::mt19937_64 rng(99);
  Bytes random(5000);
  for (uint8_t& b : random) b = static_cast<uint8_t>(rng());
  Bytes dicm_garbage(128, 0);
  Append(dicm_garbage, "DICM");
  dicm_garbage.insert(dicm_garbage.end(), random.begin(), random.begin() + 300);
  Bytes plausible = {0x08, 0x00, 0x05, 0x00, 'C', 'S', 0xff, 0xff};  // huge short length
  Bytes only_preamble(132, 0);
  only_preamble[128] = 'D', only_preamble[129] = 'I', only_preamble[130] = 'C',
  only_preamble[131] = 'M';
  const std::pair<const char*, Bytes> files[] = {
      {"empty.dcm", {}},
      {"text.dcm", Bytes{'h', 'e', 'l', 'l', 'o', '\n'}},
      {"random.dcm", random},
      {"dicm_garbage.dcm", dicm_garbage},
      {"plausible_first.dcm", plausible},
      {"only_preamble.dcm", only_preamble},
      {"png.dcm", Bytes{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}},
  };
  for (const auto& [name, bytes] : files) {
    WriteBytes(dir / name, bytes);
    ExpectCleanError(ReadAndAnalyze(dir / name), name);
  }
  fs::create_directories(dir / "folder.dcm");
  const Outcome folder = ReadAndAnalyze(dir / "folder.dcm");
  ExpectCleanError(folder, "folder");
  EXPECT_EQ(folder.code, ErrorCode::kIo);
  ExpectCleanError(ReadAndAnalyze(dir / "missing.dcm"), "missing");
}

}  // namespace
}  // namespace refluxscan::robustness
