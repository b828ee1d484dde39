// `analyze` end to end on generated studies: reports per study, per-file errors, the partial
// exit code, safe folder names, and skip-unchanged / --force re-runs.
#include "refluxscan/pipeline/analyze.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <nlohmann/json.hpp>

#include "refluxscan/core/fs.h"
#include "refluxscan/dicom/read.h"
#include "refluxscan/dicom/write.h"
#include "refluxscan/reflux/criteria.h"
#include "synth/set.h"
#include "testing/fixtures.h"

namespace refluxscan::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// One small generated study shared by the tests of this file (generated once). ctest runs each
// test in its own process, in parallel: a process generates into a folder of its own and renames
// it into place, so no test reads a half-written set (the first rename wins; others discard).
const fs::path& SampleSet() {
  static const fs::path dir = [] {
    const fs::path d = testing::BinaryDir() / "test_scratch" / "analyze_set";
    if (!fs::exists(d / "truth.json")) {
      fs::path staging = d;
      staging += ".staging." + std::to_string(::getpid());
      fs::remove_all(staging);
      synth::SetOptions options;
      options.out_dir = staging.string();
      options.preset = "sample";
      options.seed = 7;
      EXPECT_TRUE(synth::GenerateSet(options).has_value());
      std::error_code ec;
      if (fs::exists(d) && !fs::exists(d / "truth.json")) fs::remove_all(d, ec);  // stale
      fs::rename(staging, d, ec);  // fails when another process's set is already in place
      if (ec) fs::remove_all(staging, ec);
    }
    return d;
  }();
  return dir;
}

std::vector<fs::path> FindReports(const fs::path& out) {
  std::vector<fs::path> reports;
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    if (e.path().filename() == "report.json") reports.push_back(e.path());
  }
  return reports;
}

json ReadJson(const fs::path& p) { return json::parse(*ReadTextFile(p.string())); }

AnalyzeOptions Options(const std::vector<std::string>& inputs, const fs::path& out) {
  AnalyzeOptions o;
  o.inputs = inputs;
  o.output_dir = out.string();
  o.jobs = 2;
  return o;
}

TEST(Analyze, EveryGeneratedClipHasAReportEntry) {
  const fs::path out = testing::ScratchDir("analyze_out");
  auto options = Options({SampleSet().string()}, out);
  options.manifest = (SampleSet() / "manifest.csv").string();
  auto summary = Analyze(options);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  const json truth = ReadJson(SampleSet() / "truth.json");
  const auto reports = FindReports(out);
  ASSERT_EQ(reports.size(), 1u);  // the sample preset is one study
  const json report = ReadJson(reports[0]);
  EXPECT_EQ(report["schema"], "refluxscan.report/1");
  EXPECT_EQ(report["clips"].size(), truth["files"].size());
  EXPECT_EQ(summary->dicom, static_cast<int>(truth["files"].size()));
  EXPECT_EQ(summary->failed, 0);
  EXPECT_EQ(summary->exit_code, ExitCode::kOk);
  EXPECT_TRUE(fs::exists(reports[0].parent_path() / "report.csv"));
  EXPECT_TRUE(fs::exists(reports[0].parent_path() / "report.html"));
  size_t from_manifest = 0;
  for (const json& clip : report["clips"]) {
    EXPECT_EQ(clip["status"], "ok") << clip["file"];
    from_manifest += clip["segment_source"] == "manifest";
  }
  // Every file the manifest names was identified from it (unknown labels are not in it).
  const std::string manifest = *ReadTextFile((SampleSet() / "manifest.csv").string());
  EXPECT_EQ(from_manifest,
            static_cast<size_t>(std::count(manifest.begin(), manifest.end(), '\n') - 1));
}

// Manifest rows the run cannot use reach the summary's warnings (printed on stderr), each naming
// its row: they were collected and then dropped, and a typo silently fell back to the labels.
TEST(Analyze, ManifestRowsSkippedAreWarnings) {
  const fs::path in = testing::ScratchDir("analyze_manifest_in");
  const fs::path out = testing::ScratchDir("analyze_manifest_out");
  fs::copy(SampleSet(), in / "study", fs::copy_options::recursive);
  std::ofstream(in / "manifest.csv") << "file,laterality,segment\n"
                                     << "study/STUDY_001/IMG_0001.dcm,X,CFV\n"
                                     << "study/STUDY_001/IMG_0002.dcm,R,GSV_FOO\n"
                                     << "STUDY_001/IMG_0003.dcm,L,CFV\n";  // path lacks study/
  std::ofstream(in / "empty.dcm") << "";  // named like DICOM: named in a warning
  std::ofstream(in / "notes.txt") << "beside the study: counted quietly";
  auto options = Options({in.string()}, out);
  options.manifest = (in / "manifest.csv").string();
  auto summary = Analyze(options);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  const auto has = [&](const std::string& needle) {
    return std::any_of(summary->warnings.begin(), summary->warnings.end(),
                       [&](const std::string& w) { return w.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(has("row 2: unknown laterality"));
  EXPECT_TRUE(has("row 3: unknown segment \"GSV_FOO\""));
  EXPECT_TRUE(has("manifest row STUDY_001/IMG_0003.dcm names no input file"));
  EXPECT_TRUE(has("empty.dcm: not a DICOM file, skipped"));
  EXPECT_FALSE(has("notes.txt"));
}

// Two patients under one StudyInstanceUID (a bad export) are two reports, with a warning: merged,
// one patient's findings were reported under the other's ID.
TEST(Analyze, OneStudyUidWithTwoPatientsIsSplitByPatient) {
  const fs::path in = testing::ScratchDir("analyze_two_patients_in");
  const fs::path out = testing::ScratchDir("analyze_two_patients_out");
  const fs::path source = SampleSet() / "STUDY_001";
  fs::copy_file(source / "IMG_0001.dcm", in / "a.dcm");
  auto image = dicom::ReadUltrasound((source / "IMG_0002.dcm").string());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  dicom::UltrasoundWriteSpec spec;
  spec.tags = image->tags;
  spec.tags.patient_id = "OTHER-PATIENT";
  spec.tags.sop_instance_uid = dicom::NewUid();
  spec.frames = image->frames;
  spec.regions = image->regions;
  ASSERT_TRUE(dicom::WriteUltrasound(spec, (in / "b.dcm").string()).has_value());
  auto summary = Analyze(Options({in.string()}, out));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  const auto reports = FindReports(out);
  ASSERT_EQ(reports.size(), 2u);
  std::set<std::string> patients;
  for (const fs::path& r : reports) {
    const json report = ReadJson(r);
    EXPECT_EQ(report["clips"].size(), 1u);
    patients.insert(report["study"]["patient_id"].get<std::string>());
  }
  EXPECT_EQ(patients.size(), 2u);
  ASSERT_EQ(summary->warnings.size(), 2u);
  EXPECT_NE(summary->warnings[0].find("shared by 2 patients"), std::string::npos);
  std::set<std::string> suffixes;  // ordinals, nothing derived from the IDs
  for (const fs::path& r : reports) {
    const std::string folder = r.parent_path().filename().string();
    suffixes.insert(folder.substr(folder.rfind('_')));
  }
  EXPECT_EQ(suffixes, (std::set<std::string>{"_p1", "_p2"}));
  for (const std::string& w : summary->warnings) {
    for (const std::string& id : patients) {
      EXPECT_EQ(w.find(id), std::string::npos) << "patient IDs stay out of logs: " << w;
    }
  }
}

// --source auto: a clip with its raw I/Q beside it is measured from it and says so (JSON
// calibration.source, CSV measured_from), and its HTML card still shows the strip as displayed,
// without envelopes drawn on the display's time axis; an unreadable signal file falls back to the
// display with a note instead of failing the clip.
TEST(Analyze, SourceAutoRecordsWhatWasMeasuredAndFallsBackToTheDisplay) {
  const fs::path gen = testing::ScratchDir("analyze_signal_gen");
  synth::SetOptions g;
  g.out_dir = (gen / "set").string();
  g.preset = "sample";
  g.seed = 7;
  g.emit_signal = true;
  ASSERT_TRUE(synth::GenerateSet(g).has_value());
  const fs::path study = gen / "set" / "STUDY_001";
  const fs::path in = testing::ScratchDir("analyze_signal_in");
  const fs::path out = testing::ScratchDir("analyze_signal_out");
  for (const char* f : {"IMG_0001.dcm", "IMG_0001.iq", "IMG_0002.dcm", "IMG_0003.dcm"}) {
    fs::copy_file(study / f, in / f);
  }
  {  // a truncated I/Q file beside IMG_0002
    const std::string iq = *ReadTextFile((study / "IMG_0002.iq").string());
    std::ofstream(in / "IMG_0002.iq", std::ios::binary) << iq.substr(0, 100);
  }
  auto options = Options({in.string()}, out);
  options.source = SignalSource::kAuto;
  auto summary = Analyze(options);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->failed, 0);
  const auto reports = FindReports(out);
  ASSERT_EQ(reports.size(), 1u);
  std::map<std::string, std::string> source;
  const json report = ReadJson(reports[0]);
  for (const json& clip : report["clips"]) {
    const std::string name = fs::path(clip["file"].get<std::string>()).filename().string();
    EXPECT_EQ(clip["status"], "ok") << name;
    source[name] = clip["calibration"]["source"].get<std::string>();
    if (name == "IMG_0002.dcm") {
      EXPECT_NE(clip["calibration"]["notes"].dump().find("raw signal beside the file not used"),
                std::string::npos);
    }
  }
  EXPECT_EQ(source["IMG_0001.dcm"], "iq");
  EXPECT_EQ(source["IMG_0002.dcm"], "display");
  EXPECT_EQ(source["IMG_0003.dcm"], "display");
  const std::string html = *ReadTextFile((reports[0].parent_path() / "report.html").string());
  EXPECT_EQ(html.find("No spectral strip image available"), std::string::npos);
  EXPECT_NE(html.find("The measurement used the raw Doppler signal"), std::string::npos);
  const std::string csv = *ReadTextFile((reports[0].parent_path() / "report.csv").string());
  EXPECT_NE(csv.find(",iq,"), std::string::npos);
}

// A JPEG clip whose PhotometricInterpretation says RGB over a JFIF (YCbCr) stream is measured as
// the correctly labelled clip, and its report says what was done (a calibration note).
TEST(Analyze, AJfifClipLabelledRgbReadsAsLabelledRightWithANote) {
  const json truth = ReadJson(SampleSet() / "truth.json");
  std::string jpeg;
  for (const json& f : truth["files"]) {
    if (f["transfer_syntax"] == "jpeg") jpeg = f["file"].get<std::string>();
  }
  ASSERT_FALSE(jpeg.empty());
  auto measure = [&](const std::string& name, bool relabel) {
    const fs::path in = testing::ScratchDir("analyze_jfif_in_" + name);
    const fs::path out = testing::ScratchDir("analyze_jfif_out_" + name);
    const fs::path copy = in / "clip.dcm";
    fs::copy_file(SampleSet() / jpeg, copy);
    if (relabel) {
      DcmFileFormat file;
      EXPECT_TRUE(file.loadFile(copy.c_str()).good());
      EXPECT_TRUE(file.loadAllDataIntoMemory().good());  // saved over the file it was read from
      EXPECT_TRUE(
          file.getDataset()->putAndInsertString(DCM_PhotometricInterpretation, "RGB").good());
      EXPECT_TRUE(file.saveFile(copy.c_str(), file.getDataset()->getOriginalXfer()).good());
    }
    auto summary = Analyze(Options({in.string()}, out));
    EXPECT_TRUE(summary.has_value());
    const auto reports = FindReports(out);
    EXPECT_EQ(reports.size(), 1u);
    return reports.empty() ? json() : ReadJson(reports[0])["clips"][0];
  };
  const json right = measure("right", false);
  const json rgb = measure("rgb", true);
  ASSERT_EQ(rgb["status"], "ok");
  EXPECT_EQ(rgb["classification"], right["classification"]);
  EXPECT_EQ(rgb["reflux_duration_ms"], right["reflux_duration_ms"]);
  EXPECT_EQ(right["calibration"]["notes"].dump().find("jfif_labelled_rgb"), std::string::npos);
  EXPECT_NE(rgb["calibration"]["notes"].dump().find("[jfif_labelled_rgb]"), std::string::npos);
}

// The same image twice (a copy, same SOP Instance UID) is analysed once: the copy is listed as
// skipped and its segment keeps one clip (it had two, the same maneuvers counted twice).
TEST(Analyze, ACopyOfAnImageIsListedButAnalysedOnce) {
  const fs::path in = testing::ScratchDir("analyze_copy_in");
  const fs::path out = testing::ScratchDir("analyze_copy_out");
  const fs::path source = SampleSet() / "STUDY_001" / "IMG_0001.dcm";
  fs::copy_file(source, in / "a.dcm");
  fs::copy_file(source, in / "b.dcm");
  auto summary = Analyze(Options({in.string()}, out));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->ok, 1);
  EXPECT_EQ(summary->skipped, 1);
  EXPECT_EQ(summary->exit_code, ExitCode::kOk);
  const auto reports = FindReports(out);
  ASSERT_EQ(reports.size(), 1u);
  const json report = ReadJson(reports[0]);
  ASSERT_EQ(report["clips"].size(), 2u);
  EXPECT_EQ(report["clips"][1]["status"], "skipped");
  EXPECT_NE(report["clips"][1]["error"]["message"].get<std::string>().find("same SOP"),
            std::string::npos);
  for (const json& segment : report["segments"]) EXPECT_EQ(segment["clip_ids"].size(), 1u);
}

// Same SOP Instance UID and size but other bytes (a bit-flipped copy) is no copy: each file is
// analysed on its own (a damaged first file must not make the intact one "skipped").
TEST(Analyze, ASameSizeFileWithOtherBytesIsNoCopy) {
  const fs::path in = testing::ScratchDir("analyze_flipped_in");
  const fs::path out = testing::ScratchDir("analyze_flipped_out");
  const fs::path source = SampleSet() / "STUDY_001" / "IMG_0001.dcm";
  fs::copy_file(source, in / "a.dcm");
  std::string bytes = *ReadTextFile(source.string());
  bytes[bytes.size() - 10] = static_cast<char>(bytes[bytes.size() - 10] ^ 0x55);  // pixel data
  std::ofstream(in / "b.dcm", std::ios::binary) << bytes;
  auto summary = Analyze(Options({in.string()}, out));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->skipped, 0);
  EXPECT_EQ(summary->ok + summary->failed, 2);
  // ... but one image instance in two versions is said: its maneuvers count twice.
  ASSERT_FALSE(summary->warnings.empty());
  EXPECT_NE(summary->warnings.back().find("has the SOP Instance UID of"), std::string::npos);
}

// An output folder inside the input folder: a re-run does not read its own reports as inputs.
TEST(Analyze, OutputInsideTheInputIsNotAnInput) {
  const fs::path in = testing::ScratchDir("analyze_nested_in");
  fs::copy_file(SampleSet() / "STUDY_001" / "IMG_0001.dcm", in / "a.dcm");
  auto options = Options({in.string()}, in / "out");
  ASSERT_TRUE(Analyze(options).has_value());
  options.force = true;
  auto again = Analyze(options);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->files_found, 1);
  EXPECT_EQ(again->non_dicom, 0);
}

// An output folder that is the input folder, or holds it, excludes nothing (`analyze dicoms -o .`
// found no file at all for a while).
TEST(Analyze, OutputAtOrAboveTheInputStillReadsIt) {
  const fs::path root = testing::ScratchDir("analyze_out_above");
  fs::create_directories(root / "dicoms");
  fs::copy_file(SampleSet() / "STUDY_001" / "IMG_0001.dcm", root / "dicoms" / "a.dcm");
  for (const fs::path& out : {root / "dicoms", root, root / "dicoms" / ".." / "."}) {
    auto options = Options({(root / "dicoms").string()}, out);
    options.force = true;
    auto summary = Analyze(options);
    ASSERT_TRUE(summary.has_value()) << out << ": " << summary.error().message;
    EXPECT_EQ(summary->dicom, 1) << out;
  }
}

TEST(Analyze, BadFilesGivePartialExitAndPerFileErrors) {
  const fs::path in = testing::ScratchDir("analyze_bad_in");
  const fs::path out = testing::ScratchDir("analyze_bad_out");
  fs::copy(SampleSet(), in / "study", fs::copy_options::recursive);
  std::ofstream(in / "notes.txt") << "not a dicom file";
  {
    std::ofstream corrupt(in / "corrupt.dcm", std::ios::binary);
    corrupt << std::string(128, '\0') << "DICM" << std::string(40, '\x7f');
  }
  std::vector<std::string> inputs = {in.string()};
  const bool real = testing::RealDicomDir().has_value();
  if (real)
    inputs.push_back((*testing::RealDicomDir() / "philips_epiq7c_jpegll_mono.dcm").string());
  auto summary = Analyze(Options(inputs, out));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->exit_code, ExitCode::kPartial);
  EXPECT_EQ(summary->non_dicom, 3);  // notes.txt, and the set's truth.json and manifest.csv
  EXPECT_EQ(summary->failed, 1);
  // The terminal says which file failed and why, not only how many.
  ASSERT_EQ(summary->failures.size(), 1u);
  EXPECT_NE(summary->failures[0].find("corrupt.dcm: corrupt: "), std::string::npos)
      << summary->failures[0];
  // A real B-mode image (no spectral region) is skipped, not failed: in the report, with why.
  EXPECT_EQ(summary->skipped, real ? 1 : 0);
  std::set<std::string> errors, skipped;
  for (const fs::path& p : FindReports(out)) {
    const json report = ReadJson(p);
    for (const json& clip : report["clips"]) {
      if (clip["status"] == "error") errors.insert(clip["error"]["code"].get<std::string>());
      if (clip["status"] == "skipped") skipped.insert(clip["error"]["code"].get<std::string>());
    }
  }
  EXPECT_TRUE(errors.contains("corrupt"));
  if (real) {
    EXPECT_TRUE(skipped.contains("not_found"));
  }
}

// A study whose report cannot be written (a file stands where its folder goes) is lost work:
// a warning naming the study, the row marked, and exit 3 when no study's report was written.
TEST(Analyze, AReportThatCannotBeWrittenIsAFailureNotASuccess) {
  const fs::path out = testing::ScratchDir("analyze_blocked_out");
  auto first = Analyze(Options({SampleSet().string()}, out));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_EQ(first->studies.size(), 1u);
  const fs::path folder = out / first->studies[0].folder;
  fs::remove_all(folder);
  std::ofstream(folder) << "a file where the study's folder goes";
  AnalyzeOptions options = Options({SampleSet().string()}, out);
  options.force = true;
  auto blocked = Analyze(options);
  ASSERT_TRUE(blocked.has_value()) << blocked.error().message;
  EXPECT_EQ(blocked->exit_code, ExitCode::kFailure);
  EXPECT_EQ(blocked->reports_failed, 1);
  ASSERT_EQ(blocked->studies.size(), 1u);
  EXPECT_TRUE(blocked->studies[0].report_failed);
  ASSERT_FALSE(blocked->warnings.empty());
  EXPECT_NE(blocked->warnings.back().find("report not written"), std::string::npos);
}

// The same without ../shared: a JPEG B-mode image (no regions) cut short inside its pixel data
// reads its header, not its pixels. Skipped (with the decode error said), study kept; under
// --decode-only, which checks decoding, it is a failure.
TEST(Analyze, ATruncatedImageWithoutRegionsIsSkippedButFailsDecodeOnly) {
  const fs::path in = testing::ScratchDir("analyze_cut_in");
  dicom::UltrasoundWriteSpec spec;
  spec.tags.study_instance_uid = "1.2.3.4";
  spec.tags.sop_instance_uid = "1.2.3.4.5";
  spec.tags.study_date = "20240101";
  cv::Mat3b frame(240, 320, cv::Vec3b(0, 0, 0));
  cv::randu(frame, cv::Scalar::all(0), cv::Scalar::all(255));
  spec.frames = {frame};
  spec.transfer_syntax = dicom::TransferSyntax::kJpegBaseline;
  const fs::path file = in / "bmode.dcm";
  ASSERT_TRUE(dicom::WriteUltrasound(spec, file.string()).has_value());
  fs::resize_file(file, fs::file_size(file) - 200);
  ASSERT_FALSE(dicom::ReadUltrasound(file.string()).has_value());  // the premise: no decode
  const fs::path out = testing::ScratchDir("analyze_cut_out");
  auto summary = Analyze(Options({file.string()}, out));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->exit_code, ExitCode::kOk);
  EXPECT_EQ(summary->skipped, 1);
  const json report = ReadJson(FindReports(out).at(0));
  EXPECT_EQ(report["clips"][0]["status"], "skipped");
  EXPECT_EQ(report["clips"][0]["reason"], "not_spectral");  // not "no_calibration"
  EXPECT_NE(report["clips"][0]["error"]["message"].get<std::string>().find("could not be decoded"),
            std::string::npos);
  EXPECT_EQ(report["study"]["study_instance_uid"], "1.2.3.4");
  AnalyzeOptions decode_only = Options({file.string()}, testing::ScratchDir("analyze_cut_do"));
  decode_only.decode_only = true;
  auto checked = Analyze(decode_only);
  ASSERT_TRUE(checked.has_value());
  EXPECT_EQ(checked->failed, 1);
  EXPECT_EQ(checked->exit_code, ExitCode::kPartial);
}

// A real colour-flow image in a codec we cannot decode (JPEG XL) has no spectral region: it is
// skipped as a decoded one would be, with its study read from the header, not a failure.
TEST(Analyze, AnUndecodableNonSpectralImageIsSkippedWithItsStudy) {
  if (!testing::RealDicomDir()) GTEST_SKIP() << "../shared/realdicom not found";
  const fs::path file = *testing::RealDicomDir() / "ge_vivide95_colorflow_jxl.dcm";
  if (!fs::exists(file)) GTEST_SKIP() << file << " not found";
  ASSERT_FALSE(dicom::ReadUltrasound(file.string()).has_value());  // the premise: no decode
  const fs::path out = testing::ScratchDir("analyze_jxl_out");
  auto summary = Analyze(Options({file.string()}, out));
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_EQ(summary->exit_code, ExitCode::kOk);
  EXPECT_EQ(summary->skipped, 1);
  EXPECT_EQ(summary->failed, 0);
  const auto reports = FindReports(out);
  ASSERT_EQ(reports.size(), 1u);
  const json report = ReadJson(reports[0]);
  EXPECT_EQ(report["clips"][0]["status"], "skipped");
  EXPECT_FALSE(report["study"]["study_instance_uid"].is_null());
}

TEST(Analyze, HostileStudyTextNeverBecomesAPath) {
  const fs::path in = testing::ScratchDir("analyze_hostile_in");
  const fs::path out = testing::ScratchDir("analyze_hostile_out");
  dicom::UltrasoundWriteSpec spec;
  spec.tags.study_instance_uid = "../../escape";
  spec.tags.sop_instance_uid = "1.2.3.4";
  spec.tags.series_instance_uid = "1.2.3";
  spec.tags.study_date = "../..";
  spec.tags.patient_id = "../../../etc/passwd\n";
  spec.tags.image_comments = "<script>alert(1)</script>";
  spec.frames.push_back(cv::Mat(64, 64, CV_8UC3, cv::Scalar(10, 10, 10)));
  ASSERT_TRUE(dicom::WriteUltrasound(spec, (in / "evil.dcm").string()).has_value());
  auto summary = Analyze(Options({in.string()}, out));
  ASSERT_TRUE(summary.has_value());
  ASSERT_EQ(summary->studies.size(), 1u);
  const std::string folder = summary->studies[0].folder;
  EXPECT_EQ(folder.find('/'), std::string::npos);
  EXPECT_NE(folder.find("nodate_"), std::string::npos);
  for (const auto& e : fs::recursive_directory_iterator(out.parent_path())) {
    const std::string p = e.path().string();
    EXPECT_EQ(p.find("escape"), std::string::npos) << p;
  }
  const std::string html = *ReadTextFile((out / folder / "report.html").string());
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
}

TEST(Analyze, ReRunSkipsUnchangedStudiesAndReproducesReports) {
  const fs::path out = testing::ScratchDir("analyze_rerun");
  auto options = Options({SampleSet().string()}, out);
  ASSERT_TRUE(Analyze(options).has_value());
  const fs::path report = FindReports(out).at(0);
  const std::string first = *ReadTextFile(report.string());

  auto again = Analyze(options);
  ASSERT_TRUE(again.has_value());
  ASSERT_EQ(again->studies.size(), 1u);
  EXPECT_TRUE(again->studies[0].skipped_unchanged);
  EXPECT_EQ(again->studies[0].clips_ok + again->studies[0].clips_failed,
            static_cast<int>(ReadJson(report)["clips"].size()));

  // A killed run leaves no fingerprint: the next run redoes the study, with identical bytes.
  fs::remove(report.parent_path() / ".refluxscan-inputs");
  fs::remove(report);
  auto redo = Analyze(options);
  ASSERT_TRUE(redo.has_value());
  EXPECT_FALSE(redo->studies[0].skipped_unchanged);
  EXPECT_EQ(*ReadTextFile(report.string()), first);

  options.force = true;
  auto forced = Analyze(options);
  ASSERT_TRUE(forced.has_value());
  EXPECT_FALSE(forced->studies[0].skipped_unchanged);

  // A threshold changed by half a millisecond, or only a criterion's citation (printed in the
  // reports), is another analysis: re-done, not kept (both were outside the key before).
  options.force = false;
  const fs::path criteria = testing::ScratchDir("analyze_rerun_criteria") / "c.json";
  std::string text = reflux::DefaultCriteriaJson();
  std::ofstream(criteria) << text;
  options.criteria = criteria.string();
  ASSERT_TRUE(Analyze(options).has_value());  // the file's first use: analysed
  EXPECT_TRUE(Analyze(options)->studies[0].skipped_unchanged);
  text.replace(text.find("\"threshold_ms\": 350"), 19, "\"threshold_ms\": 350.5");
  std::ofstream(criteria) << text;
  EXPECT_FALSE(Analyze(options)->studies[0].skipped_unchanged);
  text.replace(text.find("perforators > 350 ms"), 20, "perforators (lab)");
  std::ofstream(criteria) << text;
  EXPECT_FALSE(Analyze(options)->studies[0].skipped_unchanged);
}

// OUTDIR/refluxscan-index.csv lists each study of the run: its output folder, the folder its
// files came from (absolute), the counts, and whether its report was written or kept unchanged.
// One folder given both relative and absolute is one input folder (the common-folder walk hung
// on such a study: review, stop 35).
TEST(Analyze, AnIndexMapsOutputFoldersToInputFolders) {
  const fs::path out = testing::ScratchDir("analyze_index");
  auto options = Options({SampleSet().string()}, out);
  auto summary = Analyze(options);
  ASSERT_TRUE(summary.has_value());
  ASSERT_EQ(summary->studies.size(), 1u);
  const StudyRow& row = summary->studies[0];
  const std::string index = *ReadTextFile((out / "refluxscan-index.csv").string());
  EXPECT_EQ(index.rfind("study_folder,input_folder,clips_ok,", 0), 0u);
  const fs::path folder = fs::absolute(SampleSet() / "STUDY_001").lexically_normal();
  const std::string expected =
      row.folder + "," + folder.string() + "," + std::to_string(row.clips_ok) + ",0,";
  EXPECT_NE(index.find(expected), std::string::npos) << index;
  EXPECT_NE(index.find(",written\n"), std::string::npos);
  ASSERT_TRUE(Analyze(options).has_value());
  EXPECT_NE(ReadTextFile((out / "refluxscan-index.csv").string())->find(",unchanged\n"),
            std::string::npos);
  // The same study's folder given absolute and relative (to the working folder): one folder.
  const fs::path relative = fs::relative(SampleSet() / "STUDY_001");
  auto both = Options({folder.string(), relative.string()}, testing::ScratchDir("analyze_index2"));
  both.force = true;
  auto twice = Analyze(both);
  ASSERT_TRUE(twice.has_value());
  ASSERT_FALSE(twice->studies.empty());
  EXPECT_EQ(twice->studies[0].input_folder, folder.string());
}

// A scratch folder holding a copy of the sample set's study (its own manifest can sit beside it).
fs::path CopyOfSampleStudy(const std::string& name) {
  const fs::path dir = testing::ScratchDir(name);
  fs::copy(SampleSet() / "STUDY_001", dir / "STUDY_001", fs::copy_options::recursive);
  return dir;
}

// A manifest edited in place keeps its name: what it says is part of the re-run key, or a
// corrected segment would leave the old report standing.
TEST(Analyze, AManifestEditedInPlaceIsANewAnalysis) {
  const fs::path in = CopyOfSampleStudy("analyze_rerun_manifest_in");
  const fs::path manifest = in / "m.csv";
  auto options =
      Options({(in / "STUDY_001").string()}, testing::ScratchDir("analyze_rerun_manifest"));
  options.manifest = manifest.string();
  const std::string row = "STUDY_001/IMG_0001.dcm";
  std::ofstream(manifest) << "file,laterality,segment\n" << row << ",R,CFV\n";
  ASSERT_TRUE(Analyze(options).has_value());
  EXPECT_TRUE(Analyze(options)->studies[0].skipped_unchanged);
  std::ofstream(manifest) << "file,laterality,segment\n" << row << ",L,CFV\n";
  EXPECT_FALSE(Analyze(options)->studies[0].skipped_unchanged);
}

// A protocol file edited in place keeps its name: its levels are part of the re-run key.
TEST(Analyze, AProtocolEditedInPlaceIsANewAnalysis) {
  const fs::path in = CopyOfSampleStudy("analyze_rerun_protocol_in");
  auto options =
      Options({(in / "STUDY_001").string()}, testing::ScratchDir("analyze_rerun_protocol"));
  options.protocol = (in / "p.json").string();
  std::ofstream(*options.protocol) << R"({"segments": ["CFV", "GSV_SFJ"]})";
  ASSERT_TRUE(Analyze(options).has_value());
  EXPECT_TRUE(Analyze(options)->studies[0].skipped_unchanged);
  std::ofstream(*options.protocol) << R"({"segments": ["CFV", "GSV_SFJ", "POPV"]})";
  EXPECT_FALSE(Analyze(options)->studies[0].skipped_unchanged);
}

// The antegrade side set by the user (run-wide --antegrade, or a manifest row, which wins) is
// what the measurement uses, and the report says it was not inferred.
TEST(Analyze, AntegradeOverrideFromTheManifestOrTheRun) {
  const fs::path out = testing::ScratchDir("analyze_antegrade");
  const fs::path in = CopyOfSampleStudy("analyze_antegrade_in");
  const fs::path manifest = in / "m.csv";
  std::ofstream(manifest) << "file,laterality,segment,antegrade\n"
                             "STUDY_001/IMG_0001.dcm,R,CFV,up\n"
                             "STUDY_001/IMG_0002.dcm,R,GSV_SFJ,inferred\n";
  auto options = Options({(in / "STUDY_001").string()}, out);
  options.manifest = manifest.string();
  options.antegrade = AntegradeDirection::kDown;
  options.write_csv = options.write_html = false;
  ASSERT_TRUE(Analyze(options).has_value());
  const json report = ReadJson(FindReports(out).at(0));
  size_t checked = 0;
  for (const json& clip : report["clips"]) {
    if (clip["status"] != "ok") continue;
    const std::string file = clip["file"];
    if (file.ends_with("IMG_0002.dcm")) {  // the row asks for the inference: --antegrade yields
      EXPECT_NE(clip["antegrade_direction_source"], "override");
      continue;
    }
    const bool listed = file.ends_with("IMG_0001.dcm");
    EXPECT_EQ(clip["antegrade_direction"], listed ? "up" : "down") << file;
    EXPECT_EQ(clip["antegrade_direction_source"], "override") << file;
    EXPECT_NE(std::find(clip["measurement_flags"].begin(), clip["measurement_flags"].end(),
                        "antegrade_override"),
              clip["measurement_flags"].end());
    ++checked;
  }
  EXPECT_GT(checked, 10u);
  EXPECT_EQ(report["options"]["antegrade"], "down");
  // The output folder is named in the report (CSV: study_folder on every row).
  EXPECT_EQ(report["study"]["output_folder"],
            FindReports(out).at(0).parent_path().filename().string());
}

// A study analysed again writes the formats asked for and removes the others: an earlier run's
// HTML (other criteria) must not stay beside the new JSON and contradict it.
TEST(Analyze, AReAnalysisRemovesReportsOfFormatsNotWritten) {
  const fs::path out = testing::ScratchDir("analyze_formats");
  auto options = Options({SampleSet().string()}, out);
  ASSERT_TRUE(Analyze(options).has_value());
  const fs::path study = FindReports(out).at(0).parent_path();
  ASSERT_TRUE(fs::exists(study / "report.html") && fs::exists(study / "report.csv"));
  options.write_csv = options.write_html = false;
  options.force = true;
  ASSERT_TRUE(Analyze(options).has_value());
  EXPECT_TRUE(fs::exists(study / "report.json"));
  EXPECT_FALSE(fs::exists(study / "report.html"));
  EXPECT_FALSE(fs::exists(study / "report.csv"));
}

// A file named by --criteria/--manifest/--protocol that cannot be read is a usage error naming
// the option (exit 2, docs/exit-codes.md), not a failure of the run.
TEST(Analyze, AMissingOptionFileIsAUsageErrorNamingTheOption) {
  auto options = Options({SampleSet().string()}, testing::ScratchDir("analyze_missing_option"));
  options.criteria = "/nonexistent/criteria.json";
  auto summary = Analyze(options);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(summary.error().message.rfind("--criteria: ", 0), 0u) << summary.error().message;
  options.criteria = SampleSet().string();  // a folder: said so, not "not valid JSON"
  auto folder = Analyze(options);
  ASSERT_FALSE(folder.has_value());
  EXPECT_NE(folder.error().message.find("is a folder, not a file"), std::string::npos)
      << folder.error().message;
}

TEST(Analyze, NoDicomIsAUsageError) {
  const fs::path in = testing::ScratchDir("analyze_empty_in");
  std::ofstream(in / "readme.txt") << "nothing here";
  auto summary = Analyze(Options({in.string()}, testing::ScratchDir("analyze_empty_out")));
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace refluxscan::pipeline
