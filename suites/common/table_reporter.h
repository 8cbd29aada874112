// Console reporter for the suites: prints Google Benchmark's usual lines while the run goes, then one
// table with a row per case and thread count, a column per implementation (the median over
// repetitions when there are several, else the single run's wall time) and each TinyTorch
// implementation's time relative to LibTorch's (2.0x = twice as slow as LibTorch).
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace tt_bench {

class TableReporter : public benchmark::ConsoleReporter {
 public:
  explicit TableReporter(OutputOptions options) : ConsoleReporter(options) {}
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  struct Cell {
    double seconds = 0;
    bool median = false;
    bool error = false;
  };
  std::vector<std::string> rows_;  // "case_key threads=n" in first-seen order
  std::vector<std::string> impls_;
  std::map<std::string, std::map<std::string, Cell>> cells_;
};

// Seconds as a short human-readable duration ("812 us", "3.41 ms").
std::string format_duration(double seconds);

}  // namespace tt_bench
