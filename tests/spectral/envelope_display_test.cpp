// Envelope on display-like strips: black background with sparse specks, JPEG-compressed strips,
// and spectra near the scale edge that must not be called aliasing.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "refluxscan/spectral/envelope.h"
#include "synthetic.h"

namespace refluxscan::spectral {
namespace {

using testing::MakeSpectrogram;
using testing::SyntheticSpec;

double Median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// A black background (noise below the display's black level) with sparse bright specks of a few
// rows and columns, as some scanners show. `density`: share of pixels that seed a speck.
Spectrogram BlackWithSpecks(double density, unsigned seed) {
  SyntheticSpec spec;
  Spectrogram s = MakeSpectrogram(spec, std::vector<double>(static_cast<size_t>(spec.cols), 0.0));
  s.intensity.setTo(0.0f);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int r = 0; r < s.Rows(); ++r) {
    for (int c = 0; c < s.Columns(); ++c) {
      if (u(rng) >= density) continue;
      const float level = static_cast<float>(0.05 + 0.15 * u(rng));  // up to 6 dB above black
      const cv::Rect blob(c, r, 3, 6);
      s.intensity(blob & cv::Rect(0, 0, s.Columns(), s.Rows())).setTo(level);
    }
  }
  return s;
}

// Known gap (docs/algorithms.md): a 6-row speck touching the baseline passes the 3-sample support
// rule and reads as a brief low flow in ~10% of the columns. Enable when 2-D support is required.
TEST(EnvelopeDisplay, DISABLED_BlackBackgroundWithSpecksHasNoFlow) {
  for (double density : {0.002, 0.005}) {  // 0.005 seeds specks over ~8% of the pixels
    auto env = EstimateEnvelope(BlackWithSpecks(density, 5));
    ASSERT_TRUE(env.has_value());
    EXPECT_FALSE(env->aliased) << density;
    int detected = 0;
    for (size_t c = 0; c < env->Size(); ++c) {
      detected += env->max_forward[c] > 1.5f || env->max_reverse[c] > 1.5f;  // 3 rows
    }
    // A speck touching the baseline is indistinguishable from a brief low flow: a few % allowed.
    EXPECT_LE(detected, static_cast<int>(env->Size()) / 25) << "speck density " << density;
  }
}

TEST(EnvelopeDisplay, FlowOnBlackWithSpecksKeepsItsEdge) {
  SyntheticSpec spec;
  std::vector<double> truth(static_cast<size_t>(spec.cols));
  for (int c = 0; c < spec.cols; ++c) truth[static_cast<size_t>(c)] = 20 + 10 * std::sin(c / 20.0);
  Spectrogram s = MakeSpectrogram(spec, truth);
  const Spectrogram specks = BlackWithSpecks(0.01, 9);
  // Noise below black: only the flow and the specks remain.
  for (int r = 0; r < s.Rows(); ++r) {
    for (int c = 0; c < s.Columns(); ++c) {
      s.intensity(r, c) = s.intensity(r, c) > 0.5f ? s.intensity(r, c) : specks.intensity(r, c);
    }
  }
  auto env = EstimateEnvelope(s);
  ASSERT_TRUE(env.has_value());
  std::vector<double> err, reverse;
  for (size_t c = 0; c < truth.size(); ++c) {
    err.push_back(std::abs(env->max_forward[c] - truth[c]) / spec.step);
    reverse.push_back(env->max_reverse[c]);
  }
  EXPECT_LE(Median(err), 1.0);
  EXPECT_LE(Median(reverse), 0.5);  // specks below the baseline are not reverse flow
  EXPECT_FALSE(env->aliased);
}

// JPEG's lossy step on an 8-bit strip: 8x8 DCT, quantization with the standard luminance table
// at quality 50 (lossless entropy coding left out).
cv::Mat1f JpegLike(const cv::Mat1f& intensity) {
  static constexpr std::array<float, 64> kTable = {
      16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
      14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
      18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
      49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
  cv::Mat1f out = intensity * 255.0f;
  for (int r = 0; r + 8 <= out.rows; r += 8) {
    for (int c = 0; c + 8 <= out.cols; c += 8) {
      cv::Mat1f block = out(cv::Rect(c, r, 8, 8)) - 128.0f, coef;
      cv::dct(block, coef);
      for (int k = 0; k < 64; ++k) {
        const float q = kTable[static_cast<size_t>(k)];
        coef(k / 8, k % 8) = std::round(coef(k / 8, k % 8) / q) * q;
      }
      cv::idct(coef, block);
      out(cv::Rect(c, r, 8, 8)) = block + 128.0f;
    }
  }
  cv::Mat1f clipped = cv::max(cv::min(out, 255.0f), 0.0f);
  for (float& x : clipped) x = std::round(x) / 255.0f;
  return clipped;
}

TEST(EnvelopeDisplay, JpegCompressedStripWithinOneRow) {
  SyntheticSpec spec;
  std::vector<double> truth(static_cast<size_t>(spec.cols));
  for (int c = 0; c < spec.cols; ++c) {
    truth[static_cast<size_t>(c)] = 35 * std::sin(2 * std::numbers::pi * c / 150.0);
  }
  Spectrogram s = MakeSpectrogram(spec, truth);
  s.intensity = JpegLike(s.intensity);
  EnvelopeOptions o;
  o.smoothing_cutoff_hz = -1;
  auto env = EstimateEnvelope(s, o);
  ASSERT_TRUE(env.has_value());
  std::vector<double> err;
  for (size_t c = 0; c < truth.size(); ++c) {
    if (std::abs(truth[c]) < 3) continue;
    const double got = truth[c] > 0 ? env->max_forward[c] : env->max_reverse[c];
    err.push_back(std::abs(got - std::abs(truth[c])) / spec.step);
  }
  std::cout << "jpeg-like strip: median " << Median(err) << " rows\n";
  EXPECT_LE(Median(err), 1.5);
  EXPECT_FALSE(env->aliased);
}

// Flow reaching the top of the scale in single columns, with specks at the bottom edge: no
// aliasing (it needs a run of columns re-entering from the opposite edge).
TEST(EnvelopeDisplay, NoFalseAliasingFromSpecksAtTheOppositeEdge) {
  SyntheticSpec spec;  // scale +60 .. -39.5
  std::vector<double> truth(static_cast<size_t>(spec.cols), 30.0);
  for (size_t c = 50; c < truth.size(); c += 40) truth[c] = 59.5;  // touches the top edge
  Spectrogram s = MakeSpectrogram(spec, truth);
  for (size_t c = 48; c < truth.size(); c += 40) {  // a speck at the bottom edge near each
    s.intensity(cv::Rect(static_cast<int>(c), spec.rows - 6, 4, 6)).setTo(0.9f);
  }
  auto env = EstimateEnvelope(s);
  ASSERT_TRUE(env.has_value());
  EXPECT_FALSE(env->aliased);
  for (size_t c = 0; c < env->Size(); ++c) EXPECT_FALSE(env->flags[c] & kColumnAliased) << c;
}

}  // namespace
}  // namespace refluxscan::spectral
