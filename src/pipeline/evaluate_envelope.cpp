// `refluxscan evaluate-envelope`: max-velocity envelopes against the generator's truth, column
// by column, for the display path and (where a .iq file exists) the signal path.
#include <exception>
#include <filesystem>
#include <map>
#include <sstream>

#include "parallel.h"
#include "refluxscan/dicom/read.h"
#include "refluxscan/pipeline/evaluate.h"
#include "refluxscan/spectral/envelope.h"
#include "refluxscan/spectral/signal.h"
#include "refluxscan/spectral/strip.h"
#include "stats.h"
#include "truth.h"

namespace refluxscan::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Flow below this many rows is too close to the baseline/wall filter to define an edge.
constexpr double kMinTruthRows = 3.0;

struct EnvelopeErrors {
  std::vector<double> error_cm_s, error_pct, error_rows;
  double truth_sum = 0, error_sum = 0;
  long columns = 0, flagged = 0, failed_files = 0;
  std::vector<double> signal_error_pct;

  void Merge(const EnvelopeErrors& o) {
    error_cm_s.insert(error_cm_s.end(), o.error_cm_s.begin(), o.error_cm_s.end());
    error_pct.insert(error_pct.end(), o.error_pct.begin(), o.error_pct.end());
    error_rows.insert(error_rows.end(), o.error_rows.begin(), o.error_rows.end());
    signal_error_pct.insert(signal_error_pct.end(), o.signal_error_pct.begin(),
                            o.signal_error_pct.end());
    truth_sum += o.truth_sum;
    error_sum += o.error_sum;
    columns += o.columns;
    flagged += o.flagged;
    failed_files += o.failed_files;
  }
};

std::vector<double> Doubles(const json& j, const char* key) {
  std::vector<double> out;
  if (auto it = j.find(key); it != j.end() && it->is_array()) {
    for (const auto& v : *it) out.push_back(v.is_number() ? v.get<double>() : 0.0);
  }
  return out;
}

void CompareSide(double truth, float measured, double cm_s_per_row, EnvelopeErrors& e) {
  if (truth < kMinTruthRows * cm_s_per_row || !std::isfinite(measured)) return;
  const double error = measured - truth;
  e.error_cm_s.push_back(error);
  e.error_pct.push_back(100.0 * error / truth);
  e.error_rows.push_back(error / cm_s_per_row);
  e.truth_sum += truth;
  e.error_sum += error;
}

// Columns are matched by time: the truth's column k is at k x seconds_per_column; the envelope's
// column j at its own TimeOf(j) (a region with a margin starts before the strip).
void CompareDisplay(const json& entry, const Envelope& env, EnvelopeErrors& e) {
  const json& truth_env = MemberOr(entry, "envelope");
  const auto forward = Doubles(truth_env, "max_forward_cm_s");
  const auto reverse = Doubles(truth_env, "max_reverse_cm_s");
  const auto valid = Doubles(truth_env, "valid");
  const double cm_s_per_row = NumberOr(MemberOr(entry, "display"), "cm_s_per_row", 1.0);
  const double spc = NumberOr(truth_env, "seconds_per_column", env.seconds_per_column);
  const double t0 = NumberOr(truth_env, "t0_s", 0.0);
  if (!(spc > 0)) return;
  const auto n = static_cast<long>(std::min(forward.size(), reverse.size()));
  for (size_t j = 0; j < env.Size(); ++j) {
    const long i = std::lround((env.TimeOf(static_cast<double>(j)) - t0) / spc);
    if (i < 0 || i >= n) continue;
    const auto k = static_cast<size_t>(i);
    if (k < valid.size() && valid[k] == 0) continue;
    e.columns++;
    e.flagged += env.flags[j] != 0;
    CompareSide(forward[k], env.max_forward[j], cm_s_per_row, e);
    CompareSide(reverse[k], env.max_reverse[j], cm_s_per_row, e);
  }
}

double Interpolate(const std::vector<double>& v, double index) {
  if (v.empty() || index < 0 || index > static_cast<double>(v.size() - 1)) return std::nan("");
  const size_t lo = static_cast<size_t>(index);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (index - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// Signal path: the STFT has its own time base; the truth is interpolated at its columns.
void CompareSignal(const json& entry, const std::string& iq_path, EnvelopeErrors& e) {
  auto iq = spectral::ReadIqFile(iq_path);
  if (!iq) return;
  auto spectrogram = spectral::SpectrogramFromIq(*iq);
  if (!spectrogram) return;
  auto env = spectral::EstimateEnvelope(*spectrogram);
  if (!env || env->unit != VelocityUnit::kCmPerSecond) return;
  const json& truth_env = MemberOr(entry, "envelope");
  const auto forward = Doubles(truth_env, "max_forward_cm_s");
  const auto reverse = Doubles(truth_env, "max_reverse_cm_s");
  const double spc = NumberOr(truth_env, "seconds_per_column", 0.01);
  const double min_cm_s = kMinTruthRows * NumberOr(MemberOr(entry, "display"), "cm_s_per_row", 1.0);
  for (size_t j = 0; j < env->Size(); ++j) {
    const double index = env->TimeOf(static_cast<double>(j)) / spc;
    const double tf = Interpolate(forward, index), tr = Interpolate(reverse, index);
    if (tf > min_cm_s && std::isfinite(env->max_forward[j])) {
      e.signal_error_pct.push_back(100.0 * (env->max_forward[j] - tf) / tf);
    }
    if (tr > min_cm_s && std::isfinite(env->max_reverse[j])) {
      e.signal_error_pct.push_back(100.0 * (env->max_reverse[j] - tr) / tr);
    }
  }
}

EnvelopeErrors EvaluateFile(const TruthSet& truth, const json& entry) {
  EnvelopeErrors e;
  // A clip generated below the visibility cut has no displayed trace: its physical envelope is
  // not what the display shows, so it is scored by classification (evaluate), not here.
  if (StringOr(entry, "expected_reason") == "weak_signal") return e;
  const fs::path path = fs::path(truth.folder) / StringOr(entry, "file");
  auto image = dicom::ReadUltrasound(path.string());
  const auto regions = image ? image->SpectralRegions() : std::vector<const UltrasoundRegion*>{};
  if (regions.empty()) {
    e.failed_files = 1;
    return e;
  }
  auto spectrogram = spectral::SpectrogramFromDisplay(*image, *regions.front());
  if (!spectrogram) {
    e.failed_files = 1;
    return e;
  }
  auto env = spectral::EstimateEnvelope(*spectrogram);
  if (!env || env->unit != VelocityUnit::kCmPerSecond) {
    e.failed_files = 1;
    return e;
  }
  CompareDisplay(entry, *env, e);
  const fs::path iq_path = fs::path(path).replace_extension(".iq");
  std::error_code ec;
  if (fs::is_regular_file(iq_path, ec)) CompareSignal(entry, iq_path.string(), e);
  return e;
}

std::string Row(const std::string& name, const EnvelopeErrors& e) {
  const double bias_pct = e.truth_sum > 0 ? 100.0 * e.error_sum / e.truth_sum : std::nan("");
  return Cell(name, 22) + Cell(static_cast<long>(e.error_cm_s.size()), 9) +
         Cell(Percentile(Abs(e.error_cm_s), 50), 9, 2) +
         Cell(Percentile(Abs(e.error_pct), 50), 8, 2) +
         Cell(Percentile(Abs(e.error_rows), 50), 8, 2) +
         Cell(Percentile(Abs(e.error_rows), 95), 8, 2) +
         Cell(Percentile(Abs(e.error_pct), 95), 8, 1) + Cell(bias_pct, 8, 2) +
         Cell(e.columns ? 100.0 * e.flagged / e.columns : std::nan(""), 8, 1) +
         Cell(Percentile(Abs(e.signal_error_pct), 50), 9, 2) + Cell(e.failed_files, 6) + "\n";
}

std::string Targets(const EnvelopeErrors& e, bool& met) {
  const double med_rows = Percentile(Abs(e.error_rows), 50);
  const double med_pct = Percentile(Abs(e.error_pct), 50);
  const double p95_rows = Percentile(Abs(e.error_rows), 95);
  const double bias = e.truth_sum > 0 ? 100.0 * e.error_sum / e.truth_sum : std::nan("");
  const double signal = Percentile(Abs(e.signal_error_pct), 50);
  const bool m1 = med_rows <= 1.0 || med_pct <= 3.0, m2 = p95_rows <= 3.0,
             m3 = std::abs(bias) <= 1.0, m4 = e.signal_error_pct.empty() || signal <= 3.0;
  met = m1 && m2 && m3 && m4 && e.failed_files == 0;
  std::ostringstream out;
  auto line = [&](const std::string& text, bool ok, bool measured = true) {
    out << Cell(text, 60) << (!measured ? "NOT MEASURED" : ok ? "MET" : "NOT MET") << "\n";
  };
  out << "\ntargets (display path unless stated)\n";
  line("median |error| <= 1 row or <= 3%: " + Cell(med_rows, 0, 2) + " rows, " +
           Cell(med_pct, 0, 2) + "%",
       m1);
  line("p95 |error| <= 3 rows: " + Cell(p95_rows, 0, 2), m2);
  line("bias within +/-1%: " + Cell(bias, 0, 2) + "%", m3);
  line("signal path median |error| <= 3%: " +
           (e.signal_error_pct.empty() ? std::string("no .iq files") : Cell(signal, 0, 2) + "%"),
       m4, !e.signal_error_pct.empty());
  line("files that failed the display path: " + std::to_string(e.failed_files),
       e.failed_files == 0);
  return out.str();
}

}  // namespace

Result<EvaluationOutput> EvaluateEnvelopes(const std::string& truth_path, int jobs) {
  auto truth = LoadTruth(truth_path);
  if (!truth) return std::unexpected(truth.error());
  std::vector<EnvelopeErrors> per_file(truth->files.size());
  // Truth is data: an entry this reader cannot use (a type it did not expect) counts as a failed
  // file and never ends the run (an exception in a worker would end the program).
  ParallelFor(per_file.size(), ResolveJobs(jobs, per_file.size()), [&](size_t i) {
    try {
      per_file[i] = EvaluateFile(*truth, truth->files[i]);
    } catch (const std::exception&) {
      per_file[i] = EnvelopeErrors{};
      per_file[i].failed_files = 1;
    }
  });
  std::map<std::string, EnvelopeErrors> by_condition;
  for (size_t i = 0; i < per_file.size(); ++i) {
    for (const std::string& c : ConditionsOf(truth->files[i])) by_condition[c].Merge(per_file[i]);
  }
  std::ostringstream out;
  out << "files: " << truth->files.size() << "\n\n"
      << Cell("condition", 22) << Cell("samples", 9) << Cell("med_cm/s", 9) << Cell("med_%", 8)
      << Cell("med_row", 8) << Cell("p95_row", 8) << Cell("p95_%", 8) << Cell("bias_%", 8)
      << Cell("flag_%", 8) << Cell("sig_med%", 9) << Cell("failed", 6) << "\n";
  out << Row("overall", by_condition["overall"]);
  for (const auto& [name, errors] : by_condition) {
    if (name != "overall") out << Row(name, errors);
  }
  out << "(samples: columns x sides with true flow >= " << kMinTruthRows
      << " rows; errors = measured - true max velocity; flag_%: columns with any envelope flag;\n"
         " clips generated below the visibility cut (expected_reason weak_signal) are not "
         "scored)\n";
  EvaluationOutput result;
  out << Targets(by_condition["overall"], result.targets_met);
  result.table = out.str();
  return result;
}

}  // namespace refluxscan::pipeline
