#pragma once
// The module boundary: no exception escapes spectral (DESIGN.md style rule 2). Public functions
// returning Result<T> run their body through Guarded(), which maps OpenCV errors, allocation
// failures and internal invariant failures to Error values.
#include <exception>
#include <new>
#include <string>

#include <opencv2/core.hpp>

#include "refluxscan/core/error.h"

namespace refluxscan::spectral::detail {

template <class F>
auto Guarded(const char* stage, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const cv::Exception& e) {
    return Fail(ErrorCode::kInternal, std::string(stage) + ": OpenCV error: " + e.what());
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceLimit, std::string(stage) + ": out of memory");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string(stage) + ": " + e.what());
  }
}

}  // namespace refluxscan::spectral::detail
