#include "progress.h"

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <string>

namespace refluxscan::cli {

Progress::Progress(bool quiet, bool is_terminal)
    : quiet_(quiet), terminal_(is_terminal), start_(std::chrono::steady_clock::now()) {}

void Progress::Update(size_t done, size_t total) {
  if (quiet_ || total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed_s = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  const double eta_s = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  if (terminal_) {
    if (done != total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total);
    std::fprintf(stderr, "\r[%s%s] %zu/%zu files  %.1f files/s  ETA %.0f s   ",
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), '.').c_str(), done, total, rate,
                 eta_s);
    drawn_ = true;
    return;
  }
  const int decile = static_cast<int>(10 * done / total);
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::fprintf(stderr, "refluxscan: %zu/%zu files (%.1f files/s, ETA %.0f s)\n", done, total, rate,
               eta_s);
}

void Progress::Finish() {
  if (drawn_) std::fprintf(stderr, "\n");
}

void PrintSummary(const pipeline::AnalyzeSummary& s, const std::string& output_dir,
                  const std::string& formats, std::ostream& out) {
  // `skipped`: DICOM files that are no spectral clip (B-mode, colour): a study of only those has
  // nothing to report, which the row must say (tester, stop 35: rows of zeros read as a fault).
  out << "study                         clips_ok  failed  skipped  segments  reflux  "
         "indeterminate\n";
  for (const pipeline::StudyRow& row : s.studies) {
    out << std::left << std::setw(29) << row.folder << std::right << std::setw(10) << row.clips_ok
        << std::setw(8) << row.clips_failed << std::setw(9) << row.clips_skipped << std::setw(10)
        << row.segments_total << std::setw(8) << row.segments_reflux << std::setw(15)
        << row.segments_indeterminate << (row.skipped_unchanged ? "  (unchanged, skipped)" : "")
        << (row.report_failed ? "  (report NOT written in full: see the warning)" : "") << "\n";
  }
  out << "files: " << s.files_found << " found, " << s.dicom << " DICOM, " << s.non_dicom
      << " not DICOM (skipped); clips: " << s.ok << " analyzed, " << s.failed << " failed, "
      << s.skipped << " skipped (not spectral or a copy)"
      << (s.reused > 0 ? "; " + std::to_string(s.reused) + " of them reused (unchanged studies)"
                       : std::string())
      << "; " << std::fixed << std::setprecision(1) << s.wall_s << " s\n";
  const pipeline::StageTimes& t = s.stage_times;
  out << std::setprecision(2) << "stage time, s summed over workers: read+decode "
      << t.read_decode_s << ", strip " << t.strip_s << ", envelope " << t.envelope_s << ", reflux "
      << t.reflux_s << ", reports " << t.report_s;
  if (t.ocr_s > 0) out << ", burned-in labels (OCR) " << t.ocr_s;
  out << "\n";
  if (formats.empty()) {
    out << "reports: none written (--decode-only)\n";
    return;
  }
  out << "reports: " << output_dir << "/<study>/report.{" << formats << "}, one row per study in "
      << output_dir << "/refluxscan-index.csv";
  if (s.reports_failed > 0) {
    out << "; " << s.reports_failed << " of " << s.studies.size()
        << " studies' reports could NOT be written (see the warnings)";
  }
  out << "\n";
}

void PrintWarnings(const pipeline::AnalyzeSummary& s, std::ostream& err) {
  for (const std::string& w : s.warnings) err << "refluxscan: warning: " << w << "\n";
  for (const std::string& f : s.failures) err << "refluxscan: failed: " << f << "\n";
  const size_t listed = s.failures.size();
  if (listed == pipeline::kMaxListedFailures && static_cast<size_t>(s.failed) > listed) {
    err << "refluxscan: failed: " << static_cast<size_t>(s.failed) - listed
        << " more (each report lists its clips' errors)\n";
  }
}

}  // namespace refluxscan::cli
