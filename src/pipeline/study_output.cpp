#include "study_output.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "refluxscan/core/fs.h"
#include "refluxscan/core/text.h"
#include "refluxscan/report/report.h"

namespace refluxscan::pipeline {
namespace {

namespace fs = std::filesystem;
constexpr const char* kFingerprintFile = ".refluxscan-inputs";

uint64_t Fnv1a64(std::string_view text, uint64_t hash = 1469598103934665603ull) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

std::string StudyFolderName(const std::string& study_instance_uid, const std::string& study_date) {
  if (study_instance_uid.empty()) return "unidentified";
  std::string date;
  for (char c : study_date) {
    if (c >= '0' && c <= '9' && date.size() < 8) date.push_back(c);
  }
  if (date.size() != 8) date = "nodate";
  char name[32];
  std::snprintf(name, sizeof name, "%s_%012llx", date.c_str(),
                static_cast<unsigned long long>(Fnv1a64(study_instance_uid) & 0xffffffffffffull));
  return name;
}

std::string InputFingerprint(const std::vector<std::string>& files, const std::string& settings) {
  uint64_t hash = Fnv1a64(settings);
  for (const std::string& file : files) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    const auto mtime = fs::last_write_time(file, ec).time_since_epoch().count();
    hash = Fnv1a64(
        file + "\n" + std::to_string(ec ? 0 : size) + "\n" + std::to_string(ec ? 0 : mtime) + "\n",
        hash);
  }
  char text[64];
  std::snprintf(text, sizeof text, "%016llx %zu files", static_cast<unsigned long long>(hash),
                files.size());
  return text;
}

std::string ProgramIdentity() {
  std::ifstream in("/proc/self/exe", std::ios::binary);
  if (!in) return REFLUXSCAN_VERSION;
  uint64_t hash = Fnv1a64(REFLUXSCAN_VERSION);
  std::string block(1 << 16, '\0');
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    hash = Fnv1a64(std::string_view(block.data(), static_cast<size_t>(in.gcount())), hash);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::optional<std::string> ReportsUpToDate(const std::string& folder,
                                           const std::string& fingerprint,
                                           const std::vector<std::string>& report_files) {
  auto stored = ReadTextFile((fs::path(folder) / kFingerprintFile).string(), 4096);
  if (!stored) return std::nullopt;
  const size_t newline = stored->find('\n');
  if (newline == std::string::npos || stored->substr(0, newline) != fingerprint)
    return std::nullopt;
  const bool all_present =
      std::all_of(report_files.begin(), report_files.end(), [&](const std::string& name) {
        std::error_code ec;
        return fs::is_regular_file(fs::path(folder) / name, ec);
      });
  if (!all_present) return std::nullopt;
  return stored->substr(newline + 1);
}

std::vector<std::string> ReportFileNames(const ReportFormats& formats) {
  std::vector<std::string> names;
  if (formats.json) names.emplace_back("report.json");
  if (formats.csv) names.emplace_back("report.csv");
  if (formats.html) names.emplace_back("report.html");
  return names;
}

Result<void> WriteStudyReports(const std::string& folder, const StudyReport& report,
                               const ReportFormats& formats, const std::string& fingerprint,
                               const std::string& summary_line) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return Fail(ErrorCode::kIo, "cannot create " + folder + ": " + ec.message());
  // A stale fingerprint must not survive a partial rewrite.
  fs::remove(fs::path(folder) / kFingerprintFile, ec);
  const fs::path dir(folder);
  // Reports of formats not written this run are an earlier run's (other criteria, other files):
  // left beside the new ones they would contradict them.
  for (const auto& [wanted, name] :
       {std::pair{formats.json, "report.json"}, std::pair{formats.csv, "report.csv"},
        std::pair{formats.html, "report.html"}}) {
    if (!wanted) fs::remove(dir / name, ec);
  }
  if (formats.json) {
    if (auto r = WriteFileAtomic((dir / "report.json").string(), report::ToJson(report)); !r)
      return r;
  }
  if (formats.csv) {
    if (auto r = WriteFileAtomic((dir / "report.csv").string(), report::ToCsv(report)); !r)
      return r;
  }
  if (formats.html) {
    if (auto r = WriteFileAtomic((dir / "report.html").string(), report::ToHtml(report)); !r)
      return r;
  }
  return WriteFileAtomic((dir / kFingerprintFile).string(), fingerprint + "\n" + summary_line);
}

}  // namespace refluxscan::pipeline
