// The one naming scheme of every benchmark in the suites, so tools can group results by case and
// implementation:
//
//   <suite>/<op>/<mode>/<impl>/<params>/threads=<n>
//
//   suite   ops | train | smoke
//   op      matmul, conv2d, mlp, ... (no '/')
//   mode    fwd | fwdbwd for ops; step | optim | epoch for training (no '/')
//   impl    tinytorch/reference | tinytorch/optimized | libtorch (may contain one '/')
//   params  comma-separated key=value pairs, e.g. m=512,n=512,k=512 (no '/')
//   n       the thread count given to both frameworks
//
// Google Benchmark appends "/real_time" to every name (the suites measure wall-clock time, as the
// kernels are multi-threaded) and "_median", "_mean", ... to aggregates; tools drop that suffix
// first, then split on '/': the first three fields are suite, op and mode, the last two are params
// and threads, and whatever lies between is the implementation. Example:
//   ops/matmul/fwd/libtorch/m=512,n=512,k=512/threads=2/real_time
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

namespace tt_bench {

struct BenchName {
  std::string suite, op, mode, impl, params;
  int threads = 0;

  std::string str() const {
    return suite + "/" + op + "/" + mode + "/" + impl + "/" + params + "/threads=" + std::to_string(threads);
  }
  // The name without impl and threads: identifies the case across implementations.
  std::string case_key() const { return suite + "/" + op + "/" + mode + "/" + params; }
};

// Parses a name built by BenchName::str(), with or without Google Benchmark's suffixes. Returns
// false if the name does not follow the scheme.
inline bool parse_bench_name(const std::string& name, BenchName* out) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at = name.find('/'); at != std::string::npos; at = name.find('/', start)) {
    parts.push_back(name.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(name.substr(start));
  if (parts.back().rfind("real_time", 0) == 0) parts.pop_back();
  if (parts.size() < 6 || parts.back().rfind("threads=", 0) != 0) return false;
  out->suite = parts[0];
  out->op = parts[1];
  out->mode = parts[2];
  out->impl = parts[3];
  for (size_t i = 4; i + 2 < parts.size(); ++i) out->impl += "/" + parts[i];
  out->params = parts[parts.size() - 2];
  out->threads = std::atoi(parts.back().c_str() + 8);
  return true;
}

}  // namespace tt_bench
