// Fills the reference KernelTable; every entry but the optional batch_norm_apply is set, so any other
// backend may start from it.
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels {

const KernelTable& reference_kernels() {
  static const KernelTable table = [] {
    KernelTable t;
    t.name = "reference";
    t.fill = reference::fill;
    t.copy = reference::copy;
    t.unary = reference::unary;
    t.binary = reference::binary;
    t.where = reference::where;
    t.relu_forward = reference::relu_forward;
    t.relu_backward = reference::relu_backward;
    t.reduce = reference::reduce;
    t.arg_reduce = reference::arg_reduce;
    t.bmm = reference::bmm;
    t.addmm = reference::addmm;
    t.softmax = reference::softmax;
    t.softmax_backward = reference::softmax_backward;
    t.conv2d = reference::conv2d;
    t.conv2d_backward_input = reference::conv2d_backward_input;
    t.conv2d_backward_weight = reference::conv2d_backward_weight;
    t.max_pool2d = reference::max_pool2d;
    t.max_pool2d_backward = reference::max_pool2d_backward;
    t.avg_pool2d = reference::avg_pool2d;
    t.avg_pool2d_backward = reference::avg_pool2d_backward;
    t.index_select = reference::index_select;
    t.index_add = reference::index_add;
    t.gather = reference::gather;
    t.scatter_add = reference::scatter_add;
    t.layer_norm = reference::layer_norm;
    t.layer_norm_backward = reference::layer_norm_backward;
    t.batch_norm = reference::batch_norm;
    t.batch_norm_backward = reference::batch_norm_backward;
    t.cross_entropy = reference::cross_entropy;
    t.cross_entropy_backward = reference::cross_entropy_backward;
    t.sgd_update = reference::sgd_update;
    t.adam_update = reference::adam_update;
    t.rmsprop_update = reference::rmsprop_update;
    t.adagrad_update = reference::adagrad_update;
    return t;
  }();
  return table;
}

}  // namespace tinytorch::kernels
