#include "support/expect_error.h"

#include "tinytorch/error.h"

namespace tt_test {

::testing::AssertionResult throws_with(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
  } catch (const tinytorch::Error& e) {
    const std::string message = e.what();
    std::string missing;
    for (const auto& part : parts)
      if (message.find(part) == std::string::npos) missing += (missing.empty() ? "\"" : ", \"") + part + "\"";
    if (missing.empty()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message \"" << message << "\" lacks " << missing;
  }
  return ::testing::AssertionFailure() << "no tinytorch::Error thrown (expected one mentioning \""
                                       << (parts.empty() ? "" : parts.front()) << "\")";
}

}  // namespace tt_test
