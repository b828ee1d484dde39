// Label spellings from other scanners, renderers and sonographers: abbreviations, side forms and
// positions, separators (underscores, slashes, dashes, Unicode dashes and spaces), case, trailing
// clip numbers, a few non-English vein names; and ambiguous labels that must stay unknown.
#include <gtest/gtest.h>

#include <ostream>

#include "refluxscan/study/identify.h"

namespace refluxscan::study {
namespace {

using enum Segment;
constexpr std::optional<Laterality> kL = Laterality::kLeft;
constexpr std::optional<Laterality> kR = Laterality::kRight;
constexpr std::optional<Laterality> kNoSide = std::nullopt;
constexpr std::optional<Segment> kUnknown = std::nullopt;

struct Variant {
  const char* text;
  std::optional<Laterality> laterality;
  std::optional<Segment> segment;
};

// GoogleTest names failures by this: the label itself, not its bytes.
std::ostream& operator<<(std::ostream& os, const Variant& v) { return os << '"' << v.text << '"'; }

class LabelVariants : public ::testing::TestWithParam<Variant> {};

TEST_P(LabelVariants, MapsOrStaysUnknown) {
  const Variant v = GetParam();
  const ParsedLabel parsed = ParseLabel(v.text);
  EXPECT_EQ(parsed.laterality, v.laterality) << v.text;
  EXPECT_EQ(parsed.segment, v.segment)
      << v.text << " -> " << (parsed.segment ? Info(*parsed.segment).name : "unknown");
}

// Great saphenous vein: every level, spelled several ways.
INSTANTIATE_TEST_SUITE_P(
    Gsv, LabelVariants,
    ::testing::Values(
        Variant{"RT GSV PROX THIGH", kR, kGsvProxThigh},
        Variant{"Lt. great saphenous mid thigh", kL, kGsvMidThigh},
        Variant{"L GSV @ knee", kL, kGsvKnee}, Variant{"SFJ R", kR, kGsvSfj},
        Variant{"R GSV-SFJ", kR, kGsvSfj}, Variant{"L SF junction", kL, kGsvSfj},
        Variant{"R saphenofemoral jxn", kR, kGsvSfj}, Variant{"R saph-fem junction", kR, kGsvSfj},
        Variant{"R GSV terminal valve", kR, kGsvSfj}, Variant{"L SFJ (GSV)", kL, kGsvSfj},
        Variant{"L GSV SFJ valsalva", kL, kGsvSfj},
        Variant{"R GSV at SFJ w/ distal aug", kR, kGsvSfj},
        Variant{"GSV AK", kNoSide, kGsvDistThigh}, Variant{"GSV BK", kNoSide, kGsvProxCalf},
        Variant{"R GSV A/K", kR, kGsvDistThigh}, Variant{"L GSV B/K", kL, kGsvProxCalf},
        Variant{"L GSV above knee", kL, kGsvDistThigh},
        Variant{"R GSV below knee", kR, kGsvProxCalf}, Variant{"L GSV mid-thigh", kL, kGsvMidThigh},
        Variant{"L GSV midthigh", kL, kGsvMidThigh}, Variant{"L GSV PROXTHIGH", kL, kGsvProxThigh},
        Variant{"R GSV DISTCALF", kR, kGsvDistCalf}, Variant{"L GSV thigh prox", kL, kGsvProxThigh},
        Variant{"R GSV upper thigh", kR, kGsvProxThigh},
        Variant{"R GSV lower calf", kR, kGsvDistCalf},
        Variant{"L GSV proximal calf", kL, kGsvProxCalf},
        Variant{"R. GSV, distal thigh", kR, kGsvDistThigh},
        Variant{"LEFT_GSV_MID_CALF", kL, kGsvMidCalf},
        Variant{"R_GSV_PROX_THIGH_003", kR, kGsvProxThigh},
        Variant{"R great saph vein prox thigh", kR, kGsvProxThigh},
        Variant{"L gr saph prox thigh", kL, kGsvProxThigh},
        Variant{"L greater saphenous vein knee", kL, kGsvKnee},
        Variant{"R long saphenous mid calf", kR, kGsvMidCalf},
        Variant{"L GSV(prox thigh)", kL, kGsvProxThigh},
        Variant{"R/GSV/dist thigh", kR, kGsvDistThigh}, Variant{"R GSV calf", kR, kGsvCalf},
        Variant{"L GSV ankle", kL, kGsvDistCalf},
        Variant{"L GSV mid thigh calf squeeze", kL, kGsvMidThigh},
        Variant{"R GSV prox thigh L12-5", kR, kGsvProxThigh}));  // probe name, not a side

// Small saphenous vein.
INSTANTIATE_TEST_SUITE_P(
    Ssv, LabelVariants,
    ::testing::Values(Variant{"L SSV SPJ", kL, kSsvSpj}, Variant{"L SP jct", kL, kSsvSpj},
                      Variant{"L SSV at SPJ", kL, kSsvSpj},
                      Variant{"L sapheno-popliteal jn", kL, kSsvSpj},
                      Variant{"Lt SSV prox calf", kL, kSsvProxCalf},
                      Variant{"L SSV upper calf", kL, kSsvProxCalf},
                      Variant{"R short saph prox calf", kR, kSsvProxCalf},
                      Variant{"R small saph mid calf", kR, kSsvMidCalf},
                      Variant{"L lesser saphenous distal calf", kL, kSsvDistCalf},
                      Variant{"R SSV ankle", kR, kSsvDistCalf}));

// Deep veins, calf veins, accessory saphenous veins.
INSTANTIATE_TEST_SUITE_P(
    Deep, LabelVariants,
    ::testing::Values(
        Variant{"R CFV", kR, kCfv}, Variant{"L common fem v", kL, kCfv},
        Variant{"Rt. common femoral vein @ groin", kR, kCfv},
        Variant{"L CFV/SFJ", kL, kCfv},  // the CFV at the junction's level (docs/segments.md)
        Variant{"RIGHT POP V", kR, kPopv}, Variant{"L POP", kL, kPopv},
        Variant{"L Pop. V.", kL, kPopv}, Variant{"R popliteal", kR, kPopv},
        Variant{"R popl v", kR, kPopv}, Variant{"R popliteal fossa", kR, kPopv},
        Variant{"R pop v AK", kR, kPopv}, Variant{"L Fem V mid", kL, kFvMid},
        Variant{"L SFV mid", kL, kFvMid}, Variant{"R femoral vein - distal", kR, kFvDist},
        Variant{"R FV dist.", kR, kFvDist}, Variant{"R FV prox thigh", kR, kFvProx},
        Variant{"R FV AK", kR, kFvDist},
        Variant{"L superficial femoral vein mid thigh", kL, kFvMid},
        Variant{"R FV Hunter's canal", kR, kFvDist}, Variant{"L FV adductor canal", kL, kFvDist},
        Variant{"L PFV", kL, kDfv}, Variant{"R profunda femoris vein", kR, kDfv},
        Variant{"L profunda femoral v", kL, kDfv}, Variant{"R deep fem v", kR, kDfv},
        Variant{"L DFV", kL, kDfv}, Variant{"R PTV", kR, kPtv}, Variant{"L post tib v", kL, kPtv},
        Variant{"R posterior tibial veins", kR, kPtv}, Variant{"L PTVs", kL, kPtv},
        Variant{"L PT veins", kL, kPtv}, Variant{"R peroneal v", kR, kPerv},
        Variant{"L peroneals", kL, kPerv}, Variant{"R fibular v", kR, kPerv},
        Variant{"L ATV", kL, kAtv}, Variant{"R ATVs", kR, kAtv}, Variant{"R AT vein", kR, kAtv},
        Variant{"L gastroc", kL, kGastroc}, Variant{"R medial gastrocnemius v", kR, kGastroc},
        Variant{"L MGV", kL, kGastroc}, Variant{"Gastrocnemial v L", kL, kGastroc},
        Variant{"L soleal v", kL, kSoleal}, Variant{"R soleus", kR, kSoleal},
        Variant{"R soleal sinus", kR, kSoleal}, Variant{"L AASV", kL, kAasv},
        Variant{"R ant accessory saph", kR, kAasv}, Variant{"L anterior accessory GSV", kL, kAasv},
        Variant{"R AAGSV", kR, kAasv}, Variant{"L PASV", kL, kPasv},
        Variant{"L post accessory saph", kL, kPasv}));

// Perforators.
INSTANTIATE_TEST_SUITE_P(
    Perforators, LabelVariants,
    ::testing::Values(
        Variant{"perf calf L", kL, kPerfCalf}, Variant{"R Cockett perf", kR, kPerfCalf},
        Variant{"L Cockett's perforator", kL, kPerfCalf},
        Variant{"L Boyd perforator", kL, kPerfKnee}, Variant{"R Boyd's perf", kR, kPerfKnee},
        Variant{"R Dodd perf", kR, kPerfThigh}, Variant{"L Hunterian perf", kL, kPerfThigh},
        Variant{"R thigh perforator", kR, kPerfThigh}, Variant{"R perf mid thigh", kR, kPerfThigh},
        Variant{"L perforators calf", kL, kPerfCalf}, Variant{"R paratibial perf", kR, kPerfCalf},
        Variant{"L posterior tibial perforator", kL, kPerfCalf}, Variant{"R perf", kR, kPerf}));

// Case, white space, clip numbers, side spellings and positions.
INSTANTIATE_TEST_SUITE_P(
    SidesAndLayout, LabelVariants,
    ::testing::Values(Variant{"rt gsv prox thigh", kR, kGsvProxThigh},
                      Variant{"Rt Gsv Prox Thigh", kR, kGsvProxThigh},
                      Variant{"  R   GSV\tmid\t\tthigh  ", kR, kGsvMidThigh},
                      Variant{"L GSV SFJ #2", kL, kGsvSfj}, Variant{"R GSV knee 2nd", kR, kGsvKnee},
                      Variant{"L SSV mid calf cine 3", kL, kSsvMidCalf},
                      Variant{"LT. GSV DIST CALF", kL, kGsvDistCalf},
                      Variant{"L-GSV prox calf", kL, kGsvProxCalf}, Variant{"(L) CFV", kL, kCfv},
                      Variant{"[R] POPV", kR, kPopv}, Variant{"RLE GSV mid calf", kR, kGsvMidCalf},
                      Variant{"LLE SSV SPJ", kL, kSsvSpj},
                      Variant{"GSV mid thigh Rt", kR, kGsvMidThigh},
                      Variant{"GSV R prox calf", kR, kGsvProxCalf},
                      Variant{"Left leg FV prox", kL, kFvProx},
                      Variant{"Right lower extremity GSV mid thigh", kR, kGsvMidThigh},
                      Variant{"RGSV prox thigh", kR, kGsvProxThigh}, Variant{"LCFV", kL, kCfv},
                      Variant{"LSSV SPJ", kL, kSsvSpj}, Variant{"RSFJ", kR, kGsvSfj},
                      Variant{"LPOPV", kL, kPopv}, Variant{"R GSV2 prox thigh", kR, kGsvProxThigh},
                      Variant{"L GSV\\prox thigh", kL, kGsvProxThigh},  // DICOM value separator
                      Variant{"R GSV prox thigh\r\n", kR, kGsvProxThigh},
                      Variant{"RIGHT GSV MID-CALF", kR, kGsvMidCalf}));

// Unicode and legacy-charset punctuation; accented and non-English vein names.
INSTANTIATE_TEST_SUITE_P(
    Encodings, LabelVariants,
    ::testing::Values(
        Variant{"L GSV \xE2\x80\x93 mid thigh", kL, kGsvMidThigh},  // en dash
        Variant{"R GSV \xE2\x80\x94 SFJ", kR, kGsvSfj},             // em dash
        Variant{"R\xC2\xA0"
                "CFV",
                kR, kCfv},                                        // no-break space
        Variant{"L GSV mid\xE2\x80\x91thigh", kL, kGsvMidThigh},  // non-breaking hyphen
        Variant{"L\xE2\x80\x89SSV prox calf", kL, kSsvProxCalf},  // thin space
        Variant{"R GSV \xE2\x80\x98prox thigh\xE2\x80\x99", kR, kGsvProxThigh},  // quotes
        Variant{"\xEF\xBB\xBFL GSV SFJ", kL, kGsvSfj},                           // byte order mark
        Variant{"R GSV\xC2\xB7SFJ", kR, kGsvSfj},                                // middle dot
        Variant{"R\xA0GSV knee", kR, kGsvKnee},  // Latin-1 no-break space
        Variant{"L GSV\x96"
                "distal calf",
                kL, kGsvDistCalf},  // Windows-1252 en dash
        Variant{"\xEF\xBC\xB2\xEF\xBC\xB4\xE3\x80\x80\xEF\xBC\xA7\xEF\xBC\xB3\xEF\xBC\xB6"
                "\xE3\x80\x80\xEF\xBC\xB3\xEF\xBC\xA6\xEF\xBC\xAA",
                kR, kGsvSfj},  // full-width "RT GSV SFJ"
        Variant{"VGS cuisse moyenne gauche", kL, kGsvMidThigh},
        Variant{"veine f\xC3\xA9morale commune droite", kR, kCfv},
        Variant{"v. f\xE9morale commune droite", kR, kCfv},  // Latin-1 e-acute
        Variant{"V. saphena parva links distal", kL, kSsvDistCalf},
        Variant{"petite saph\xC3\xA8ne crosse G", kNoSide, kSsvSpj}));

// Ambiguous or incomplete: the segment (and a contradictory side) stays unknown.
INSTANTIATE_TEST_SUITE_P(
    StayUnknown, LabelVariants,
    ::testing::Values(Variant{"R GSV", kR, kUnknown},               // no level
                      Variant{"L gr saph", kL, kUnknown},           // no level
                      Variant{"R GSV prox", kR, kUnknown},          // thigh or calf?
                      Variant{"L GSV thigh", kL, kUnknown},         // which thigh level?
                      Variant{"R GSV groin", kR, kUnknown},         // SFJ or proximal thigh?
                      Variant{"R GSV med thigh", kR, kUnknown},     // medial, not mid
                      Variant{"L SSV", kL, kUnknown},               // no level
                      Variant{"LSV mid thigh", kNoSide, kUnknown},  // long or lesser saphenous
                      Variant{"L LSV", kL, kUnknown},
                      Variant{"R accessory saphenous", kR, kUnknown},  // anterior or posterior?
                      Variant{"L ASV", kL, kUnknown}, Variant{"L CFA", kL, kUnknown},  // artery
                      Variant{"L POP A", kL, kUnknown}, Variant{"L SFA mid", kL, kUnknown},
                      Variant{"L GSV tributary", kL, kUnknown},
                      Variant{"R GSV prox mid thigh", kR, kUnknown},  // two positions
                      Variant{"R FV prox dist", kR, kUnknown},
                      Variant{"R GSV knee calf", kR, kUnknown},  // two regions
                      Variant{"R GSV mid thigh to knee", kR, kUnknown},
                      Variant{"L perf thigh calf", kL, kUnknown},
                      Variant{"R FV calf", kR, kUnknown},    // the FV does not reach the calf
                      Variant{"R SSV thigh", kR, kUnknown},  // the SSV runs in the calf
                      Variant{"L GSV SPJ", kL, kUnknown},    // junction of the other vein
                      Variant{"R SFJ SPJ", kR, kUnknown}, Variant{"L GSV SSV", kL, kUnknown},
                      Variant{"R PV", kR, kUnknown},           // popliteal, perforating or portal?
                      Variant{"R crosse", kR, kUnknown},       // junction of which vein?
                      Variant{"R GSV P THIGH", kR, kUnknown},  // single letters are not levels
                      Variant{"R GSV 10cm below SFJ", kR, kUnknown},  // relative to a landmark
                      Variant{"R GSV tributaries mid thigh", kR, kUnknown},
                      Variant{"R GSV tribs mid thigh", kR, kUnknown},
                      Variant{"R SSV Giacomini", kR, kUnknown},         // not a vocabulary segment
                      Variant{"R GSV calf compression", kR, kUnknown},  // a maneuver, not a level
                      Variant{"L FEMPOP", kL, kUnknown},                // two veins
                      Variant{"RLSV mid thigh", kNoSide, kUnknown},  // glued to an ambiguous word
                      Variant{"L vein 3", kL, kUnknown}, Variant{"IMG0003", kNoSide, kUnknown},
                      Variant{"L12-5", kNoSide, kUnknown},      // a probe name
                      Variant{"bilateral CFV", kNoSide, kCfv},  // one segment, no single leg
                      Variant{"B/L CFV", kNoSide, kCfv}, Variant{"L/R GSV SFJ", kNoSide, kGsvSfj},
                      Variant{"lateral thigh perf", kNoSide, kPerfThigh}));

}  // namespace
}  // namespace refluxscan::study
