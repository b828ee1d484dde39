#pragma once
// Small file-system helpers shared by modules (std::filesystem; errors as values).
#include <string>
#include <string_view>

#include "refluxscan/core/error.h"

namespace refluxscan {

// Writes `content` to `path` atomically: a temporary file in the same folder, then rename.
// A killed process leaves either the old file or the new one, never half of one.
Result<void> WriteFileAtomic(const std::string& path, std::string_view content);
Result<std::string> ReadTextFile(const std::string& path, size_t max_bytes = 64u << 20);

}  // namespace refluxscan
