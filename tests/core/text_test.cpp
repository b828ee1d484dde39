#include "refluxscan/core/text.h"

#include <gtest/gtest.h>

namespace refluxscan {
namespace {

TEST(SanitizeFileComponent, NeverTraversesOrHides) {
  EXPECT_EQ(SanitizeFileComponent("../../etc/passwd"), "___.._etc_passwd");  // one component
  EXPECT_EQ(SanitizeFileComponent(".."), "__");
  EXPECT_EQ(SanitizeFileComponent(""), "unnamed");
  EXPECT_EQ(SanitizeFileComponent("1.2.840.113619"), "1.2.840.113619");
  EXPECT_EQ(SanitizeFileComponent(std::string("a\0b/c", 5)), "a_b_c");
  EXPECT_EQ(SanitizeFileComponent(std::string(500, 'x')).size(), 64u);
}

TEST(SanitizeForLog, DropsControlAndNonAscii) {
  EXPECT_EQ(SanitizeForLog("  RT GSV\x1b[31m \xc3\xa9 "), "RT GSV?[31m ??");
}

TEST(EscapeHtml, EscapesMarkup) {
  EXPECT_EQ(EscapeHtml("<script>alert('x')&\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;");
}

TEST(EscapeCsvField, QuotesAndDefusesFormulas) {
  EXPECT_EQ(EscapeCsvField("plain"), "plain");
  EXPECT_EQ(EscapeCsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(EscapeCsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(EscapeCsvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(EscapeCsvField("-3.5"), "-3.5");
  EXPECT_EQ(EscapeCsvField("-cmd"), "'-cmd");
  EXPECT_EQ(EscapeCsvField("line\nbreak"), "line break");
}

TEST(TrimDicom, RemovesPadding) { EXPECT_EQ(TrimDicom(std::string(" AB \0", 5)), "AB"); }

}  // namespace
}  // namespace refluxscan
