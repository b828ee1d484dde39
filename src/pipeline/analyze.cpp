#include "refluxscan/pipeline/analyze.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "clip.h"
#include "parallel.h"
#include "refluxscan/core/fs.h"
#include "refluxscan/core/text.h"
#include "refluxscan/dicom/read.h"
#include "refluxscan/reflux/criteria.h"
#include "refluxscan/study/aggregate.h"
#include "refluxscan/study/discover.h"
#include "study_output.h"

namespace refluxscan::pipeline {
namespace {

// A file named by an option that cannot be used is the caller's mistake (usage, exit 2), even
// when the file system said why (kIo: it is missing): the message names the option.
std::unexpected<Error> OptionFileError(const char* option, const Error& e) {
  const std::string prefix = std::string(option) + ": ";
  return Fail(e.code == ErrorCode::kInternal ? e.code : ErrorCode::kInvalidInput,
              e.message.starts_with(option) ? e.message : prefix + e.message);
}

namespace fs = std::filesystem;

// Settings loaded once per run, shared read-only by the workers.
struct RunConfig {
  std::optional<study::Manifest> manifest;
  reflux::Criteria criteria;
  study::Protocol protocol;
  std::vector<std::pair<std::string, std::string>> provenance;
  std::string settings_key;  // part of each study's input fingerprint
};

// What the protocol's levels say, as text for the run-wide re-run key.
std::string ProtocolKey(const study::Protocol& protocol) {
  std::string key = "protocol_levels=";
  for (const auto& [side, segment] : protocol.required) {
    key += std::string(LateralityCode(side)) + "," + std::string(Info(segment).name) + "|";
  }
  return key + ";";
}

// What the manifest says about these files, as text for one study's re-run key: a row edited in
// place re-analyses its study only.
std::string ManifestKey(const study::Manifest* manifest, const std::vector<std::string>& files) {
  std::string key = "manifest_rows=";
  for (const std::string& file : files) {
    const study::ManifestEntry* row = study::FindManifestEntry(manifest, file);
    if (row == nullptr) continue;
    key += file + "," + std::string(LateralityCode(row->laterality)) + "," +
           std::string(Info(row->segment).name) + "," +
           (row->antegrade ? std::string(AntegradeDirectionName(*row->antegrade)) : "") + "|";
  }
  return key + ";";
}

Result<RunConfig> LoadRunConfig(const AnalyzeOptions& options) {
  RunConfig config;
  if (options.manifest) {
    auto manifest = study::LoadManifest(*options.manifest);
    if (!manifest) return OptionFileError("--manifest", manifest.error());
    config.manifest = std::move(*manifest);
  }
  config.criteria = reflux::DefaultCriteria();
  if (options.criteria) {
    auto criteria = reflux::LoadCriteria(*options.criteria);
    if (!criteria) return OptionFileError("--criteria", criteria.error());
    config.criteria = std::move(*criteria);
  }
  config.protocol = study::DefaultProtocol();
  if (options.protocol) {
    auto protocol = study::LoadProtocol(*options.protocol);
    if (!protocol) return OptionFileError("--protocol", protocol.error());
    config.protocol = std::move(*protocol);
  }
  auto& p = config.provenance;
  p.emplace_back("manifest", options.manifest.value_or(""));
  p.emplace_back("criteria", config.criteria.name);
  // The file too: an edited copy that keeps the default's name is not the default.
  p.emplace_back("criteria_file", options.criteria.value_or(""));
  for (const reflux::Criterion& c : config.criteria.by_class) {
    char threshold[32];
    std::snprintf(threshold, sizeof threshold, "%s%g", c.inclusive ? ">=" : ">", c.threshold_ms);
    p.emplace_back("threshold_ms." + std::string(VeinClassName(c.vein_class)), threshold);
  }
  p.emplace_back("protocol", config.protocol.name);
  p.emplace_back("protocol_file", options.protocol.value_or(""));
  p.emplace_back("source", options.source == SignalSource::kAuto ? "auto" : "display");
  p.emplace_back("burned_labels", options.read_burned_labels ? "ocr" : "off");
  p.emplace_back("antegrade", options.antegrade
                                  ? std::string(AntegradeDirectionName(*options.antegrade))
                                  : "inferred");
  // The re-run check's key: the options, what the protocol file says (edited in place, it keeps
  // its name; the manifest's rows join each study's own key), every criterion's citation
  // (printed in the reports), and the program's code (a new build may measure or write
  // differently).
  for (const auto& [key, value] : p) config.settings_key += key + "=" + value + ";";
  config.settings_key += ProtocolKey(config.protocol);
  for (const reflux::Criterion& c : config.criteria.by_class) {
    config.settings_key += "source=" + c.source + ";";
  }
  config.settings_key += "program=" + ProgramIdentity();
  return config;
}

// One study's work: its files, and its results as they arrive.
struct StudyWork {
  std::string uid, folder;
  std::vector<std::string> files;
  std::vector<std::string> sop_uids;      // per file, from its header ("" when unreadable)
  std::vector<std::string> duplicate_of;  // per file: the file it is a copy of, or ""
  std::vector<ClipOutcome> outcomes;
  size_t remaining = 0;
  bool skip = false;
  std::string fingerprint;
};

struct HeaderInfo {
  bool is_dicom = false, readable = false;
  std::string study_uid, study_date, patient_id, sop_uid;
  uintmax_t size_bytes = 0;
};

constexpr size_t kListedPerWarning = 10;   // files named per kind of warning, then a count
constexpr size_t kLongWarningChars = 600;  // a path and the system's reason both fit

// The deepest folder holding every one of `files` (their common parent, absolute: one folder
// typed two ways, or the current folder, is still named), "" for none.
std::string CommonFolder(const std::vector<std::string>& files) {
  if (files.empty()) return "";
  const auto folder_of = [](const std::string& file) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(fs::path(file), ec);
    return (ec ? fs::path(file) : absolute).lexically_normal().parent_path();
  };
  fs::path common = folder_of(files.front());
  for (const std::string& f : files) {
    const fs::path parent = folder_of(f);
    while (!common.empty()) {
      const auto [a, b] = std::mismatch(common.begin(), common.end(), parent.begin(), parent.end());
      if (a == common.end()) break;  // `common` is a prefix of `parent`
      const fs::path up = common.parent_path();
      if (up == common) {  // the root, and still no prefix: nothing in common
        common.clear();
        break;
      }
      common = up;
    }
  }
  return common.string();
}

// Its own name: the output folder may be the input folder, where a user's "index.csv" may be.
constexpr const char* kIndexFileName = "refluxscan-index.csv";

// OUTDIR/refluxscan-index.csv: one row per study of the run (written, reused or failed), so a
// batch's output folders (named from the study date and UID) can be found from the input folders
// and compared in a spreadsheet without opening each report (tester, stop 35). Written atomically.
Result<void> WriteIndex(const std::string& output_dir, const std::vector<StudyRow>& rows) {
  std::string csv =
      "study_folder,input_folder,clips_ok,clips_failed,clips_skipped,segments,segments_reflux,"
      "segments_indeterminate,report\n";
  for (const StudyRow& r : rows) {
    const char* report = r.report_failed       ? "not_written_in_full"
                         : r.skipped_unchanged ? "unchanged"
                                               : "written";
    csv += EscapeCsvField(r.folder) + "," + EscapeCsvField(r.input_folder) + "," +
           std::to_string(r.clips_ok) + "," + std::to_string(r.clips_failed) + "," +
           std::to_string(r.clips_skipped) + "," + std::to_string(r.segments_total) + "," +
           std::to_string(r.segments_reflux) + "," + std::to_string(r.segments_indeterminate) +
           "," + report + "\n";
  }
  return WriteFileAtomic((fs::path(output_dir) / kIndexFileName).string(), csv);
}

bool NamedLikeDicom(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".dcm" || ext == ".dicom" || ext == ".dic";
}

HeaderInfo ReadHeader(const std::string& path) {
  HeaderInfo info;
  if (!dicom::LooksLikeDicom(path)) return info;
  info.is_dicom = true;
  auto image = dicom::ReadUltrasound(path, {.frames = dicom::FrameSelection::kNone});
  if (image) {
    info.readable = true;
    info.study_uid = image->tags.study_instance_uid;
    info.study_date = image->tags.study_date;
    info.patient_id = image->tags.patient_id;
    info.sop_uid = image->tags.sop_instance_uid;
    std::error_code ec;
    info.size_bytes = fs::file_size(path, ec);
  }
  return info;
}

// Whether two files hold the same bytes (read in blocks; called only for files that already
// share a SOP Instance UID and a size).
bool SameBytes(const std::string& a, const std::string& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  if (!fa || !fb) return false;
  std::array<char, 1 << 16> ba{}, bb{};
  while (fa && fb) {
    fa.read(ba.data(), ba.size());
    fb.read(bb.data(), bb.size());
    if (fa.gcount() != fb.gcount() ||
        !std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin())) {
      return false;
    }
  }
  return fa.eof() && fb.eof();
}

// Per file: the earlier input file it is a byte-identical copy of (same SOP Instance UID, same
// size, same bytes), or "". A damaged or re-encoded file with another's UID is analysed on its
// own. Counts the copies in `copies`.
// Also warns about files that share a SOP Instance UID without being copies: one image
// instance in two versions (an edited label, a re-export). Both are analysed (either may be the
// good one), but their maneuvers then count twice in the segment, so the user must hear of it.
std::vector<std::string> CopiesOf(const std::vector<std::string>& files,
                                  const std::vector<HeaderInfo>& headers, int& copies,
                                  std::vector<std::string>& warnings) {
  std::vector<std::string> copy_of(files.size());
  std::map<std::pair<std::string, uintmax_t>, std::vector<size_t>> seen;  // (SOP, size) -> files
  std::map<std::string, size_t> first_of_uid;
  copies = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const HeaderInfo& h = headers[i];
    if (!h.readable || h.sop_uid.empty()) continue;
    std::vector<size_t>& same_key = seen[{h.sop_uid, h.size_bytes}];
    for (size_t earlier : same_key) {
      if (copy_of[earlier].empty() && SameBytes(files[earlier], files[i])) {
        copy_of[i] = files[earlier];
        ++copies;
        break;
      }
    }
    same_key.push_back(i);
    const auto [first, inserted] = first_of_uid.emplace(h.sop_uid, i);
    if (!inserted && copy_of[i].empty()) {
      warnings.push_back(SanitizeForLog(files[i]) + " has the SOP Instance UID of " +
                         SanitizeForLog(files[first->second]) +
                         " but other content: both are analysed (one image in two versions "
                         "counts its maneuvers twice in its segment)");
    }
  }
  return copy_of;
}

// Groups DICOM files by StudyInstanceUID and PatientID into uniquely named output folders. One
// UID naming several patients (a bad export, a UID-less anonymizer, files without a UID) is split
// by patient, each report holding one patient's clips, with a warning: merged, one patient's
// findings were reported under another's ID. The split folders are suffixed _p1, _p2, ... in the
// order of each patient's first file: an ordinal, nothing derived from the ID (a short hash of a
// numeric ID is reversed by trying them all). Files whose header cannot be read are no patient.
std::vector<StudyWork> GroupStudies(const std::vector<std::string>& files,
                                    const std::vector<HeaderInfo>& headers,
                                    std::vector<std::string>& warnings) {
  int copies = 0;
  const std::vector<std::string> copy_of = CopiesOf(files, headers, copies, warnings);
  std::map<std::pair<std::string, std::string>, StudyWork> by_key;  // (uid, patient id)
  std::map<std::string, std::vector<std::string>> patients_of_uid;  // in first-file order
  for (size_t i = 0; i < files.size(); ++i) {
    const HeaderInfo& h = headers[i];
    if (!h.is_dicom) continue;
    auto& patients = patients_of_uid[h.study_uid];
    if (h.readable && std::find(patients.begin(), patients.end(), h.patient_id) == patients.end()) {
      patients.push_back(h.patient_id);
    }
    StudyWork& work = by_key[{h.study_uid, h.readable ? h.patient_id : std::string()}];
    if (work.files.empty()) {
      work.uid = h.study_uid;
      work.folder = StudyFolderName(h.study_uid, h.study_date);
    }
    work.files.push_back(files[i]);
    work.sop_uids.push_back(h.sop_uid);
    work.duplicate_of.push_back(copy_of[i]);
  }
  if (copies > 0) {
    warnings.push_back(std::to_string(copies) +
                       " file(s) are byte-identical copies of another input file (same SOP "
                       "Instance UID): listed as skipped, the image analysed once");
  }
  std::vector<StudyWork> studies;
  std::set<std::string> used;
  for (auto& [key, work] : by_key) {
    const std::vector<std::string>& patients = patients_of_uid[key.first];
    const auto ordinal = std::find(patients.begin(), patients.end(), key.second);
    const bool split = patients.size() > 1 && ordinal != patients.end();
    if (split) work.folder += "_p" + std::to_string(ordinal - patients.begin() + 1);
    const std::string base = work.folder;
    for (int n = 2; !used.insert(work.folder).second; ++n)
      work.folder = base + "_" + std::to_string(n);
    if (split) {
      warnings.push_back("study " + work.folder + ": its StudyInstanceUID" +
                         (key.first.empty() ? " (none)" : "") + " is shared by " +
                         std::to_string(patients.size()) +
                         " patients; their files are reported separately, by PatientID");
    }
    studies.push_back(std::move(work));
  }
  return studies;
}

// A second copy of an image (same SOP Instance UID): listed, skipped, not analysed again (it
// would count the same maneuvers twice in its segment).
ClipOutcome DuplicateClip(const std::string& path, const std::string& sop_uid,
                          const std::string& first) {
  ClipOutcome out;
  out.result.file = path;
  out.result.sop_instance_uid = sop_uid;
  out.result.status = ClipStatus::kSkipped;
  out.result.error =
      Error{ErrorCode::kInvalidInput, "same SOP Instance UID as " + SanitizeForLog(first, 300) +
                                          ": the same image, analysed once"};
  out.result.finding = reflux::Indeterminate(reflux::kReasonError);
  out.result.quality.emplace_back("duplicate");
  return out;
}

StudyReport BuildReport(StudyWork& work, const RunConfig& config) {
  StudyReport report;
  report.tool_version = REFLUXSCAN_VERSION;
  report.options = config.provenance;
  report.output_folder = work.folder;
  for (ClipOutcome& outcome : work.outcomes) {
    if (report.study.study_instance_uid.empty()) report.study = outcome.study;
    report.clips.push_back(std::move(outcome.result));
  }
  study::Aggregate(report, config.protocol);
  return report;
}

// The failed clips of `report` for the terminal, up to kMaxListedFailures in all: which file, and
// why (the reports hold the same per clip).
void ListFailures(const StudyReport& report, std::vector<std::string>& out) {
  for (const ClipResult& clip : report.clips) {
    if (clip.status != ClipStatus::kError || out.size() >= kMaxListedFailures) continue;
    const std::string why =
        clip.error ? std::string(ErrorCodeName(clip.error->code)) + ": " + clip.error->message
                   : "failed";
    out.push_back(SanitizeForLog(clip.file + ": " + why, kLongWarningChars));
  }
}

StudyRow SummarizeStudy(const StudyWork& work, const StudyReport& report) {
  StudyRow row{.folder = work.folder, .input_folder = CommonFolder(work.files)};
  for (const ClipResult& clip : report.clips) {
    (clip.status == ClipStatus::kOk        ? row.clips_ok
     : clip.status == ClipStatus::kSkipped ? row.clips_skipped
                                           : row.clips_failed)++;
  }
  row.segments_total = static_cast<int>(report.segments.size());
  for (const SegmentFinding& s : report.segments) {
    if (s.finding.classification == Classification::kReflux) row.segments_reflux++;
    if (s.finding.classification == Classification::kIndeterminate) row.segments_indeterminate++;
  }
  return row;
}

void AddTimes(StageTimes& total, const StageTimes& t) {
  total.read_decode_s += t.read_decode_s;
  total.strip_s += t.strip_s;
  total.envelope_s += t.envelope_s;
  total.reflux_s += t.reflux_s;
  total.report_s += t.report_s;
  total.ocr_s += t.ocr_s;
}

std::string EncodeRow(const StudyRow& r) {
  return std::to_string(r.clips_ok) + " " + std::to_string(r.clips_failed) + " " +
         std::to_string(r.segments_total) + " " + std::to_string(r.segments_reflux) + " " +
         std::to_string(r.segments_indeterminate) + " " + std::to_string(r.clips_skipped);
}

StudyRow DecodeRow(const std::string& folder, const std::string& input_folder,
                   const std::string& line) {
  StudyRow r{.folder = folder, .input_folder = input_folder, .skipped_unchanged = true};
  std::sscanf(line.c_str(), "%d %d %d %d %d %d", &r.clips_ok, &r.clips_failed, &r.segments_total,
              &r.segments_reflux, &r.segments_indeterminate, &r.clips_skipped);
  return r;
}

// Runs every file of every study on a shared pool; a study's reports are written by whichever
// worker finishes its last file, and its results are released right after.
class Runner {
 public:
  Runner(const AnalyzeOptions& options, const RunConfig& config, const ProgressFn& progress,
         size_t total_files)
      : options_(options), config_(config), progress_(progress), total_(total_files) {
    formats_ = {options.write_json, options.write_csv, options.write_html};
    context_ = {.manifest = config.manifest ? &*config.manifest : nullptr,
                .criteria = &config.criteria,
                .source = options.source,
                .antegrade = options.antegrade,
                .decode_only = options.decode_only,
                .decode_all_frames = options.decode_only && options.decode_all_frames,
                .keep_evidence = options.write_html,
                .read_burned_labels = options.read_burned_labels};
  }

  void Run(std::vector<StudyWork> studies, AnalyzeSummary& summary) {
    studies_ = std::move(studies);
    summary_ = &summary;
    for (size_t s = 0; s < studies_.size(); ++s) PlanStudy(s);
    ParallelFor(items_.size(), ResolveJobs(options_.jobs, items_.size()),
                [this](size_t i) { ProcessItem(i); });
  }

 private:
  void PlanStudy(size_t s) {
    StudyWork& work = studies_[s];
    work.fingerprint = InputFingerprint(
        work.files, config_.settings_key + ManifestKey(context_.manifest, work.files));
    const std::string folder = (fs::path(options_.output_dir) / work.folder).string();
    if (!options_.force && !options_.decode_only) {
      if (auto line = ReportsUpToDate(folder, work.fingerprint, ReportFileNames(formats_))) {
        summary_->studies.push_back(DecodeRow(work.folder, CommonFolder(work.files), *line));
        Progress(work.files.size());
        return;
      }
    }
    work.outcomes.resize(work.files.size());
    work.remaining = work.files.size();
    for (size_t f = 0; f < work.files.size(); ++f) items_.emplace_back(s, f);
  }

  void ProcessItem(size_t i) {
    const auto [s, f] = items_[i];
    StudyWork& work = studies_[s];
    ClipOutcome outcome =
        work.duplicate_of[f].empty()
            ? AnalyzeClip(work.files[f], context_)
            : DuplicateClip(work.files[f], work.sop_uids[f], work.duplicate_of[f]);
    bool last = false;
    {
      std::lock_guard lock(mutex_);
      AddTimes(summary_->stage_times, outcome.times);
      work.outcomes[f] = std::move(outcome);
      last = --work.remaining == 0;
    }
    if (last) FinishStudy(work);
    Progress(1);
  }

  void FinishStudy(StudyWork& work) {
    const auto start = std::chrono::steady_clock::now();
    StudyReport report = BuildReport(work, config_);
    StudyRow row = SummarizeStudy(work, report);
    std::string warning;
    if (!options_.decode_only) {
      const std::string folder = (fs::path(options_.output_dir) / work.folder).string();
      auto written = WriteStudyReports(folder, report, formats_, work.fingerprint, EncodeRow(row));
      if (!written) {
        row.report_failed = true;
        warning = SanitizeForLog(
            "study " + work.folder + ": report not written: " + written.error().message,
            kLongWarningChars);
      }
    }
    std::vector<ClipOutcome>().swap(work.outcomes);  // release images and envelopes now
    const double report_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(mutex_);
    summary_->stage_times.report_s += report_s;
    summary_->ok += row.clips_ok;
    summary_->failed += row.clips_failed;
    summary_->skipped += row.clips_skipped;
    if (!warning.empty()) summary_->warnings.push_back(warning);
    summary_->reports_failed += row.report_failed ? 1 : 0;
    ListFailures(report, summary_->failures);
    summary_->studies.push_back(std::move(row));
  }

  void Progress(size_t files) {
    std::lock_guard lock(progress_mutex_);
    done_ += files;
    if (progress_) progress_(done_, total_);
  }

  const AnalyzeOptions& options_;
  const RunConfig& config_;
  const ProgressFn& progress_;
  const size_t total_;
  ReportFormats formats_;
  ClipContext context_;
  std::vector<StudyWork> studies_;
  std::vector<std::pair<size_t, size_t>> items_;
  AnalyzeSummary* summary_ = nullptr;
  std::mutex mutex_, progress_mutex_;
  size_t done_ = 0;
};

std::vector<HeaderInfo> ReadHeaders(const std::vector<std::string>& files, int jobs) {
  std::vector<HeaderInfo> headers(files.size());
  ParallelFor(files.size(), ResolveJobs(jobs, files.size()),
              [&](size_t i) { headers[i] = ReadHeader(files[i]); });
  return headers;
}

// An output folder inside an input folder: its own reports are not inputs (re-runs counted them
// as non-DICOM files found). Only when it lies strictly inside every input folder it is under:
// an output folder that is an input folder or holds one (`analyze dicoms -o .`) excludes nothing.
void ExcludeOutputFolder(const std::vector<std::string>& inputs, const std::string& output_dir,
                         std::vector<std::string>& files) {
  auto normalized = [](const std::string& p) {
    std::error_code ec;
    std::string n = fs::absolute(p, ec).lexically_normal().string();
    while (n.size() > 1 && n.back() == '/') n.pop_back();
    return ec ? std::string() : n;
  };
  const std::string out = normalized(output_dir);
  if (out.empty()) return;
  for (const std::string& input : inputs) {
    const std::string in = normalized(input);
    if (in == out || in.starts_with(out + "/")) return;  // the output holds an input
  }
  const std::string prefix = out == "/" ? out : out + "/";
  std::erase_if(files, [&](const std::string& f) { return normalized(f).starts_with(prefix); });
}

}  // namespace

std::string DefaultCriteriaJson() { return reflux::DefaultCriteriaJson(); }

Result<AnalyzeSummary> Analyze(const AnalyzeOptions& options, const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  auto config = LoadRunConfig(options);
  if (!config) return std::unexpected(config.error());
  AnalyzeSummary summary;
  study::DiscoveredInputs inputs = study::DiscoverInputs(options.inputs);
  ExcludeOutputFolder(options.inputs, options.output_dir, inputs.files);
  for (const std::string& w : inputs.warnings) summary.warnings.push_back(SanitizeForLog(w));
  for (const std::string& w : config->criteria.warnings) {
    summary.warnings.push_back(SanitizeForLog(w, 400));
  }
  if (config->manifest) {  // rows the manifest could not use: the user must hear of them
    for (const std::string& w : config->manifest->warnings) {
      summary.warnings.push_back(SanitizeForLog(w));
    }
    const std::vector<std::string> unmatched =
        study::UnmatchedManifestRows(*config->manifest, inputs.files);
    for (size_t i = 0; i < std::min(unmatched.size(), kListedPerWarning); ++i) {
      summary.warnings.push_back("manifest row " + SanitizeForLog(unmatched[i]) +
                                 " names no input file (its path is relative to the manifest's "
                                 "folder), so it assigns nothing");
    }
    if (unmatched.size() > kListedPerWarning) {  // a site-wide manifest run on one study
      summary.warnings.push_back(std::to_string(unmatched.size() - kListedPerWarning) +
                                 " more manifest rows name no input file");
    }
  }
  summary.files_found = static_cast<int>(inputs.files.size());
  const std::vector<HeaderInfo> headers = ReadHeaders(inputs.files, options.jobs);
  size_t not_dicom_named_dcm = 0;
  for (size_t i = 0; i < headers.size(); ++i) {
    (headers[i].is_dicom ? summary.dicom : summary.non_dicom)++;
    // Other files beside a study are counted quietly; one named like a DICOM file is a file the
    // user expects analysed (an empty or foreign file saved as .dcm): name it.
    if (!headers[i].is_dicom && NamedLikeDicom(inputs.files[i]) &&
        ++not_dicom_named_dcm <= kListedPerWarning) {
      summary.warnings.push_back(SanitizeForLog(inputs.files[i]) + ": not a DICOM file, skipped");
    }
  }
  if (not_dicom_named_dcm > kListedPerWarning) {
    summary.warnings.push_back(std::to_string(not_dicom_named_dcm - kListedPerWarning) +
                               " more files named .dcm are not DICOM files, skipped");
  }
  if (summary.dicom == 0) {
    // The discovery warnings say why (a path that does not exist, an unreadable folder).
    std::string why;
    for (const std::string& w : summary.warnings) why += "; " + w;
    return Fail(ErrorCode::kNotFound,
                "no DICOM files found in the given paths (" + std::to_string(summary.files_found) +
                    (summary.files_found == 1 ? " file" : " files") + " seen)" + why);
  }
  // Created once there is something to write: a usage error leaves no empty output folder.
  std::error_code ec;
  fs::create_directories(options.output_dir, ec);
  if (ec) {
    return Fail(ErrorCode::kIo, "cannot create output folder " +
                                    SanitizeForLog(options.output_dir, 300) + ": " + ec.message());
  }

  Runner runner(options, *config, progress, static_cast<size_t>(summary.dicom));
  runner.Run(GroupStudies(inputs.files, headers, summary.warnings), summary);
  std::sort(summary.studies.begin(), summary.studies.end(),
            [](const StudyRow& a, const StudyRow& b) { return a.folder < b.folder; });
  if (!options.decode_only) {
    if (auto written = WriteIndex(options.output_dir, summary.studies); !written) {
      summary.warnings.push_back(
          SanitizeForLog(std::string(kIndexFileName) + " not written: " + written.error().message,
                         kLongWarningChars));
    }
  }
  for (const StudyRow& row : summary.studies) {
    if (row.skipped_unchanged) {
      summary.ok += row.clips_ok;
      summary.failed += row.clips_failed;
      summary.skipped += row.clips_skipped;
      summary.reused += row.clips_ok + row.clips_failed + row.clips_skipped;
    }
  }
  // A study whose report could not be written is lost work: partial, or failure when no study's
  // report was written.
  const bool none_written = summary.reports_failed > 0 &&
                            summary.reports_failed == static_cast<int>(summary.studies.size());
  summary.exit_code = none_written ? ExitCode::kFailure
                      : summary.failed > 0 || inputs.missing_paths > 0 || summary.reports_failed > 0
                          ? ExitCode::kPartial
                          : ExitCode::kOk;
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace refluxscan::pipeline
