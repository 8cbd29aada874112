// TEMPORARY during the foundation work: definitions not yet written. Each block is deleted as the
// real implementation lands; this file must not exist when issue 3 closes.
#include "kernels/reference/reference_kernels.h"
#include "tinytorch/tinytorch.h"

namespace tinytorch {
#define TT_PENDING(what) throw Error(what ": not implemented yet")

// ---- conv / pool (helper: conv) ----
Tensor conv2d(const Tensor&, const Tensor&, const Tensor&, Pair, Pair, Pair, int64_t) { TT_PENDING("conv2d"); }
Tensor max_pool2d(const Tensor&, Pair, Pair, Pair, Pair) { TT_PENDING("max_pool2d"); }
Tensor avg_pool2d(const Tensor&, Pair, Pair, Pair, bool) { TT_PENDING("avg_pool2d"); }
namespace kernels::reference {
void conv2d(const Tensor&, const Tensor&, const Tensor&, const Conv2dParams&) { TT_PENDING("conv2d kernel"); }
void conv2d_backward_input(const Tensor&, const Tensor&, const Tensor&, const Conv2dParams&) { TT_PENDING("conv2d"); }
void conv2d_backward_weight(const Tensor&, const Tensor&, const Tensor&, const Conv2dParams&) { TT_PENDING("conv2d"); }
void max_pool2d(const Tensor&, const Tensor&, const Tensor&, const Pool2dParams&) { TT_PENDING("max_pool2d"); }
void max_pool2d_backward(const Tensor&, const Tensor&, const Tensor&) { TT_PENDING("max_pool2d"); }
void avg_pool2d(const Tensor&, const Tensor&, const Pool2dParams&) { TT_PENDING("avg_pool2d"); }
void avg_pool2d_backward(const Tensor&, const Tensor&, const Pool2dParams&) { TT_PENDING("avg_pool2d"); }
}  // namespace kernels::reference
// ---- end conv / pool ----

// ---- indexing (helper: indexing) ----
Tensor index_select(const Tensor&, int64_t, const Tensor&) { TT_PENDING("index_select"); }
Tensor gather(const Tensor&, int64_t, const Tensor&) { TT_PENDING("gather"); }
Tensor scatter_add(const Tensor&, int64_t, const Tensor&, const Tensor&) { TT_PENDING("scatter_add"); }
Tensor embedding(const Tensor&, const Tensor&, int64_t) { TT_PENDING("embedding"); }
namespace kernels::reference {
void index_select(const Tensor&, const Tensor&, int64_t, const Tensor&) { TT_PENDING("index_select"); }
void index_add(const Tensor&, int64_t, const Tensor&, const Tensor&) { TT_PENDING("index_add"); }
void gather(const Tensor&, const Tensor&, int64_t, const Tensor&) { TT_PENDING("gather"); }
void scatter_add(const Tensor&, int64_t, const Tensor&, const Tensor&) { TT_PENDING("scatter_add"); }
}  // namespace kernels::reference
// ---- end indexing ----
}  // namespace tinytorch
