#pragma once
// `refluxscan analyze`: study folders in, per-study reports out. Composes every stage.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "refluxscan/core/error.h"
#include "refluxscan/core/exit_codes.h"
#include "refluxscan/core/measurement.h"
#include "refluxscan/core/study_report.h"

namespace refluxscan::pipeline {

enum class SignalSource {
  kDisplay,  // analyze the spectral strip rendered in the DICOM image (default)
  kAuto,     // use a raw signal (.iq / .wav beside the DICOM, same base name) when present
};

struct AnalyzeOptions {
  std::vector<std::string> inputs;      // files, folders (recursive) or DICOMDIR
  std::string output_dir;               // one sub-folder per study is written inside
  std::optional<std::string> manifest;  // CSV file,laterality,segment
  std::optional<std::string> criteria;  // JSON thresholds (default: DOMAIN.md table)
  std::optional<std::string> protocol;  // JSON required levels
  int jobs = 0;                         // worker threads; 0 = all cores
  bool write_json = true, write_csv = true, write_html = true;
  bool force = false;        // re-analyze studies whose inputs are unchanged
  bool decode_only = false;  // benchmark floor: read + decode, nothing else
  // With decode_only: decode every frame of a multi-frame clip (the issue's floor: "reading and
  // decoding every frame"), not only the analysed one (the stricter floor `make bench` also shows).
  bool decode_all_frames = false;
  SignalSource source = SignalSource::kDisplay;
  // Which display side is antegrade for every clip (a manifest row's `antegrade` wins); nullopt:
  // inferred per clip from the augmentation.
  std::optional<AntegradeDirection> antegrade;
  // A clip whose manifest row, tags and file name name no segment is read for a label burned into
  // its image (OCR); false: such clips stay unknown (docs/segments.md, "Burned-in labels").
  bool read_burned_labels = true;
};

struct StudyRow {
  std::string folder;        // safe name under output_dir
  std::string input_folder;  // the folder holding the study's files (their common parent)
  int clips_ok = 0, clips_failed = 0;
  int clips_skipped = 0;  // DICOM files that are no spectral Doppler clip (B-mode, colour images)
  int segments_total = 0, segments_reflux = 0, segments_indeterminate = 0;
  bool skipped_unchanged = false;
  bool report_failed = false;  // its report files could not be written (a warning says why)
};

// Wall time spent per stage, summed over files (seconds), from internal timers.
struct StageTimes {
  double read_decode_s = 0, strip_s = 0, envelope_s = 0, reflux_s = 0, report_s = 0;
  double ocr_s = 0;  // burned-in labels read (clips no manifest row, tag or file name named)
};

struct AnalyzeSummary {
  int files_found = 0, non_dicom = 0, dicom = 0, ok = 0, failed = 0;
  int skipped = 0;  // DICOM files without a spectral Doppler region: in the reports, not failures
  int reports_failed = 0;  // studies whose report files could not be written
  int reused =
      0;  // of ok + failed + skipped: clips of unchanged studies, reports kept (not re-analyzed)
  std::vector<StudyRow> studies;
  StageTimes stage_times;
  double wall_s = 0;
  std::vector<std::string> warnings;  // sanitized
  // The clips that failed in this run ("file: code: message", sanitized), up to
  // kMaxListedFailures; `failed` counts them all (reused studies' failures are in their reports).
  std::vector<std::string> failures;
  ExitCode exit_code = ExitCode::kOk;
};
inline constexpr size_t kMaxListedFailures = 20;

// Progress: files done so far, total files, called from worker threads (serialize inside).
using ProgressFn = std::function<void(size_t done, size_t total)>;

// Errors only for what stops the whole run (unreadable manifest/criteria/protocol, output folder
// not creatable). Per-file failures travel in the reports and in the summary's exit code.
Result<AnalyzeSummary> Analyze(const AnalyzeOptions& options, const ProgressFn& progress = {});

// The default criteria as an editable JSON file (`refluxscan criteria > my.json`).
std::string DefaultCriteriaJson();

}  // namespace refluxscan::pipeline
