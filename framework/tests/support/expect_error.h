// The one check for bad-input tests: the call must throw tinytorch::Error and its message must
// contain every given part (typically the op name, the offending shapes or dtypes, and the hint).
// EXPECT_THROW alone would pass on any message; this pins the message's content.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace tt_test {

// Use as EXPECT_TRUE(throws_with([&] { tt::add(a, b); }, {"add", "[2, 3]", "[4]"})). The failure
// message quotes the whole error message and lists every missing part.
::testing::AssertionResult throws_with(const std::function<void()>& fn, const std::vector<std::string>& parts);

}  // namespace tt_test
