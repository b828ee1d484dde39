#pragma once
// Errors as values: every stage returns Result<T> = std::expected<T, Error>.
// No exception crosses a module boundary; adapters turn library failures into Error.
#include <expected>
#include <string>
#include <string_view>

namespace refluxscan {

enum class ErrorCode {
  kInvalidInput,   // the input is well formed but not what this stage can use
  kUnsupported,    // a valid input using a feature we do not handle (codec, layout)
  kCorrupt,        // malformed or truncated data
  kIo,             // the file system failed us
  kNotFound,       // a required element is absent (e.g. no spectral region)
  kResourceLimit,  // refused before allocating: the input claims more than the limits allow
  kInternal,       // a bug: an invariant did not hold
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // actionable, for a user; never contains patient identifiers
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for `return Fail(ErrorCode::kCorrupt, "...")` inside functions returning Result<T>.
inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace refluxscan
