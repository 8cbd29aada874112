// Preloaded into the benchmark binary by `ttbench callgrind`. Debian's LibTorch pulls in libhwy
// (through OpenCV and libjxl), whose start-up code calls hwy::platform::TimerResolution(), which
// executes RDTSCP. Valgrind 3.19 refuses RDTSCP when the CPU does not advertise it (as on some
// virtual machines) and kills the process with SIGILL before main. libhwy calls the function
// through its PLT, so this definition takes its place; nothing in the suites uses Highway's timers.
#include <cstdint>

namespace hwy::platform {
uint64_t TimerResolution() { return 1; }
}  // namespace hwy::platform
