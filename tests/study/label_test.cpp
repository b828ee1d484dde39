// Free-text label parsing: a table of real-world spellings, including ones that must not map.
#include <gtest/gtest.h>

#include "label_case.h"
#include "refluxscan/study/identify.h"

namespace refluxscan::study {
namespace {

using enum Segment;
constexpr auto kL = Laterality::kLeft;
constexpr auto kR = Laterality::kRight;

using label_tests::LabelCase;
using label_tests::ParseLabelTable;

TEST_P(ParseLabelTable, MapsOrRefuses) {
  const LabelCase c = GetParam();
  const ParsedLabel parsed = ParseLabel(c.text);
  EXPECT_EQ(parsed.laterality, c.laterality) << c.text;
  EXPECT_EQ(parsed.segment, c.segment)
      << c.text << " -> " << (parsed.segment ? Info(*parsed.segment).name : "none");
  // A mapped segment always carries its own threshold class.
  if (parsed.segment) {
    EXPECT_EQ(parsed.vein_class, Info(*parsed.segment).vein_class) << c.text;
  }
}

// A vein named without a level we map still gives the threshold class, and so do veins (or a
// contradiction) sharing one class; veins of different classes, a branch, an artery, a treated
// vein or a landmark alone give none.
TEST(ParseLabel, VeinWithoutLevelGivesItsClass) {
  using enum VeinClass;
  const std::pair<const char*, std::optional<VeinClass>> cases[] = {
      {"Lt.  SSV  2", kSuperficial},
      {"R GSV thigh", kSuperficial},
      {"RT._GSV_groin_1", kSuperficial},
      {"L GSV prox mid thigh", kSuperficial},
      {"R popliteal", kDeepProximal},
      // Several veins, or a contradiction, of one class: whichever was meant, its criterion.
      {"L GSV SSV", kSuperficial},
      {"GSV SPJ", kSuperficial},
      {"RT LSV knee", kSuperficial},  // long (GSV) or lesser (SSV) saphenous
      {"R CFV GSV", std::nullopt},    // deep or superficial
      {"PTV PERV", kDeepDistal},
      // A level relative to a landmark leaves the vein's class.
      {"RT GSV 10cm below SFJ", kSuperficial},
      {"R 5 cm below SFJ", std::nullopt},  // the GSV, or the FV?
      {"R 5 cm above SFJ", std::nullopt},  // the CFV
      {"GSV perf 10 cm above ankle", kPerforator},
      {"L fem pop bypass", std::nullopt},
      {"FV 2 fingerbreadths above knee", kDeepProximal},
      // Superficial veins without a segment; a varicosity only where a region says it was imaged.
      {"LT thigh varicosity", kSuperficial},
      {"R varicose vein calf", kSuperficial},
      {"Right Giacomini vein", kSuperficial},
      {"Varicose veins", std::nullopt},
      {"R varicosities", std::nullopt},
      {"R GSV branch mid thigh", std::nullopt},
      {"Left leg - CFA - 4", std::nullopt},
      {"R FV calf", std::nullopt},  // FV: a thigh vein
      {"L SSV thigh", std::nullopt},
      {"R GSV stripped", std::nullopt},
      {"L CFV occluded", std::nullopt},
      // anterior or posterior not said: either is superficial
      {"LLE  accessory saphenous  2", kSuperficial},
      {"R ASV", kSuperficial},
      {"L accessory vein", std::nullopt}};
  for (const auto& [text, vein_class] : cases) {
    const ParsedLabel parsed = ParseLabel(text);
    EXPECT_EQ(parsed.vein_class, vein_class) << text;
  }
}

// Each case of a table: the side and segment the label must give (nullopt: stays unknown).
void ExpectParses(std::initializer_list<LabelCase> cases) {
  for (const LabelCase& c : cases) {
    const ParsedLabel parsed = ParseLabel(c.text);
    EXPECT_EQ(parsed.laterality, c.laterality) << c.text;
    EXPECT_EQ(parsed.segment, c.segment)
        << c.text << " -> " << (parsed.segment ? Info(*parsed.segment).name : "none");
  }
}

// Tributaries are superficial veins (DOMAIN.md), one segment at any level; one named with its
// saphenous vein is the tributary, as a perforator named with a vein is the perforator. Branches,
// varices and a lone "varicose" stay unknown; with a deep vein or a perforator it is two veins.
TEST(ParseLabel, TributariesAreTheirOwnSegment) {
  ExpectParses({{"Lt. GSV trib", kL, kTributary},
                {"RIGHT TRIB", kR, kTributary},
                {"L - varicose tributary", kL, kTributary},
                {"Rt.TRIB", kR, kTributary},
                {"rt. varicose tributary", kR, kTributary},
                {"Left TRIB", kL, kTributary},
                {"GSV trib LT", kL, kTributary},
                {"L.TRIB", kL, kTributary},
                {"RIGHT GSV trib", kR, kTributary},
                {"varicose tributary Left", kL, kTributary},
                {"LEFT LEG tributary", kL, kTributary},
                {"Lt - TRIB", kL, kTributary},
                {"SSV tributaries R", kR, kTributary},
                {"R GSV tributary mid thigh", kR, kTributary},
                {"R GSV tribs mid thigh", kR, kTributary},
                {"L AASV trib", kL, kTributary},
                {"R GSV branch", kR, std::nullopt},
                {"L varicosities calf", kL, std::nullopt},
                {"R varicose vein", kR, std::nullopt},
                {"L varices", kL, std::nullopt},
                {"R CFV tributary", kR, std::nullopt},
                {"L trib perf", kL, std::nullopt},
                {"R GSV trib SPJ", kR, std::nullopt},
                {"L SFA trib", kL, std::nullopt}});
  EXPECT_EQ(ParseLabel("R GSV trib").vein_class, VeinClass::kSuperficial);
}

// A single letter C directly before FEM / FEMORAL is common: the CFV, not the FV.
TEST(ParseLabel, LetterCBeforeFemoralIsCommon) {
  ExpectParses({{"C FEM V R", kR, kCfv},
                {"R.C FEM V", kR, kCfv},
                {"RT. C FEM V", kR, kCfv},
                {"Left - C FEM V", kL, kCfv},
                {"LT C FEM V", kL, kCfv},
                {"COM FEM V", std::nullopt, kCfv},
                {"lt. COM FEM V", kL, kCfv},
                {"R C.FEM.V.", kR, kCfv},
                {"L_C_FEMORAL_V", kL, kCfv},
                {"R FEM V", kR, kFv},
                {"R_C_F_V", kR, kCfv},
                {"C R FEM V", kR, kFv}});  // not directly before: no meaning
}

// Worksheet levels "P/THIGH", "M/CALF", "D/THIGH": proximal / mid / distal, only with the slash.
TEST(ParseLabel, SlashLetterLevels) {
  ExpectParses({{"GSV P/THIGH Lt", kL, kGsvProxThigh},
                {"Right GSV P/THIGH", kR, kGsvProxThigh},
                {"GSV D/THIGH (lt.)", kL, kGsvDistThigh},
                {"Lt GSV D/THIGH", kL, kGsvDistThigh},
                {"R GSV M/THIGH", kR, kGsvMidThigh},
                {"L GSV P/CALF", kL, kGsvProxCalf},
                {"R gsv m/calf", kR, kGsvMidCalf},
                {"L GSV D/CALF", kL, kGsvDistCalf},
                {"R SSV P/CALF", kR, kSsvProxCalf},
                {"L SSV M/CALF", kL, kSsvMidCalf},
                {"R SSV D/CALF", kR, kSsvDistCalf},
                {"R GSV A/K", kR, kGsvDistThigh},
                {"L GSV B/K", kL, kGsvProxCalf},
                {"R GSV P THIGH", kR, std::nullopt},  // single letters without the slash
                {"R GSV P/T", kR, std::nullopt},
                {"R GSV X/THIGH", kR, std::nullopt},
                {"R FV D/CALF", kR, std::nullopt}});  // the FV does not reach the calf
}

// Consonant skeletons of level and junction words ("THGH", "DSTL", "JNCTN"; SkeletonOf) and the
// knee's "KN" read as the words, as do the listed short forms ("UPR", "MDL", "SPJXN", "VN"); "1/2"
// before a thigh or calf is mid; letters out of order stay unknown. A velocity unit read on the
// label's line ("cm/s") is no distance (fifteenth independent renderer).
TEST(ParseLabel, ConsonantSkeletonsAndHalfway) {
  ExpectParses({{"GSV - mid thgh - LFT -2", kL, kGsvMidThigh},
                {"LT. FEM V DSTL THIGH", kL, Segment::kFvDist},
                {"ssv - sp jnctn", std::nullopt, kSsvSpj},
                {"(R) - GSV - KN", kR, kGsvKnee},
                {"G.S.V. - @ KN - LEFT", kL, kGsvKnee},
                {"GRT SAPH R 1/2 THIGH (2)", kR, kGsvMidThigh},
                {"L SSV 1/2 calf", kL, kSsvMidCalf},
                {"cm/S LEFT POST TIB VEINS", kL, kPtv},
                {"left leg - short saphenous - mdl calf", kL, kSsvMidCalf},
                {"GSV_UPR_THGH_Lt_#1", kL, kGsvProxThigh},
                {"LLE_small_saphenous_UPR_CLF", kL, kSsvProxCalf},
                {"LT_SM_SAPH_SPJXN", kL, kSsvSpj},
                {"G.S.V. MDTHIGH LT", kL, kGsvMidThigh},
                {"Rt_POP_VN", kR, kPopv},
                {"R GSV JNCTN", kR, kGsvSfj},
                {"R GSV THGIH", kR, std::nullopt},     // letters out of order
                {"clip 1/2 R GSV", kR, std::nullopt},  // a count, no level
                {"PRF 3.5 kHz", std::nullopt, std::nullopt},
                // The review's counter-examples: a distance keeps its unit, a count its "1/2";
                // no vein from a skeleton or from an abbreviation's source word; a skeleton of
                // two words leaves the level unknown.
                {"R GSV 3 cm s/f jxn", kR, std::nullopt},
                {"L SSV 3 cm S/P junction", kL, std::nullopt},
                {"CLIP 1/2 CALF R SSV", kR, std::nullopt},
                {"R GSV 1 1/2 THIGH", kR, std::nullopt},
                {"R PLT", kR, std::nullopt},
                {"L FMRL", kL, std::nullopt},
                {"CVS Health Vein Clinic R GSV", kR, std::nullopt},
                {"R GSV DSTL THGH PRF", kR, std::nullopt},
                {"L GSV MID THIGH CLF SQZ", kL, kGsvMidThigh},   // the maneuver, not a level
                {"Scale 67 Gms", std::nullopt, std::nullopt}});  // too few of gastroc's letters
}

// Below the knee is the proximal calf of a vein, but beside a perforator the knee (Boyd's
// perforators sit just below it); above the knee stays the (distal) thigh.
TEST(ParseLabel, PerforatorBelowKneeIsTheKneePerforator) {
  ExpectParses({{"RIGHT PERF BELOW KNEE", kR, kPerfKnee},
                {"LEFT PERF BELOW KNEE", kL, kPerfKnee},
                {"L perf BK", kL, kPerfKnee},
                {"R perforator B/K", kR, kPerfKnee},
                {"R PERF ABOVE KNEE", kR, kPerfThigh},
                {"R GSV below knee", kR, kGsvProxCalf},
                {"L SSV BK", kL, kSsvProxCalf},
                {"L perf calf below knee", kL, std::nullopt},  // two regions
                {"R FV below knee", kR, std::nullopt}});
}

INSTANTIATE_TEST_SUITE_P(
    Spellings, ParseLabelTable,
    ::testing::Values(
        LabelCase{"RT GSV PROX THIGH", kR, kGsvProxThigh},
        LabelCase{"Lt. great saphenous mid thigh", kL, kGsvMidThigh},
        LabelCase{"L SSV SPJ", kL, kSsvSpj}, LabelCase{"R CFV", kR, kCfv},
        LabelCase{"RIGHT POP V", kR, kPopv}, LabelCase{"L GSV @ knee", kL, kGsvKnee},
        LabelCase{"SFJ R", kR, kGsvSfj}, LabelCase{"perf calf L", kL, kPerfCalf},
        LabelCase{"LEFT SMALL SAPHENOUS PROX CALF", kL, kSsvProxCalf},
        LabelCase{"R GSV-SFJ", kR, kGsvSfj}, LabelCase{"Rt femoral v mid", kR, kFvMid},
        LabelCase{"L PTV", kL, kPtv}, LabelCase{"R common femoral", kR, kCfv},
        LabelCase{"L profunda", kL, kDfv}, LabelCase{"lt gastroc", kL, kGastroc},
        LabelCase{"R ATV", kR, kAtv}, LabelCase{"L AASV", kL, kAasv},
        LabelCase{"R saphenofemoral junction", kR, kGsvSfj},
        LabelCase{"GSV AK", std::nullopt, kGsvDistThigh},
        LabelCase{"gsv bk", std::nullopt, kGsvProxCalf},
        LabelCase{"R_GSV_DIST_THIGH_003", kR, kGsvDistThigh},
        LabelCase{"left sapheno-femoral junction", kL, kGsvSfj},
        LabelCase{"RT SSV MID CALF", kR, kSsvMidCalf}, LabelCase{"L POPLITEAL VEIN", kL, kPopv},
        LabelCase{"R peroneal", kR, kPerv}, LabelCase{"L soleal vein", kL, kSoleal},
        LabelCase{"rt fv prox", kR, kFvProx}, LabelCase{"R SFV", kR, kFv},
        LabelCase{"L deep femoral", kL, kDfv}, LabelCase{"Boyd perf R", kR, kPerfKnee},
        LabelCase{"L GSV calf", kL, kGsvCalf}, LabelCase{"R SSV junction", kR, kSsvSpj},
        LabelCase{"CFV at SFJ L", kL, kCfv}, LabelCase{"RLE upper thigh GSV", kR, kGsvProxThigh},
        LabelCase{"LT GSV MIDTHIGH", kL, kGsvMidThigh},
        LabelCase{"L posterior accessory saphenous", kL, kPasv},
        // Unknown or ambiguous: never guessed.
        LabelCase{"L LSV mid thigh", kL, kGsvMidThigh},       // only the long saphenous runs there
        LabelCase{"R GSV thigh", kR, std::nullopt},           // which thigh level?
        LabelCase{"R GSV", kR, std::nullopt},                 // no level
        LabelCase{"L GSV prox mid thigh", kL, std::nullopt},  // two levels
        LabelCase{"R POP A", kR, std::nullopt},               // an artery
        LabelCase{"L GSV SSV", kL, std::nullopt},             // two veins
        LabelCase{"R GSV branch mid thigh", kR, std::nullopt},
        LabelCase{"bilateral CFV", std::nullopt, kCfv},  // one segment, no single leg
        LabelCase{"L R CFV", std::nullopt, kCfv},
        LabelCase{"lateral calf perf", std::nullopt, kPerfCalf},  // "lateral" is not left
        LabelCase{"GSV SPJ", std::nullopt, std::nullopt},         // junction of the other vein
        LabelCase{"calf", std::nullopt, std::nullopt},
        LabelCase{"IMG_0001", std::nullopt, std::nullopt},
        LabelCase{"", std::nullopt, std::nullopt}, LabelCase{"Left", kL, std::nullopt},
        LabelCase{"saphenous mid thigh", std::nullopt, std::nullopt},
        LabelCase{"R accessory saphenous", kR, std::nullopt},
        LabelCase{"\xC3\xA9l\xC3\xA8ve GSV", std::nullopt, std::nullopt},
        // dotted initialisms: only lone letters join ("R. CFV" and "Lt.GSV" stay apart)
        LabelCase{"R G.S.V. mid thigh", kR, kGsvMidThigh},
        LabelCase{"L.S.S.V. S.P.J.", kL, kSsvSpj}, LabelCase{"R. C.F.V.", kR, kCfv},
        LabelCase{"Lt.GSV A.K.", kL, kGsvDistThigh},
        LabelCase{"L L.S.V. mid thigh", kL, kGsvMidThigh},
        // their file-name form: underscores join chains of >= 3 lone letters only
        LabelCase{"Left_G_S_V__mid_thigh_19", kL, kGsvMidThigh},
        LabelCase{"Right__C_F_V_50", kR, kCfv}, LabelCase{"R_C_F_V", kR, kCfv},
        LabelCase{"L_GSV_a_k", kL, kGsvDistThigh},
        // beside a perforator, PT is the posterior tibial vein (a calf perforator); the other
        // shorthand stays a level
        LabelCase{"R PT perf", kR, kPerfCalf}, LabelCase{"L perf MT", kL, kPerfThigh},
        LabelCase{"R MC perf", kR, kPerfCalf},
        // a side letter joined to a level by the dots ("R.A.K." = "RAK")
        LabelCase{"R.A.K. GSV", kR, kGsvDistThigh}, LabelCase{"L.B.K. GSV", kL, kGsvProxCalf},
        // abbreviated above/below; places relative to a landmark and treated veins refused
        LabelCase{"R GSV abv knee", kR, kGsvDistThigh},
        LabelCase{"R GSV blw knee", kR, kGsvProxCalf},
        LabelCase{"R GSV 3cm from SFJ", kR, std::nullopt},
        LabelCase{"R GSV 5 cm from knee", kR, std::nullopt},
        LabelCase{"R GSV superior to knee", kR, std::nullopt},
        LabelCase{"R GSV near knee", kR, std::nullopt},
        LabelCase{"R GSV s/p EVLA prox thigh", kR, std::nullopt},
        LabelCase{"L GSV post ablation mid thigh", kL, std::nullopt},
        LabelCase{"L CFV DVT", kL, std::nullopt}, LabelCase{"R POPV occl.", kR, std::nullopt},
        LabelCase{"L SSV not visualized", kL, std::nullopt}));

}  // namespace
}  // namespace refluxscan::study
