#pragma once
// Input discovery: files, folders (recursive) and DICOMDIR to a sorted list of candidate files.
#include <string>
#include <vector>

#include "refluxscan/core/error.h"

namespace refluxscan::study {

struct DiscoveredInputs {
  std::vector<std::string> files;     // candidate files, sorted, unique
  std::vector<std::string> warnings;  // unreadable folders, missing paths
  int missing_paths = 0;
};
// A DICOMDIR file stands for its folder (the files it references live under it).
DiscoveredInputs DiscoverInputs(const std::vector<std::string>& paths);

}  // namespace refluxscan::study
