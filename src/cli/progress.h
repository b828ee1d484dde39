#pragma once
// Terminal presentation for `analyze`: a progress bar (stderr) and the summary table (stdout).
#include <chrono>
#include <ostream>
#include <string>

#include "refluxscan/pipeline/analyze.h"

namespace refluxscan::cli {

// A bar redrawn in place on a terminal; plain lines (every 10%) when stderr is a file or pipe.
class Progress {
 public:
  Progress(bool quiet, bool is_terminal);
  void Update(size_t done, size_t total);
  void Finish();

 private:
  bool quiet_, terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  int last_decile_ = -1;
  bool drawn_ = false;
};

// The summary table and totals; the reports line names the formats written (`formats`, e.g.
// "json,html").
void PrintSummary(const pipeline::AnalyzeSummary& summary, const std::string& output_dir,
                  const std::string& formats, std::ostream& out);
// The run's warnings (missing paths, manifest rows skipped, reports not written) and the clips
// that failed (file and why, up to kMaxListedFailures), one line each, for stderr: they are
// diagnostics, not results, and must not mix into a piped summary.
void PrintWarnings(const pipeline::AnalyzeSummary& summary, std::ostream& err);

}  // namespace refluxscan::cli
