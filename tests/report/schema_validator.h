#pragma once
// Test-only: a minimal JSON Schema (draft 2020-12) validator for the subset of keywords that
// docs/report.schema.json uses. Unsupported keywords are reported as errors themselves, so the
// schema cannot silently rely on something this validator ignores.
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace refluxscan::testing {

class SchemaValidator {
 public:
  explicit SchemaValidator(nlohmann::json root) : root_(std::move(root)) {}

  // Errors as "<json pointer>: <message>"; empty when the instance is valid.
  std::vector<std::string> Validate(const nlohmann::json& instance) const {
    std::vector<std::string> errors;
    Check(root_, instance, "", errors);
    return errors;
  }

  // Keywords this validator understands (others in a schema are an error).
  static const std::set<std::string>& Supported() {
    static const std::set<std::string> kKeys = {
        "$schema",     "$id",   "$defs",      "$ref",     "title",
        "description", "type",  "properties", "required", "additionalProperties",
        "enum",        "items", "minimum",    "minItems", "maxItems",
        "anyOf"};
    return kKeys;
  }

 private:
  static bool HasType(const nlohmann::json& v, const std::string& type) {
    if (type == "null") return v.is_null();
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    return false;
  }

  const nlohmann::json& Resolve(const std::string& ref) const {
    static const nlohmann::json kNull;
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0) return kNull;
    const std::string name = ref.substr(prefix.size());
    const auto& defs = root_.at("$defs");
    return defs.contains(name) ? defs.at(name) : kNull;
  }

  void CheckType(const nlohmann::json& schema, const nlohmann::json& v, const std::string& at,
                 std::vector<std::string>& errors) const {
    const auto& t = schema.at("type");
    bool ok = false;
    if (t.is_string()) ok = HasType(v, t.get<std::string>());
    for (const auto& each : t.is_array() ? t : nlohmann::json::array()) {
      ok = ok || HasType(v, each.get<std::string>());
    }
    if (!ok) errors.push_back(at + ": type " + std::string(v.type_name()) + " not in " + t.dump());
  }

  void CheckObject(const nlohmann::json& schema, const nlohmann::json& v, const std::string& at,
                   std::vector<std::string>& errors) const {
    if (!v.is_object()) return;
    for (const auto& name : schema.value("required", nlohmann::json::array())) {
      if (!v.contains(name.get<std::string>())) {
        errors.push_back(at + ": missing required \"" + name.get<std::string>() + "\"");
      }
    }
    const nlohmann::json props = schema.value("properties", nlohmann::json::object());
    for (const auto& [key, value] : v.items()) {
      const std::string child = at + "/" + key;
      if (props.contains(key)) {
        Check(props.at(key), value, child, errors);
      } else if (schema.contains("additionalProperties")) {
        const auto& extra = schema.at("additionalProperties");
        if (extra.is_boolean() && !extra.get<bool>()) {
          errors.push_back(child + ": property not allowed");
        } else if (extra.is_object()) {
          Check(extra, value, child, errors);
        }
      }
    }
  }

  void CheckArray(const nlohmann::json& schema, const nlohmann::json& v, const std::string& at,
                  std::vector<std::string>& errors) const {
    if (!v.is_array()) return;
    if (schema.contains("minItems") && v.size() < schema.at("minItems").get<size_t>()) {
      errors.push_back(at + ": too few items");
    }
    if (schema.contains("maxItems") && v.size() > schema.at("maxItems").get<size_t>()) {
      errors.push_back(at + ": too many items");
    }
    if (!schema.contains("items")) return;
    for (size_t i = 0; i < v.size(); ++i) {
      Check(schema.at("items"), v[i], at + "/" + std::to_string(i), errors);
    }
  }

  void CheckAnyOf(const nlohmann::json& schema, const nlohmann::json& v, const std::string& at,
                  std::vector<std::string>& errors) const {
    std::vector<std::string> all;
    for (const auto& option : schema.at("anyOf")) {
      std::vector<std::string> sub;
      Check(option, v, at, sub);
      if (sub.empty()) return;
      all.insert(all.end(), sub.begin(), sub.end());
    }
    errors.push_back(at + ": matches no anyOf option (" + std::to_string(all.size()) +
                     " errors, first: " + (all.empty() ? "" : all.front()) + ")");
  }

  void Check(const nlohmann::json& schema, const nlohmann::json& v, const std::string& at,
             std::vector<std::string>& errors) const {
    if (!schema.is_object()) {
      errors.push_back(at + ": schema is not an object");
      return;
    }
    for (const auto& [key, unused] : schema.items()) {
      if (!Supported().contains(key)) errors.push_back(at + ": unsupported keyword " + key);
    }
    if (schema.contains("$ref")) {
      const nlohmann::json& target = Resolve(schema.at("$ref").get<std::string>());
      if (target.is_null())
        errors.push_back(at + ": unresolved $ref");
      else
        Check(target, v, at, errors);
    }
    if (schema.contains("type")) CheckType(schema, v, at, errors);
    if (schema.contains("enum")) {
      bool found = false;
      for (const auto& option : schema.at("enum")) found = found || option == v;
      if (!found) errors.push_back(at + ": " + v.dump() + " not in enum");
    }
    if (schema.contains("minimum") && v.is_number() &&
        v.get<double>() < schema.at("minimum").get<double>()) {
      errors.push_back(at + ": below minimum");
    }
    if (schema.contains("anyOf")) CheckAnyOf(schema, v, at, errors);
    CheckObject(schema, v, at, errors);
    CheckArray(schema, v, at, errors);
  }

  nlohmann::json root_;
};

}  // namespace refluxscan::testing
