#pragma once
// `refluxscan inspect`: what a DICOM file holds, as one JSON object per file.
#include <string>

#include "refluxscan/core/error.h"

namespace refluxscan::pipeline {

struct InspectResult {
  std::string json;  // one JSON object (pretty-printed); an error entry when `ok` is false
  bool ok = false;   // false: the file could not be read (the JSON holds the error)
};

// Never fails as a whole: a broken file yields {"path": ..., "error": {"code", "message"}}.
InspectResult Inspect(const std::string& path);

}  // namespace refluxscan::pipeline
