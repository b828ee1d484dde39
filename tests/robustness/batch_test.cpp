// A whole `analyze` batch over a folder of hostile inputs mixed with valid generated clips: it
// finishes (time guard) with the partial exit code, every valid clip keeps its result, hostile
// text reaches neither file names nor raw CSV/HTML, and nothing is written outside OUTDIR.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <set>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <nlohmann/json.hpp>

#include "refluxscan/core/fs.h"
#include "refluxscan/pipeline/analyze.h"
#include "refluxscan/study/identify.h"
#include "robustness/hostile.h"
#include "testing/csv.h"

namespace refluxscan::robustness {
namespace {

using nlohmann::json;

using testing::ParseCsv;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// Text a hostile scanner (or a hostile person with a DICOM editor) can put in the header.
DicomTags HostileTags(int variant) {
  DicomTags t = CompactClipSpec(dicom::TransferSyntax::kExplicitLittle).tags;
  const std::string n = std::to_string(variant);
  t.study_instance_uid = "../../escape" + n + "/\x01\x1b[31m..";
  t.series_instance_uid = "1.2.3/../" + n;
  t.sop_instance_uid = "1.2.3\n4,5\"" + n;
  t.study_date = "../../../tmp";
  t.patient_id = "../../../etc/passwd\r\n" + n;
  t.patient_name = "=HYPERLINK(\"http://evil\",\"x\")";
  t.accession_number = "+cmd|' /C calc'!A0";
  t.study_description = "<img src=x onerror=alert(3)>";
  t.series_description = "</td></tr><script>alert(2)</script>";
  t.image_comments = "RT GSV SFJ \"quoted\",comma\nnewline<script>alert(1)</script>";
  t.protocol_name = std::string("nul\0byte", 8);
  t.manufacturer = "\xff\xfe\xc3\x28 bad utf8";
  return t;
}

struct Batch {
  fs::path root, in, out;
  std::set<std::string> valid;    // absolute paths of clips that must analyze ok
  std::set<std::string> damaged;  // DICOM-looking files that must fail cleanly
};

void WriteManifest(const Batch& b) {
  std::ofstream m(b.in / "manifest.csv");
  m << "file,laterality,segment\n";
  m << "../outside.dcm,L,GSV_SFJ\n";
  m << "/etc/passwd,R,CFV\n";
  m << "valid/STUDY_001/../../../outside.dcm,R,CFV\n";
  m << "hostile_0.dcm,L,GSV_SFJ\n";
  m << "\"quoted,name.dcm\",L,\"GSV_SFJ\"\n";
  m << "=cmd|' /C calc'!A0,L,GSV_SFJ\n";
  m << "hostile_1.dcm\n";  // too few columns
}

void AddDamaged(Batch& b) {
  const Bytes whole =
      ReadBytes(WriteCompactClip(b.root / "template.dcm", dicom::TransferSyntax::kExplicitLittle));
  auto add = [&](const std::string& name, const Bytes& bytes) {
    WriteBytes(b.in / "damaged" / name, bytes);
    b.damaged.insert(fs::absolute(b.in / "damaged" / name).lexically_normal().string());
  };
  fs::create_directories(b.in / "damaged");
  add("truncated_header.dcm", Bytes(whole.begin(), whole.begin() + 400));
  add("truncated_pixels.dcm", Bytes(whole.begin(), whole.end() - 1000));
  add("empty_dataset.dcm", MinimalPart10({}));
  const fs::path huge = b.in / "damaged" / "huge.dcm";
  WriteBytes(huge, whole);
  {
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(huge.c_str()).good());
    file.getDataset()->putAndInsertUint16(DCM_Rows, 65535);
    file.getDataset()->putAndInsertUint16(DCM_Columns, 65535);
    file.getDataset()->putAndInsertString(DCM_NumberOfFrames, "2147483647");
    ASSERT_TRUE(file.saveFile(huge.c_str(), EXS_Unknown).good());
  }
  b.damaged.insert(fs::absolute(huge).lexically_normal().string());
  Bytes dicm(128, 0);
  Append(dicm, "DICM\xff\xff\xff\xff");
  add("dicm_garbage.dcm", dicm);
  // Files discovery must skip or count as non-DICOM, and traps for the folder walk.
  WriteBytes(b.in / "damaged" / "empty.dcm", {});
  WriteBytes(b.in / "damaged" / "notes.txt", Bytes{'h', 'i'});
  fs::create_directories(b.in / "damaged" / "folder.dcm");
  ASSERT_EQ(::mkfifo((b.in / "damaged" / "pipe.dcm").c_str(), 0600), 0);
  fs::create_directory_symlink("..", b.in / "damaged" / "loop");
  fs::create_symlink("/dev/zero", b.in / "damaged" / "zero.dcm");
  fs::create_symlink("does-not-exist.dcm", b.in / "damaged" / "dangling.dcm");
}

// Sequences nested 10000 levels deep overflowed the stack of a pipeline worker inside DCMTK's
// recursive parser (found by this suite; reported to the dicom owner).
void AddDeeplyNested(Batch& b) {
  const Bytes whole =
      ReadBytes(WriteCompactClip(b.root / "template.dcm", dicom::TransferSyntax::kExplicitLittle));
  Bytes nested = whole;
  const Bytes levels = NestedSequences(10000);
  nested.insert(nested.begin() + static_cast<std::ptrdiff_t>(MetaEnd(nested)), levels.begin(),
                levels.end());
  WriteBytes(b.in / "damaged" / "nested_clip.dcm", nested);  // may read fine: must not crash
  WriteBytes(b.in / "damaged" / "nested_min.dcm", MinimalPart10(NestedSequences(10000)));
  b.damaged.insert(fs::absolute(b.in / "damaged" / "nested_min.dcm").lexically_normal().string());
}

Batch MakeBatch(const std::string& name) {
  Batch b;
  b.root = testing::ScratchDir(name);
  b.in = b.root / "in";
  b.out = b.root / "out";
  synth::SetOptions set;
  set.out_dir = (b.in / "valid").string();
  set.preset = "sample";
  set.seed = 11;
  auto generated = synth::GenerateSet(set);
  EXPECT_TRUE(generated.has_value());
  for (const std::string& rel : generated->relative_paths) {
    b.valid.insert(fs::absolute(b.in / "valid" / rel).lexically_normal().string());
  }
  for (int v = 0; v < 2; ++v) {
    dicom::UltrasoundWriteSpec spec = CompactClipSpec(dicom::TransferSyntax::kRle, 20 + v);
    spec.tags = HostileTags(v);
    const fs::path p = b.in / ("hostile_" + std::to_string(v) + ".dcm");
    EXPECT_TRUE(dicom::WriteUltrasound(spec, p.string()).has_value());
    b.valid.insert(fs::absolute(p).lexically_normal().string());
  }
  WriteCompactClip(b.root / "outside.dcm", dicom::TransferSyntax::kRle);
  AddDamaged(b);
  WriteManifest(b);
  return b;
}

void RunBatchAndCheck(const Batch& b) {
  const std::vector<std::string> before = Snapshot(b.root);
  pipeline::AnalyzeOptions options;
  options.inputs = {b.in.string(), (b.in / "damaged" / "missing.dcm").string()};
  options.output_dir = b.out.string();
  options.manifest = (b.in / "manifest.csv").string();
  options.jobs = 2;
  auto summary =
      WithinTime(Guard(180), "analyze batch", [&] { return pipeline::Analyze(options); });
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->exit_code, ExitCode::kPartial);
  EXPECT_GE(summary->failed, static_cast<int>(b.damaged.size()));

  // Nothing appeared outside OUTDIR.
  std::vector<std::string> after = Snapshot(b.root);
  std::erase_if(after, [&](const std::string& p) {
    return p == b.out.string() || p.starts_with(b.out.string() + "/");
  });
  std::vector<std::string> added, removed;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::back_inserter(removed));
  EXPECT_TRUE(added.empty()) << "written outside OUTDIR: " << added.front();
  EXPECT_TRUE(removed.empty()) << "removed outside OUTDIR: " << removed.front();

  std::map<std::string, json> clips;  // by normalized file path
  for (const auto& e : fs::directory_iterator(b.out)) {
    const std::string folder = e.path().filename().string();
    EXPECT_TRUE(std::all_of(folder.begin(), folder.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '_' || c == '-' || c == '.';
    })) << folder;
    EXPECT_FALSE(folder.starts_with(".")) << folder;
    const fs::path json_path = e.path() / "report.json";
    if (!fs::exists(json_path)) continue;
    const json report = json::parse(*ReadTextFile(json_path.string()));
    for (const json& clip : report["clips"]) {
      clips[fs::absolute(clip["file"].get<std::string>()).lexically_normal().string()] = clip;
    }
    // report.csv: every row has the header's column count, no live formula.
    const auto rows = ParseCsv(*ReadTextFile((e.path() / "report.csv").string()));
    ASSERT_FALSE(rows.empty());
    for (const auto& row : rows) {
      EXPECT_EQ(row.size(), rows[0].size()) << folder;
      for (const std::string& cell : row) {
        EXPECT_FALSE(cell.starts_with("=") || cell.starts_with("+cmd") || cell.starts_with("@"))
            << cell;
      }
    }
    // report.html: the one pinned script of the page, and no injected markup.
    const std::string html = Lower(*ReadTextFile((e.path() / "report.html").string()));
    EXPECT_LE(Count(html, "<script"), 1u) << folder;
    EXPECT_EQ(html.find("<script>alert"), std::string::npos) << folder;
    EXPECT_EQ(html.find("</td></tr><script"), std::string::npos) << folder;
    EXPECT_EQ(html.find("<img src=x"), std::string::npos) << folder;
  }
  for (const std::string& file : b.valid) {
    ASSERT_TRUE(clips.contains(file)) << file;
    EXPECT_EQ(clips[file]["status"], "ok") << file << ": " << clips[file].dump();
  }
  for (const std::string& file : b.damaged) {
    ASSERT_TRUE(clips.contains(file)) << file;
    EXPECT_EQ(clips[file]["status"], "error") << file;
    EXPECT_FALSE(clips[file]["error"]["message"].get<std::string>().empty()) << file;
  }
  // Hostile text never became a path component anywhere under OUTDIR.
  for (const std::string& p : Snapshot(b.out)) {
    const std::string name = fs::path(p).lexically_relative(b.out).string();
    EXPECT_EQ(name.find("escape"), std::string::npos) << name;
    EXPECT_EQ(name.find("passwd"), std::string::npos) << name;
    EXPECT_EQ(name.find(".."), std::string::npos) << name;
  }
}

TEST(HostileBatch, FinishesWithPartialExitKeepsValidResultsAndStaysInOutdir) {
  RunBatchAndCheck(MakeBatch("batch"));
}

TEST(HostileBatch, DeeplyNestedSequencesDoNotKillTheBatch) {
  Batch b = MakeBatch("batch_nested");
  AddDeeplyNested(b);
  RunBatchAndCheck(b);
}

TEST(HostileManifest, RowsNamingFilesOutsideItsFolderAreRejected) {
  const fs::path dir = testing::ScratchDir("manifest");
  fs::create_directories(dir / "in");
  {
    std::ofstream m(dir / "in" / "manifest.csv");
    m << "file,laterality,segment\n"
      << "../outside.dcm,L,GSV_SFJ\n"
      << "/etc/passwd,R,CFV\n"
      << "a/../../outside.dcm,R,CFV\n"
      << "a/../inside.dcm,R,CFV\n";
  }
  auto manifest = study::LoadManifest((dir / "in" / "manifest.csv").string());
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_GE(manifest->warnings.size(), 3u);
  const std::string in = fs::absolute(dir / "in").lexically_normal().string();
  for (const auto& [path, entry] : manifest->entries) {
    EXPECT_TRUE(path.starts_with(in + "/")) << path;
  }
  const SegmentId outside =
      study::IdentifySegment((dir / "outside.dcm").string(), DicomTags{}, &*manifest);
  EXPECT_NE(outside.source, IdentitySource::kManifest);
}

}  // namespace
}  // namespace refluxscan::robustness
