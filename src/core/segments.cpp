#include "refluxscan/core/segments.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace refluxscan {
namespace {

using enum Segment;
using enum VeinClass;

// The vocabulary, proximal to distal within each vein. Vein classes follow DOMAIN.md's threshold
// table (Labropoulos 2003; SVS/AVF 2011; SVS/AVF/AVLS 2023).
constexpr std::array kSegments = {
    SegmentInfo{kCfv, "CFV", "common femoral vein", kDeepProximal, "CFV", 10},
    SegmentInfo{kGsvSfj, "GSV_SFJ", "great saphenous vein at the sapheno-femoral junction",
                kSuperficial, "GSV", 20},
    SegmentInfo{kGsvProxThigh, "GSV_PROX_THIGH", "great saphenous vein, proximal thigh",
                kSuperficial, "GSV", 21},
    SegmentInfo{kGsvMidThigh, "GSV_MID_THIGH", "great saphenous vein, mid thigh", kSuperficial,
                "GSV", 22},
    SegmentInfo{kGsvDistThigh, "GSV_DIST_THIGH", "great saphenous vein, distal thigh", kSuperficial,
                "GSV", 23},
    SegmentInfo{kGsvKnee, "GSV_KNEE", "great saphenous vein at the knee", kSuperficial, "GSV", 24},
    SegmentInfo{kGsvProxCalf, "GSV_PROX_CALF", "great saphenous vein, proximal calf", kSuperficial,
                "GSV", 25},
    SegmentInfo{kGsvMidCalf, "GSV_MID_CALF", "great saphenous vein, mid calf", kSuperficial, "GSV",
                26},
    SegmentInfo{kGsvDistCalf, "GSV_DIST_CALF", "great saphenous vein, distal calf", kSuperficial,
                "GSV", 27},
    SegmentInfo{kGsvCalf, "GSV_CALF", "great saphenous vein, calf (level unspecified)",
                kSuperficial, "GSV", 28},
    SegmentInfo{kAasv, "AASV", "anterior accessory saphenous vein", kSuperficial, "AASV", 30},
    SegmentInfo{kPasv, "PASV", "posterior accessory saphenous vein", kSuperficial, "PASV", 31},
    SegmentInfo{kFv, "FV", "femoral vein (level unspecified)", kDeepProximal, "FV", 40},
    SegmentInfo{kFvProx, "FV_PROX", "femoral vein, proximal", kDeepProximal, "FV", 41},
    SegmentInfo{kFvMid, "FV_MID", "femoral vein, mid", kDeepProximal, "FV", 42},
    SegmentInfo{kFvDist, "FV_DIST", "femoral vein, distal", kDeepProximal, "FV", 43},
    SegmentInfo{kDfv, "DFV", "deep femoral (profunda) vein", kDeepDistal, "DFV", 45},
    SegmentInfo{kPopv, "POPV", "popliteal vein", kDeepProximal, "POPV", 50},
    SegmentInfo{kSsvSpj, "SSV_SPJ", "small saphenous vein at the sapheno-popliteal junction",
                kSuperficial, "SSV", 60},
    SegmentInfo{kSsvProxCalf, "SSV_PROX_CALF", "small saphenous vein, proximal calf", kSuperficial,
                "SSV", 61},
    SegmentInfo{kSsvMidCalf, "SSV_MID_CALF", "small saphenous vein, mid calf", kSuperficial, "SSV",
                62},
    SegmentInfo{kSsvDistCalf, "SSV_DIST_CALF", "small saphenous vein, distal calf", kSuperficial,
                "SSV", 63},
    // A tributary of the saphenous veins (DOMAIN.md: superficial, > 500 ms), wherever it lies:
    // after every saphenous vein, as a level-unspecified segment follows its vein's levels.
    SegmentInfo{kTributary, "TRIBUTARY", "superficial tributary (varicose branch)", kSuperficial,
                "TRIB", 65},
    SegmentInfo{kGastroc, "GASTROC", "gastrocnemius vein", kDeepDistal, "GASTROC", 70},
    SegmentInfo{kSoleal, "SOLEAL", "soleal vein", kDeepDistal, "SOLEAL", 71},
    SegmentInfo{kPtv, "PTV", "posterior tibial vein", kDeepDistal, "PTV", 72},
    SegmentInfo{kPerv, "PERV", "peroneal vein", kDeepDistal, "PERV", 73},
    SegmentInfo{kAtv, "ATV", "anterior tibial vein", kDeepDistal, "ATV", 74},
    SegmentInfo{kPerfThigh, "PERF_THIGH", "thigh perforator (Hunterian)", kPerforator, "PERF", 80},
    SegmentInfo{kPerfKnee, "PERF_KNEE", "knee perforator (Boyd)", kPerforator, "PERF", 81},
    SegmentInfo{kPerfCalf, "PERF_CALF", "calf perforator (Cockett)", kPerforator, "PERF", 82},
    SegmentInfo{kPerf, "PERF", "perforator (location unspecified)", kPerforator, "PERF", 83},
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view LateralityCode(Laterality l) { return l == Laterality::kLeft ? "L" : "R"; }

std::optional<Laterality> LateralityFromCode(std::string_view code) {
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.front())))
    code.remove_prefix(1);
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.back())))
    code.remove_suffix(1);
  if (EqualsIgnoreCase(code, "L") || EqualsIgnoreCase(code, "left")) return Laterality::kLeft;
  if (EqualsIgnoreCase(code, "R") || EqualsIgnoreCase(code, "right")) return Laterality::kRight;
  return std::nullopt;
}

std::string_view VeinClassName(VeinClass c) {
  switch (c) {
    case kSuperficial:
      return "superficial";
    case kDeepProximal:
      return "deep_proximal";
    case kDeepDistal:
      return "deep_distal";
    case kPerforator:
      return "perforator";
  }
  return "superficial";
}

std::optional<VeinClass> VeinClassFromName(std::string_view name) {
  for (VeinClass c : {kSuperficial, kDeepProximal, kDeepDistal, kPerforator}) {
    if (EqualsIgnoreCase(name, VeinClassName(c))) return c;
  }
  return std::nullopt;
}

std::span<const SegmentInfo> AllSegments() { return kSegments; }

const SegmentInfo& Info(Segment s) {
  for (const SegmentInfo& info : kSegments) {
    if (info.segment == s) return info;
  }
  return kSegments.front();  // unreachable: every enumerator is in the table (tested)
}

std::optional<Segment> SegmentFromName(std::string_view canonical_name) {
  for (const SegmentInfo& info : kSegments) {
    if (EqualsIgnoreCase(info.name, canonical_name)) return info.segment;
  }
  return std::nullopt;
}

}  // namespace refluxscan
