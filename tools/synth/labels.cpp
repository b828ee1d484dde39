#include "synth/labels.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <string_view>
#include <vector>

namespace refluxscan::synth {
namespace {

using std::string_view;

struct Phrases {
  Segment segment;
  std::vector<string_view> spellings;
};

// Spellings seen on scanner labels and worksheets; each names its segment unambiguously.
const std::vector<Phrases>& Table() {
  static const std::vector<Phrases> table = {
      {Segment::kGsvSfj,
       {"GSV SFJ", "SFJ", "GSV @ SFJ", "great saphenous SFJ", "saphenofemoral junction"}},
      {Segment::kGsvProxThigh,
       {"GSV PROX THIGH", "great saphenous prox thigh", "GSV proximal thigh"}},
      {Segment::kGsvMidThigh, {"GSV MID THIGH", "great saphenous mid thigh", "GSV mid-thigh"}},
      {Segment::kGsvDistThigh,
       {"GSV DIST THIGH", "GSV distal thigh", "great saphenous dist thigh"}},
      {Segment::kGsvKnee, {"GSV KNEE", "GSV @ knee", "great saphenous at knee"}},
      {Segment::kGsvProxCalf, {"GSV PROX CALF", "GSV proximal calf", "great saphenous prox calf"}},
      {Segment::kGsvMidCalf, {"GSV MID CALF", "great saphenous mid calf"}},
      {Segment::kGsvDistCalf, {"GSV DIST CALF", "GSV distal calf"}},
      {Segment::kAasv, {"AASV", "anterior accessory saphenous"}},
      {Segment::kSsvSpj, {"SSV SPJ", "SPJ", "SSV @ SPJ", "small saphenous SPJ"}},
      {Segment::kSsvProxCalf,
       {"SSV PROX CALF", "SMALL SAPHENOUS PROX CALF", "small saphenous proximal calf"}},
      {Segment::kSsvMidCalf, {"SSV MID CALF", "small saphenous mid calf"}},
      {Segment::kSsvDistCalf, {"SSV DIST CALF", "small saphenous distal calf"}},
      {Segment::kCfv, {"CFV", "COMMON FEMORAL V", "common femoral vein"}},
      {Segment::kFvProx, {"FV PROX", "femoral vein prox", "FEM V PROX"}},
      {Segment::kFvMid, {"FV MID", "femoral vein mid", "FEM V MID"}},
      {Segment::kFvDist, {"FV DIST", "femoral vein distal"}},
      {Segment::kDfv, {"DFV", "deep femoral vein"}},
      {Segment::kPopv, {"POP V", "POPV", "POPLITEAL V", "popliteal vein"}},
      {Segment::kPerfThigh, {"thigh perf", "PERF THIGH"}},
      {Segment::kPerfKnee, {"knee perf", "PERF KNEE"}},
      {Segment::kPerfCalf, {"perf calf", "CALF PERF", "calf perforator"}},
      {Segment::kGastroc, {"GASTROC V", "gastrocnemius vein"}},
  };
  return table;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Laterality prefix or suffix in one of the common spellings.
std::string WithLaterality(Laterality l, const std::string& phrase, Rng& rng) {
  static constexpr std::array<string_view, 6> kLeft = {"L", "LT", "Lt.", "LEFT", "Left", "Lt"};
  static constexpr std::array<string_view, 6> kRight = {"R", "RT", "Rt.", "RIGHT", "Right", "Rt"};
  const auto& names = l == Laterality::kLeft ? kLeft : kRight;
  const std::string side(names[static_cast<size_t>(rng.Int(0, 5))]);
  if (rng.Chance(0.25)) return phrase + " " + (side.size() <= 2 ? side : side.substr(0, 1));
  return side + " " + phrase;
}

}  // namespace

std::string MakeLabel(Laterality laterality, Segment segment, Rng& rng) {
  std::string phrase(Info(segment).name);
  for (const Phrases& p : Table()) {
    if (p.segment == segment) {
      phrase = std::string(
          p.spellings[static_cast<size_t>(rng.Int(0, static_cast<int>(p.spellings.size()) - 1))]);
    }
  }
  std::string label = WithLaterality(laterality, phrase, rng);
  return rng.Chance(0.3) ? Upper(label) : label;
}

std::string MakeUnknownLabel(Laterality laterality, Rng& rng) {
  static constexpr std::array<string_view, 4> kPhrases = {"misc vein", "clip", "vein", "other"};
  const std::string phrase = std::string(kPhrases[static_cast<size_t>(rng.Int(0, 3))]) + " " +
                             std::to_string(rng.Int(1, 9));
  return std::string(laterality == Laterality::kLeft ? "L " : "R ") + phrase;
}

}  // namespace refluxscan::synth
