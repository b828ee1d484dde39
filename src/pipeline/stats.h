#pragma once
// Order statistics and a fixed-width table printer for the evaluation commands (private).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace refluxscan::pipeline {

// Linear-interpolated percentile (p in [0, 100]) of `values`; NaN when empty.
inline double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double pos = p / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

inline std::vector<double> Abs(std::vector<double> values) {
  for (double& v : values) v = std::abs(v);
  return values;
}

inline double Mean(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// "12.3" or "-" for NaN, right-aligned in `width`.
inline std::string Cell(double value, int width, int decimals = 1) {
  char text[64];
  if (std::isnan(value)) {
    std::snprintf(text, sizeof text, "%*s", width, "-");
  } else {
    std::snprintf(text, sizeof text, "%*.*f", width, decimals, value);
  }
  return text;
}

inline std::string Cell(const std::string& value, int width) {
  char text[128];
  std::snprintf(text, sizeof text, "%-*s", width, value.c_str());
  return text;
}

inline std::string Cell(long value, int width) {
  char text[64];
  std::snprintf(text, sizeof text, "%*ld", width, value);
  return text;
}

}  // namespace refluxscan::pipeline
