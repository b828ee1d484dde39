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

// ---- Classic style (the bundled sample_data's labels; kept byte-for-byte) ----------------------
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

// ---- Varied style: spellings of many scanners and sonographers -----------------------------
// A label is side + vein + level (or one whole phrase), each part drawn from lists of spellings
// the parser documents (docs/segments.md), then a side position, separators, an optional clip
// number or maneuver, and a case. Every combination names its segment unambiguously; the
// round-trip test (tests/synth/labels_test.cpp) parses each one back.

using Words = std::vector<string_view>;

const Words kGsvNames = {
    "GSV",     "great saphenous",      "great saph",  "greater saphenous", "long saphenous",
    "gr saph", "great saphenous vein", "Gr. Saph. V."};
const Words kSsvNames = {
    "SSV",     "small saphenous",     "small saph", "lesser saphenous", "short saphenous",
    "sm saph", "small saphenous vein"};
const Words kFvNames = {"FV",     "femoral vein", "fem v", "SFV", "superficial femoral vein",
                        "Fem. V."};

// How one segment is spelled: `whole` phrases, or a vein spelling followed by a level spelling
// (a level spelling may also come first when `level_first` is allowed).
struct Recipe {
  Segment segment;
  Words whole;
  const Words* veins = nullptr;
  Words levels = {};
};

const std::vector<Recipe>& Recipes() {
  using enum Segment;
  static const std::vector<Recipe> recipes = {
      {kGsvSfj,
       {"SFJ", "GSV SFJ", "GSV @ SFJ", "GSV at SFJ", "GSV-SFJ", "saphenofemoral junction",
        "sapheno-femoral junction", "SF junction", "SF jxn", "saph-fem junction",
        "GSV terminal valve", "great saphenous SFJ", "SFJ (GSV)", "saphenofemoral jct"}},
      {kGsvProxThigh,
       {},
       &kGsvNames,
       {"prox thigh", "proximal thigh", "upper thigh", "thigh prox", "prox-thigh", "PROX. THIGH",
        "(prox thigh)", "proxthigh"}},
      {kGsvMidThigh,
       {},
       &kGsvNames,
       {"mid thigh", "mid-thigh", "midthigh", "thigh mid", "middle thigh"}},
      {kGsvDistThigh,
       {},
       &kGsvNames,
       {"dist thigh", "distal thigh", "lower thigh", "AK", "above knee", "A/K", "thigh distal",
        "dist. thigh"}},
      {kGsvKnee, {}, &kGsvNames, {"knee", "@ knee", "at knee", "at the knee", "knee level"}},
      {kGsvProxCalf,
       {},
       &kGsvNames,
       {"prox calf", "proximal calf", "upper calf", "BK", "below knee", "B/K", "calf prox"}},
      {kGsvMidCalf, {}, &kGsvNames, {"mid calf", "mid-calf", "midcalf", "calf mid", "middle calf"}},
      {kGsvDistCalf,
       {},
       &kGsvNames,
       {"dist calf", "distal calf", "lower calf", "ankle", "calf distal", "distcalf"}},
      {kGsvCalf, {}, &kGsvNames, {"calf", "calf level"}},
      {kAasv,
       {"AASV", "anterior accessory saphenous", "ant accessory saph", "anterior accessory GSV",
        "AAGSV", "ant acc saph vein"}},
      {kPasv,
       {"PASV", "posterior accessory saphenous", "post accessory saph", "posterior accessory GSV",
        "PAGSV"}},
      {kSsvSpj,
       {"SPJ", "SSV SPJ", "SSV @ SPJ", "SSV at SPJ", "saphenopopliteal junction",
        "sapheno-popliteal junction", "SP junction", "SP jct", "saph-pop junction",
        "small saphenous SPJ", "SSV junction"}},
      {kSsvProxCalf,
       {},
       &kSsvNames,
       {"prox calf", "proximal calf", "upper calf", "prox", "proximal", "calf prox"}},
      {kSsvMidCalf, {}, &kSsvNames, {"mid calf", "mid-calf", "midcalf", "mid"}},
      {kSsvDistCalf, {}, &kSsvNames, {"dist calf", "distal calf", "lower calf", "distal", "dist"}},
      {kTributary,
       {"tributary", "TRIB", "GSV trib", "GSV tributary", "varicose tributary", "SSV tributaries",
        "gr saph trib"}},
      {kCfv,
       {"CFV", "common femoral vein", "common femoral", "common fem v", "CFV groin", "CFV at SFJ",
        "COMMON FEMORAL V", "CFV/SFJ"}},
      {kFv, {}, &kFvNames, {""}},
      {kFvProx, {}, &kFvNames, {"prox", "proximal", "prox thigh", "upper thigh"}},
      {kFvMid, {}, &kFvNames, {"mid", "mid thigh", "middle"}},
      {kFvDist,
       {},
       &kFvNames,
       {"dist", "distal", "dist thigh", "AK", "above knee", "adductor canal"}},
      {kDfv,
       {"DFV", "PFV", "deep femoral vein", "profunda", "profunda femoris vein", "deep fem v",
        "profunda femoral v"}},
      {kPopv,
       {"POPV", "POP V", "popliteal vein", "popliteal", "pop vein", "popl v", "Pop. V.",
        "POPLITEAL V"}},
      {kPtv,
       {"PTV", "posterior tibial vein", "post tib v", "PTVs", "posterior tibial veins",
        "PT veins"}},
      {kPerv, {"PERV", "peroneal vein", "peroneal v", "peroneals", "fibular vein"}},
      {kAtv, {"ATV", "anterior tibial vein", "ant tib v", "ATVs", "AT veins"}},
      {kGastroc,
       {"GASTROC V", "gastrocnemius vein", "gastroc", "medial gastroc v", "MGV",
        "gastrocnemial v"}},
      {kSoleal, {"soleal vein", "soleal v", "soleus v", "SOLEAL"}},
      {kPerfThigh,
       {"thigh perf", "perf thigh", "thigh perforator", "Hunterian perf", "Dodd perf",
        "Dodd perforator", "mid thigh perf", "FV perf"}},
      {kPerfKnee,
       {"knee perf", "perf knee", "Boyd perf", "Boyd perforator", "Boyd's perf",
        "knee perforator"}},
      {kPerfCalf,
       {"calf perf", "perf calf", "calf perforator", "Cockett perf", "Cockett perforator",
        "paratibial perf", "posterior tibial perforator", "PTV perf"}},
      {kPerf, {"perf", "perforator", "perforating vein"}},
  };
  return recipes;
}

template <class T>
const T& PickFrom(const std::vector<T>& items, Rng& rng) {
  return items[static_cast<size_t>(rng.Int(0, static_cast<int>(items.size()) - 1))];
}

// The label's parts before the side goes in: {vein, level} or {whole phrase}.
std::vector<std::string> SegmentParts(Segment segment, Rng& rng) {
  for (const Recipe& r : Recipes()) {
    if (r.segment != segment) continue;
    if (r.veins == nullptr) return {std::string(PickFrom(r.whole, rng))};
    std::string vein(PickFrom(*r.veins, rng)), level(PickFrom(r.levels, rng));
    if (level.empty()) return {vein};
    // "thigh prox GSV" reads oddly with junction-like levels; "@ knee" must follow its vein.
    if (level[0] != '@' && rng.Chance(0.15)) return {level, vein};
    return {vein, level};
  }
  return {std::string(Info(segment).name)};
}

// Sides as sonographers and scanners write them. The bare letter is the commonest.
string_view SideSpelling(Laterality l, Rng& rng) {
  static const Words kLeft = {"L",  "L",   "LT",  "Lt.", "LEFT",     "Left",   "Lt", "LT.",
                              "L.", "LLE", "(L)", "[L]", "Left leg", "Lt leg", "lft"};
  static const Words kRight = {"R",  "R",   "RT",  "Rt.", "RIGHT",     "Right",  "Rt", "RT.",
                               "R.", "RLE", "(R)", "[R]", "Right leg", "Rt leg", "rgt"};
  return PickFrom(l == Laterality::kLeft ? kLeft : kRight, rng);
}

// Puts the side before (most often), after, or between vein and level ("GSV R prox thigh").
std::vector<std::string> WithSide(std::vector<std::string> parts, string_view side, Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.6) {
    parts.insert(parts.begin(), std::string(side));
  } else if (u < 0.85 || parts.size() < 2) {
    parts.emplace_back(side);
  } else {
    parts.insert(parts.begin() + 1, std::string(side));
  }
  return parts;
}

// "RGSV", "LCFV", "RSFJ": a one-letter side glued to an abbreviated vein or junction.
bool Glueable(const std::vector<std::string>& parts) {
  static const Words kAbbreviations = {"GSV", "SSV", "CFV", "SFV", "FV",  "DFV",
                                       "PFV", "PTV", "SFJ", "SPJ", "POPV"};
  if (parts.size() < 2 || (parts[0] != "L" && parts[0] != "R")) return false;
  const string_view first = string_view(parts[1]).substr(0, parts[1].find(' '));
  return std::find(kAbbreviations.begin(), kAbbreviations.end(), first) != kAbbreviations.end();
}

// Joins the parts with one separator style; "_" also replaces the spaces inside parts
// ("LEFT_GSV_MID_CALF").
std::string Join(const std::vector<std::string>& parts, Rng& rng) {
  // No tabs or backslashes: labels go into DICOM LO values.
  static const Words kSeparators = {" ", " ", " ", " ", "  ", ", ", " - ", "_", "/", ": "};
  const string_view sep = PickFrom(kSeparators, rng);
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  if (sep == "_") std::replace(out.begin(), out.end(), ' ', '_');
  return out;
}

// An optional clip number or maneuver note, which carries no segment information.
std::string Decoration(Rng& rng) {
  static const Words kNotes = {" #", " cine ",    " clip ",         "_00",
                               " (", " valsalva", " w/ distal aug", " calf squeeze"};
  if (!rng.Chance(0.25)) return {};
  const std::string note(PickFrom(kNotes, rng));
  const std::string n = std::to_string(rng.Int(1, 9));
  if (note == " (") return " (" + n + ")";
  return note.back() == ' ' || note.back() == '#' || note.back() == '0' ? note + n : note;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string VariedLabel(Laterality laterality, Segment segment, Rng& rng) {
  std::vector<std::string> parts =
      WithSide(SegmentParts(segment, rng), SideSpelling(laterality, rng), rng);
  if (Glueable(parts) && rng.Chance(0.2)) {
    parts[1] = parts[0] + parts[1];
    parts.erase(parts.begin());
  }
  const std::string label = Join(parts, rng) + Decoration(rng);
  const double u = rng.Uniform();
  return u < 0.3 ? Upper(label) : u < 0.45 ? Lower(label) : label;
}

// Labels naming no vocabulary segment: no vein, or a vein without its level, or a word the
// parser must refuse (LSV = long or lesser saphenous, an artery, a branch, two levels).
std::string VariedUnknownLabel(Laterality laterality, Rng& rng) {
  static const Words kPhrases = {"misc vein",
                                 "clip",
                                 "vein",
                                 "other",
                                 "GSV",
                                 "gr saph",
                                 "GSV thigh",
                                 "SSV",
                                 "LSV mid calf",
                                 "accessory saphenous",
                                 "CFA",
                                 "GSV branch",
                                 "GSV prox mid thigh",
                                 "PV",
                                 "GSV prox"};
  std::vector<std::string> parts = {std::string(PickFrom(kPhrases, rng)),
                                    std::to_string(rng.Int(1, 9))};
  parts.insert(parts.begin(), std::string(SideSpelling(laterality, rng)));
  return Join(parts, rng);
}

}  // namespace

std::string MakeLabel(Laterality laterality, Segment segment, Rng& rng, LabelStyle style) {
  if (style == LabelStyle::kVaried) return VariedLabel(laterality, segment, rng);
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

std::string MakeUnknownLabel(Laterality laterality, Rng& rng, LabelStyle style) {
  if (style == LabelStyle::kVaried) return VariedUnknownLabel(laterality, rng);
  static constexpr std::array<string_view, 4> kPhrases = {"misc vein", "clip", "vein", "other"};
  const std::string phrase = std::string(kPhrases[static_cast<size_t>(rng.Int(0, 3))]) + " " +
                             std::to_string(rng.Int(1, 9));
  return std::string(laterality == Laterality::kLeft ? "L " : "R ") + phrase;
}

}  // namespace refluxscan::synth
