// Guideline thresholds as an editable JSON file (docs/criteria.md) and their validation.
#include "refluxscan/reflux/criteria.h"

#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "refluxscan/core/fs.h"
#include "refluxscan/core/text.h"

namespace refluxscan::reflux {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kGuidelines =
    "Labropoulos 2003 (J Vasc Surg 38:793); SVS/AVF 2011; SVS/AVF/AVLS 2023";
constexpr double kMaxThresholdMs = 60000;
constexpr VeinClass kAllClasses[] = {VeinClass::kSuperficial, VeinClass::kDeepProximal,
                                     VeinClass::kDeepDistal, VeinClass::kPerforator};

ordered_json CriterionJson(const Criterion& c) {
  ordered_json j;
  j["vein_class"] = VeinClassName(c.vein_class);
  // Whole milliseconds print as integers so the file reads naturally.
  if (c.threshold_ms == static_cast<double>(static_cast<long>(c.threshold_ms))) {
    j["threshold_ms"] = static_cast<long>(c.threshold_ms);
  } else {
    j["threshold_ms"] = c.threshold_ms;
  }
  j["inclusive"] = c.inclusive;
  j["source"] = c.source;
  return j;
}

Result<void> CheckKeys(const nlohmann::json& object, std::initializer_list<std::string_view> known,
                       const std::string& where) {
  for (const auto& item : object.items()) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || item.key() == k;
    if (!ok) {
      return Fail(
          ErrorCode::kInvalidInput, where + ": unknown key \"" + item.key() + "\" (allowed: " +
                                        [&] {
                                          std::string list;
                                          for (std::string_view k : known)
                                            list += (list.empty() ? "" : ", ") + std::string(k);
                                          return list;
                                        }() +
                                        ")");
    }
  }
  return {};
}

Result<Criterion> ParseCriterion(const nlohmann::json& j, size_t index) {
  const std::string where = "criteria[" + std::to_string(index) + "]";
  if (!j.is_object()) return Fail(ErrorCode::kInvalidInput, where + " must be an object");
  if (auto ok = CheckKeys(j, {"vein_class", "threshold_ms", "inclusive", "source"}, where); !ok) {
    return std::unexpected(ok.error());
  }
  if (!j.contains("vein_class") || !j["vein_class"].is_string()) {
    return Fail(ErrorCode::kInvalidInput, where + ": \"vein_class\" (string) is required");
  }
  const auto vein_class = VeinClassFromName(j["vein_class"].get<std::string>());
  if (!vein_class) {
    return Fail(ErrorCode::kInvalidInput,
                where +
                    ": unknown vein_class (use superficial, deep_proximal, deep_distal, "
                    "perforator)");
  }
  if (!j.contains("threshold_ms") || !j["threshold_ms"].is_number()) {
    return Fail(ErrorCode::kInvalidInput, where + ": \"threshold_ms\" (number) is required");
  }
  Criterion c{*vein_class, j["threshold_ms"].get<double>(), false, ""};
  if (!(c.threshold_ms > 0) || !(c.threshold_ms < kMaxThresholdMs)) {
    return Fail(ErrorCode::kInvalidInput, where + ": threshold_ms must be > 0 and < 60000");
  }
  if (j.contains("inclusive")) {
    if (!j["inclusive"].is_boolean()) {
      return Fail(ErrorCode::kInvalidInput, where + ": \"inclusive\" must be true or false");
    }
    c.inclusive = j["inclusive"].get<bool>();
  }
  if (j.contains("source")) {
    if (!j["source"].is_string()) {
      return Fail(ErrorCode::kInvalidInput, where + ": \"source\" must be a string");
    }
    c.source = j["source"].get<std::string>();
  }
  return c;
}

std::string FormatMs(double ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", ms);
  return buffer;
}

std::string Condition(const Criterion& c) {
  return (c.inclusive ? ">= " : "> ") + FormatMs(c.threshold_ms) + " ms";
}

// A threshold changed by hand while its "source" kept the default's citation: the report would
// print "superficial > 400 ms" beside "... superficial veins > 500 ms". The source is marked as
// edited (the citation kept, what it cites said) and a warning made.
void MarkEditedThresholds(Criteria& criteria) {
  const Criteria defaults = DefaultCriteria();
  for (Criterion& c : criteria.by_class) {
    const Criterion* d = defaults.For(c.vein_class);
    if (d == nullptr || c.source != d->source) continue;
    if (c.threshold_ms == d->threshold_ms && c.inclusive == d->inclusive) continue;
    c.source =
        "threshold edited by the user (" + Condition(c) + "); the default's source: " + d->source;
    criteria.warnings.push_back("criteria: " + std::string(VeinClassName(c.vein_class)) +
                                " is now " + Condition(c) +
                                " but its \"source\" still cites the "
                                "default (" +
                                Condition(*d) +
                                "): the reports say it was edited; "
                                "set \"source\" to where your threshold comes from");
  }
}

Result<Criteria> ParseCriteriaObject(const nlohmann::json& root) {
  if (!root.is_object()) return Fail(ErrorCode::kInvalidInput, "criteria file: expected an object");
  if (auto ok = CheckKeys(root, {"name", "description", "criteria"}, "criteria file"); !ok) {
    return std::unexpected(ok.error());
  }
  Criteria out;
  if (root.contains("name")) {
    if (!root["name"].is_string())
      return Fail(ErrorCode::kInvalidInput, "\"name\" must be a string");
    out.name = root["name"].get<std::string>();
  }
  if (!root.contains("criteria") || !root["criteria"].is_array()) {
    return Fail(ErrorCode::kInvalidInput, "criteria file: \"criteria\" (array) is required");
  }
  std::set<VeinClass> seen;
  for (size_t i = 0; i < root["criteria"].size(); ++i) {
    auto c = ParseCriterion(root["criteria"][i], i);
    if (!c) return std::unexpected(c.error());
    if (!seen.insert(c->vein_class).second) {
      return Fail(ErrorCode::kInvalidInput, "criteria file: vein_class \"" +
                                                std::string(VeinClassName(c->vein_class)) +
                                                "\" appears twice");
    }
    out.by_class.push_back(std::move(*c));
  }
  for (VeinClass vc : kAllClasses) {
    if (!seen.contains(vc)) {
      return Fail(ErrorCode::kInvalidInput, "criteria file: no criterion for vein_class \"" +
                                                std::string(VeinClassName(vc)) + "\"");
    }
  }
  MarkEditedThresholds(out);
  return out;
}

}  // namespace

const Criterion* Criteria::For(VeinClass c) const {
  for (const Criterion& criterion : by_class) {
    if (criterion.vein_class == c) return &criterion;
  }
  return nullptr;
}

Criteria DefaultCriteria() {
  const std::string guidelines(kGuidelines);
  Criteria c;
  c.name = "default";
  c.by_class = {
      {VeinClass::kSuperficial, 500, false, guidelines + ": superficial veins > 500 ms"},
      {VeinClass::kDeepProximal, 1000, false,
       guidelines + ": femoral and popliteal veins (CFV, FV, POPV) > 1000 ms"},
      {VeinClass::kDeepDistal, 500, false,
       guidelines + ": deep femoral and deep calf veins > 500 ms"},
      {VeinClass::kPerforator, 350, false,
       "Labropoulos 2003 (J Vasc Surg 38:793): perforators > 350 ms"},
  };
  return c;
}

std::string DefaultCriteriaJson() {
  const Criteria c = DefaultCriteria();
  ordered_json root;
  root["name"] = c.name;
  root["description"] =
      "Reflux when duration > threshold_ms (>= when inclusive). To use the SVS/AVF 2011 "
      "pathologic-perforator cut-off instead, set the perforator entry to threshold_ms 500, "
      "inclusive true, source \"SVS/AVF 2011: pathologic perforator >= 500 ms (with diameter >= "
      "3.5 mm beneath a healed or open ulcer)\". See docs/criteria.md.";
  root["criteria"] = ordered_json::array();
  for (const Criterion& criterion : c.by_class)
    root["criteria"].push_back(CriterionJson(criterion));
  return root.dump(2) + "\n";
}

Result<Criteria> ParseCriteriaJson(std::string_view text) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Fail(ErrorCode::kInvalidInput,
                "criteria file: not valid JSON at " + JsonParseErrorText(e.what()));
  }
  return ParseCriteriaObject(root);
}

Result<Criteria> LoadCriteria(const std::string& path) {
  auto text = ReadTextFile(path, 1u << 20);
  if (!text) return std::unexpected(text.error());
  auto criteria = ParseCriteriaJson(*text);
  if (!criteria) {
    return Fail(criteria.error().code, path + ": " + criteria.error().message);
  }
  return criteria;
}

}  // namespace refluxscan::reflux
