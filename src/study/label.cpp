// Free-text segment labels -> laterality, segment and threshold class. One vocabulary table;
// never guesses: conflicting or incomplete information yields no segment, and a class only where
// every reading shares it (docs/segments.md "Label parsing", "Vein only").
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "refluxscan/study/identify.h"

namespace refluxscan::study {
namespace {

enum class Vein {
  kGsv,
  kSsv,
  kAasv,
  kAccessory,  // an accessory saphenous vein, anterior or posterior not said: a class, no segment
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
  kPerf,
  // Superficial veins the vocabulary has no segment for: a class, no segment. A varicosity
  // ("thigh varicosity", "varicose vein calf") gives its class only beside a region: alone,
  // "varicose veins" is the study's protocol, not the vein imaged. The Giacomini
  // (intersaphenous) vein joins the SSV to the GSV in the posterior thigh.
  kVarix,
  kIntersaphenous,
  kTributary,  // a superficial tributary: named with a saphenous vein it is still the tributary
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
  kBelowKnee = 1u << 9,  // the proximal calf, or beside a perforator the knee (Collect)
  kGroin = 1u << 10,     // the GSV's junction (GsvSegment); for another vein no level
  kFossa = 1u << 11,     // the popliteal fossa: the knee's level, alone the popliteal vein
};
constexpr unsigned kRegions = kThigh | kKnee | kCalf;

// What a phrase contributes. kReject marks words that make the label mean something we do not
// map (arteries, branches, treated veins). kLevelUnknown marks words that leave the level
// unknown but not the vein, so its threshold class stands.
// kNeutral phrases are consumed so that their words do not count on their own ("distal
// augmentation" is a maneuver, not a level; "lower extremity" is the leg, not a level).
// kShorthand: a worksheet level abbreviation ("PT" = proximal thigh), counted only when the
// label names no level in full ("PT" is also the patient: "GSV SFJ PT STANDING").
// kLeftExtremity/kRightExtremity: "LLE"/"RLE" (left/right lower extremity), a side only when no
// plain side word is present: beside "L" an "RLE" is the compression in a file name
// ("L_GSV_SFJ_rle.dcm"), not a contradiction that would leave the clip without a side.
enum class Kind {
  kLeft,
  kRight,
  kLeftExtremity,
  kRightExtremity,
  kBoth,
  kVein,
  kLevel,
  kShorthand,
  kReject,
  kNeutral,
  kLongOrLesser,  // "LSV": the long saphenous (GSV) in the thigh, else ambiguous (Collect)
  kLevelUnknown   // "5 cm below SFJ": a level relative to a landmark; the vein keeps its class
};

struct Phrase {
  std::array<std::string_view, 3>
      words;  // canonical uppercase words; unused trailing entries empty
  Kind kind;
  Vein vein = Vein::kGsv;
  unsigned levels = 0;
};

constexpr Phrase V(std::string_view a, Vein v, std::string_view b = {}, std::string_view c = {}) {
  return {{a, b, c}, Kind::kVein, v, 0};
}
constexpr Phrase L(std::string_view a, unsigned lv, std::string_view b = {},
                   std::string_view c = {}) {
  return {{a, b, c}, Kind::kLevel, Vein::kGsv, lv};
}
constexpr Phrase S(std::string_view a, Kind k, std::string_view b = {}) {
  return {{a, b, {}}, k, Vein::kGsv, 0};
}
// A named perforator locates itself.
constexpr Phrase P(std::string_view a, unsigned region) {
  return {{a, {}, {}}, Kind::kVein, Vein::kPerf, region};
}

// Abbreviations and non-English words -> the canonical word the phrase table uses. Applied to
// every word before matching, so the table lists each phrase once ("gr saph" = "great
// saphenous", "saph fem jxn" = "saphenous femoral junction"). Non-English words come from
// European worksheets (French, German, Latin, Spanish, Portuguese, Dutch); accents are already
// folded ("fémorale", "común").
struct Alias {
  std::string_view from, to;
};
constexpr size_t kMinSkeletonLetters = 3;  // SkeletonOf: "GN" (gain), "SV" (sample volume) stay
// SkeletonOf's word for a skeleton of two words (tokens never hold an underscore).
constexpr std::string_view kAmbiguousLevel = "AMBIGUOUS_SKELETON";
constexpr Alias kAliases[] = {
    {"ABV", "ABOVE"},  // "abv knee" (a lone "above" is relative to a landmark: no level)
    {"BLW", "BELOW"},
    {"BEL", "BELOW"},
    {"OCCL", "OCCLUDED"},
    {"PROX", "PROXIMAL"},
    {"PRX", "PROXIMAL"},
    {"DIST", "DISTAL"},
    {"MIDDLE", "MID"},
    // Short forms a reader understands but the consonant-skeleton rule (SkeletonOf) cannot
    // take: two letters, or a skeleton two table words share ("UPR" upper / upright, "MDL"
    // middle / medial: as typed on worksheets, upper and middle), or glued ("MDTHIGH", "SPJXN").
    {"KN", "KNEE"},  // "(R) - GSV - KN"
    {"VN", "VEIN"},  // "Rt_POP_VN"
    {"UPR", "UPPER"},
    {"MDL", "MID"},
    {"MDTHIGH", "MIDTHIGH"},
    {"MDCALF", "MIDCALF"},
    {"SFJXN", "SFJ"},
    {"SPJXN", "SPJ"},
    // A scanner's label field cut short ("RIGHT GSV prox thig", a ninth independent renderer).
    {"THIG", "THIGH"},
    {"THI", "THIGH"},
    // The ankle by its landmark ("LT GSV MALLEOLUS", "GSV med malleolus").
    {"MALLEOLUS", "ANKLE"},
    {"MALLEOLAR", "ANKLE"},
    {"SAPH", "SAPHENOUS"},
    {"SAPHENA", "SAPHENOUS"},
    {"SAPHENE", "SAPHENOUS"},
    {"SAPHENUS", "SAPHENOUS"},
    {"GR", "GREAT"},
    {"GRT", "GREAT"},
    {"GT", "GREAT"},
    {"GRANDE", "GREAT"},
    {"SM", "SMALL"},
    {"SML", "SMALL"},
    {"PETITE", "SMALL"},
    {"VGS", "GSV"},
    {"VSM", "GSV"},
    {"VPS", "SSV"},
    {"VSP", "SSV"},
    {"POPL", "POPLITEAL"},
    {"POPLIT", "POPLITEAL"},
    {"POPLITEA", "POPLITEAL"},
    {"POPLITEE", "POPLITEAL"},
    {"TIB", "TIBIAL"},
    {"TIBIALIS", "TIBIAL"},
    {"POST", "POSTERIOR"},
    {"ANT", "ANTERIOR"},
    {"ACC", "ACCESSORY"},
    {"ACCESS", "ACCESSORY"},
    {"FEM", "FEMORAL"},
    {"FEMORALIS", "FEMORAL"},
    {"FEMORALE", "FEMORAL"},
    {"COMMUNIS", "COMMON"},
    // "comm. fem. vein" (stop 32: a ninth independent renderer's CFV read as FV).
    {"COMM", "COMMON"},
    {"COMMUNE", "COMMON"},
    {"PERON", "PERONEAL"},
    {"PERO", "PERONEAL"},
    {"PERONEA", "PERONEAL"},
    {"FIBULARIS", "FIBULAR"},
    {"GASTROCNEMIAL", "GASTROCNEMIUS"},
    {"JXN", "JUNCTION"},
    {"JCT", "JUNCTION"},
    {"JUNC", "JUNCTION"},
    {"JUNCT", "JUNCTION"},
    {"JNCT", "JUNCTION"},
    {"JN", "JUNCTION"},
    {"CROSSE", "JUNCTION"},
    {"AUG", "AUGMENTATION"},
    {"AUGMENT", "AUGMENTATION"},
    {"COMP", "COMPRESSION"},
    {"CMP", "COMPRESSION"},  // "CLF CMP": calf compression, the maneuver (not a calf level)
    {"CMPRSN", "COMPRESSION"},
    {"SQZ", "SQUEEZE"},
    {"EXT", "EXTREMITY"},
    {"CALVES", "CALF"},
    {"CUISSE", "THIGH"},
    {"OBERSCHENKEL", "THIGH"},
    {"MOLLET", "CALF"},
    {"UNTERSCHENKEL", "CALF"},
    {"WADE", "CALF"},
    {"GENOU", "KNEE"},
    {"KNIE", "KNEE"},
    // French, Italian and German inflected forms (stop 32).
    {"PROXIMALE", "PROXIMAL"},
    {"PROSSIMALE", "PROXIMAL"},
    {"PROXIMALER", "PROXIMAL"},
    {"PROXIMALES", "PROXIMAL"},
    {"PROXIMALEN", "PROXIMAL"},
    {"DISTALE", "DISTAL"},
    {"DISTALER", "DISTAL"},
    {"DISTALES", "DISTAL"},
    {"DISTALEN", "DISTAL"},
    {"COSCIA", "THIGH"},
    {"POLPACCIO", "CALF"},
    {"GINOCCHIO", "KNEE"},
    {"CHEVILLE", "ANKLE"},
    {"CAVIGLIA", "ANKLE"},
    {"COMUNE", "COMMON"},
    {"PICCOLA", "SMALL"},
    {"ROSENVENE", "SAPHENOUS"},  // German "grosse / kleine Rosenvene": GSV / SSV
    {"GROSSE", "GREAT"},
    {"GROSE", "GREAT"},  // "große": the sharp s folds away
    {"KLEINE", "SMALL"},
    {"MITTE", "MID"},  // "V. saphena magna Oberschenkel Mitte links"
    {"MITTLERER", "MID"},
    {"MITTLERE", "MID"},
    {"MOYEN", "MID"},
    {"MOYENNE", "MID"},
    {"GAUCHE", "LEFT"},
    {"LINKS", "LEFT"},
    {"SINISTRA", "LEFT"},
    {"IZQUIERDA", "LEFT"},
    {"IZQUIERDO", "LEFT"},
    {"DROITE", "RIGHT"},
    {"DROIT", "RIGHT"},
    {"RECHTS", "RIGHT"},
    {"DESTRA", "RIGHT"},
    {"DERECHA", "RIGHT"},
    {"DERECHO", "RIGHT"},
    // Spanish, Portuguese and Dutch worksheets (stop 23: a sixth independent renderer's "VENA
    // FEMORAL COMUN IZQ" read as the femoral vein, "VSM proximaal bovenbeen rechts" as no level).
    {"SAFENA", "SAPHENOUS"},  // vena / veia safena magna, parva
    {"MAYOR", "MAGNA"},       // safena mayor / menor
    {"MENOR", "PARVA"},
    {"INTERNA", "MAGNA"},  // safena interna / externa (older terms)
    {"EXTERNA", "PARVA"},
    {"VSI", "GSV"},  // vena safena interna
    {"VSE", "SSV"},
    {"VSAA", "AASV"},  // vena safena accesoria anterior / posterior
    {"VSAP", "PASV"},
    {"VFC", "CFV"},  // vena / veia femoral comun / comum
    {"VFS", "SFV"},
    {"VF", "FV"},
    {"COMUN", "COMMON"},
    {"COMUM", "COMMON"},
    {"GEMELAR", "GASTROCNEMIUS"},
    {"GEMELARES", "GASTROCNEMIUS"},
    {"SOLEA", "SOLEAL"},
    {"PERFORANTE", "PERFORATOR"},
    {"UNION", "JUNCTION"},
    {"CAYADO", "JUNCTION"},
    {"JUNCAO", "JUNCTION"},
    {"MUSLO", "THIGH"},
    {"COXA", "THIGH"},
    {"BOVENBEEN", "THIGH"},
    {"PIERNA", "CALF"},
    {"PANTORRILLA", "CALF"},
    {"PERNA", "CALF"},
    {"PANTURRILHA", "CALF"},
    {"KUIT", "CALF"},
    {"ONDERBEEN", "CALF"},
    {"RODILLA", "KNEE"},
    {"JOELHO", "KNEE"},
    {"TOBILLO", "ANKLE"},
    {"TORNOZELO", "ANKLE"},
    {"ENKEL", "ANKLE"},
    {"MEDIO", "MID"},
    {"MEDIA", "MID"},
    {"MIDDEN", "MID"},
    {"PROXIMAAL", "PROXIMAL"},
    {"DISTAAL", "DISTAL"},
    {"IZQ", "LEFT"},
    {"ESQUERDA", "LEFT"},
    {"ESQUERDO", "LEFT"},
    {"ESQ", "LEFT"},
    {"DER", "RIGHT"},
    {"DCHA", "RIGHT"},
    {"DCHO", "RIGHT"},
    {"DIREITA", "RIGHT"},
    {"DIREITO", "RIGHT"},
    {"DIR", "RIGHT"},
};

// The synonyms table over canonical words (longest phrase wins where several match).
constexpr Phrase kPhrases[] = {
    S("L", Kind::kLeft),
    S("LT", Kind::kLeft),
    S("LEFT", Kind::kLeft),
    S("LFT", Kind::kLeft),
    S("LLE", Kind::kLeftExtremity),
    S("R", Kind::kRight),
    S("RT", Kind::kRight),
    S("RIGHT", Kind::kRight),
    S("RGT", Kind::kRight),
    S("RLE", Kind::kRightExtremity),
    S("BILATERAL", Kind::kBoth),
    S("BILAT", Kind::kBoth),
    S("BOTH", Kind::kBoth),
    S("B", Kind::kBoth, "L"),  // "B/L"
    V("GSV", Vein::kGsv),
    V("GREAT", Vein::kGsv, "SAPHENOUS"),
    V("GREATER", Vein::kGsv, "SAPHENOUS"),
    V("LONG", Vein::kGsv, "SAPHENOUS"),
    V("SAPHENOUS", Vein::kGsv, "MAGNA"),
    V("SSV", Vein::kSsv),
    V("SMALL", Vein::kSsv, "SAPHENOUS"),
    V("LESSER", Vein::kSsv, "SAPHENOUS"),
    V("SHORT", Vein::kSsv, "SAPHENOUS"),
    V("SAPHENOUS", Vein::kSsv, "PARVA"),
    V("AASV", Vein::kAasv),
    V("AAGSV", Vein::kAasv),
    V("ANTERIOR", Vein::kAasv, "ACCESSORY"),
    V("PASV", Vein::kPasv),
    V("PAGSV", Vein::kPasv),
    V("POSTERIOR", Vein::kPasv, "ACCESSORY"),
    V("ACCESSORY", Vein::kAccessory, "SAPHENOUS"),
    V("ASV", Vein::kAccessory),   // accessory saphenous: anterior or posterior?
    V("AGSV", Vein::kAccessory),  // the same
    V("CFV", Vein::kCfv),
    V("COMMON", Vein::kCfv, "FEMORAL"),
    V("FEMORAL", Vein::kCfv, "COMMON"),  // "veine fémorale commune", "v. femoralis communis"
    // "Com Fem V" (stop 26: an eighth independent renderer's CFV read as FV). In this order only:
    // Portuguese "femoral com refluxo" is "with" (review of stop 26).
    V("COM", Vein::kCfv, "FEMORAL"),
    V("FV", Vein::kFv),
    V("SFV", Vein::kFv),
    V("FEMORAL", Vein::kFv),
    V("SUPERFICIAL", Vein::kFv, "FEMORAL"),
    V("DFV", Vein::kDfv),
    V("PFV", Vein::kDfv),
    V("PROFUNDA", Vein::kDfv),
    V("PROFUNDA", Vein::kDfv, "FEMORAL"),
    V("PROFUNDA", Vein::kDfv, "FEMORIS"),
    V("PROF", Vein::kDfv, "FEMORAL"),  // "R PROF FEM V"; a lone "Prof" is a title
    V("DEEP", Vein::kDfv, "FEMORAL"),
    V("POPV", Vein::kPopv),
    V("POP", Vein::kPopv),
    V("POPLITEAL", Vein::kPopv),
    V("PTV", Vein::kPtv),
    V("POSTERIOR", Vein::kPtv, "TIBIAL"),
    V("TIBIAL", Vein::kPtv, "POSTERIOR"),
    V("PT", Vein::kPtv, "V"),
    V("P", Vein::kPtv, "TIBIAL"),
    V("PT", Vein::kPtv, "VEIN"),
    V("PT", Vein::kPtv, "VEINS"),
    V("PERV", Vein::kPerv),
    V("PEROV", Vein::kPerv),
    V("PERONEAL", Vein::kPerv),
    V("FIBULAR", Vein::kPerv),
    V("ATV", Vein::kAtv),
    V("ANTERIOR", Vein::kAtv, "TIBIAL"),
    V("TIBIAL", Vein::kAtv, "ANTERIOR"),
    V("AT", Vein::kAtv, "VEIN"),  // not "AT V": "at" is also the preposition
    V("AT", Vein::kAtv, "VEINS"),
    V("GASTROC", Vein::kGastroc),
    V("GASTROCS", Vein::kGastroc),
    V("GASTROCNEMIUS", Vein::kGastroc),
    V("MGV", Vein::kGastroc),  // medial gastrocnemius vein
    V("SOLEAL", Vein::kSoleal),
    V("SOLEUS", Vein::kSoleal),
    V("PERF", Vein::kPerf),
    V("PERFS", Vein::kPerf),
    V("PERFORATOR", Vein::kPerf),
    V("PERFORATING", Vein::kPerf),
    P("HUNTER", kThigh),
    P("HUNTERIAN", kThigh),
    P("DODD", kThigh),
    P("BOYD", kKnee),
    P("COCKETT", kCalf),
    P("PARATIBIAL", kCalf),
    // Tributaries of the saphenous veins (DOMAIN.md: superficial veins, > 500 ms): "Lt. GSV trib",
    // "RIGHT TRIB", "L - varicose tributary"; "TRIBS" is split as a plural. A varicosity is no
    // segment of the map but a superficial vein (Vein::kVarix); "branch" stays rejected (below).
    V("TRIB", Vein::kTributary),
    V("TRIBUTARY", Vein::kTributary),
    V("TRIBUTARIES", Vein::kTributary),
    V("VARICOSE", Vein::kTributary, "TRIB"),
    V("VARICOSE", Vein::kTributary, "TRIBUTARY"),
    V("VARICOSE", Vein::kTributary, "TRIBUTARIES"),
    L("PROXIMAL", kProx),
    L("UPPER", kProx),
    L("MID", kMid),
    L("DISTAL", kDist),
    L("LOWER", kDist),
    L("THIGH", kThigh),
    L("MIDTHIGH", kMid | kThigh),
    L("CALF", kCalf),
    L("MIDCALF", kMid | kCalf),
    L("KNEE", kKnee),
    L("POPLITEAL", kKnee, "CREASE"),  // "GSV @ popliteal crease": the knee's crease, not the vein
    L("ANKLE", kDist | kCalf),        // the lowest calf level the vocabulary has
    // Worksheet shorthand for the levels of a saphenous vein: proximal / mid / distal thigh
    // and calf ("GSV PT", "R-GSV-MC"), used only when no level is named in full. "PT V" /
    // "PT VEIN" stay the posterior tibial vein (the longer phrase wins), "PT STANDING" and the
    // like the patient; a lone "PT" names no vein, so it cannot make a label on its own.
    {{"PT", {}, {}}, Kind::kShorthand, Vein::kGsv, kProx | kThigh},
    {{"MT", {}, {}}, Kind::kShorthand, Vein::kGsv, kMid | kThigh},
    {{"DT", {}, {}}, Kind::kShorthand, Vein::kGsv, kDist | kThigh},
    {{"PC", {}, {}}, Kind::kShorthand, Vein::kGsv, kProx | kCalf},
    {{"MC", {}, {}}, Kind::kShorthand, Vein::kGsv, kMid | kCalf},
    {{"DC", {}, {}}, Kind::kShorthand, Vein::kGsv, kDist | kCalf},
    S("PT", Kind::kNeutral, "STANDING"),
    S("PT", Kind::kNeutral, "SUPINE"),
    S("PT", Kind::kNeutral, "SITTING"),
    S("PT", Kind::kNeutral, "SEATED"),
    S("PT", Kind::kNeutral, "PRONE"),
    S("PT", Kind::kNeutral, "UPRIGHT"),
    S("PT", Kind::kNeutral, "POSITION"),
    L("AK", kDist | kThigh),
    L("ABOVE", kDist | kThigh, "KNEE"),
    L("ABOVE", kDist | kThigh, "THE", "KNEE"),
    L("A", kDist | kThigh, "K"),  // "A/K"; a lone "A" (artery) is rejected below
    L("BK", kBelowKnee),
    L("BELOW", kBelowKnee, "KNEE"),
    L("BELOW", kBelowKnee, "THE", "KNEE"),
    L("GROIN", kGroin),
    L("POPLITEAL", kKnee | kFossa, "FOSSA"),  // "SSV at popliteal fossa" = SSV_SPJ (SsvSegment)
    L("POP", kKnee | kFossa, "FOSSA"),
    L("B", kBelowKnee, "K"),
    L("HUNTER", kDist | kThigh, "CANAL"),  // the adductor canal, not the perforator
    L("HUNTER", kDist | kThigh, "S", "CANAL"),
    L("ADDUCTOR", kDist | kThigh, "CANAL"),
    L("ADDUCTOR", kDist | kThigh),  // "R FV adductor"
    L("SFJ", kSfj),
    L("SAPHENOFEMORAL", kSfj),
    L("SAPHENO", kSfj, "FEMORAL"),
    L("SAPHENOUS", kSfj, "FEMORAL"),
    L("SF", kSfj, "JUNCTION"),
    L("SPJ", kSpj),
    L("SAPHENOPOPLITEAL", kSpj),
    L("SAPHENO", kSpj, "POPLITEAL"),
    L("SAPHENOUS", kSpj, "POPLITEAL"),
    L("SAPHENOUS", kSpj, "POP"),
    L("SP", kSpj, "JUNCTION"),
    // The junction named by the deep vein it joins ("SSV-pop junction", "GSV fem junction").
    L("POP", kSpj, "JUNCTION"),
    L("POPLITEAL", kSpj, "JUNCTION"),
    L("FEM", kSfj, "JUNCTION"),
    L("FEMORAL", kSfj, "JUNCTION"),
    L("JUNCTION", kJunction),
    L("TERMINAL", kJunction),  // the terminal valve sits at the junction
    L("PRETERMINAL", kJunction),
    S("LOWER", Kind::kNeutral, "EXTREMITY"),
    S("LOWER", Kind::kNeutral, "LIMB"),
    S("LOWER", Kind::kNeutral, "LEG"),
    S("DISTAL", Kind::kNeutral, "AUGMENTATION"),
    S("DISTAL", Kind::kNeutral, "COMPRESSION"),
    S("DISTAL", Kind::kNeutral, "SQUEEZE"),
    S("CALF", Kind::kNeutral, "AUGMENTATION"),
    S("CALF", Kind::kNeutral, "COMPRESSION"),
    S("CALF", Kind::kNeutral, "SQUEEZE"),
    S("LSV", Kind::kLongOrLesser),  // long or lesser saphenous?
    S("R", Kind::kNeutral, "O"),    // "r/o DVT": rule out, not a side
    S("ACCESSORY", Kind::kReject),
    V("GIACOMINI", Vein::kIntersaphenous),
    V("INTERSAPHENOUS", Vein::kIntersaphenous),
    S("ABOVE", Kind::kLevelUnknown),  // "5 cm below SFJ": relative to a landmark, not a level
    S("BELOW", Kind::kLevelUnknown),
    S("A", Kind::kReject),
    S("ART", Kind::kReject),
    S("ARTERY", Kind::kReject),
    S("ARTERIES", Kind::kReject),
    S("CFA", Kind::kReject),
    S("SFA", Kind::kReject),
    S("BRANCH", Kind::kReject),
    S("BRANCHES", Kind::kReject),
    S("BYPASS", Kind::kReject),  // "fem-pop bypass": an arterial graft
    S("GRAFT", Kind::kReject),
    V("VARICOSE", Vein::kVarix),
    V("VARIX", Vein::kVarix),
    V("VARICES", Vein::kVarix),
    V("VARICOSITY", Vein::kVarix),
    V("VARICOSITIES", Vein::kVarix),
    // A treated or absent vein is not a level of the reflux map.
    S("STRIPPED", Kind::kReject),
    S("ABLATED", Kind::kReject),
    S("OCCLUDED", Kind::kReject),
    S("THROMBOSED", Kind::kReject),
    S("LIGATED", Kind::kReject),
    S("ABSENT", Kind::kReject),
    S("REMOVED", Kind::kReject),
    S("ABLATION", Kind::kReject),
    S("EVLA", Kind::kReject),  // endovenous laser / radiofrequency ablation
    S("EVLT", Kind::kReject),
    S("RFA", Kind::kReject),
    S("SCLEROTHERAPY", Kind::kReject),
    S("STRIPPING", Kind::kReject),
    S("LIGATION", Kind::kReject),
    S("OCCLUSION", Kind::kReject),
    S("THROMBUS", Kind::kReject),
    S("THROMBOSIS", Kind::kReject),
    S("DVT", Kind::kReject),
    S("SVT", Kind::kReject),
    S("VISUALIZED", Kind::kReject),  // "not visualized"
    S("VISUALISED", Kind::kReject),
    // A place relative to a landmark ("5 cm from the SFJ", "superior to knee", "near knee") is
    // no level of the map: the landmark alone would be a guess. The vein named is still the vein
    // ("GSV 10 cm below SFJ" is superficial, "FV 2 fingerbreadths above knee" deep).
    S("CM", Kind::kLevelUnknown),
    S("MM", Kind::kLevelUnknown),
    S("INCH", Kind::kLevelUnknown),
    S("INCHES", Kind::kLevelUnknown),
    S(kAmbiguousLevel, Kind::kLevelUnknown),  // SkeletonOf
    S("FINGER", Kind::kLevelUnknown),
    S("FINGERS", Kind::kLevelUnknown),
    S("FINGERBREADTH", Kind::kLevelUnknown),
    S("FINGERBREADTHS", Kind::kLevelUnknown),
    S("EXTENSION", Kind::kLevelUnknown),  // "SSV thigh extension": a vein of its own, not a level
    S("FROM", Kind::kLevelUnknown),
    S("NEAR", Kind::kLevelUnknown),
    S("SUPERIOR", Kind::kLevelUnknown),
    S("INFERIOR", Kind::kLevelUnknown),
};

size_t WordCount(const Phrase& p) {
  return static_cast<size_t>(
      std::count_if(p.words.begin(), p.words.end(), [](std::string_view w) { return !w.empty(); }));
}

// ---- Text -> words ----------------------------------------------------------------------------

// The code point at text[i] (advancing i): UTF-8 when well-formed, else the byte itself as a
// Latin-1 code point. DICOM labels arrive as raw bytes in UTF-8 (ISO_IR 192), Latin-1
// (ISO_IR 100, our writer's) or Windows-1252 (whose dashes land on Latin-1's C1 range).
char32_t NextCodePoint(std::string_view text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const size_t extra = lead >= 0xC2 && lead <= 0xDF   ? 1
                       : lead >= 0xE0 && lead <= 0xEF ? 2
                       : lead >= 0xF0 && lead <= 0xF4 ? 3
                                                      : 0;
  char32_t cp = lead & (0x7Fu >> (extra + 1));
  bool ok = extra > 0 && i + extra < text.size();
  for (size_t k = 1; ok && k <= extra; ++k) {
    ok = (byte(i + k) & 0xC0) == 0x80;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  if (!ok) {
    ++i;
    return lead;
  }
  i += extra + 1;
  return cp;
}

// Unicode spaces, dashes, quotes, bullets and symbols separate words like ASCII punctuation:
// Latin-1 punctuation and C1 (no-break space, middle dot, Windows-1252 dashes), general
// punctuation U+2000-206F (en/em dash, thin space, curly quotes, zero-width space), arrows,
// minus, ideographic space and punctuation, byte order mark, replacement character.
bool IsSeparator(char32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) ||
         (cp >= 0x2190 && cp <= 0x21FF) || cp == 0x2212 || (cp >= 0x3000 && cp <= 0x3003) ||
         cp == 0xFEFF || cp == 0xFFFD;
}

// The word characters one code point adds: uppercase ASCII; Latin-1 letters without their accent
// ("fémorale" = "FEMORALE"); full-width ASCII as ASCII; other letters kept as written (`raw`) so
// they stay inside their word ("łL" is not "L"). Empty for a separator.
std::string WordChars(char32_t cp, std::string_view raw) {
  static constexpr std::string_view kLatin1 =
      "AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTSAAAAAAACEEEEIIIIDNOOOOO*OUUUUYTY";  // U+00C0-U+00FF
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;                          // full-width forms
  if (cp < 0x80) {
    const auto c = static_cast<unsigned char>(cp);
    return std::isalnum(c) ? std::string(1, static_cast<char>(std::toupper(c))) : std::string();
  }
  if (IsSeparator(cp)) return {};
  if (cp <= 0xFF) return std::string(1, kLatin1[cp - 0xC0]);
  return std::string(raw);
}

bool IsAsciiAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 && static_cast<unsigned char>(c) < 0x80;
}

// Whether text[at] is an ASCII letter standing alone (no letter or digit on either side).
bool LoneLetter(std::string_view text, size_t at) {
  const bool letter =
      at < text.size() && static_cast<unsigned char>(text[at]) < 0x80 && std::isalpha(text[at]);
  return letter && (at == 0 || !IsAsciiAlnum(text[at - 1])) &&
         (at + 1 == text.size() || !IsAsciiAlnum(text[at + 1]));
}

// Dotted initialisms read as one word: "G.S.V." = "GSV", "A.K." = "AK", and their file-name
// form of three or more letters, "Left_G_S_V_mid_thigh" (a fourth independent renderer's names;
// the dots become underscores). A dot joins only two lone letters, so "R. CFV", "R.CFV" and
// "Lt.GSV" keep their words apart; underscores join only chains of >= 3 lone letters, so
// "L_GSV" and "a/k_l" (above knee, left) do too; "R_C_F_V" gives "RCFV", read as R + CFV
// (SplitUnknown).
size_t UnderscoreChainLetters(std::string_view text, size_t at) {
  size_t letters = 1;
  while (at + 2 < text.size() && text[at + 1] == '_' && LoneLetter(text, at + 2)) {
    ++letters;
    at += 2;
  }
  return letters;
}

std::string JoinInitialisms(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (LoneLetter(text, i) && (i < 2 || text[i - 1] != '_' || !LoneLetter(text, i - 2))) {
      const size_t letters = UnderscoreChainLetters(text, i);
      if (letters >= 3) {
        for (size_t k = 0; k < letters; ++k) out += text[i + 2 * k];
        i += 2 * (letters - 1);
        continue;
      }
    }
    const bool joins =
        text[i] == '.' && i > 0 && LoneLetter(text, i - 1) && LoneLetter(text, i + 1);
    if (!joins) out += text[i];
  }
  return out;
}

std::string Canonical(std::string_view word) {
  for (const Alias& a : kAliases) {
    if (a.from == word) return std::string(a.to);
  }
  return std::string(word);
}

// The ASCII letters from text[at] on, uppercased: the word there ("" if none).
std::string AsciiLettersAt(std::string_view text, size_t at) {
  std::string letters;
  for (; at < text.size() && static_cast<unsigned char>(text[at]) < 0x80 && std::isalpha(text[at]);
       ++at) {
    letters += static_cast<char>(std::toupper(static_cast<unsigned char>(text[at])));
  }
  return letters;
}

// Where the next word starts from text[from] on: past ASCII punctuation and spaces.
size_t NextWordAt(std::string_view text, size_t from) {
  while (from < text.size() && static_cast<unsigned char>(text[from]) < 0x80 &&
         !IsAsciiAlnum(text[from])) {
    ++from;
  }
  return from;
}

// The word a lone letter at text[at] stands for where the text around it says so, else empty.
// Read on the raw text, before punctuation is gone and dotted letters are joined:
// - "C" directly before FEM/FEMORAL is common: "C FEM V R", "R.C FEM V", "LT C FEM V" (an
//   independent renderer's CFV read as FV). Any ASCII punctuation may separate them.
// - "P/", "M/", "D/" before THIGH or CALF are proximal / mid / distal (worksheet shorthand: "GSV
//   P/THIGH Lt", "SSV D/CALF"). Only with the slash: single letters as levels ("GSV P THIGH")
//   stay unknown. "A/K" and "B/K" are phrases of the table.
std::string_view SpelledOutLetter(std::string_view text, size_t at) {
  if (!LoneLetter(text, at)) return {};
  const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(text[at])));
  const size_t next = NextWordAt(text, at + 1);
  if (letter == 'C' && next > at + 1 && Canonical(AsciiLettersAt(text, next)) == "FEMORAL") {
    return "COMMON";
  }
  const std::string region = Canonical(AsciiLettersAt(text, at + 2));
  if (at + 1 < text.size() && text[at + 1] == '/' && (region == "THIGH" || region == "CALF")) {
    return letter == 'P' ? "PROX" : letter == 'M' ? "MID" : letter == 'D' ? "DIST" : "";
  }
  return {};
}

// Whether the word before text[at] (past spaces and punctuation) counts something: a number, "#",
// or a count word ("clip 1/2", "R GSV 1 1/2 THIGH").
bool AfterACount(std::string_view text, size_t at) {
  size_t end = at;
  while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '.' || text[end - 1] == ':')) --end;
  if (end == 0) return false;
  if (std::isdigit(static_cast<unsigned char>(text[end - 1])) || text[end - 1] == '#') return true;
  size_t begin = end;
  while (begin > 0 && static_cast<unsigned char>(text[begin - 1]) < 0x80 &&
         std::isalpha(static_cast<unsigned char>(text[begin - 1]))) {
    --begin;
  }
  const std::string word = AsciiLettersAt(text, begin);
  return word == "CLIP" || word == "CINE" || word == "IMAGE" || word == "IMG" || word == "NO" ||
         word == "LOOP";
}

// "1/2" directly before THIGH or CALF (any ASCII punctuation or spaces between) is mid: "GRT SAPH
// R 1/2 THIGH" (a fifteenth independent renderer). After a count it is a count.
bool HalfWay(std::string_view text, size_t at) {
  if (text.substr(at, 3) != "1/2" || (at > 0 && IsAsciiAlnum(text[at - 1])) ||
      AfterACount(text, at)) {
    return false;
  }
  const size_t next = NextWordAt(text, at + 3);
  const std::string region = Canonical(AsciiLettersAt(text, next));
  return next > at + 3 && (region == "THIGH" || region == "CALF");
}

// The length of a velocity unit at text[at] ("cm/s", "cm/sec", "mm/s", any case; 0 if none): the
// scale's unit read on the label's line by OCR is no distance (fifteenth independent renderer:
// "cm/S LEFT POST TIB VEINS" lost its level). Only with the slash: "3 cm s/f jxn" is a distance.
size_t VelocityUnitAt(std::string_view text, size_t at) {
  if (at > 0 && std::isalpha(static_cast<unsigned char>(text[at - 1]))) return 0;
  for (const std::string_view unit : {"CM/SEC", "CM/S", "MM/S"}) {
    if (at + unit.size() > text.size()) continue;
    bool same = true;
    for (size_t k = 0; k < unit.size() && same; ++k) {
      same = std::toupper(static_cast<unsigned char>(text[at + k])) == unit[k];
    }
    const size_t end = at + unit.size();
    if (same && (end == text.size() || !IsAsciiAlnum(text[end]))) return unit.size();
  }
  return 0;
}

std::string SpellOutLetters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (const size_t unit = VelocityUnitAt(text, i)) {
      out += std::string(unit, ' ');
      i += unit - 1;
      continue;
    }
    if (HalfWay(text, i)) {
      out += "MID";
      i += 2;
      continue;
    }
    const std::string_view word = SpelledOutLetter(text, i);
    out += word.empty() ? text.substr(i, 1) : word;
  }
  return out;
}

std::vector<std::string> Tokenize(std::string_view raw_text) {
  const std::string joined = JoinInitialisms(SpellOutLetters(raw_text));
  const std::string_view text = joined;
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    const char32_t cp = NextCodePoint(text, i);
    const std::string chars = WordChars(cp, text.substr(start, i - start));
    if (!chars.empty()) {
      word += chars;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// The one-word phrase a canonical word is, if any.
const Phrase* Single(std::string_view word) {
  for (const Phrase& p : kPhrases) {
    if (WordCount(p) == 1 && p.words[0] == word) return &p;
  }
  return nullptr;
}

bool InTable(std::string_view word) {
  return std::any_of(std::begin(kPhrases), std::end(kPhrases), [&](const Phrase& p) {
    return std::find(p.words.begin(), p.words.end(), word) != p.words.end();
  });
}

bool IsReject(const Phrase* p) { return p != nullptr && p->kind == Kind::kReject; }

bool IsPlace(const Phrase* p) {
  return p != nullptr && (p->kind == Kind::kVein || p->kind == Kind::kLevel);
}

// Two glued words both carry meaning: a vein or level after a vein or level ("PROXTHIGH",
// "GSVSFJ"), or a vein or level after a side ("RGSV", "LCFV", "RSFJ", "RAK" from "R.A.K."). A
// side before an artery, another side or a number is not split: "LA", "LCFA", "L12" stay unknown.
bool Joinable(const Phrase* a, const Phrase* b) {
  if (!IsPlace(b)) return false;
  if (IsPlace(a)) return true;
  return a != nullptr && (a->kind == Kind::kLeft || a->kind == Kind::kRight ||
                          a->kind == Kind::kLeftExtremity || a->kind == Kind::kRightExtremity);
}

// Whether `abbrev` is `word` with letters left out: the same first letter, then the rest in order,
// keeping at least half of the word's letters (a skeleton keeps most consonants: "Gms" read off a
// readout is no gastrocnemius).
bool LettersLeftOut(std::string_view abbrev, std::string_view word) {
  if (abbrev.size() >= word.size() || 2 * abbrev.size() < word.size() || abbrev.empty() ||
      abbrev[0] != word[0]) {
    return false;
  }
  size_t at = 1;
  for (size_t i = 1; i < word.size() && at < abbrev.size(); ++i) at += word[i] == abbrev[at];
  return at == abbrev.size();
}

bool IsVowel(char c) { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'; }

// What a consonant skeleton abbreviates: the word's first letter and then only consonants, at
// least kMinSkeletonLetters of them, whose letters appear in that order in words of the table or
// of the abbreviation list (LettersLeftOut). One such word, a level of the table itself, is the
// answer ("THGH" thigh, "DSTL" distal, "CLF" calf, "JNCTN" junction: a fifteenth independent
// renderer's labels). A vein is never read from a skeleton ("PLT", "FMRL": a header's initials or
// a ward name would name a vein), nor a word only the abbreviation list holds ("CVS": calves). A
// skeleton of two words, one of them a place ("PRF": perforator or profunda), is kAmbiguousLevel:
// it leaves the level unknown rather than vanish ("R GSV DSTL THGH PRF" is no distal-thigh GSV).
// A word with vowels is no skeleton (OCR noise, English words).
std::optional<std::string> SkeletonOf(std::string_view word) {
  if (word.size() < kMinSkeletonLetters ||
      !std::all_of(word.begin(), word.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) ||
      std::any_of(word.begin() + 1, word.end(), IsVowel)) {
    return std::nullopt;
  }
  std::vector<std::string_view> found;  // distinct canonical words matched
  bool in_table = false;                // the match is a word of the phrase table itself
  const auto consider = [&](std::string_view candidate, std::string_view canonical, bool table) {
    if (!LettersLeftOut(word, candidate)) return;
    if (std::find(found.begin(), found.end(), canonical) == found.end()) found.push_back(canonical);
    in_table = in_table || table;
  };
  for (const Phrase& p : kPhrases) {
    for (std::string_view w : p.words) {
      if (!w.empty()) consider(w, w, true);
    }
  }
  for (const Alias& a : kAliases) consider(a.from, a.to, false);
  if (found.size() > 1) {
    const bool place = std::any_of(found.begin(), found.end(),
                                   [](std::string_view w) { return IsPlace(Single(w)); });
    return place ? std::optional<std::string>(kAmbiguousLevel) : std::nullopt;
  }
  const Phrase* p = found.empty() ? nullptr : Single(found.front());
  if (!in_table || p == nullptr || p->kind != Kind::kLevel) return std::nullopt;
  return std::string(found.front());
}

// A word the table does not know, read as known words when it is one glued to a clip number
// ("THIGH2"), a plural or possessive ("PTVS", "COCKETTS") or two glued words (Joinable). Anything
// else is kept as is (and carries no meaning).
// `skeletons`: whether a consonant skeleton may stand for a word (SkeletonOf); not when checking
// an OCR repair, which must reach a word of the table itself ("Sex" repaired to "SFx" is no SFJ).
std::vector<std::string> SplitUnknown(const std::string& word, bool skeletons) {
  if (InTable(word)) return {word};
  const size_t letters = word.find_first_not_of("0123456789");  // "3CM": a distance
  if (letters != std::string::npos && letters > 0 &&
      (word.substr(letters) == "CM" || word.substr(letters) == "MM")) {
    return {word.substr(letters)};
  }
  const size_t digits = word.find_first_of("0123456789");
  if (digits != std::string::npos && digits > 0 &&
      word.find_first_not_of("0123456789", digits) == std::string::npos) {
    const std::string stem = Canonical(word.substr(0, digits));
    if (IsPlace(Single(stem))) return {stem};
  }
  if (word.size() > 3 && word.back() == 'S') {
    const std::string stem = Canonical(word.substr(0, word.size() - 1));
    if (IsPlace(Single(stem)) || IsReject(Single(stem))) return {stem};  // "TRIBS", "CFAS" too
  }
  for (size_t k = 1; k + 1 < word.size(); ++k) {
    std::string left = Canonical(word.substr(0, k)), right = Canonical(word.substr(k));
    if (Joinable(Single(left), Single(right))) return {left, right};
  }
  if (skeletons) {
    if (const auto full = SkeletonOf(word)) return {*full};
  }
  return {word};
}

// Canonical words of a label: tokenized, abbreviations expanded, glued words split, consonant
// skeletons read (`skeletons`).
std::vector<std::string> Words(std::string_view text, bool skeletons = true) {
  std::vector<std::string> words;
  for (const std::string& token : Tokenize(text)) {
    for (std::string& w : SplitUnknown(Canonical(token), skeletons)) words.push_back(std::move(w));
  }
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
  bool level_unknown = false;  // the veins are named, their level is not (kLevelUnknown, LSV)
  bool left_extremity = false, right_extremity = false;  // LLE / RLE (see Kind)
  std::vector<Vein> veins;
  unsigned levels = 0;
};

// "LSV" is the long saphenous vein (GSV) in British usage and the lesser (SSV) in some American
// labs: only the thigh, the groin or the SFJ, where the SSV does not run, say which; else the
// segment is unknown, but either vein is superficial.
void ResolveLongOrLesser(Mentions& m) {
  const bool thigh = (m.levels & (kThigh | kSfj | kGroin)) != 0;
  if (!thigh || (m.levels & (kKnee | kCalf | kSpj)) != 0) {
    m.level_unknown = true;
    for (Vein v : {Vein::kGsv, Vein::kSsv}) {
      if (std::find(m.veins.begin(), m.veins.end(), v) == m.veins.end()) m.veins.push_back(v);
    }
  } else if (std::find(m.veins.begin(), m.veins.end(), Vein::kGsv) == m.veins.end()) {
    m.veins.push_back(Vein::kGsv);
  }
}

Mentions Collect(std::string_view text) {
  const std::vector<std::string> words = Words(text);
  Mentions m;
  unsigned shorthand = 0, pt_shorthand = 0;
  bool after_qualifier = false;  // the previous phrase was a bare proximal/mid/distal
  bool calf_maneuver_after_qualifier = false;
  bool long_or_lesser = false;
  for (size_t i = 0; i < words.size();) {
    const Phrase* p = LongestMatch(words, i);
    if (p == nullptr) {  // unknown words (numbers, "VEIN", "REFLUX") carry no meaning
      ++i;
      after_qualifier = false;
      continue;
    }
    // "upper calf (aug)": a qualifier then "calf <maneuver>" may name the calf level (below).
    calf_maneuver_after_qualifier =
        calf_maneuver_after_qualifier ||
        (p->kind == Kind::kNeutral && after_qualifier && p->words[0] == "CALF");
    after_qualifier = p->kind == Kind::kLevel && (p->levels & kRegions) == 0 &&
                      (p->levels & (kProx | kMid | kDist)) != 0;
    switch (p->kind) {
      case Kind::kLeft:
        m.left = true;
        break;
      case Kind::kRight:
        m.right = true;
        break;
      case Kind::kLeftExtremity:
        m.left_extremity = true;
        break;
      case Kind::kRightExtremity:
        m.right_extremity = true;
        break;
      case Kind::kBoth:
        m.left = m.right = true;
        break;
      case Kind::kReject:
        m.reject = true;
        break;
      case Kind::kLevelUnknown:
        m.level_unknown = true;
        break;
      case Kind::kNeutral:
        break;
      case Kind::kLongOrLesser:
        long_or_lesser = true;
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
      case Kind::kShorthand:
        (p->words[0] == "PT" ? pt_shorthand : shorthand) |= p->levels;
        break;
    }
    i += WordCount(*p);
  }
  // Beside a perforator "PT" is the posterior tibial vein (its Cockett perforators are in the
  // calf), not the proximal thigh; the other shorthand (MT, DC, ...) stays a level.
  const bool perforator = std::find(m.veins.begin(), m.veins.end(), Vein::kPerf) != m.veins.end();
  if (perforator && pt_shorthand != 0) {
    m.veins.push_back(Vein::kPtv);  // a companion vein: locates the perforator (ResolveVein)
    pt_shorthand = 0;
  }
  // Below the knee is the proximal calf of a vein ("GSV below knee" = GSV_PROX_CALF, the usual
  // vein-mapping level), but beside a perforator the knee: Boyd's perforators sit just below it
  // (DOMAIN.md), so "RIGHT PERF BELOW KNEE" is PERF_KNEE, not a Cockett (calf) perforator.
  if ((m.levels & kBelowKnee) != 0) {
    m.levels = (m.levels & ~kBelowKnee) | (perforator ? kKnee : kProx | kCalf);
  }
  // "GSV upper calf (aug)": "calf" is the qualifier's region, the maneuver word alone the
  // maneuver ("calf aug" by itself is the maneuver, not a level), when the label names no other
  // region and a vein with calf levels (stop 21: the level was lost). "FV proximal calf squeeze"
  // and "GSV thigh prox calf squeeze" keep their own levels.
  const auto named = [&](Vein v) {
    return std::find(m.veins.begin(), m.veins.end(), v) != m.veins.end();
  };
  if (calf_maneuver_after_qualifier && (m.levels & kRegions) == 0 &&
      (named(Vein::kGsv) || named(Vein::kSsv))) {
    m.levels |= kCalf;
  }
  if (m.levels == 0) m.levels = shorthand | pt_shorthand;
  if (long_or_lesser) ResolveLongOrLesser(m);
  if (!m.left && !m.right) m.left = m.left_extremity, m.right = m.right_extremity;
  return m;
}

int Count(unsigned bits) { return __builtin_popcount(bits); }

// What the parser knows of each vein, in Vein's order: the region a perforator named with it lies
// in ("posterior tibial perforator" = calf, "FV perforator" = thigh; 0 for veins spanning several
// regions, GSV, or none, CFV); the regions it runs in (0 = any: a label naming another one
// contradicts itself, "FV calf", and gives no class either); its threshold class.
struct VeinFacts {
  unsigned companion_region;
  unsigned regions;
  VeinClass vein_class;
};

constexpr std::array<VeinFacts, static_cast<size_t>(Vein::kTributary) + 1> kVeinFacts = {{
    {0, 0, VeinClass::kSuperficial},                    // GSV
    {kCalf, kKnee | kCalf, VeinClass::kSuperficial},    // SSV
    {kThigh, kThigh | kKnee, VeinClass::kSuperficial},  // AASV
    {kThigh, 0, VeinClass::kSuperficial},               // accessory saphenous, side not said
    {kThigh, 0, VeinClass::kSuperficial},               // PASV
    {0, kThigh, VeinClass::kDeepProximal},              // CFV
    {kThigh, kThigh, VeinClass::kDeepProximal},         // FV
    {kThigh, kThigh, VeinClass::kDeepDistal},           // DFV
    {kKnee, 0, VeinClass::kDeepProximal},               // POPV
    {kCalf, kCalf, VeinClass::kDeepDistal},             // PTV
    {kCalf, kCalf, VeinClass::kDeepDistal},             // PERV
    {kCalf, kCalf, VeinClass::kDeepDistal},             // ATV
    {kCalf, kCalf, VeinClass::kDeepDistal},             // gastrocnemius
    {kCalf, kCalf, VeinClass::kDeepDistal},             // soleal
    {0, 0, VeinClass::kPerforator},                     // perforator
    {0, 0, VeinClass::kSuperficial},                    // varicosity (any region, one needed)
    {kThigh, kThigh | kKnee, VeinClass::kSuperficial},  // Giacomini (intersaphenous)
    {0, 0, VeinClass::kSuperficial},                    // tributary (any level)
}};

const VeinFacts& Facts(Vein v) { return kVeinFacts[static_cast<size_t>(v)]; }

struct Resolved {
  Vein vein;
  unsigned levels;
};

// A saphenous trunk a tributary can drain into: "GSV trib", "SSV tributaries".
bool IsSaphenous(Vein v) {
  return v == Vein::kGsv || v == Vein::kSsv || v == Vein::kAasv || v == Vein::kPasv ||
         v == Vein::kAccessory;
}

// One vein with its levels, or nullopt when none or several are named. A perforator named with
// another vein is a perforator, located by that vein when the label names no region; a tributary
// named with its saphenous vein is the tributary ("GSV trib"; with a deep vein or a perforator it
// stays two veins); an accessory saphenous vein named with its parent ("anterior accessory GSV")
// is the accessory vein; a junction alone names its saphenous vein; a junction of the other
// saphenous vein is a contradiction.
std::optional<Resolved> ResolveVein(const Mentions& m) {
  std::vector<Vein> veins = m.veins;
  unsigned levels = m.levels;
  const auto named = [&](Vein v) {
    return std::find(veins.begin(), veins.end(), v) != veins.end();
  };
  const bool sfj = (levels & kSfj) != 0, spj = (levels & kSpj) != 0;
  if (named(Vein::kTributary)) {
    if ((named(Vein::kGsv) && spj) || (named(Vein::kSsv) && sfj)) return std::nullopt;
    std::erase_if(veins, IsSaphenous);
  }
  if (named(Vein::kPerf) && !named(Vein::kTributary)) {
    unsigned companions = 0;
    for (Vein v : veins) companions |= Facts(v).companion_region;
    if ((levels & kRegions) == 0) levels |= companions;
    veins = {Vein::kPerf};
  }
  if (named(Vein::kAasv) || named(Vein::kPasv) || named(Vein::kAccessory)) {
    std::erase(veins, Vein::kGsv);
  }
  if (veins.size() > 1 || (sfj && spj)) return std::nullopt;
  if (veins.empty()) {
    if (sfj) return Resolved{Vein::kGsv, levels};
    if (spj) return Resolved{Vein::kSsv, levels};
    if ((levels & kFossa) != 0) return Resolved{Vein::kPopv, levels};  // "R popliteal fossa"
    return std::nullopt;
  }
  if ((veins[0] == Vein::kGsv && spj) || (veins[0] == Vein::kSsv && sfj)) return std::nullopt;
  // The popliteal fossa holds the SSV's junction, the popliteal and gastrocnemius veins and
  // perforators: another vein there contradicts itself ("GSV popliteal fossa", "CFV ...").
  if ((levels & kFossa) != 0 && veins[0] != Vein::kSsv && veins[0] != Vein::kPopv &&
      veins[0] != Vein::kGastroc && veins[0] != Vein::kPerf) {
    return std::nullopt;
  }
  return Resolved{veins[0], levels};
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
  const unsigned region = levels & kRegions;
  if (junction) return pos < 0 && region == 0 ? std::optional(kGsvSfj) : std::nullopt;
  // The groin alone is the junction; beside another level that level says ("GSV groin prox
  // thigh" = GSV_PROX_THIGH, as before the groin was read).
  if ((levels & kGroin) != 0 && pos < 0 && region == 0) return kGsvSfj;
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
  const unsigned region = levels & kRegions;
  // The SSV "at the knee" (the popliteal crease, the popliteal fossa) is its junction's level,
  // so the junction named with the knee or the fossa is too ("SSV SPJ popliteal fossa").
  if (junction) {
    return pos < 0 && (region == 0 || region == kKnee) ? std::optional(kSsvSpj) : std::nullopt;
  }
  if (region == kKnee && pos < 0) return kSsvSpj;
  if ((region == 0 || region == kCalf) && pos >= 0) {  // the SSV runs in the calf only
    return std::array{kSsvProxCalf, kSsvMidCalf, kSsvDistCalf}[pos];
  }
  return std::nullopt;
}

std::optional<Segment> FvSegment(unsigned levels, int pos, bool junction) {
  using enum Segment;
  const unsigned region = levels & kRegions;
  if (junction || (region != 0 && region != kThigh)) return std::nullopt;
  return pos < 0 ? kFv : std::array{kFvProx, kFvMid, kFvDist}[pos];
}

std::optional<Segment> PerfSegment(unsigned levels) {
  using enum Segment;
  switch (levels & kRegions) {
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

// Whether `vein` named with `levels` tells its threshold class: a level outside the regions it
// runs in contradicts the label ("FV calf"), and a varicosity needs a region (Vein::kVarix).
bool GivesClass(Vein vein, unsigned levels) {
  const unsigned allowed = Facts(vein).regions, region = levels & kRegions;
  if (vein == Vein::kVarix && region == 0) return false;
  return allowed == 0 || (region & ~allowed) == 0;
}

// The threshold class of a label whose segment is unknown: its vein's when ResolveVein finds one
// (a perforator named with its companion vein is the perforator, "GSV perf 10 cm above ankle"),
// else the class every vein it names belongs to ("GSV SSV", "LSV knee"), nullopt when they
// differ ("CFV GSV") or none gives one. Not a guess of the segment: whichever vein was imaged,
// its criterion is the same. A landmark alone gives none ("5 cm above SFJ": the GSV or the CFV?).
// `resolved`: ResolveVein(m).
std::optional<VeinClass> ClassOf(const Mentions& m, const std::optional<Resolved>& resolved) {
  if (m.veins.empty() && m.level_unknown) return std::nullopt;
  if (const auto& r = resolved) {
    return GivesClass(r->vein, r->levels) ? std::optional(Facts(r->vein).vein_class) : std::nullopt;
  }
  std::optional<VeinClass> shared;
  for (Vein v : m.veins) {
    if (!GivesClass(v, m.levels)) return std::nullopt;
    if (shared && *shared != Facts(v).vein_class) return std::nullopt;
    shared = Facts(v).vein_class;
  }
  return shared;
}

std::optional<Segment> ResolveSegment(Vein vein, unsigned levels) {
  if (Count(levels & (kProx | kMid | kDist)) > 1 || Count(levels & kRegions) > 1) {
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
    case Vein::kAccessory:
      return std::nullopt;  // AASV or PASV
    case Vein::kVarix:
    case Vein::kIntersaphenous:
      return std::nullopt;  // no segment of the vocabulary
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
    case Vein::kTributary:
      return Segment::kTributary;  // at any level: the vocabulary has one tributary segment
  }
  return std::nullopt;
}

// Glyphs Tesseract reads for others in small annotation fonts, read -> meant (uppercase, as the
// parser compares): seen on independent renderers' labels ("femora! vein", "GSV at SF] Right",
// "LEFT FY MID", "PRE 3.3k" for PRF) and the usual l / I / 1 / | and O / 0, S / 5 / $ pairs.
struct Confusion {
  std::string_view read, meant;
};
constexpr Confusion kOcrConfusions[] = {
    {"!", "L"}, {"|", "L"}, {"1", "L"}, {"I", "L"},  {"L", "I"},  {"]", "J"},
    {"[", "J"}, {"Y", "V"}, {"U", "V"}, {"0", "O"},  {"5", "S"},  {"$", "S"},
    {"8", "B"}, {"E", "F"}, {"C", "G"}, {"RN", "M"}, {"VV", "W"}, {"CL", "D"}};

// Whether every word of `token` is one the vocabulary knows (after abbreviations and splits).
bool AllKnown(std::string_view token) {
  const std::vector<std::string> words = Words(token, /*skeletons=*/false);
  return !words.empty() &&
         std::all_of(words.begin(), words.end(), [](const std::string& w) { return InTable(w); });
}

size_t AsciiLetters(std::string_view token) {
  return static_cast<size_t>(std::count_if(token.begin(), token.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
  }));
}

// `token` with one confusion undone where that makes all its words known: `punctuation` selects
// the confusions whose read glyph is no letter or digit, the others the rest. nullopt when none
// does. The meant glyph takes the case of the letter before it.
std::optional<std::string> Repaired(std::string_view token, bool punctuation) {
  std::string upper(token);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (size_t at = 0; at < token.size(); ++at) {
    for (const Confusion& k : kOcrConfusions) {
      if ((std::isalnum(static_cast<unsigned char>(k.read[0])) != 0) == punctuation) continue;
      if (upper.compare(at, k.read.size(), k.read) != 0) continue;
      std::string meant(k.meant);
      if (at > 0 && std::islower(static_cast<unsigned char>(token[at - 1]))) {
        for (char& c : meant) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      std::string candidate(token.substr(0, at));
      candidate += meant;
      candidate += token.substr(at + k.read.size());
      if (AllKnown(candidate)) return candidate;
    }
  }
  return std::nullopt;
}

// `token` with one confusion undone, else as read. A punctuation glyph inside a word ("SF]") is
// tried first, whatever the rest reads: the parser takes it for a separator, and "SF" alone is a
// known word of its own (superficial femoral). A letter or digit only when the token names
// something unknown. Tokens of fewer than two letters are left alone (a side letter, a number):
// one substitution there could make a word of anything.
std::string RepairToken(std::string_view token) {
  if (AsciiLetters(token) < 2) return std::string(token);
  if (auto repaired = Repaired(token, true)) return *repaired;
  if (AllKnown(token)) return std::string(token);
  return Repaired(token, false).value_or(std::string(token));
}

}  // namespace

std::string RepairOcrConfusions(std::string_view line) {
  std::string out;
  size_t at = 0;
  while (at < line.size()) {
    const size_t end = std::min(line.find(' ', at), line.size());
    out += RepairToken(line.substr(at, end - at));
    if (end < line.size()) out += ' ';
    at = end + 1;
  }
  return out;
}

ParsedLabel ParseLabel(std::string_view text) {
  const Mentions m = Collect(text);
  ParsedLabel out;
  if (m.left != m.right) out.laterality = m.left ? Laterality::kLeft : Laterality::kRight;
  if (m.reject) return out;
  const std::optional<Resolved> resolved = ResolveVein(m);
  if (resolved && !m.level_unknown) out.segment = ResolveSegment(resolved->vein, resolved->levels);
  out.vein_class =
      out.segment ? std::optional(Info(*out.segment).vein_class) : ClassOf(m, resolved);
  return out;
}

}  // namespace refluxscan::study
