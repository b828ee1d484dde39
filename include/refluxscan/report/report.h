#pragma once
// Report writers: JSON (schema refluxscan.report/1, docs/report.schema.json), CSV, HTML.
#include <string>

#include "refluxscan/core/study_report.h"

namespace refluxscan::report {

inline constexpr const char* kSchemaId = "refluxscan.report/1";

std::string ToJson(const StudyReport& report);  // pretty-printed
std::string ToCsv(const StudyReport& report);   // one row per clip and per segment (`level`)
std::string ToHtml(const StudyReport& report);  // self-contained, offline

}  // namespace refluxscan::report
