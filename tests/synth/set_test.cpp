// Whole sets: deterministic bytes for a seed, and the bundled sample_data/ is reproducible.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "synth/set.h"
#include "testing/fixtures.h"

namespace refluxscan::synth {
namespace {

namespace fs = std::filesystem;

std::string Bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Equal bytes, except the pad byte of an odd-length last JPEG-LS fragment (9 bytes from the end,
// before the 8-byte sequence delimiter), which DCMTK 3.6.7's JPEG-LS encoder leaves
// uninitialized. Documented in docs/synth.md; nothing else may differ.
bool SameContent(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && i + 9 != a.size()) return false;
  }
  return true;
}

// Every regular file of `expected` except README.md must exist in `actual` with equal bytes.
void ExpectSameFiles(const fs::path& expected, const fs::path& actual) {
  int compared = 0;
  for (const auto& e : fs::recursive_directory_iterator(expected)) {
    if (!e.is_regular_file() || e.path().filename() == "README.md") continue;
    const fs::path rel = fs::relative(e.path(), expected);
    ASSERT_TRUE(fs::exists(actual / rel)) << rel;
    EXPECT_TRUE(SameContent(Bytes(e.path()), Bytes(actual / rel))) << rel << " differs";
    ++compared;
  }
  EXPECT_GT(compared, 20);
}

TEST(Set, SameSeedGivesIdenticalBytesWhateverTheThreads) {
  SetOptions o;
  o.preset = "edge";
  o.seed = 9;
  o.out_dir = testing::ScratchDir("synth_det_a").string();
  o.threads = 2;
  ASSERT_TRUE(GenerateSet(o).has_value());
  SetOptions o2 = o;
  o2.out_dir = testing::ScratchDir("synth_det_b").string();
  o2.threads = 1;
  ASSERT_TRUE(GenerateSet(o2).has_value());
  ExpectSameFiles(o.out_dir, o2.out_dir);
}

// A stress preset's plan of `studies` studies from `seed`, with `option` set on its options.
template <class Option>
std::vector<PlannedClip> StressPlan(int studies, uint64_t seed, Option option) {
  SetOptions o;
  o.preset = "stress";
  o.studies = studies;
  o.seed = seed;
  option(o);
  auto plan = PlanSet(o);
  EXPECT_TRUE(plan.has_value());
  return plan ? *plan : std::vector<PlannedClip>{};
}

// --artery 1: every CW clip and every deep-vein PW clip carries an artery, whichever way the
// antegrade flow runs relative to the probe (its systole on the scale's retrograde side); the
// superficial PW clips none.
TEST(Set, ArteryShareOneGivesEveryCwAndDeepClipAnArtery) {
  const auto plan = StressPlan(4, 2, [](SetOptions& o) { o.artery = 1; });
  ASSERT_FALSE(plan.empty());
  int away = 0, toward = 0;
  for (const PlannedClip& p : plan) {
    const ClipSpec& c = p.spec;
    const bool deep =
        c.vein_class != VeinClass::kSuperficial && c.vein_class != VeinClass::kPerforator;
    if (!c.display.continuous_wave && !deep) {
      EXPECT_EQ(c.signal.artery_db, 0) << p.relative_path;
      continue;
    }
    EXPECT_GT(c.signal.artery_db, 0) << p.relative_path;
    EXPECT_GT(c.signal.artery_peak_cm_s, 0) << p.relative_path;
    (c.signal.antegrade_toward_probe > 0 ? toward : away) += 1;
  }
  EXPECT_GT(away, 0);
  EXPECT_GT(toward, 0);
}

// --cuff 1: every squeeze clip is a cuff (inflation, 1-3 s hold, deflation 0.05-0.35 s before
// any reflux), the clips without a maneuver stay without one, and the truth names the
// condition. No erase bar cuts a cuff's hold (nothing on the display would show the cut).
TEST(Set, CuffShareOneMakesEverySqueezeACuff) {
  const auto plan = StressPlan(3, 5, [](SetOptions& o) { o.cuff = 1; });
  ASSERT_FALSE(plan.empty());
  int cuffs = 0;
  for (const PlannedClip& p : plan) {
    const ClipSpec& c = p.spec;
    const bool cuff = std::find(c.tags.begin(), c.tags.end(), "cuff") != c.tags.end();
    EXPECT_EQ(cuff, !c.flow.maneuvers.empty()) << p.relative_path;
    for (const ManeuverSpec& m : c.flow.maneuvers) {
      EXPECT_GE(m.cuff_hold_s, 1.0) << p.relative_path;
      EXPECT_LE(m.cuff_hold_s, 3.0) << p.relative_path;
      EXPECT_GE(m.closure_delay_s, 0.05) << p.relative_path;
      if (c.display.erase_bar_column >= 0) {
        const double bar_s = c.display.erase_bar_column * c.display.seconds_per_column;
        EXPECT_GT(bar_s, m.ReleaseS()) << p.relative_path;
      }
    }
    cuffs += cuff;
  }
  EXPECT_GT(cuffs, 30);
}

TEST(Set, TruthAndManifestDescribeEveryFile) {
  SetOptions o;
  o.preset = "sample";
  o.seed = 4;
  o.out_dir = testing::ScratchDir("synth_truth").string();
  auto summary = GenerateSet(o);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  const auto truth = nlohmann::json::parse(Bytes(summary->truth_path));
  EXPECT_EQ(truth["schema"], "refluxscan.truth/1");
  ASSERT_EQ(truth["files"].size(), 20u);
  int unknown = 0;
  for (const auto& f : truth["files"]) {
    EXPECT_TRUE(fs::exists(fs::path(o.out_dir) / f["file"].get<std::string>()));
    const size_t columns = f["envelope"]["max_forward_cm_s"].size();
    const auto& region = f["display"]["region"];
    EXPECT_EQ(columns, region[2].get<size_t>() - region[0].get<size_t>() + 1);
    if (!f["label_in_vocabulary"].get<bool>()) ++unknown;
  }
  EXPECT_EQ(unknown, 1);
  const std::string manifest = Bytes(summary->manifest_path);
  EXPECT_EQ(manifest.rfind("file,laterality,segment\n", 0), 0u);
  EXPECT_EQ(std::count(manifest.begin(), manifest.end(), '\n'), 20);  // header + 19 known labels
}

TEST(Set, BundledSampleDataIsReproducible) {
  const fs::path sample = testing::SourceDir() / "sample_data";
  ASSERT_TRUE(fs::exists(sample / "truth.json")) << "run tools/regenerate-sample.sh";
  SetOptions o;
  o.preset = "sample";
  o.seed = 1;
  o.out_dir = testing::ScratchDir("synth_sample").string();
  ASSERT_TRUE(GenerateSet(o).has_value());
  ExpectSameFiles(sample, o.out_dir);
}

}  // namespace
}  // namespace refluxscan::synth
