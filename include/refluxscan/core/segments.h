#pragma once
// The canonical venous segment vocabulary (one place for the whole product).
// Names follow ../shared/DOMAIN.md; vein classes decide the reflux threshold.
#include <optional>
#include <span>
#include <string_view>

namespace refluxscan {

enum class Laterality { kLeft, kRight };
std::string_view LateralityCode(Laterality l);  // "L" / "R"
// "L", "R", "left", "right" in any case, surrounding spaces ignored (manifests, protocols, the
// DICOM Laterality tag); anything else nullopt.
std::optional<Laterality> LateralityFromCode(std::string_view code);

// Threshold classes (DOMAIN.md "Reflux thresholds").
enum class VeinClass {
  kSuperficial,   // GSV, SSV, accessory saphenous, tributaries: > 500 ms
  kDeepProximal,  // CFV, FV, POPV: > 1000 ms
  kDeepDistal,    // DFV and deep calf veins: > 500 ms
  kPerforator,    // > 350 ms (Labropoulos 2003) or >= 500 ms (SVS 2011)
};
std::string_view VeinClassName(VeinClass c);  // "superficial", "deep_proximal", ...
std::optional<VeinClass> VeinClassFromName(std::string_view name);

enum class Segment {
  kGsvSfj,
  kGsvProxThigh,
  kGsvMidThigh,
  kGsvDistThigh,
  kGsvKnee,
  kGsvProxCalf,
  kGsvMidCalf,
  kGsvDistCalf,
  kGsvCalf,
  kAasv,
  kPasv,
  kSsvSpj,
  kSsvProxCalf,
  kSsvMidCalf,
  kSsvDistCalf,
  kTributary,  // a superficial tributary, level unspecified
  kCfv,
  kFv,
  kFvProx,
  kFvMid,
  kFvDist,
  kDfv,
  kPopv,
  kPtv,
  kPerv,
  kAtv,
  kGastroc,
  kSoleal,
  kPerfThigh,
  kPerfKnee,
  kPerfCalf,
  kPerf,
};

struct SegmentInfo {
  Segment segment;
  std::string_view name;         // canonical code, e.g. "GSV_PROX_THIGH"
  std::string_view description;  // e.g. "great saphenous vein, proximal thigh"
  VeinClass vein_class;
  std::string_view vein;  // axial vein it belongs to: "GSV", "SSV", "CFV", ... "PERF"
  int anatomical_order;   // proximal (groin) to distal (ankle), for sorting limb maps
};

std::span<const SegmentInfo> AllSegments();
const SegmentInfo& Info(Segment s);
std::optional<Segment> SegmentFromName(std::string_view canonical_name);  // exact, case-insensitive

}  // namespace refluxscan
