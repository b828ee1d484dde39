#pragma once
// Reading the generator's truth.json (schema refluxscan.truth/1, docs/synth.md). Private.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "refluxscan/core/error.h"

namespace refluxscan::pipeline {

struct TruthSet {
  std::string folder;                    // truth.json's folder: file paths are relative to it
  std::vector<nlohmann::json> files;     // the "files" entries
  std::map<std::string, size_t> by_sop;  // sop_instance_uid -> index
};

Result<TruthSet> LoadTruth(const std::string& path);
Result<nlohmann::json> LoadJsonFile(const std::string& path);

// Condition tags of one truth entry plus "overall".
std::vector<std::string> ConditionsOf(const nlohmann::json& entry);

}  // namespace refluxscan::pipeline
