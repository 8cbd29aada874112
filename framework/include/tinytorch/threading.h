// Intra-op parallelism of the optimized kernels. The default thread count comes from the
// TINYTORCH_NUM_THREADS environment variable, else the hardware concurrency. Results never depend on
// the thread count: kernels split work only where summation order stays the same.
#pragma once

namespace tinytorch {

void set_num_threads(int threads);
int get_num_threads();

}  // namespace tinytorch
