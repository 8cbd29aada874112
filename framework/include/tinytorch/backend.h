// Run-time choice of kernel backend. "reference" is the readable loop implementation; "optimized"
// starts from it and overrides kernels with vectorized, threaded ones. The initial choice comes from
// the TINYTORCH_BACKEND environment variable (default: optimized when built, else reference).
#pragma once

#include <string>
#include <vector>

namespace tinytorch {

void set_backend(const std::string& name);
std::string backend_name();
std::vector<std::string> available_backends();

// Switches the backend for the lifetime of the guard (tests and benchmarks).
class BackendGuard {
 public:
  explicit BackendGuard(const std::string& name) : previous_(backend_name()) { set_backend(name); }
  ~BackendGuard() { set_backend(previous_); }
  BackendGuard(const BackendGuard&) = delete;
  BackendGuard& operator=(const BackendGuard&) = delete;

 private:
  std::string previous_;
};

}  // namespace tinytorch
