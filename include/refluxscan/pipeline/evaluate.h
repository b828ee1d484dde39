#pragma once
// Accuracy against the generator's ground truth (truth.json, see docs/synth.md).
#include <string>
#include <vector>

#include "refluxscan/core/error.h"

namespace refluxscan::pipeline {

struct EvaluationOutput {
  std::string table;  // the printed tables
  bool targets_met = false;
};

// Compares report.json files (given directly or found under folders) with truth.json:
// reflux duration, peak velocity, classification, segment and laterality identification.
Result<EvaluationOutput> EvaluateReports(const std::string& truth_path,
                                         const std::vector<std::string>& report_paths);

// Runs the display path (and the signal path where .iq files exist) on every file of the truth
// set and compares the max-velocity envelopes column by column.
Result<EvaluationOutput> EvaluateEnvelopes(const std::string& truth_path, int jobs);

}  // namespace refluxscan::pipeline
