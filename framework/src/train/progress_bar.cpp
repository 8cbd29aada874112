// ProgressBar: throttled in-place redraws on a terminal, one final line elsewhere.
#include "tinytorch/train/progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace tinytorch::train {
namespace {
std::string clock(double seconds) {
  const auto s = static_cast<int64_t>(std::max(0.0, std::round(seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}
}  // namespace

ProgressBar::ProgressBar(int64_t total, std::string label, std::FILE* stream)
    : total_(total),
      label_(std::move(label)),
      stream_(stream),
      interactive_(isatty(fileno(stream)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string ProgressBar::format(const std::string& label, int64_t done, int64_t total, double seconds, double loss) {
  constexpr int kWidth = 24;
  const double fraction = total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>' + std::string(static_cast<size_t>(kWidth - filled - 1), ' ');
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  const std::string eta = done >= total ? "done " + clock(seconds)
                          : rate > 0    ? "ETA " + clock(static_cast<double>(total - done) / rate)
                                        : "ETA ?";
  return fmt::format("{}  {}/{} [{}] {:6.1f} it/s  loss {:.4f}  {}", label, done, total, bar, rate, loss, eta);
}

void ProgressBar::update(int64_t done, double loss) {
  done_ = done;
  loss_ = loss;
  const auto now = std::chrono::steady_clock::now();
  if (interactive_ && now - last_draw_ >= std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  draw(true);
}

void ProgressBar::draw(bool final) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string line = format(label_, done_, total_, seconds, loss_);
  // \x1b[K clears what a longer previous line left behind.
  if (interactive_) {
    std::fprintf(stream_, "\r%s\x1b[K%s", line.c_str(), final ? "\n" : "");
  } else if (final) {
    std::fprintf(stream_, "%s\n", line.c_str());
  }
  std::fflush(stream_);
}

}  // namespace tinytorch::train
