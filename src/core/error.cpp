#include "refluxscan/core/error.h"

namespace refluxscan {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return "invalid_input";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kResourceLimit:
      return "resource_limit";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace refluxscan
