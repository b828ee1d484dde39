// Per-segment and per-limb aggregation, and protocol completeness (docs/segments.md).
#include "refluxscan/study/aggregate.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "refluxscan/core/fs.h"
#include "refluxscan/core/text.h"

namespace refluxscan::study {
namespace {

using Key = std::pair<Laterality, Segment>;

// The level a protocol entry asks for is satisfied by these segments (FV by any FV level).
bool Satisfies(Segment present, Segment required) {
  if (present == required) return true;
  return required == Segment::kFv &&
         (present == Segment::kFvProx || present == Segment::kFvMid || present == Segment::kFvDist);
}

double DecisiveDuration(const ClipResult& clip) {
  if (!clip.measurement || !clip.measurement->decisive) return -1;
  const auto& maneuvers = clip.measurement->maneuvers;
  const size_t d = *clip.measurement->decisive;
  return d < maneuvers.size() ? maneuvers[d].reflux_duration_ms : -1;
}

// The decisive maneuver when it shows reflux (the clip's own fields are null otherwise: "no
// retrograde flow" is not a measured 0 ms), else nullptr.
const Maneuver* DecisiveReflux(const ClipResult& clip) {
  if (!clip.measurement || !clip.measurement->decisive) return nullptr;
  const size_t d = *clip.measurement->decisive;
  const auto& maneuvers = clip.measurement->maneuvers;
  return d < maneuvers.size() && maneuvers[d].has_reflux ? &maneuvers[d] : nullptr;
}

// The clip that decides a segment: any reflux clip beats the others (the longest reflux wins),
// then no_reflux clips, then indeterminate ones; within a class, the longest measured reflux.
size_t PickDecisive(const StudyReport& report, const std::vector<size_t>& clips) {
  auto rank = [&](size_t i) {
    switch (report.clips[i].finding.classification) {
      case Classification::kReflux:
        return 2;
      case Classification::kNoReflux:
        return 1;
      case Classification::kIndeterminate:
        return 0;
    }
    return 0;
  };
  size_t best = clips.front();
  for (size_t i : clips) {
    const bool better_class = rank(i) > rank(best);
    const bool longer = rank(i) == rank(best) &&
                        DecisiveDuration(report.clips[i]) > DecisiveDuration(report.clips[best]);
    if (better_class || longer) best = i;
  }
  return best;
}

SegmentFinding MakeFinding(const StudyReport& report, const Key& key,
                           const std::vector<size_t>& clips) {
  SegmentFinding f;
  f.laterality = key.first;
  f.segment = key.second;
  f.clip_indices = clips;
  const size_t decisive = PickDecisive(report, clips);
  f.decisive_clip = decisive;
  const ClipResult& clip = report.clips[decisive];
  f.finding = clip.finding;
  if (const Maneuver* m = DecisiveReflux(clip)) {
    f.reflux_duration_ms = m->reflux_duration_ms;
    f.peak_reflux_velocity_cm_s = m->peak_reflux_velocity_cm_s;
  }
  return f;
}

// The refluxing stretches of one vein on one leg, proximal to distal: "GSV_SFJ to GSV_MID_THIGH;
// GSV_PROX_CALF". A measured level without reflux (competent or indeterminate) ends a stretch:
// "SFJ to PROX_CALF" across a competent knee read as continuous axial reflux. Levels not measured
// do not (nothing says the reflux stops there).
std::string Extent(const std::vector<SegmentFinding>& segments, Laterality side,
                   std::string_view vein) {
  std::vector<const SegmentFinding*> in_vein;
  for (const SegmentFinding& f : segments) {
    if (f.laterality == side && Info(f.segment).vein == vein) in_vein.push_back(&f);
  }
  std::stable_sort(in_vein.begin(), in_vein.end(), [](const auto* a, const auto* b) {
    return Info(a->segment).anatomical_order < Info(b->segment).anatomical_order;
  });
  std::string out;
  std::optional<Segment> first, last;
  auto flush = [&] {
    if (!first) return;
    if (!out.empty()) out += "; ";
    out += std::string(Info(*first).name);
    if (*last != *first) out += " to " + std::string(Info(*last).name);
    first.reset();
  };
  for (const SegmentFinding* f : in_vein) {
    if (f->finding.classification != Classification::kReflux) {
      flush();
      continue;
    }
    if (!first) first = f->segment;
    last = f->segment;
  }
  flush();
  return out;
}

std::optional<bool> Competent(const std::vector<SegmentFinding>& segments, Laterality side,
                              Segment junction) {
  for (const SegmentFinding& f : segments) {
    if (f.laterality != side || f.segment != junction) continue;
    if (f.finding.classification == Classification::kReflux) return false;
    if (f.finding.classification == Classification::kNoReflux) return true;
  }
  return std::nullopt;
}

LimbSummary Summarize(const std::vector<SegmentFinding>& segments, Laterality side) {
  LimbSummary limb;
  limb.laterality = side;
  for (const SegmentFinding& f : segments) {
    if (f.laterality != side) continue;
    const bool indeterminate = f.finding.classification == Classification::kIndeterminate;
    (indeterminate ? limb.segments_indeterminate : limb.segments_decided)++;
    if (f.finding.classification == Classification::kReflux) limb.refluxing.push_back(f.segment);
  }
  std::sort(limb.refluxing.begin(), limb.refluxing.end(), [](Segment a, Segment b) {
    return Info(a).anatomical_order < Info(b).anatomical_order;
  });
  for (Segment s : limb.refluxing) {
    const VeinClass c = Info(s).vein_class;
    if (c == VeinClass::kDeepProximal || c == VeinClass::kDeepDistal) limb.deep_reflux.push_back(s);
  }
  limb.gsv_reflux_extent = Extent(segments, side, "GSV");
  limb.ssv_reflux_extent = Extent(segments, side, "SSV");
  limb.sfj_competent = Competent(segments, side, Segment::kGsvSfj);
  limb.spj_competent = Competent(segments, side, Segment::kSsvSpj);
  return limb;
}

// The clips of leg `side` classified reflux without a segment (LimbSummary).
std::vector<size_t> UnplacedRefluxClips(const StudyReport& report, Laterality side) {
  std::vector<size_t> out;
  for (size_t i = 0; i < report.clips.size(); ++i) {
    const ClipResult& c = report.clips[i];
    if (c.status == ClipStatus::kOk && c.identity.laterality == side && !c.identity.segment &&
        c.finding.classification == Classification::kReflux) {
      out.push_back(i);
    }
  }
  return out;
}

ProtocolCompleteness Completeness(const std::vector<SegmentFinding>& segments,
                                  const Protocol& protocol) {
  ProtocolCompleteness out;
  out.protocol_name = protocol.name;
  out.required = protocol.required;
  for (const Key& need : protocol.required) {
    bool present = false, measurable = false;
    for (const SegmentFinding& f : segments) {
      if (f.laterality != need.first || !Satisfies(f.segment, need.second)) continue;
      present = true;
      measurable = measurable || f.finding.classification != Classification::kIndeterminate;
    }
    if (!present)
      out.missing.push_back(need);
    else if (!measurable)
      out.unmeasurable.push_back(need);
  }
  return out;
}

// A JSON value for an error message: its text, sanitized and short.
std::string Quoted(const nlohmann::json& v) { return SanitizeForLog(v.dump(), 60); }

// Each level once, however often the file lists it (it was required, and missing, twice).
void AddRequired(Protocol& p, const std::pair<Laterality, Segment>& level) {
  if (std::find(p.required.begin(), p.required.end(), level) == p.required.end()) {
    p.required.push_back(level);
  }
}

Result<Protocol> ParseProtocol(const nlohmann::json& root) {
  if (!root.is_object()) return Fail(ErrorCode::kInvalidInput, "protocol: expected an object");
  Protocol p;
  for (const auto& item : root.items()) {
    const std::string& key = item.key();
    if (key != "name" && key != "required" && key != "segments") {
      return Fail(ErrorCode::kInvalidInput,
                  "protocol: unknown key \"" + key + "\" (allowed: name, required, segments)");
    }
  }
  if (root.contains("name") && root["name"].is_string()) p.name = root["name"].get<std::string>();
  if (root.contains("segments")) {
    if (!root["segments"].is_array()) {
      return Fail(ErrorCode::kInvalidInput, "protocol: \"segments\" must be an array of names");
    }
    for (const auto& s : root["segments"]) {
      const auto segment = s.is_string() ? SegmentFromName(s.get<std::string>()) : std::nullopt;
      if (!segment) {
        return Fail(ErrorCode::kInvalidInput, "protocol: unknown segment " + Quoted(s) +
                                                  " in \"segments\" (canonical names, "
                                                  "docs/segments.md)");
      }
      for (Laterality l : {Laterality::kRight, Laterality::kLeft}) AddRequired(p, {l, *segment});
    }
  }
  if (root.contains("required")) {
    if (!root["required"].is_array()) {
      return Fail(ErrorCode::kInvalidInput, "protocol: \"required\" must be an array");
    }
    for (size_t i = 0; i < root["required"].size(); ++i) {
      const auto& r = root["required"][i];
      const std::string where = "protocol: required[" + std::to_string(i) + "]";
      if (!r.is_object() || !r.contains("laterality") || !r.contains("segment") ||
          !r["laterality"].is_string() || !r["segment"].is_string()) {
        return Fail(ErrorCode::kInvalidInput, where + " needs \"laterality\" and \"segment\"");
      }
      const auto l = LateralityFromCode(r["laterality"].get<std::string>());
      const auto s = SegmentFromName(r["segment"].get<std::string>());
      if (!l) {
        return Fail(ErrorCode::kInvalidInput,
                    where + ": unknown laterality " + Quoted(r["laterality"]) + " (L or R)");
      }
      if (!s) {
        return Fail(ErrorCode::kInvalidInput, where + ": unknown segment " + Quoted(r["segment"]) +
                                                  " (canonical names, docs/segments.md)");
      }
      AddRequired(p, {*l, *s});
    }
  }
  if (p.required.empty()) return Fail(ErrorCode::kInvalidInput, "protocol: no required segments");
  return p;
}

}  // namespace

Protocol DefaultProtocol() {
  using enum Segment;
  Protocol p;
  p.name = "default";
  for (Laterality l : {Laterality::kRight, Laterality::kLeft}) {
    for (Segment s : {kCfv, kGsvSfj, kGsvProxThigh, kGsvMidThigh, kGsvDistThigh, kGsvKnee,
                      kGsvProxCalf, kFv, kPopv, kSsvSpj, kSsvProxCalf}) {
      p.required.emplace_back(l, s);
    }
  }
  return p;
}

Result<Protocol> LoadProtocol(const std::string& path) {
  auto text = ReadTextFile(path, 1u << 20);
  if (!text) return std::unexpected(text.error());
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    return Fail(ErrorCode::kInvalidInput,
                path + ": not valid JSON at " + JsonParseErrorText(e.what()));
  }
  auto protocol = ParseProtocol(root);
  if (!protocol) return Fail(protocol.error().code, path + ": " + protocol.error().message);
  return protocol;
}

void Aggregate(StudyReport& report, const Protocol& protocol) {
  std::map<Key, std::vector<size_t>> groups;
  for (size_t i = 0; i < report.clips.size(); ++i) {
    // A skipped clip (a B-mode or colour image: vein-mapping studies label those too, for
    // diameters) measured nothing: it neither decides a segment nor makes it unmeasurable.
    if (report.clips[i].status == ClipStatus::kSkipped) continue;
    const SegmentId& id = report.clips[i].identity;
    if (id.laterality && id.segment) groups[{*id.laterality, *id.segment}].push_back(i);
  }
  report.segments.clear();
  for (const auto& [key, clips] : groups)
    report.segments.push_back(MakeFinding(report, key, clips));
  std::stable_sort(report.segments.begin(), report.segments.end(),
                   [](const SegmentFinding& a, const SegmentFinding& b) {
                     if (a.laterality != b.laterality) return a.laterality == Laterality::kRight;
                     return Info(a.segment).anatomical_order < Info(b.segment).anatomical_order;
                   });
  std::set<Laterality> sides;
  for (const SegmentFinding& f : report.segments) sides.insert(f.laterality);
  for (const Key& k : protocol.required) sides.insert(k.first);
  report.limbs.clear();
  for (Laterality side : {Laterality::kRight, Laterality::kLeft}) {
    // A leg with no segment but a reflux at a level not identified still has a summary to show.
    std::vector<size_t> unplaced = UnplacedRefluxClips(report, side);
    if (!sides.contains(side) && unplaced.empty()) continue;
    LimbSummary limb = Summarize(report.segments, side);
    limb.unplaced_reflux_clips = std::move(unplaced);
    report.limbs.push_back(std::move(limb));
  }
  report.protocol = Completeness(report.segments, protocol);
}

}  // namespace refluxscan::study
