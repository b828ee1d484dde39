// Input discovery: files, folders (recursive, directory symlinks not followed), DICOMDIR.
#include "refluxscan/study/discover.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "refluxscan/core/text.h"

namespace refluxscan::study {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxDepth = 64;  // deeper trees are almost certainly a mistake or a trap

bool IsDicomDir(const fs::path& p) {
  std::string name = p.filename().string();
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name == "DICOMDIR";
}

bool IsHidden(const fs::path& p) { return p.filename().string().starts_with('.'); }

// Walks one folder tree without following directory symlinks (no loops), so a symlinked folder is
// skipped while a symlinked file is kept. Unreadable folders become warnings.
void Walk(const fs::path& root, DiscoveredInputs& out) {
  std::vector<std::pair<fs::path, size_t>> pending{{root, 0}};
  while (!pending.empty()) {
    const auto [dir, depth] = pending.back();
    pending.pop_back();
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      out.warnings.push_back("cannot read folder " + SanitizeForLog(dir.string()) + ": " +
                             ec.message());
      continue;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      const fs::path p = it->path();
      if (IsHidden(p) || IsDicomDir(p)) continue;
      std::error_code kind_ec;
      const bool is_link = it->is_symlink(kind_ec);
      if (!is_link && it->is_directory(kind_ec)) {
        if (depth + 1 < kMaxDepth)
          pending.emplace_back(p, depth + 1);
        else
          out.warnings.push_back("folder too deep, skipped: " + SanitizeForLog(p.string()));
      } else if (fs::is_regular_file(p, kind_ec)) {  // follows file symlinks only
        out.files.push_back(p.lexically_normal().string());
      }
    }
    if (ec) {
      out.warnings.push_back("error while listing " + SanitizeForLog(dir.string()) + ": " +
                             ec.message());
    }
  }
}

}  // namespace

DiscoveredInputs DiscoverInputs(const std::vector<std::string>& paths) {
  DiscoveredInputs out;
  for (const std::string& given : paths) {
    const fs::path p(given);
    std::error_code ec;
    const fs::file_status status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
      ++out.missing_paths;
      out.warnings.push_back("not found: " + SanitizeForLog(given));
    } else if (fs::is_directory(status)) {
      Walk(p, out);
    } else if (IsDicomDir(p)) {
      Walk(p.has_parent_path() ? p.parent_path() : fs::path("."), out);
    } else {
      out.files.push_back(p.lexically_normal().string());
    }
  }
  std::sort(out.files.begin(), out.files.end());
  out.files.erase(std::unique(out.files.begin(), out.files.end()), out.files.end());
  return out;
}

}  // namespace refluxscan::study
