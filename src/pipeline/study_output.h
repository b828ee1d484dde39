#pragma once
// Where and how a study's reports are written (private to the pipeline).
#include <optional>
#include <string>
#include <vector>

#include "refluxscan/core/error.h"
#include "refluxscan/core/study_report.h"

namespace refluxscan::pipeline {

// A safe, unique-per-UID folder name: "<StudyDate digits>_<hash of the UID>", never DICOM text
// used raw. Unreadable files (no UID) go to "unidentified".
std::string StudyFolderName(const std::string& study_instance_uid, const std::string& study_date);

// Identifies the inputs and settings of a study run: paths, sizes, modification times, options.
std::string InputFingerprint(const std::vector<std::string>& files, const std::string& settings);

// Identity of the running program's code: a hash of its executable (/proc/self/exe), so that a
// re-run with changed code (other measurements, another report format) re-analyzes instead of
// keeping reports the new code would not write; REFLUXSCAN_VERSION where that file is unreadable.
std::string ProgramIdentity();

// When `folder` holds reports made from exactly this fingerprint: the summary line stored with
// them (see WriteStudyReports); nullopt otherwise.
std::optional<std::string> ReportsUpToDate(const std::string& folder,
                                           const std::string& fingerprint,
                                           const std::vector<std::string>& report_files);

struct ReportFormats {
  bool json = true, csv = true, html = true;
};
std::vector<std::string> ReportFileNames(const ReportFormats& formats);

// Writes the requested reports atomically, then the fingerprint with a one-line summary (last,
// so a killed run is re-done on the next invocation).
Result<void> WriteStudyReports(const std::string& folder, const StudyReport& report,
                               const ReportFormats& formats, const std::string& fingerprint,
                               const std::string& summary_line);

}  // namespace refluxscan::pipeline
