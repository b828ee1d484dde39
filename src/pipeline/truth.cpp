#include "truth.h"

#include <filesystem>

#include "refluxscan/core/fs.h"
#include "refluxscan/core/text.h"

namespace refluxscan::pipeline {

Result<nlohmann::json> LoadJsonFile(const std::string& path) {
  auto text = ReadTextFile(path, size_t{1} << 30);
  if (!text) return std::unexpected(text.error());
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    return Fail(ErrorCode::kCorrupt,
                path + " is not valid JSON at " + JsonParseErrorText(e.what()));
  }
}

std::string StringOr(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double NumberOr(const nlohmann::json& j, const char* key, double fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

const nlohmann::json& MemberOr(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

Result<TruthSet> LoadTruth(const std::string& path) {
  auto json = LoadJsonFile(path);
  if (!json) return std::unexpected(json.error());
  if (!json->is_object() || !(*json)["files"].is_array()) {
    return Fail(ErrorCode::kInvalidInput, path + " has no \"files\" array (not a truth.json?)");
  }
  TruthSet truth;
  truth.folder = std::filesystem::path(path).parent_path().string();
  for (nlohmann::json& entry : (*json)["files"]) {
    if (!entry.is_object()) continue;
    truth.by_sop[StringOr(entry, "sop_instance_uid")] = truth.files.size();
    truth.files.push_back(std::move(entry));
  }
  return truth;
}

std::vector<std::string> ConditionsOf(const nlohmann::json& entry) {
  std::vector<std::string> conditions{"overall"};
  if (auto it = entry.find("conditions"); it != entry.end() && it->is_array()) {
    for (const auto& c : *it) {
      if (c.is_string()) conditions.push_back(c.get<std::string>());
    }
  }
  const std::string syntax = StringOr(entry, "transfer_syntax");
  conditions.push_back("ts:" + (syntax.empty() ? std::string("?") : syntax));
  return conditions;
}

}  // namespace refluxscan::pipeline
