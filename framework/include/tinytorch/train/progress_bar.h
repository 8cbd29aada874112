// A one-line progress bar for a terminal: count, bar, it/s, loss and ETA, redrawn in place at most
// ten times a second. When the stream is not a terminal it prints only the final line, so logs stay
// readable.
//   epoch 2/10  312/469 [==========>      ]  45.3 it/s  loss 0.4123  ETA 0:03
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tinytorch::train {

class ProgressBar {
 public:
  ProgressBar(int64_t total, std::string label, std::FILE* stream = stderr);
  // Marks `done` units finished and shows `loss` (the latest or a running mean).
  void update(int64_t done, double loss);
  // Draws the final state and ends the line.
  void finish();

  // The line for the given state (without the carriage return); exposed for tests.
  static std::string format(const std::string& label, int64_t done, int64_t total, double seconds, double loss);

 private:
  void draw(bool final);

  int64_t total_;
  std::string label_;
  std::FILE* stream_;
  bool interactive_;
  int64_t done_ = 0;
  double loss_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool finished_ = false;
};

}  // namespace tinytorch::train
