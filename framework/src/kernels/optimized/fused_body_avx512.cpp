// The fused kernel bodies (fused_body.h) compiled for AVX-512; called only when cpu_isa() allows.
#include "kernels/optimized/fused_body.h"

namespace tinytorch::kernels::optimized {

template <class T>
const FusedBodies<T>& fused_bodies_avx512() {
  static const FusedBodies<T> bodies = make_fused_bodies<T>();
  return bodies;
}

template const FusedBodies<float>& fused_bodies_avx512<float>();
template const FusedBodies<double>& fused_bodies_avx512<double>();

}  // namespace tinytorch::kernels::optimized
