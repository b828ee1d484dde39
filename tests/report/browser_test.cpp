// Renders report.html in headless Chromium: the page must lay out offline, run its (CSP-pinned)
// check script, expose the vein map segments, and produce a non-empty screenshot.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "refluxscan/report/report.h"
#include "report/fake_study.h"
#include "testing/fixtures.h"

namespace refluxscan::report {
namespace {

namespace fs = std::filesystem;

const fs::path kChromium = "/usr/bin/chromium";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Flags that keep Chromium off the network and away from the user's profile.
std::string ChromiumCommand(const fs::path& scratch, const std::string& action) {
  return "timeout 90 " + kChromium.string() +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
         " --disable-background-networking --disable-component-update --disable-sync"
         " --disable-dev-shm-usage --hide-scrollbars --user-data-dir='" +
         (scratch / "profile").string() + "' " + action;
}

class ReportBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kChromium)) GTEST_SKIP() << "chromium not installed at " << kChromium;
    scratch_ = refluxscan::testing::ScratchDir("report_browser");
    html_ = scratch_ / "report.html";
    std::ofstream(html_, std::ios::binary) << ToHtml(refluxscan::testing::MakeFakeStudy());
  }
  fs::path scratch_, html_;
};

TEST_F(ReportBrowser, DomHasVeinMapAndCheckScriptRan) {
  const fs::path dom = scratch_ / "dom.html";
  const std::string cmd =
      ChromiumCommand(scratch_, "--dump-dom 'file://" + html_.string() + "' > '" + dom.string() +
                                    "' 2> '" + (scratch_ / "stderr.txt").string() + "'");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadAll(scratch_ / "stderr.txt");
  const std::string text = ReadAll(dom);
  // The inline script (allowed by its CSP hash) ran and found a laid-out map.
  EXPECT_NE(text.find("data-rendered=\"ok\""), std::string::npos) << text.substr(0, 400);
  for (const char* id : {"seg-R-GSV_SFJ", "seg-R-GSV_KNEE", "seg-L-SSV_SPJ", "seg-L-CFV",
                         "seg-R-PERF_CALF", "seg-L-GSV_MID_THIGH"}) {
    EXPECT_NE(text.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_TRUE(std::regex_search(
      text, std::regex("id=\"seg-R-GSV_SFJ\"[^>]*data-classification=\"reflux\"")));
  // Escaped hostile text stayed text: no element was created from it.
  EXPECT_EQ(text.find("<script>alert(1)"), std::string::npos);
}

TEST_F(ReportBrowser, ScreenshotIsANonEmptyPng) {
  const fs::path png = scratch_ / "report.png";
  const std::string cmd =
      ChromiumCommand(scratch_, "--window-size=1280,2600 --screenshot='" + png.string() +
                                    "' 'file://" + html_.string() + "' > /dev/null 2>&1");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string bytes = ReadAll(png);
  ASSERT_GT(bytes.size(), 10000u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

}  // namespace
}  // namespace refluxscan::report
