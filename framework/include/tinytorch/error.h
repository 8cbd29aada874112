// Error type and checking macro. Every user-facing failure (shape, dtype, device, index) throws
// tinytorch::Error with a one-line message that names the op, the offending shapes/dtypes and a fix.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace tinytorch {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tinytorch

// TT_CHECK(cond, "op: fmt {}", args...) throws tinytorch::Error with the formatted message.
#define TT_CHECK(cond, ...)                                       \
  do {                                                            \
    if (!(cond)) throw ::tinytorch::Error(fmt::format(__VA_ARGS__)); \
  } while (0)
