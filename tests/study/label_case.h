#pragma once
// One row of the label-parsing tables (label_test.cpp, label_variants_test.cpp): a spelling and
// the side and segment it must give, or nullopt where it must stay unknown. The TEST_P lives in
// label_test.cpp; both files instantiate it.
#include <optional>
#include <ostream>
#include <string_view>

#include <gtest/gtest.h>

#include "refluxscan/study/identify.h"

namespace refluxscan::study::label_tests {

struct LabelCase {
  std::string_view text;
  std::optional<Laterality> laterality;
  std::optional<Segment> segment;
};

// GoogleTest names failures by this: the label itself, not its bytes.
inline std::ostream& operator<<(std::ostream& os, const LabelCase& c) {
  return os << '"' << c.text << '"';
}

class ParseLabelTable : public ::testing::TestWithParam<LabelCase> {};

}  // namespace refluxscan::study::label_tests
