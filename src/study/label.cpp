// Free-text segment labels -> laterality and segment. One vocabulary table; never guesses:
// conflicting or incomplete information yields nullopt (docs/segments.md "Label parsing").
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "refluxscan/study/identify.h"

namespace refluxscan::study {
namespace {

enum class Vein {
  kGsv,
  kSsv,
  kAasv,
  kPasv,
  kCfv,
  kFv,
  kDfv,
  kPopv,
  kPtv,
  kPerv,
  kAtv,
  kGastroc,
  kSoleal,
  kPerf
};
enum Level : unsigned {
  kProx = 1u << 0,
  kMid = 1u << 1,
  kDist = 1u << 2,
  kThigh = 1u << 3,
  kKnee = 1u << 4,
  kCalf = 1u << 5,
  kSfj = 1u << 6,
  kSpj = 1u << 7,
  kJunction = 1u << 8,
};

// What a phrase contributes. kReject marks words that make the label mean something we do not
// map (arteries, tributaries, ambiguous abbreviations such as LSV = long or lesser saphenous).
enum class Kind { kLeft, kRight, kBoth, kVein, kLevel, kReject };

struct Phrase {
  std::array<std::string_view, 3> words;  // uppercase; unused trailing entries empty
  Kind kind;
  Vein vein = Vein::kGsv;
  unsigned levels = 0;
};

constexpr Phrase V(std::string_view a, Vein v, std::string_view b = {}, std::string_view c = {}) {
  return {{a, b, c}, Kind::kVein, v, 0};
}
constexpr Phrase L(std::string_view a, unsigned lv, std::string_view b = {}) {
  return {{a, b, {}}, Kind::kLevel, Vein::kGsv, lv};
}
constexpr Phrase S(std::string_view a, Kind k, std::string_view b = {}) {
  return {{a, b, {}}, k, Vein::kGsv, 0};
}

// The synonyms table (longest phrase wins where several match).
constexpr Phrase kPhrases[] = {
    S("L", Kind::kLeft),
    S("LT", Kind::kLeft),
    S("LEFT", Kind::kLeft),
    S("LFT", Kind::kLeft),
    S("LLE", Kind::kLeft),
    S("R", Kind::kRight),
    S("RT", Kind::kRight),
    S("RIGHT", Kind::kRight),
    S("RGT", Kind::kRight),
    S("RLE", Kind::kRight),
    V("GSV", Vein::kGsv),
    V("GREAT", Vein::kGsv, "SAPHENOUS"),
    V("GREATER", Vein::kGsv, "SAPHENOUS"),
    V("LONG", Vein::kGsv, "SAPHENOUS"),
    V("GREAT", Vein::kGsv, "SAPH"),
    V("SSV", Vein::kSsv),
    V("SMALL", Vein::kSsv, "SAPHENOUS"),
    V("LESSER", Vein::kSsv, "SAPHENOUS"),
    V("SHORT", Vein::kSsv, "SAPHENOUS"),
    V("SMALL", Vein::kSsv, "SAPH"),
    V("AASV", Vein::kAasv),
    V("AAGSV", Vein::kAasv),
    V("ANTERIOR", Vein::kAasv, "ACCESSORY"),
    V("ANT", Vein::kAasv, "ACCESSORY"),
    V("PASV", Vein::kPasv),
    V("PAGSV", Vein::kPasv),
    V("POSTERIOR", Vein::kPasv, "ACCESSORY"),
    V("POST", Vein::kPasv, "ACCESSORY"),
    V("CFV", Vein::kCfv),
    V("COMMON", Vein::kCfv, "FEMORAL"),
    V("COMMON", Vein::kCfv, "FEM"),
    V("FV", Vein::kFv),
    V("SFV", Vein::kFv),
    V("FEMORAL", Vein::kFv),
    V("FEM", Vein::kFv),
    V("SUPERFICIAL", Vein::kFv, "FEMORAL"),
    V("DFV", Vein::kDfv),
    V("PFV", Vein::kDfv),
    V("PROFUNDA", Vein::kDfv),
    V("DEEP", Vein::kDfv, "FEMORAL"),
    V("POPV", Vein::kPopv),
    V("POP", Vein::kPopv),
    V("POPLITEAL", Vein::kPopv),
    V("PTV", Vein::kPtv),
    V("POSTERIOR", Vein::kPtv, "TIBIAL"),
    V("POST", Vein::kPtv, "TIB"),
    V("PERV", Vein::kPerv),
    V("PEROV", Vein::kPerv),
    V("PERONEAL", Vein::kPerv),
    V("FIBULAR", Vein::kPerv),
    V("ATV", Vein::kAtv),
    V("ANTERIOR", Vein::kAtv, "TIBIAL"),
    V("ANT", Vein::kAtv, "TIB"),
    V("GASTROC", Vein::kGastroc),
    V("GASTROCS", Vein::kGastroc),
    V("GASTROCNEMIUS", Vein::kGastroc),
    V("SOLEAL", Vein::kSoleal),
    V("SOLEUS", Vein::kSoleal),
    V("PERF", Vein::kPerf),
    V("PERFS", Vein::kPerf),
    V("PERFORATOR", Vein::kPerf),
    V("PERFORATING", Vein::kPerf),
    L("PROX", kProx),
    L("PROXIMAL", kProx),
    L("PRX", kProx),
    L("UPPER", kProx),
    L("MID", kMid),
    L("MIDDLE", kMid),
    L("DIST", kDist),
    L("DISTAL", kDist),
    L("LOWER", kDist),
    L("THIGH", kThigh),
    L("MIDTHIGH", kMid | kThigh),
    L("CALF", kCalf),
    L("MIDCALF", kMid | kCalf),
    L("KNEE", kKnee),
    L("AK", kDist | kThigh),
    L("ABOVE", kDist | kThigh, "KNEE"),
    L("BK", kProx | kCalf),
    L("BELOW", kProx | kCalf, "KNEE"),
    L("SFJ", kSfj),
    L("SAPHENOFEMORAL", kSfj),
    L("SAPHENO", kSfj, "FEMORAL"),
    L("SPJ", kSpj),
    L("SAPHENOPOPLITEAL", kSpj),
    L("SAPHENO", kSpj, "POPLITEAL"),
    L("JUNCTION", kJunction),
    L("JXN", kJunction),
    L("JCT", kJunction),
    L("JUNC", kJunction),
    // Named perforators locate themselves.
    {{"HUNTER", {}, {}}, Kind::kVein, Vein::kPerf, kThigh},
    {{"HUNTERIAN", {}, {}}, Kind::kVein, Vein::kPerf, kThigh},
    {{"DODD", {}, {}}, Kind::kVein, Vein::kPerf, kThigh},
    {{"BOYD", {}, {}}, Kind::kVein, Vein::kPerf, kKnee},
    {{"COCKETT", {}, {}}, Kind::kVein, Vein::kPerf, kCalf},
    S("LSV", Kind::kReject),
    S("ACCESSORY", Kind::kReject),
    S("ARTERY", Kind::kReject),
    S("ART", Kind::kReject),
    S("A", Kind::kReject),
    S("CFA", Kind::kReject),
    S("SFA", Kind::kReject),
    S("TRIB", Kind::kReject),
    S("TRIBUTARY", Kind::kReject),
    S("BRANCH", Kind::kReject),
    S("VARICOSE", Kind::kReject),
    S("VARIX", Kind::kReject),
    S("VARICOSITY", Kind::kReject),
    S("BILATERAL", Kind::kBoth),
    S("BILAT", Kind::kBoth),
};

size_t WordCount(const Phrase& p) {
  return static_cast<size_t>(
      std::count_if(p.words.begin(), p.words.end(), [](std::string_view w) { return !w.empty(); }));
}

// Uppercase alphanumeric words; other ASCII characters separate ("Lt.", "GSV-SFJ", "@").
std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      word.push_back(c);  // non-ASCII letters stay inside their word: "élève" is not "L VE"
    } else if (std::isalnum(u)) {
      word.push_back(static_cast<char>(std::toupper(u)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

const Phrase* LongestMatch(const std::vector<std::string>& words, size_t at) {
  const Phrase* best = nullptr;
  for (const Phrase& p : kPhrases) {
    const size_t n = WordCount(p);
    if (at + n > words.size() || (best != nullptr && n <= WordCount(*best))) continue;
    bool match = true;
    for (size_t i = 0; i < n; ++i) match = match && words[at + i] == p.words[i];
    if (match) best = &p;
  }
  return best;
}

struct Mentions {
  bool left = false, right = false, reject = false;
  std::vector<Vein> veins;
  unsigned levels = 0;
};

Mentions Collect(std::string_view text) {
  const std::vector<std::string> words = Tokenize(text);
  Mentions m;
  for (size_t i = 0; i < words.size();) {
    const Phrase* p = LongestMatch(words, i);
    if (p == nullptr) {  // unknown words (numbers, "VEIN", "REFLUX") carry no meaning here
      ++i;
      continue;
    }
    switch (p->kind) {
      case Kind::kLeft:
        m.left = true;
        break;
      case Kind::kRight:
        m.right = true;
        break;
      case Kind::kBoth:
        m.left = m.right = true;
        break;
      case Kind::kReject:
        m.reject = true;
        break;
      case Kind::kVein:
        if (std::find(m.veins.begin(), m.veins.end(), p->vein) == m.veins.end()) {
          m.veins.push_back(p->vein);
        }
        m.levels |= p->levels;
        break;
      case Kind::kLevel:
        m.levels |= p->levels;
        break;
    }
    i += WordCount(*p);
  }
  return m;
}

int Count(unsigned bits) { return __builtin_popcount(bits); }

// One vein, or nullopt when none or several are named. A perforator named with its vein ("GSV
// perf") is a perforator; a junction alone names its saphenous vein; a junction of the other
// saphenous vein is a contradiction.
std::optional<Vein> ResolveVein(const Mentions& m) {
  std::vector<Vein> veins = m.veins;
  if (std::find(veins.begin(), veins.end(), Vein::kPerf) != veins.end()) veins = {Vein::kPerf};
  const bool sfj = (m.levels & kSfj) != 0, spj = (m.levels & kSpj) != 0;
  if (veins.size() > 1 || (sfj && spj)) return std::nullopt;
  if (veins.empty()) {
    if (sfj) return Vein::kGsv;
    if (spj) return Vein::kSsv;
    return std::nullopt;
  }
  if ((veins[0] == Vein::kGsv && spj) || (veins[0] == Vein::kSsv && sfj)) return std::nullopt;
  return veins[0];
}

// Proximal / mid / distal as an index 0..2, or -1 when none was named.
int Position(unsigned levels) {
  if (levels & kProx) return 0;
  if (levels & kMid) return 1;
  if (levels & kDist) return 2;
  return -1;
}

std::optional<Segment> GsvSegment(unsigned levels, int pos, bool junction) {
  using enum Segment;
  const unsigned region = levels & (kThigh | kKnee | kCalf);
  if (junction) return pos < 0 && region == 0 ? std::optional(kGsvSfj) : std::nullopt;
  if (region == kThigh && pos >= 0)
    return std::array{kGsvProxThigh, kGsvMidThigh, kGsvDistThigh}[pos];
  if (region == kKnee && pos < 0) return kGsvKnee;
  if (region == kCalf) {
    return pos < 0 ? kGsvCalf : std::array{kGsvProxCalf, kGsvMidCalf, kGsvDistCalf}[pos];
  }
  return std::nullopt;  // "GSV", "GSV thigh", "GSV prox": the level is not known
}

std::optional<Segment> SsvSegment(unsigned levels, int pos, bool junction) {
  using enum Segment;
  const unsigned region = levels & (kThigh | kKnee | kCalf);
  if (junction) return pos < 0 && region == 0 ? std::optional(kSsvSpj) : std::nullopt;
  if ((region == 0 || region == kCalf) && pos >= 0) {  // the SSV runs in the calf only
    return std::array{kSsvProxCalf, kSsvMidCalf, kSsvDistCalf}[pos];
  }
  return std::nullopt;
}

std::optional<Segment> FvSegment(unsigned levels, int pos, bool junction) {
  using enum Segment;
  const unsigned region = levels & (kThigh | kKnee | kCalf);
  if (junction || (region != 0 && region != kThigh)) return std::nullopt;
  return pos < 0 ? kFv : std::array{kFvProx, kFvMid, kFvDist}[pos];
}

std::optional<Segment> PerfSegment(unsigned levels) {
  using enum Segment;
  switch (levels & (kThigh | kKnee | kCalf)) {
    case 0:
      return kPerf;
    case kThigh:
      return kPerfThigh;
    case kKnee:
      return kPerfKnee;
    case kCalf:
      return kPerfCalf;
    default:
      return std::nullopt;
  }
}

std::optional<Segment> ResolveSegment(Vein vein, unsigned levels) {
  if (Count(levels & (kProx | kMid | kDist)) > 1 || Count(levels & (kThigh | kKnee | kCalf)) > 1) {
    return std::nullopt;  // "prox mid", "thigh calf": contradictory
  }
  const int pos = Position(levels);
  const bool junction = (levels & (kSfj | kSpj | kJunction)) != 0;
  switch (vein) {
    case Vein::kGsv:
      return GsvSegment(levels, pos, junction);
    case Vein::kSsv:
      return SsvSegment(levels, pos, junction);
    case Vein::kFv:
      return FvSegment(levels, pos, junction);
    case Vein::kPerf:
      return PerfSegment(levels);
    case Vein::kAasv:
      return Segment::kAasv;
    case Vein::kPasv:
      return Segment::kPasv;
    case Vein::kCfv:
      return Segment::kCfv;
    case Vein::kDfv:
      return Segment::kDfv;
    case Vein::kPopv:
      return Segment::kPopv;
    case Vein::kPtv:
      return Segment::kPtv;
    case Vein::kPerv:
      return Segment::kPerv;
    case Vein::kAtv:
      return Segment::kAtv;
    case Vein::kGastroc:
      return Segment::kGastroc;
    case Vein::kSoleal:
      return Segment::kSoleal;
  }
  return std::nullopt;
}

}  // namespace

ParsedLabel ParseLabel(std::string_view text) {
  const Mentions m = Collect(text);
  ParsedLabel out;
  if (m.left != m.right) out.laterality = m.left ? Laterality::kLeft : Laterality::kRight;
  if (m.reject) return out;
  if (const auto vein = ResolveVein(m)) out.segment = ResolveSegment(*vein, m.levels);
  return out;
}

}  // namespace refluxscan::study
