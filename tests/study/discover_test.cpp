// Input discovery over a scratch folder tree.
#include "refluxscan/study/discover.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "testing/fixtures.h"

namespace refluxscan::study {
namespace {

namespace fs = std::filesystem;

void Touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

TEST(DiscoverInputs, RecursesSortsDeduplicatesAndSkipsDirectoryLinks) {
  const fs::path dir = refluxscan::testing::ScratchDir("discover");
  Touch(dir / "b" / "2.dcm");
  Touch(dir / "a" / "1.dcm");
  Touch(dir / "a" / "deep" / "3.dcm");
  Touch(dir / "a" / ".hidden");
  Touch(dir / "a" / "DICOMDIR");
  fs::create_directory_symlink(dir / "a", dir / "a" / "loop");  // a loop if followed
  fs::create_symlink(dir / "b" / "2.dcm", dir / "b" / "link.dcm");
  const auto found =
      DiscoverInputs({dir.string(), (dir / "a" / "1.dcm").string(), (dir / "missing").string()});
  const std::vector<std::string> expected = {
      (dir / "a" / "1.dcm").string(), (dir / "a" / "deep" / "3.dcm").string(),
      (dir / "b" / "2.dcm").string(), (dir / "b" / "link.dcm").string()};
  EXPECT_EQ(found.files, expected);
  EXPECT_EQ(found.missing_paths, 1);
  ASSERT_EQ(found.warnings.size(), 1u);
  EXPECT_NE(found.warnings[0].find("not found"), std::string::npos);
}

TEST(DiscoverInputs, DicomdirStandsForItsFolder) {
  const fs::path dir = refluxscan::testing::ScratchDir("discover_dicomdir");
  Touch(dir / "DICOMDIR");
  Touch(dir / "IMAGES" / "IM0001");
  Touch(dir / "IMAGES" / "IM0002");
  const auto found = DiscoverInputs({(dir / "DICOMDIR").string()});
  ASSERT_EQ(found.files.size(), 2u);
  EXPECT_EQ(found.files[0], (dir / "IMAGES" / "IM0001").string());
  EXPECT_EQ(found.missing_paths, 0);
}

}  // namespace
}  // namespace refluxscan::study
