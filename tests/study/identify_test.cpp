// Manifest loading and the identification priority: manifest, DICOM tags, file name.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "refluxscan/study/identify.h"
#include "testing/fixtures.h"

namespace refluxscan::study {
namespace {

namespace fs = std::filesystem;

fs::path WriteManifest(const fs::path& dir, std::string_view text) {
  const fs::path path = dir / "manifest.csv";
  std::ofstream(path) << text;
  return path;
}

bool AnyWarningContains(const Manifest& m, std::string_view part) {
  for (const std::string& w : m.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(Manifest, ParsesRowsRelativeToItsFolder) {
  const fs::path dir = refluxscan::testing::ScratchDir("manifest");
  const fs::path path = WriteManifest(dir,
                                      "# vein map, clinic A\n"
                                      "file,laterality,segment\r\n"
                                      "\n"
                                      "clips/a.dcm,L,GSV_SFJ\n"
                                      "\"clips/b, second.dcm\",right,cfv\n"
                                      "./clips/../clips/c.dcm,R,POPV\n");
  auto m = LoadManifest(path.string());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->warnings.empty()) << m->warnings.front();
  ASSERT_EQ(m->entries.size(), 3u);
  const fs::path abs = fs::absolute(dir).lexically_normal();
  const auto a = m->entries.find((abs / "clips" / "a.dcm").string());
  ASSERT_NE(a, m->entries.end());
  EXPECT_EQ(a->second.laterality, Laterality::kLeft);
  EXPECT_EQ(a->second.segment, Segment::kGsvSfj);
  EXPECT_TRUE(m->entries.contains((abs / "clips" / "b, second.dcm").string()));
  EXPECT_TRUE(m->entries.contains((abs / "clips" / "c.dcm").string()));
}

TEST(Manifest, RejectsTraversalAndUnknownValuesWithWarnings) {
  const fs::path dir = refluxscan::testing::ScratchDir("manifest_bad");
  const fs::path path = WriteManifest(dir,
                                      "file,laterality,segment\n"
                                      "../outside.dcm,L,GSV_SFJ\n"
                                      "/etc/passwd,L,GSV_SFJ\n"
                                      "sub/../../x.dcm,L,CFV\n"
                                      "ok.dcm,X,CFV\n"
                                      "ok2.dcm,L,GSV_UPPER\n"
                                      "ok3.dcm,L\n"
                                      "good.dcm,R,SSV_SPJ\n");
  auto m = LoadManifest(path.string());
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->entries.size(), 1u);
  EXPECT_EQ(m->entries.begin()->second.segment, Segment::kSsvSpj);
  EXPECT_EQ(m->warnings.size(), 6u);
  EXPECT_TRUE(AnyWarningContains(*m, "row 2: file \"../outside.dcm\" is outside"));
  EXPECT_TRUE(AnyWarningContains(*m, "row 3: file \"/etc/passwd\" is outside"));
  EXPECT_TRUE(AnyWarningContains(*m, "row 4"));
  EXPECT_TRUE(AnyWarningContains(*m, "row 5: unknown laterality \"X\""));
  EXPECT_TRUE(AnyWarningContains(*m, "row 6: unknown segment \"GSV_UPPER\""));
  EXPECT_TRUE(AnyWarningContains(*m, "row 7: too few fields"));
}

// The optional `antegrade` column: up / down overrides the inference for that clip; empty or
// "auto" infers; anything else infers with a warning naming the row.
TEST(Manifest, OptionalAntegradeColumn) {
  const fs::path dir = refluxscan::testing::ScratchDir("manifest_antegrade");
  const fs::path path = WriteManifest(dir,
                                      "segment,antegrade,file,laterality\n"
                                      "CFV,down,a.dcm,R\n"
                                      "CFV,UP,b.dcm,L\n"
                                      "CFV,,c.dcm,L\n"
                                      "CFV,auto,d.dcm,L\n"
                                      "CFV,sideways,e.dcm,L\n"
                                      "CFV,Inferred,f.dcm,L\n");
  auto m = LoadManifest(path.string());
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->entries.size(), 6u);
  // (direction, the row asks for the inference)
  const auto antegrade = [&](const char* name) {
    const ManifestEntry* row = FindManifestEntry(&*m, (dir / name).string());
    EXPECT_NE(row, nullptr) << name;
    return row != nullptr ? std::pair(row->antegrade, row->antegrade_inferred)
                          : std::pair(std::optional<AntegradeDirection>(), false);
  };
  EXPECT_EQ(antegrade("a.dcm"), std::pair(std::optional(AntegradeDirection::kDown), false));
  EXPECT_EQ(antegrade("b.dcm"), std::pair(std::optional(AntegradeDirection::kUp), false));
  EXPECT_EQ(antegrade("c.dcm"), std::pair(std::optional<AntegradeDirection>(), false));  // empty
  EXPECT_EQ(antegrade("d.dcm"), std::pair(std::optional<AntegradeDirection>(), true));   // auto
  EXPECT_EQ(antegrade("e.dcm"), std::pair(std::optional<AntegradeDirection>(), true));
  EXPECT_EQ(antegrade("f.dcm"), std::pair(std::optional<AntegradeDirection>(), true));
  ASSERT_EQ(m->warnings.size(), 1u);
  EXPECT_TRUE(AnyWarningContains(*m, "row 6: unknown antegrade \"sideways\""));
  EXPECT_EQ(FindManifestEntry(&*m, (dir / "other.dcm").string()), nullptr);
  EXPECT_EQ(FindManifestEntry(nullptr, (dir / "a.dcm").string()), nullptr);
}

// A spreadsheet saved with semicolons gets a hint, not only "the header is required".
TEST(Manifest, SemicolonSeparatedGetsAHint) {
  const fs::path dir = refluxscan::testing::ScratchDir("manifest_semicolon");
  auto m = LoadManifest(WriteManifest(dir, "file;laterality;segment\na.dcm;L;CFV\n").string());
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().message.find("semicolons"), std::string::npos) << m.error().message;
}

TEST(Manifest, HeaderIsRequired) {
  const fs::path dir = refluxscan::testing::ScratchDir("manifest_header");
  auto m = LoadManifest(WriteManifest(dir, "a.dcm,L,CFV\n").string());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(LoadManifest((dir / "missing.csv").string()).error().code, ErrorCode::kIo);
}

TEST(IdentifySegment, ManifestWinsOverTagsAndFileName) {
  const fs::path dir = refluxscan::testing::ScratchDir("identify");
  auto m = LoadManifest(WriteManifest(dir, "file,laterality,segment\nR_CFV.dcm,L,POPV\n").string());
  ASSERT_TRUE(m);
  DicomTags tags;
  tags.image_comments = "R GSV SFJ";
  const SegmentId id = IdentifySegment((dir / "R_CFV.dcm").string(), tags, &*m);
  EXPECT_EQ(id.source, IdentitySource::kManifest);
  EXPECT_EQ(id.label_text, "R GSV SFJ");  // the image's label, to check the manifest against
  EXPECT_EQ(IdentifySegment((dir / "R_CFV.dcm").string(), DicomTags{}, &*m).label_text,
            "R_CFV.dcm");
  EXPECT_EQ(id.segment, Segment::kPopv);
  EXPECT_EQ(id.laterality, Laterality::kLeft);
  // The image names another side and segment: the manifest wins, the reviewer is told.
  EXPECT_TRUE(id.label_mismatch);
  EXPECT_EQ(id.source_detail, m->path + "; the image's label names R GSV_SFJ");
}

TEST(IdentifySegment, ManifestAgreeingWithTheLabelIsNoMismatch) {
  const fs::path dir = refluxscan::testing::ScratchDir("identify_agree");
  auto m = LoadManifest(
      WriteManifest(dir, "file,laterality,segment\na.dcm,L,GSV_SFJ\nb.dcm,R,CFV\nc.dcm,L,CFV\n")
          .string());
  ASSERT_TRUE(m);
  DicomTags same;
  same.image_comments = "Lt GSV @ SFJ";
  SegmentId id = IdentifySegment((dir / "a.dcm").string(), same, &*m);
  EXPECT_FALSE(id.label_mismatch);
  EXPECT_EQ(id.source_detail, m->path);
  DicomTags unknown;  // a label the parser does not understand contradicts nothing
  unknown.image_comments = "VENOUS REFLUX CINE 3";
  EXPECT_FALSE(IdentifySegment((dir / "b.dcm").string(), unknown, &*m).label_mismatch);
  // ... and is still the label shown beside the manifest's reading, also when the file name
  // names a segment (the typed text, not the file name, is what the sonographer wrote).
  EXPECT_EQ(IdentifySegment((dir / "b.dcm").string(), unknown, &*m).label_text,
            "VENOUS REFLUX CINE 3");
  DicomTags other_side;  // the side alone contradicts
  other_side.laterality = "R";
  other_side.image_comments = "CFV";
  id = IdentifySegment((dir / "c.dcm").string(), other_side, &*m);
  EXPECT_TRUE(id.label_mismatch);
  EXPECT_EQ(id.source_detail, m->path + "; the image's label names R CFV");
}

TEST(IdentifySegment, TagsInPriorityOrderThenFileName) {
  DicomTags tags;
  tags.image_comments = "reflux study";  // no segment: skipped
  tags.series_description = "  LT GSV MID THIGH ";
  tags.protocol_name = "R CFV";
  SegmentId id = IdentifySegment("/data/R_POPV.dcm", tags, nullptr);
  EXPECT_EQ(id.source, IdentitySource::kDicomTag);
  EXPECT_EQ(id.source_detail, "SeriesDescription");
  EXPECT_EQ(id.label_text, "LT GSV MID THIGH");
  EXPECT_EQ(id.segment, Segment::kGsvMidThigh);
  EXPECT_EQ(id.laterality, Laterality::kLeft);

  DicomTags lateral_only;
  lateral_only.image_laterality = "R";
  id = IdentifySegment("/data/gsv_sfj_01.dcm", lateral_only, nullptr);
  EXPECT_EQ(id.source, IdentitySource::kFileName);
  EXPECT_EQ(id.segment, Segment::kGsvSfj);
  EXPECT_EQ(id.laterality, Laterality::kRight);  // from the tag
  EXPECT_EQ(id.label_text, "gsv_sfj_01");
}

// In a file name "rle" is the compression, not the right lower extremity.
TEST(IdentifySegment, RleInAFileNameIsTheCompression) {
  const SegmentId id = IdentifySegment("/data/GSV_SFJ_rle.dcm", DicomTags{}, nullptr);
  EXPECT_EQ(id.source, IdentitySource::kFileName);
  EXPECT_EQ(id.segment, Segment::kGsvSfj);
  EXPECT_FALSE(id.laterality);
  EXPECT_EQ(IdentifySegment("/data/L_GSV_SFJ_RLE.dcm", DicomTags{}, nullptr).laterality,
            Laterality::kLeft);
}

// A file without an extension may hold a dot in its label: only a DICOM extension is cut off
// (stop 25: "rt._lesser_saph_prox_calf_19" was read as "rt", side only).
TEST(IdentifySegment, ADotInAFileNameWithoutExtensionIsPartOfTheLabel) {
  const SegmentId id = IdentifySegment("/data/rt._lesser_saph_prox_calf_19", DicomTags{}, nullptr);
  EXPECT_EQ(id.source, IdentitySource::kFileName);
  EXPECT_EQ(id.segment, Segment::kSsvProxCalf);
  EXPECT_EQ(id.laterality, Laterality::kRight);
  EXPECT_EQ(id.label_text, "rt._lesser_saph_prox_calf_19");
  const SegmentId with = IdentifySegment("/data/Lt. GSV SFJ.DCM", DicomTags{}, nullptr);
  EXPECT_EQ(with.segment, Segment::kGsvSfj);
  EXPECT_EQ(with.label_text, "Lt. GSV SFJ");
}

TEST(IdentifySegment, ConflictingLateralityIsNotTrusted) {
  DicomTags tags;
  tags.laterality = "L";
  tags.image_comments = "R CFV";
  const SegmentId id = IdentifySegment("x.dcm", tags, nullptr);
  EXPECT_EQ(id.segment, Segment::kCfv);
  EXPECT_FALSE(id.laterality);
}

// A label naming the vein but no level we map leaves the segment unknown and gives its threshold
// class; a later source naming the segment still wins.
TEST(IdentifySegment, VeinWithoutLevelGivesTheThresholdClassOnly) {
  DicomTags tags;
  tags.image_comments = "Lt.  SSV  2";
  SegmentId id = IdentifySegment("/data/IMG_0016.dcm", tags, nullptr);
  EXPECT_FALSE(id.segment);
  EXPECT_EQ(id.vein_class, VeinClass::kSuperficial);
  EXPECT_EQ(id.source, IdentitySource::kDicomTag);
  EXPECT_EQ(id.source_detail, "ImageComments, vein only: level unknown");
  EXPECT_EQ(id.label_text, "Lt.  SSV  2");
  EXPECT_EQ(id.laterality, Laterality::kLeft);

  tags.protocol_name = "L POPV";
  id = IdentifySegment("/data/IMG_0016.dcm", tags, nullptr);
  EXPECT_EQ(id.segment, Segment::kPopv);
  EXPECT_EQ(id.vein_class, VeinClass::kDeepProximal);
  EXPECT_EQ(id.source_detail, "ProtocolName");

  DicomTags none;
  none.series_description = "Left leg - CFA - 4";  // an artery: no class either
  id = IdentifySegment("/data/R GSV thigh 3.dcm", none, nullptr);
  EXPECT_FALSE(id.segment);
  EXPECT_EQ(id.vein_class, VeinClass::kSuperficial);  // from the file name
  EXPECT_EQ(id.source, IdentitySource::kFileName);
  EXPECT_EQ(id.laterality, Laterality::kRight);  // the side of the label naming the vein

  DicomTags conflict;  // as for a segment label: a side tag disagreeing with the label
  conflict.laterality = "R";
  conflict.image_comments = "Lt.  SSV  2";
  id = IdentifySegment("x.dcm", conflict, nullptr);
  EXPECT_EQ(id.vein_class, VeinClass::kSuperficial);
  EXPECT_FALSE(id.laterality);
  EXPECT_NE(id.source_detail.find("disagree"), std::string::npos) << id.source_detail;
}

TEST(IdentifySegment, NothingKnownLeavesSourceNone) {
  DicomTags tags;
  tags.series_description = "Left leg";
  const SegmentId id = IdentifySegment("/data/IMG0001", tags, nullptr);
  EXPECT_EQ(id.source, IdentitySource::kNone);
  EXPECT_FALSE(id.segment);
  EXPECT_FALSE(id.vein_class);
  EXPECT_EQ(id.laterality, Laterality::kLeft);
  EXPECT_EQ(id.label_text, "Left leg");  // the raw text that was not understood
  EXPECT_EQ(id.source_detail, "SeriesDescription, not understood");
  tags.series_description = std::string(300, 'x') + "\xC3\xA9";  // capped at 256 bytes
  EXPECT_EQ(IdentifySegment("/data/IMG0001", tags, nullptr).label_text, std::string(256, 'x'));
}

// Labels burned into the image, as OCR lines in reading order: the first line naming a segment
// decides, joined with its neighbour when OCR split the label; headers and parameters name none.
TEST(IdentifySegment, ABurnedInLabelNamesTheSegmentWhenNothingElseDoes) {
  const DicomTags tags;
  const SegmentId none = IdentifySegment("/x/IMG_0001.dcm", tags, nullptr);
  ASSERT_FALSE(none.segment);
  const SegmentId one =
      WithBurnedInLabel(none, {"Lakeside Vein Clinic L11-3U", "PRF 4.2 kHz", "lt. sfj"}, tags);
  EXPECT_EQ(one.segment, Segment::kGsvSfj);
  EXPECT_EQ(one.laterality, Laterality::kLeft);
  EXPECT_EQ(one.source, IdentitySource::kBurnedIn);
  EXPECT_EQ(one.label_text, "lt. sfj");
  const SegmentId split =
      WithBurnedInLabel(none, {"WF 41Hz", "LEFT great", "saph prox thigh"}, tags);
  EXPECT_EQ(split.segment, Segment::kGsvProxThigh);
  EXPECT_EQ(split.laterality, Laterality::kLeft);
  const SegmentId side_before = WithBurnedInLabel(none, {"Gn 26%", "lt.", "FV DIST"}, tags);
  EXPECT_EQ(side_before.segment, Segment::kFvDist);
  EXPECT_EQ(side_before.laterality, Laterality::kLeft);
  const SegmentId nothing = WithBurnedInLabel(none, {"Vein Center", "Ang 50", "cm/s"}, tags);
  EXPECT_FALSE(nothing.segment);
  EXPECT_EQ(nothing.source, IdentitySource::kNone);
}

TEST(IdentifySegment, OcrGlyphConfusionsInABurnedInLabelAreUndoneAgainstTheVocabulary) {
  // Misreads of an independent renderer's labels (small monospace and sans fonts over B-mode).
  EXPECT_EQ(RepairOcrConfusions("(R) Common femora! vein"), "(R) Common femoral vein");
  EXPECT_EQ(RepairOcrConfusions("GSV at SF] Right"), "GSV at SFJ Right");
  EXPECT_EQ(RepairOcrConfusions("LEFT FY MID"), "LEFT FV MID");
  EXPECT_EQ(RepairOcrConfusions("Rt CSV prox thigh"), "Rt GSV prox thigh");
  // Known words, numbers, single letters and words no one confusion makes known stay as read.
  EXPECT_EQ(RepairOcrConfusions("PRE 3.3k WF 106 Hz"), "PRE 3.3k WF 106 Hz");
  EXPECT_EQ(RepairOcrConfusions("North Hill Imagieg 07/20/2021"), "North Hill Imagieg 07/20/2021");
  EXPECT_EQ(RepairOcrConfusions("L GSV SFJ"), "L GSV SFJ");
  DicomTags tags;
  const SegmentId none = IdentifySegment("/x/IMG_0001.dcm", tags, nullptr);
  const SegmentId cfv = WithBurnedInLabel(none, {"Gair 65", "(R) Common femora! vein"}, tags);
  EXPECT_EQ(cfv.segment, Segment::kCfv);
  EXPECT_EQ(cfv.laterality, Laterality::kRight);
  EXPECT_EQ(cfv.label_text, "(R) Common femoral vein");
  EXPECT_EQ(WithBurnedInLabel(none, {"GSV at SF] Right"}, tags).segment, Segment::kGsvSfj);
  EXPECT_EQ(WithBurnedInLabel(none, {"LEFT FY MID"}, tags).segment, Segment::kFvMid);
  // A line too short to trust a repair: speckle read "ve" is no "vf" (vena femoral), while a
  // label that needs no repair counts however short.
  EXPECT_FALSE(WithBurnedInLabel(none, {"Gain 55%", "ve"}, tags).segment);
  EXPECT_EQ(WithBurnedInLabel(none, {"Gain 55%", "vf"}, tags).segment, Segment::kFv);
  // A repair must reach a word of the table itself, not a consonant skeleton ("Sex" -> "SFx"
  // would be the SFJ, above the clip's real label), and unsure lines are guarded alike.
  EXPECT_EQ(RepairOcrConfusions("Sex: F"), "Sex: F");
  EXPECT_EQ(WithBurnedInLabel(none, {"Sex: F", "LT SSV MID CALF"}, tags).segment,
            Segment::kSsvMidCalf);
  EXPECT_FALSE(WithBurnedInLabel(none, {"Gain 55%"}, tags, {"L ve"}).segment);
}

TEST(IdentifySegment, AnUnsureOcrLineCountsOnlyWhenItAloneNamesASideAndASegment) {
  DicomTags tags;
  const SegmentId none = IdentifySegment("/x/IMG_0001.dcm", tags, nullptr);
  const std::vector<std::string> sure = {"Westnere Clinic", "PRF 3. 2k"};
  const SegmentId whole = WithBurnedInLabel(none, sure, tags, {"OB Le", "Left GSV DIST THIGH"});
  EXPECT_EQ(whole.segment, Segment::kGsvDistThigh);
  EXPECT_EQ(whole.laterality, Laterality::kLeft);
  EXPECT_EQ(whole.source, IdentitySource::kBurnedIn);
  // Without a side, or split over two unsure lines, or under a sure line naming a segment: no.
  EXPECT_FALSE(WithBurnedInLabel(none, sure, tags, {"GSV DIST THIGH"}).segment);
  EXPECT_FALSE(WithBurnedInLabel(none, sure, tags, {"Left GSV", "DIST THIGH"}).segment);
  EXPECT_EQ(WithBurnedInLabel(none, {"R CFV"}, tags, {"Left GSV DIST THIGH"}).segment,
            Segment::kCfv);
}

TEST(IdentifySegment, AVeinOnlyTagLabelKeepsItsVeinOverABurnedInOne) {
  DicomTags tags;
  tags.image_comments = "L GSV thigh";  // the vein, no level
  const SegmentId vein = IdentifySegment("/x/a.dcm", tags, nullptr);
  ASSERT_FALSE(vein.segment);
  ASSERT_TRUE(vein.vein_class);
  EXPECT_EQ(WithBurnedInLabel(vein, {"LT FV MID"}, tags).segment, std::nullopt);
  EXPECT_EQ(WithBurnedInLabel(vein, {"LT GSV MID THIGH"}, tags).segment, Segment::kGsvMidThigh);
}

// A class read from the series' or protocol's text names what the study is about, not this
// clip: the clip's burned-in label of another class wins (a deep vein was judged against the
// superficial threshold of "GSV SSV mapping").
TEST(IdentifySegment, AProtocolsVeinClassGivesWayToTheBurnedInLabel) {
  DicomTags tags;
  tags.protocol_name = "GSV SSV mapping";
  const SegmentId protocol = IdentifySegment("/x/a.dcm", tags, nullptr);
  ASSERT_FALSE(protocol.segment);
  ASSERT_EQ(protocol.vein_class, VeinClass::kSuperficial);
  const SegmentId cfv = WithBurnedInLabel(protocol, {"RT CFV"}, tags);
  EXPECT_EQ(cfv.segment, Segment::kCfv);
  EXPECT_EQ(cfv.vein_class, VeinClass::kDeepProximal);
}

TEST(IdentifySegment, ATagLabelWinsOverABurnedInOne) {
  DicomTags tags;
  tags.image_comments = "R CFV";
  const SegmentId id =
      WithBurnedInLabel(IdentifySegment("/x/a.dcm", tags, nullptr), {"lt. sfj"}, tags);
  EXPECT_EQ(id.segment, Segment::kCfv);
  EXPECT_EQ(id.source, IdentitySource::kDicomTag);
}

}  // namespace
}  // namespace refluxscan::study
