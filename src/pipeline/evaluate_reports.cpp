// `refluxscan evaluate`: reports against ground truth (issue targets in docs/accuracy.md).
#include <array>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>

#include "refluxscan/pipeline/evaluate.h"
#include "stats.h"
#include "truth.h"

namespace refluxscan::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::array<const char*, 3> kClasses = {"reflux", "no_reflux", "indeterminate"};

// Per-condition accumulators.
struct Tally {
  std::vector<double> duration_error_ms, duration_error_columns, velocity_error_pct;
  long clips = 0, missed_reflux = 0, class_agree = 0, far_total = 0, far_agree = 0;
  long id_total = 0, id_correct = 0;
  long direction_total = 0, direction_correct = 0;
  std::array<std::array<long, 3>, 3> confusion{};  // [truth][measured]
};

int ClassIndex(const std::string& name) {
  for (int i = 0; i < 3; ++i) {
    if (name == kClasses[static_cast<size_t>(i)]) return i;
  }
  return 2;
}

std::vector<std::string> FindReports(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->path().filename() == "report.json") out.push_back(it->path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void AddDuration(const json& truth, const json& clip, Tally& t) {
  const double truth_ms = NumberOr(truth, "reflux_duration_ms", 0);
  // Flow generated below the visibility cut is not on the display: such a clip is scored by its
  // classification (indeterminate, weak signal), not by a duration nobody could read off it.
  if (truth_ms <= 0 || StringOr(truth, "expected_reason") == "weak_signal") return;
  const double measured_ms = NumberOr(clip, "reflux_duration_ms", 0);
  if (measured_ms <= 0) t.missed_reflux++;
  const double column_ms =
      1000.0 * NumberOr(MemberOr(truth, "display"), "seconds_per_column", 0.01);
  t.duration_error_ms.push_back(measured_ms - truth_ms);
  t.duration_error_columns.push_back((measured_ms - truth_ms) / column_ms);
  const double truth_peak = NumberOr(truth, "peak_reflux_velocity_cm_s", 0);
  const double measured_peak = NumberOr(clip, "peak_reflux_velocity_cm_s", 0);
  if (truth_peak > 0 && measured_peak > 0) {
    t.velocity_error_pct.push_back(100.0 * (measured_peak - truth_peak) / truth_peak);
  }
}

void AddClassification(const json& truth, const json& clip, Tally& t) {
  const int expected = ClassIndex(StringOr(truth, "expected_classification"));
  const int measured = ClassIndex(StringOr(clip, "classification"));
  t.confusion[static_cast<size_t>(expected)][static_cast<size_t>(measured)]++;
  t.class_agree += expected == measured;
  const double margin_ms =
      NumberOr(truth, "reflux_duration_ms", 0) - NumberOr(truth, "threshold_ms", 0);
  if (std::abs(margin_ms) > 50 && expected != 2) {
    t.far_total++;
    t.far_agree += expected == measured;
  }
}

void AddIdentification(const json& truth, const json& clip, Tally& t) {
  const auto in_vocabulary = truth.find("label_in_vocabulary");
  if (in_vocabulary == truth.end() || !in_vocabulary->is_boolean() || !in_vocabulary->get<bool>() ||
      !clip.is_object()) {
    return;
  }
  t.id_total++;
  t.id_correct += MemberOr(clip, "segment") == MemberOr(truth, "segment") &&
                  MemberOr(clip, "laterality") == MemberOr(truth, "laterality");
}

// The antegrade direction (the polarity every measurement rests on: a wrong one turns a clip's
// answer around) against the truth's antegrade sign, over clips with maneuvers in truth whose
// report gives a direction. "up" = the positive velocity side (Envelope::max_forward).
void AddDirection(const json& truth, const json& clip, Tally& t) {
  const auto sign = truth.find("antegrade_sign");
  const auto maneuvers = truth.find("maneuvers");
  if (sign == truth.end() || !sign->is_number() || maneuvers == truth.end() ||
      !maneuvers->is_array() || maneuvers->empty() ||
      StringOr(truth, "expected_reason") == "weak_signal" || !clip.is_object()) {
    return;
  }
  const std::string direction = StringOr(clip, "antegrade_direction");
  if (direction != "up" && direction != "down") return;
  t.direction_total++;
  t.direction_correct += (sign->get<double>() > 0) == (direction == "up");
}

std::string TallyRow(const std::string& name, const Tally& t) {
  std::string row = Cell(name, 22) + Cell(t.clips, 6);
  const auto abs_ms = Abs(t.duration_error_ms);
  const auto abs_col = Abs(t.duration_error_columns);
  row += Cell(Percentile(abs_ms, 50), 9) + Cell(Percentile(abs_ms, 95), 9) +
         Cell(Percentile(abs_ms, 100), 9) + Cell(Percentile(abs_col, 50), 8, 2) +
         Cell(Percentile(abs_col, 95), 8, 2) + Cell(t.missed_reflux, 7) +
         Cell(Percentile(Abs(t.velocity_error_pct), 50), 8, 2) +
         Cell(Percentile(t.velocity_error_pct, 50), 8, 2);
  row += Cell(t.clips ? 100.0 * t.class_agree / t.clips : std::nan(""), 8, 1);
  row += Cell(t.far_total ? 100.0 * t.far_agree / t.far_total : std::nan(""), 8, 1);
  row += Cell(t.id_total ? 100.0 * t.id_correct / t.id_total : std::nan(""), 8, 1);
  row += Cell(t.direction_total ? 100.0 * t.direction_correct / t.direction_total : std::nan(""), 8,
              1);
  return row + "\n";
}

std::string ConfusionTable(const Tally& t) {
  std::ostringstream out;
  out << "\nclassification confusion (rows: truth, columns: measured)\n"
      << Cell("", 16) << Cell("reflux", 14) << Cell("no_reflux", 14) << Cell("indeterminate", 14)
      << "\n";
  for (size_t r = 0; r < 3; ++r) {
    out << Cell(kClasses[r], 16);
    for (size_t c = 0; c < 3; ++c) out << Cell(t.confusion[r][c], 13) << " ";
    out << "\n";
  }
  return out.str();
}

struct Target {
  std::string name;
  double value, limit;
  bool at_most;  // value <= limit (else value >= limit)
};

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

std::string TargetTable(const Tally& t, bool& all_met) {
  const std::vector<Target> targets = {
      {"median |duration error| (columns)", Percentile(Abs(t.duration_error_columns), 50), 1, true},
      {"p95 |duration error| (columns)", Percentile(Abs(t.duration_error_columns), 95), 3, true},
      {"median |peak reflux velocity error| (%)", Percentile(Abs(t.velocity_error_pct), 50), 3,
       true},
      {"classification agreement (%)", t.clips ? 100.0 * t.class_agree / t.clips : 0, 98, false},
      {"agreement, > 50 ms from threshold (%)",
       t.far_total ? 100.0 * t.far_agree / t.far_total : kNoValue, 100, false},
      {"segment + laterality identified (%)",
       t.id_total ? 100.0 * t.id_correct / t.id_total : kNoValue, 100, false},
  };
  std::ostringstream out;
  out << "\ntargets\n";
  all_met = true;
  for (const Target& target : targets) {
    // No clip to measure it on (NaN) is not a pass: a target is met only where it was measured.
    const bool measured = !std::isnan(target.value);
    const bool met =
        measured && (target.at_most ? target.value <= target.limit : target.value >= target.limit);
    all_met = all_met && met;
    out << Cell(target.name, 42) << Cell(target.value, 8, 2) << (target.at_most ? "  <= " : "  >= ")
        << Cell(target.limit, 5, 0) << "  "
        << (met        ? "MET"
            : measured ? "NOT MET"
                       : "NOT MEASURED")
        << "\n";
  }
  return out.str();
}

}  // namespace

Result<EvaluationOutput> EvaluateReports(const std::string& truth_path,
                                         const std::vector<std::string>& report_paths) {
  auto truth = LoadTruth(truth_path);
  if (!truth) return std::unexpected(truth.error());
  std::map<std::string, Tally> tallies;
  std::vector<bool> seen(truth->files.size(), false);
  long unmatched = 0;
  for (const std::string& path : FindReports(report_paths)) {
    auto report = LoadJsonFile(path);
    if (!report) return std::unexpected(report.error());
    if (!report->is_object() || !(*report)["clips"].is_array()) {
      return Fail(ErrorCode::kInvalidInput, path + " has no \"clips\" array (not a report.json?)");
    }
    for (const json& clip : (*report)["clips"]) {
      // Skipped entries (a copy of an image, listed beside its analysed original) are no
      // measurement of their own.
      if (!clip.is_object() || StringOr(clip, "status") == "skipped") continue;
      auto it = truth->by_sop.find(StringOr(clip, "sop_instance_uid"));
      if (it == truth->by_sop.end()) {
        unmatched++;
        continue;
      }
      seen[it->second] = true;
      const json& entry = truth->files[it->second];
      for (const std::string& condition : ConditionsOf(entry)) {
        Tally& t = tallies[condition];
        t.clips++;
        AddDuration(entry, clip, t);
        AddClassification(entry, clip, t);
        AddIdentification(entry, clip, t);
        AddDirection(entry, clip, t);
      }
    }
  }
  const long missing = std::count(seen.begin(), seen.end(), false);
  if (tallies["overall"].clips == 0) {  // wrong truth or wrong folder: no table to print
    return Fail(ErrorCode::kNotFound, "no report clip matches the truth (" +
                                          std::to_string(unmatched) +
                                          " report clips, none with a SOP Instance UID of " +
                                          truth_path + "): nothing to evaluate");
  }
  std::ostringstream out;
  out << "truth clips: " << truth->files.size() << ", matched: " << tallies["overall"].clips
      << ", missing from reports: " << missing << ", report clips not in truth: " << unmatched
      << "\n\n"
      << Cell("condition", 22) << Cell("n", 6) << Cell("med_ms", 9) << Cell("p95_ms", 9)
      << Cell("max_ms", 9) << Cell("med_col", 8) << Cell("p95_col", 8) << Cell("missed", 7)
      << Cell("|v|med%", 8) << Cell("v_bias%", 8) << Cell("class%", 8) << Cell("far%", 8)
      << Cell("id%", 8) << Cell("dir%", 8) << "\n";
  out << TallyRow("overall", tallies["overall"]);
  for (const auto& [name, tally] : tallies) {
    if (name != "overall") out << TallyRow(name, tally);
  }
  out << "(duration errors over clips whose truth has visible reflux; missed = reflux not "
         "detected, counted in the errors; far% = agreement for truths > 50 ms from the "
         "threshold; dir% = antegrade direction right, over clips with maneuvers)\n";
  out << ConfusionTable(tallies["overall"]);
  EvaluationOutput result;
  out << TargetTable(tallies["overall"], result.targets_met);
  if (missing > 0) result.targets_met = false;
  result.table = out.str();
  return result;
}

}  // namespace refluxscan::pipeline
