// Range checks shared by the optimizers' check_options(): one message format for every
// hyper-parameter ("Adam: invalid beta2 1.5; it must be in [0, 1)").
#pragma once

#include <string>

#include "tinytorch/optim/optimizer.h"

namespace tinytorch::optim::detail {

inline double option(const GroupOptions& options, const std::string& optimizer, const std::string& key) {
  auto it = options.find(key);
  TT_CHECK(it != options.end(), "{}: option '{}' is missing", optimizer, key);
  return it->second;
}

inline void check_non_negative(const GroupOptions& options, const std::string& optimizer, const std::string& key) {
  const double value = option(options, optimizer, key);
  TT_CHECK(value >= 0.0, "{}: invalid {} {}; it must be >= 0", optimizer, key, value);
}

inline void check_unit_interval(const GroupOptions& options, const std::string& optimizer, const std::string& key) {
  const double value = option(options, optimizer, key);
  TT_CHECK(value >= 0.0 && value < 1.0, "{}: invalid {} {}; it must be in [0, 1)", optimizer, key, value);
}

}  // namespace tinytorch::optim::detail
