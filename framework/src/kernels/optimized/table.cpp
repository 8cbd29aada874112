// Fills the "optimized" KernelTable: a copy of the reference table with the entries this backend
// accelerates overridden. registry.cpp adds it at start-up and makes it the default backend.
#include "kernels/optimized/optimized_kernels.h"

namespace tinytorch::kernels {

const KernelTable& optimized_kernels() {
  static const KernelTable table = [] {
    KernelTable t = reference_kernels();
    t.name = "optimized";
    t.bmm = optimized::bmm;
    t.addmm = optimized::addmm;
    t.index_select = optimized::index_select;
    t.index_add = optimized::index_add;
    t.fill = optimized::fill;
    t.copy = optimized::copy;
    t.unary = optimized::unary;
    t.binary = optimized::binary;
    t.relu_forward = optimized::relu_forward;
    t.relu_backward = optimized::relu_backward;
    t.where = optimized::where;
    t.reduce = optimized::reduce;
    t.arg_reduce = optimized::arg_reduce;
    t.softmax = optimized::softmax;
    t.softmax_backward = optimized::softmax_backward;
    t.conv2d = optimized::conv2d;
    t.conv2d_backward_input = optimized::conv2d_backward_input;
    t.conv2d_backward_weight = optimized::conv2d_backward_weight;
    t.max_pool2d = optimized::max_pool2d;
    t.max_pool2d_backward = optimized::max_pool2d_backward;
    t.avg_pool2d = optimized::avg_pool2d;
    t.avg_pool2d_backward = optimized::avg_pool2d_backward;
    t.layer_norm = optimized::layer_norm;
    t.layer_norm_backward = optimized::layer_norm_backward;
    t.batch_norm = optimized::batch_norm;
    t.batch_norm_apply = optimized::batch_norm_apply;
    t.batch_norm_backward = optimized::batch_norm_backward;
    t.cross_entropy = optimized::cross_entropy;
    t.cross_entropy_backward = optimized::cross_entropy_backward;
    t.sgd_update = optimized::sgd_update;
    t.adam_update = optimized::adam_update;
    t.rmsprop_update = optimized::rmsprop_update;
    t.adagrad_update = optimized::adagrad_update;
    return t;
  }();
  return table;
}

}  // namespace tinytorch::kernels
