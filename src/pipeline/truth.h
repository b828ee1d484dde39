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

// The string at `key`, or "" when it is absent or not a string (a report's null classification
// of a failed clip, a hand-edited file): reports and truth are data, not trusted to be typed.
std::string StringOr(const nlohmann::json& j, const char* key);

// The number at `key`, or `fallback` when it is absent or not a number (a null, a string).
double NumberOr(const nlohmann::json& j, const char* key, double fallback);

// The member `key` of an object, or a null when `j` is no object or has none: never throws, and
// never inserts (a const json's operator[] on a missing key is undefined behaviour).
const nlohmann::json& MemberOr(const nlohmann::json& j, const char* key);

// Condition tags of one truth entry plus "overall".
std::vector<std::string> ConditionsOf(const nlohmann::json& entry);

}  // namespace refluxscan::pipeline
