#pragma once
// Shared test fixtures: where the repository and ../shared are, and scratch folders.
#include <filesystem>
#include <optional>
#include <string>

namespace refluxscan::testing {

std::filesystem::path SourceDir();
std::filesystem::path BinaryDir();
// ../shared/realdicom beside the checkout, or nullopt when absent (tests then GTEST_SKIP with a
// message: a user with only the repository still gets a green `make test`).
std::optional<std::filesystem::path> RealDicomDir();
// A fresh, empty folder under the build tree, unique per test.
std::filesystem::path ScratchDir(const std::string& name);

}  // namespace refluxscan::testing

// Skips the current test when ../shared/realdicom is absent.
#define REFLUXSCAN_REQUIRE_REALDICOM(var)                                              \
  auto var##_opt = ::refluxscan::testing::RealDicomDir();                              \
  if (!var##_opt) GTEST_SKIP() << "../shared/realdicom not found beside the checkout"; \
  const std::filesystem::path var = *var##_opt
