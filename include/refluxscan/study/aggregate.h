#pragma once
// Per-segment and per-limb aggregation of clip results, and protocol completeness.
#include <string>
#include <utility>
#include <vector>

#include "refluxscan/core/error.h"
#include "refluxscan/core/study_report.h"

namespace refluxscan::study {

struct Protocol {
  std::string name = "default";
  std::vector<std::pair<Laterality, Segment>> required;
};
Protocol DefaultProtocol();  // both legs: GSV levels, SSV, CFV, FV, POPV (DOMAIN.md)
// JSON: {"name": "...", "required": [{"laterality": "L", "segment": "GSV_SFJ"}, ...]} or
// "segments": [...] applied to both legs.
Result<Protocol> LoadProtocol(const std::string& path);

// Fills report.segments, report.limbs and report.protocol from report.clips.
void Aggregate(StudyReport& report, const Protocol& protocol);

}  // namespace refluxscan::study
