// Fills the "optimized" KernelTable: a copy of the reference table with the entries this backend
// accelerates overridden. registry.cpp adds it at start-up and makes it the default backend.
#include "kernels/optimized/optimized_kernels.h"

namespace tinytorch::kernels {

const KernelTable& optimized_kernels() {
  static const KernelTable table = [] {
    KernelTable t = reference_kernels();
    t.name = "optimized";
    t.bmm = optimized::bmm;
    return t;
  }();
  return table;
}

}  // namespace tinytorch::kernels
