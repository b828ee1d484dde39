// AppendFixed2 against std::to_chars(fixed, 2), the reference it replaces in the SVG polylines.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "report/internal.h"

namespace refluxscan::report::detail {
namespace {

std::string Reference(double v) {
  char buf[400];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 2);
  return std::string(buf, ec == std::errc{} ? end : buf);
}

std::string Fixed2(double v) {
  std::string out;
  AppendFixed2(out, v);
  return out;
}

TEST(AppendFixed2, MatchesToCharsOnSpecialAndTieValues) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {0.0,     -0.0,     0.004,  -0.004, 0.005, -0.005, 0.015,
                                0.125,   -0.125,   0.375,  2.675,  1.005, 99.995, -99.995,
                                1e-300,  -1e-300,  5e-324, 1e12,   -1e12, 1e13,   1e20,
                                1.7e308, -1.7e308, inf,    -inf,   NAN,   0.5,    -0.5};
  for (int i = -2000; i <= 2000; ++i) {
    values.push_back(i);          // column indices
    values.push_back(i / 8.0);    // exact binary ties at the third decimal
    values.push_back(i * 0.005);  // decimal ties, inexact in binary
    values.push_back(std::nextafter(i * 0.005, 1e9));
    values.push_back(std::nextafter(i * 0.005, -1e9));
  }
  for (const double v : values) EXPECT_EQ(Fixed2(v), Reference(v)) << v;
}

TEST(AppendFixed2, MatchesToCharsOnRandomValues) {
  std::mt19937_64 rng(20);
  std::uniform_real_distribution<double> row(-50.0, 1200.0), wide(-1e9, 1e9);
  std::uniform_int_distribution<uint64_t> bits;
  int mismatches = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    double v = i % 3 == 0 ? row(rng) : i % 3 == 1 ? wide(rng) : 0.0;
    if (i % 3 == 2) {  // any bit pattern: every exponent, NaN payloads, subnormals
      const uint64_t b = bits(rng);
      std::memcpy(&v, &b, sizeof v);
    }
    if (Fixed2(v) != Reference(v) && ++mismatches <= 10) ADD_FAILURE() << v;
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(AppendFixed2, Appends) {
  std::string out = "x=";
  AppendFixed2(out, 12.345678);
  AppendFixed2(out, -3.0);
  EXPECT_EQ(out, "x=12.35-3.00");
}

// Base64 (its SSSE3 blocks and the table loop for the rest) against a plain RFC 4648 encoder,
// on random bytes of every length from 0 to 300 and on 100,000 bytes; appended after a prefix.
TEST(Base64, MatchesPlainEncoderOnRandomBytes) {
  auto plain = [](const std::vector<unsigned char>& b) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < b.size(); i += 3) {
      const size_t left = b.size() - i;
      const unsigned v = (unsigned{b[i]} << 16) | (left > 1 ? unsigned{b[i + 1]} << 8 : 0u) |
                         (left > 2 ? unsigned{b[i + 2]} : 0u);
      out += kAlphabet[(v >> 18) & 0x3f];
      out += kAlphabet[(v >> 12) & 0x3f];
      out += left > 1 ? kAlphabet[(v >> 6) & 0x3f] : '=';
      out += left > 2 ? kAlphabet[v & 0x3f] : '=';
    }
    return out;
  };
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> byte(0, 255);
  for (size_t n = 0; n <= 300; ++n) {
    std::vector<unsigned char> b(n);
    for (auto& x : b) x = static_cast<unsigned char>(byte(rng));
    ASSERT_EQ(Base64(b), plain(b)) << n;
    std::string appended = "prefix:";
    AppendBase64(appended, b);
    ASSERT_EQ(appended, "prefix:" + plain(b)) << n;
  }
  std::vector<unsigned char> big(100000);
  for (auto& x : big) x = static_cast<unsigned char>(byte(rng));
  EXPECT_EQ(Base64(big), plain(big));
  EXPECT_EQ(Base64(std::vector<unsigned char>{'M', 'a', 'n'}), "TWFu");
}

}  // namespace
}  // namespace refluxscan::report::detail
