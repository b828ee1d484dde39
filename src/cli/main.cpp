// refluxscan command line: parse, run the pipeline, print, map to an exit code
// (docs/exit-codes.md). All work happens in the pipeline module.
#include <malloc.h>
#include <unistd.h>
#include <algorithm>

#include <cctype>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "progress.h"
#include "refluxscan/core/exit_codes.h"
#include "refluxscan/core/text.h"
#include "refluxscan/pipeline/analyze.h"
#include "refluxscan/pipeline/evaluate.h"
#include "refluxscan/pipeline/inspect.h"

namespace rs = refluxscan;

namespace {

int Code(rs::ExitCode code) { return static_cast<int>(code); }

// A count given as digits only ("abc" said "not in range 0 to 256", "2.5" parsed as a float).
const CLI::Validator kWholeNumber(
    [](const std::string& text) {
      const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
      return digits ? std::string() : "\"" + text + "\" is not a whole number";
    },
    "");

int RunInspect(const std::vector<std::string>& files) {
  bool all_ok = true;
  std::cout << "[\n";
  for (size_t i = 0; i < files.size(); ++i) {
    rs::pipeline::InspectResult r = rs::pipeline::Inspect(files[i]);
    all_ok = all_ok && r.ok;
    std::cout << r.json << (i + 1 < files.size() ? ",\n" : "\n");
  }
  std::cout << "]\n";
  return Code(all_ok ? rs::ExitCode::kOk : rs::ExitCode::kPartial);
}

int RunAnalyze(const rs::pipeline::AnalyzeOptions& options, bool quiet) {
  rs::cli::Progress progress(quiet, isatty(STDERR_FILENO) != 0);
  auto summary = rs::pipeline::Analyze(
      options, [&](size_t done, size_t total) { progress.Update(done, total); });
  progress.Finish();
  if (!summary) {
    std::cerr << "refluxscan: " << summary.error().message << "\n";
    return Code(summary.error().code == rs::ErrorCode::kIo ? rs::ExitCode::kFailure
                                                           : rs::ExitCode::kUsage);
  }
  std::string formats;
  for (const auto& [on, name] :
       {std::pair{options.write_json, "json"}, std::pair{options.write_csv, "csv"},
        std::pair{options.write_html, "html"}}) {
    if (on) formats += (formats.empty() ? "" : ",") + std::string(name);
  }
  rs::cli::PrintWarnings(*summary, std::cerr);
  // A decode-only run writes no report: nothing to point to.
  rs::cli::PrintSummary(*summary, options.output_dir, options.decode_only ? "" : formats,
                        std::cout);
  return Code(summary->exit_code);
}

int RunEvaluation(const rs::Result<rs::pipeline::EvaluationOutput>& out) {
  if (!out) {
    std::cerr << "refluxscan: " << out.error().message << "\n";
    return Code(rs::ExitCode::kUsage);
  }
  std::cout << out->table;
  return Code(out->targets_met ? rs::ExitCode::kOk : rs::ExitCode::kTargetMissed);
}

// "json,csv,html" (any subset, any order, any case). Anything else is a usage error: a silently
// ignored "pdf" or typo left users with fewer reports than they asked for.
bool ParseFormats(const std::string& list, rs::pipeline::AnalyzeOptions& options) {
  options.write_json = options.write_csv = options.write_html = false;
  std::string word;
  std::istringstream in(list);
  while (std::getline(in, word, ',')) {
    std::string w;
    for (const char c : word) {
      if (!std::isspace(static_cast<unsigned char>(c)))
        w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (w == "json") {
      options.write_json = true;
    } else if (w == "csv") {
      options.write_csv = true;
    } else if (w == "html") {
      options.write_html = true;
    } else {
      std::cerr << "refluxscan: --format: unknown report format '" << rs::SanitizeForLog(word)
                << "' (use json, csv, html, comma separated)\n";
      return false;
    }
  }
  if (options.write_json || options.write_csv || options.write_html) return true;
  std::cerr << "refluxscan: --format: no report format given (use json, csv, html)\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  // Decoded frames and strip matrices (1-3 MB each) come and go with every file. glibc's default
  // maps blocks this size and trims freed heap tops, so each file faulted its pages in afresh;
  // keeping them in the heap lets the next file reuse them (docs/performance.md).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
  CLI::App app{"refluxscan: venous reflux measurement from duplex ultrasound spectral Doppler"};
  app.set_version_flag("--version", std::string("refluxscan ") + REFLUXSCAN_VERSION);
  app.require_subcommand(1);

  std::vector<std::string> inspect_files;
  auto* inspect = app.add_subcommand("inspect", "Print what each DICOM file holds (JSON)");
  inspect->add_option("files", inspect_files, "DICOM files")->required();

  rs::pipeline::AnalyzeOptions analyze_options;
  std::string formats = "json,csv,html", source = "display", antegrade = "inferred";
  bool quiet = false, no_ocr = false;
  auto* analyze = app.add_subcommand("analyze", "Measure reflux in study folders, write reports");
  analyze->add_option("paths", analyze_options.inputs, "DICOM files, folders or DICOMDIR")
      ->required();
  analyze->add_option("-o,--output", analyze_options.output_dir, "Output folder")->required();
  analyze->add_option("--manifest", analyze_options.manifest,
                      "CSV with header file,laterality,segment[,antegrade]; file paths relative "
                      "to the manifest's folder (docs/segments.md)");
  analyze->add_option("--criteria", analyze_options.criteria,
                      "Threshold file (JSON; `refluxscan criteria` prints the default to edit)");
  analyze->add_option("--protocol", analyze_options.protocol,
                      "Required levels (JSON: {\"segments\": [canonical names, both legs]} "
                      "or {\"required\": [{\"laterality\": \"L\", \"segment\": ...}]}; "
                      "docs/segments.md)");
  analyze->add_option("-j,--jobs", analyze_options.jobs, "Worker threads (0 = all cores)")
      ->check(kWholeNumber)  // first: "abc" is not a number, rather than "not in range"
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  analyze->add_option("--format", formats, "Report formats: json,csv,html")->capture_default_str();
  analyze->add_option("--source", source, "display | auto (use .iq/.wav beside a DICOM)")
      ->check(CLI::IsMember({"display", "auto"}))
      ->capture_default_str();
  analyze
      ->add_option("--antegrade", antegrade,
                   "Antegrade flow in every clip: up = positive calibrated velocities (not "
                   "necessarily above the baseline on screen: an inverted display draws them "
                   "below), down, or inferred (auto) from each clip's augmentation. Applies to "
                   "all clips, whatever their invert setting; a manifest row's antegrade column "
                   "wins for its clip (up, down, inferred or auto; an empty cell: this setting)")
      ->transform(CLI::IsMember({"up", "down", "inferred", "auto"}, CLI::ignore_case))
      ->capture_default_str();
  analyze->add_flag("--force", analyze_options.force, "Re-analyze unchanged studies");
  analyze->add_flag("--no-ocr", no_ocr,
                    "Do not read labels burned into the images (OCR) for clips whose manifest "
                    "row, tags and file name name no segment");
  auto* decode_only = analyze->add_flag("--decode-only", analyze_options.decode_only,
                                        "Benchmark floor: read and decode only, write nothing");
  analyze
      ->add_flag("--all-frames", analyze_options.decode_all_frames,
                 "With --decode-only: decode every frame of a multi-frame clip, not only the "
                 "analysed (last) one")
      ->needs(decode_only);
  analyze->add_flag("-q,--quiet", quiet, "No progress output");

  std::string truth;
  std::vector<std::string> reports;
  auto* evaluate = app.add_subcommand("evaluate", "Compare reports with generator ground truth");
  evaluate->add_option("--truth", truth, "truth.json from refluxscan-synth")->required();
  evaluate->add_option("reports", reports, "report.json files or output folders")->required();

  int envelope_jobs = 0;
  auto* evaluate_envelope =
      app.add_subcommand("evaluate-envelope", "Envelope accuracy against ground truth");
  evaluate_envelope->add_option("--truth", truth, "truth.json from refluxscan-synth")->required();
  evaluate_envelope->add_option("-j,--jobs", envelope_jobs, "Worker threads (0 = all cores)")
      ->check(kWholeNumber)
      ->check(CLI::Range(0, 256))
      ->capture_default_str();

  app.add_subcommand("criteria", "Print the default criteria file (JSON) to edit");

  // An unknown first word is named, with the subcommands, rather than "a subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->check_name(argv[1]);
    if (!known) {
      std::cerr << "refluxscan: unknown subcommand '" << rs::SanitizeForLog(argv[1])
                << "' (use inspect, analyze, evaluate, evaluate-envelope or criteria; --help)\n";
      return Code(rs::ExitCode::kUsage);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : Code(rs::ExitCode::kUsage);
  }
  if (*inspect) return RunInspect(inspect_files);
  if (*analyze) {
    if (!ParseFormats(formats, analyze_options)) return Code(rs::ExitCode::kUsage);
    analyze_options.source =
        source == "auto" ? rs::pipeline::SignalSource::kAuto : rs::pipeline::SignalSource::kDisplay;
    analyze_options.read_burned_labels = !no_ocr;
    if (antegrade == "up" || antegrade == "down") {
      analyze_options.antegrade =
          antegrade == "up" ? rs::AntegradeDirection::kUp : rs::AntegradeDirection::kDown;
    }
    return RunAnalyze(analyze_options, quiet);
  }
  if (*evaluate) return RunEvaluation(rs::pipeline::EvaluateReports(truth, reports));
  if (*evaluate_envelope) {
    return RunEvaluation(rs::pipeline::EvaluateEnvelopes(truth, envelope_jobs));
  }
  std::cout << rs::pipeline::DefaultCriteriaJson();
  return 0;
}
