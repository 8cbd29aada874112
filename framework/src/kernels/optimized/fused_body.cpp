// The fused kernel bodies (fused_body.h) compiled for baseline x86-64 (SSE2).
#include "kernels/optimized/fused_body.h"

namespace tinytorch::kernels::optimized {

template <class T>
const FusedBodies<T>& fused_bodies_baseline() {
  static const FusedBodies<T> bodies = make_fused_bodies<T>();
  return bodies;
}

template const FusedBodies<float>& fused_bodies_baseline<float>();
template const FusedBodies<double>& fused_bodies_baseline<double>();

}  // namespace tinytorch::kernels::optimized
