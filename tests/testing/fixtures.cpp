#include "testing/fixtures.h"

#include <gtest/gtest.h>

namespace refluxscan::testing {

std::filesystem::path SourceDir() { return REFLUXSCAN_SOURCE_DIR; }
std::filesystem::path BinaryDir() { return REFLUXSCAN_BINARY_DIR; }

std::optional<std::filesystem::path> RealDicomDir() {
  const std::filesystem::path dir = SourceDir().parent_path() / "shared" / "realdicom";
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return dir;
  return std::nullopt;
}

std::filesystem::path ScratchDir(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string unique = name;
  if (info != nullptr) unique += std::string("_") + info->test_suite_name() + "_" + info->name();
  const std::filesystem::path dir = BinaryDir() / "test_scratch" / unique;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace refluxscan::testing
