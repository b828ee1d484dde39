// Where the spectral display lies inside a region that is taller than it (strip_internal.h).
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "refluxscan/spectral/signal.h"
#include "spectral/columns.h"
#include "spectral/strip_internal.h"

namespace refluxscan::spectral::detail {
namespace {

// A row is textured when enough of its columns differ from the row's median by more than
// kTextureStep: the display's noise floor and flow are speckle, a panel margin is uniform. Enough
// = kMinTexturedShare, and kRelativeShare of the typical share of the region's middle rows (all
// display): a dark noise floor lights 2-3% of a row, the labels and time marks of a margin
// under 1% (measured on generated strips).
constexpr double kMinTexturedShare = 0.015;
constexpr double kRelativeShare = 0.1;
constexpr float kTextureStep = 0.04f;  // about 10 grey levels
// The region must exceed one PRF by this much before a margin is assumed (a PRF tag rounded by
// the scanner must not crop a display).
constexpr double kMinSlackRows = 4;
constexpr double kMinSlackShare = 0.03;
constexpr int kMaxPlayRows = 2;
constexpr double kMinSpanRows = 16;
constexpr double kMinSpanShare = 0.5;

// Share of the row's columns that differ from its median by more than kTextureStep.
double TexturedShare(const float* row, int cols, std::vector<float>& scratch) {
  // nth_element's median of the row, by counting (SelectKthByCounting; the row is not copied).
  const float median =
      SelectKthByCounting(row, static_cast<size_t>(cols), static_cast<size_t>(cols / 2), scratch);
  int differing = 0;
  for (int c = 0; c < cols; ++c) differing += std::abs(row[c] - median) > kTextureStep;
  return static_cast<double>(differing) / cols;
}

// The first and last textured rows of the strip (-1, -1 without any). A row is textured when
// its TexturedShare reaches max(kMinTexturedShare, kRelativeShare x the median share of the
// middle half of the rows). Shares are computed only where the answer needs them: the middle
// half, then rows from each end inward until the first textured one (a row median is an
// nth_element over the row; the rows between the display's edges and the middle half need none).
std::pair<int, int> TexturedExtent(const cv::Mat1f& intensity) {
  const int rows = intensity.rows;
  std::vector<float> scratch;
  std::vector<double> share(static_cast<size_t>(rows), -1.0);  // -1: not computed
  auto share_of = [&](int r) {
    double& s = share[static_cast<size_t>(r)];
    if (s < 0) s = TexturedShare(intensity.ptr<float>(r), intensity.cols, scratch);
    return s;
  };
  std::vector<double> middle;
  for (int r = rows / 4; r < 3 * rows / 4; ++r) middle.push_back(share_of(r));
  std::nth_element(middle.begin(), middle.begin() + static_cast<long>(middle.size() / 2),
                   middle.end());
  const double typical = middle.empty() ? 0 : middle[middle.size() / 2];
  const double enough = std::max(kMinTexturedShare, kRelativeShare * typical);
  int first = 0;
  while (first < rows && !(share_of(first) >= enough)) ++first;
  if (first == rows) return {-1, -1};
  int last = rows - 1;
  while (!(share_of(last) >= enough)) --last;  // stops at `first` at the latest
  return {first, last};
}

}  // namespace

std::optional<double> PrfSpanRows(const UltrasoundRegion& region, const StripAxes& axes) {
  const auto prf = region.pulse_repetition_frequency_hz;
  if (!region.IsSpectral() || !prf || !(*prf > 0) || !std::isfinite(*prf) ||
      !(axes.velocity_step_per_row > 0)) {
    return std::nullopt;  // without the PRF the span is unknown
  }
  if (axes.unit == VelocityUnit::kHertz) return *prf / axes.velocity_step_per_row;
  const auto f0 = region.transducer_frequency_hz;
  const auto angle = region.doppler_correction_angle_deg.value_or(0.0);
  if (!f0 || !(*f0 > 0) || !(std::abs(angle) < 89.0)) return std::nullopt;
  const double span_cm_s = VelocityCmSFromDopplerShift(*prf, *f0, angle);
  const double rows = span_cm_s / axes.velocity_step_per_row;
  return std::isfinite(rows) && rows > 0 ? std::optional<double>(rows) : std::nullopt;
}

std::optional<DisplayRows> FindDisplayRows(const cv::Mat1f& intensity, double zero_row,
                                           double span_rows) {
  const int rows = intensity.rows;
  // A margin is a minority of the region: a span of a few rows is a wrong PRF tag (kHz stored as
  // Hz), not a display.
  if (!std::isfinite(span_rows) || !std::isfinite(zero_row) ||
      span_rows < std::max(kMinSpanRows, kMinSpanShare * rows) ||
      rows <= span_rows + std::max(kMinSlackRows, kMinSlackShare * span_rows)) {
    return std::nullopt;
  }
  const int span = static_cast<int>(std::lround(span_rows));
  const auto [first_textured, last_textured] = TexturedExtent(intensity);
  // The window holds every textured row and the baseline.
  const int zero = static_cast<int>(std::lround(zero_row));
  int lo = std::max({0, zero - span + 1}), hi = std::min(rows - span, zero);
  if (last_textured >= 0) {
    lo = std::max(lo, last_textured - span + 1);
    hi = std::min(hi, first_textured);
  }
  // The content must pin the window (within kMaxPlayRows): where it leaves more play, the margins
  // are unknowable (a black panel around a black noise floor), and a wrong guess cuts flow off.
  if (lo > hi || hi - lo > kMaxPlayRows) return std::nullopt;
  return DisplayRows{(lo + hi) / 2, span};
}

}  // namespace refluxscan::spectral::detail
