// Op benchmarks: each op workload below is defined once (shapes, seeded inputs, the op in TinyTorch
// and in LibTorch, analytic cost) and run forward (fwd) and forward+backward (fwdbwd) by
// tinytorch/reference, tinytorch/optimized and libtorch at 1 and 2 threads, after a correctness
// check against LibTorch. Shapes are the layers of the project's models (MLP and CNN on
// Fashion-MNIST, CIFAR-sized convolutions, a d_model=256 transformer) plus square sweeps.
//
// Cost conventions: a multiply-add is 2 FLOPs; a pointwise op 1 FLOP per element (gelu 5, with erf
// counted as one); softmax-like rows 5 per element, normalisations 8; comparisons in pooling 1.
// Bytes are the inputs read plus the output written once (a lower bound on memory traffic).
//
//   bench_ops [--profile=quick|full] [--case=<op>[,<op>...]] [--threads=1,2] [--list]
//             [Google Benchmark flags, e.g. --benchmark_out=ops.json --benchmark_out_format=json]
#include <cmath>

#include "common/suite.h"
#include "common/workload.h"

namespace {
using tt_bench::InputKind;
using tt_bench::InputSpec;
using tt_bench::Workload;
using Inputs = std::vector<at::Tensor>;

constexpr double kF32 = 4;  // bytes per element

std::string str(int64_t v) { return std::to_string(v); }

// fp32 sums over `length` terms differ between summation orders by roughly length * eps * |term|;
// the tolerance grows with the longest reduction of the case (forward or backward).
double atol_for(int64_t length) { return std::max(1e-5, 1e-6 * static_cast<double>(length)); }

InputSpec grad(tt::Shape shape) { return {std::move(shape), InputKind::Float, true}; }
InputSpec data(tt::Shape shape, InputKind kind = InputKind::Float) { return {std::move(shape), kind, false}; }
InputSpec indices(tt::Shape shape, int64_t high) { return {std::move(shape), InputKind::Index, false, high}; }

Workload matmul(int64_t m, int64_t n, int64_t k, const std::string& layer = "", bool quick = false) {
  Workload w;
  w.op = "matmul";
  w.params = (layer.empty() ? "" : "layer=" + layer + ",") + "m=" + str(m) + ",n=" + str(n) + ",k=" + str(k);
  w.inputs = {grad({m, k}), grad({k, n})};
  w.tinytorch = [](const tt::TensorList& x) { return tt::matmul(x[0], x[1]); };
  w.libtorch = [](const Inputs& x) { return torch::matmul(x[0], x[1]); };
  w.flops = 2.0 * m * n * k;
  w.bytes = kF32 * (m * k + k * n + m * n);
  w.items = m;
  w.quick = quick;
  w.atol = atol_for(std::max({m, n, k}));
  return w;
}

Workload linear(int64_t batch, int64_t in, int64_t out, const std::string& layer, bool quick = false) {
  Workload w;
  w.op = "linear";
  w.params = "layer=" + layer + ",batch=" + str(batch) + ",in=" + str(in) + ",out=" + str(out);
  w.inputs = {grad({batch, in}), grad({out, in}), grad({out})};
  w.tinytorch = [](const tt::TensorList& x) { return tt::linear(x[0], x[1], x[2]); };
  w.libtorch = [](const Inputs& x) { return torch::nn::functional::linear(x[0], x[1], x[2]); };
  w.flops = 2.0 * batch * in * out + batch * out;
  w.bytes = kF32 * (batch * in + out * in + out + batch * out);
  w.items = batch;
  w.quick = quick;
  w.atol = atol_for(std::max({batch, in, out}));
  return w;
}

struct ConvSpec {
  int64_t n, c_in, c_out, hw;
  int64_t k = 3, stride = 1, pad = 1;
  bool bias = true;
};

// Square convolutions; the residual CNN's layers are bias-free (a batch norm follows) and include
// stride-2 and 1x1 shortcut convolutions.
Workload conv2d(const ConvSpec& c, const std::string& layer, bool quick = false) {
  Workload w;
  w.op = "conv2d";
  w.params = "layer=" + layer + ",n=" + str(c.n) + ",cin=" + str(c.c_in) + ",cout=" + str(c.c_out) +
             ",hw=" + str(c.hw) + ",k=" + str(c.k) + ",pad=" + str(c.pad) +
             (c.stride == 1 ? "" : ",stride=" + str(c.stride)) + (c.bias ? "" : ",bias=0");
  w.inputs = {grad({c.n, c.c_in, c.hw, c.hw}), grad({c.c_out, c.c_in, c.k, c.k})};
  if (c.bias) w.inputs.push_back(grad({c.c_out}));
  const int64_t stride = c.stride, pad = c.pad;
  w.tinytorch = [stride, pad](const tt::TensorList& x) {
    return tt::conv2d(x[0], x[1], x.size() > 2 ? x[2] : tt::Tensor(), {stride, stride}, {pad, pad});
  };
  w.libtorch = [stride, pad](const Inputs& x) {
    return torch::conv2d(x[0], x[1], x.size() > 2 ? x[2] : at::Tensor(), stride, pad);
  };
  const int64_t out_hw = (c.hw + 2 * c.pad - c.k) / c.stride + 1;
  const double outputs = static_cast<double>(c.n) * c.c_out * out_hw * out_hw;
  w.flops = outputs * (2.0 * c.c_in * c.k * c.k + (c.bias ? 1 : 0));
  w.bytes = kF32 * (c.n * c.c_in * c.hw * c.hw + c.c_out * c.c_in * c.k * c.k + (c.bias ? c.c_out : 0) + outputs);
  w.items = c.n;
  w.quick = quick;
  // The forward sums C_in*k*k terms, the weight gradient N*H*W.
  w.atol = atol_for(std::max(c.c_in * c.k * c.k, c.n * out_hw * out_hw));
  return w;
}

Workload pool2d(const std::string& op, int64_t n, int64_t c, int64_t hw, bool quick = false) {
  Workload w;
  w.op = op;
  w.params = "n=" + str(n) + ",c=" + str(c) + ",hw=" + str(hw) + ",k=2";
  w.inputs = {grad({n, c, hw, hw})};
  if (op == "max_pool2d") {
    w.tinytorch = [](const tt::TensorList& x) { return tt::max_pool2d(x[0], {2, 2}); };
    w.libtorch = [](const Inputs& x) { return torch::max_pool2d(x[0], {2, 2}); };
  } else {
    w.tinytorch = [](const tt::TensorList& x) { return tt::avg_pool2d(x[0], {2, 2}); };
    w.libtorch = [](const Inputs& x) { return torch::avg_pool2d(x[0], {2, 2}); };
  }
  const double in = static_cast<double>(n) * c * hw * hw;
  w.flops = in;
  w.bytes = kF32 * (in + in / 4);
  w.items = n;
  w.backward_factor = 1;
  w.quick = quick;
  return w;
}

// a (op) b, either both [rows, cols] or b broadcast as [cols].
Workload binary(const std::string& op, int64_t rows, int64_t cols, bool broadcast, bool quick = false) {
  Workload w;
  w.op = op;
  w.params = (broadcast ? "shape=[" + str(rows) + "," + str(cols) + "]+[" + str(cols) + "]"
                        : "shape=[" + str(rows) + "," + str(cols) + "]");
  w.inputs = {grad({rows, cols}), grad(broadcast ? tt::Shape{cols} : tt::Shape{rows, cols})};
  if (op == "add") {
    w.tinytorch = [](const tt::TensorList& x) { return x[0] + x[1]; };
    w.libtorch = [](const Inputs& x) { return x[0] + x[1]; };
  } else {
    w.tinytorch = [](const tt::TensorList& x) { return x[0] * x[1]; };
    w.libtorch = [](const Inputs& x) { return x[0] * x[1]; };
  }
  const double n = static_cast<double>(rows) * cols;
  w.flops = n;
  w.bytes = kF32 * (2 * n + (broadcast ? cols : n));
  w.items = n;
  w.backward_factor = 1;
  w.quick = quick;
  w.atol = broadcast ? atol_for(rows) : 1e-5;  // the broadcast operand's gradient sums over rows
  return w;
}

// x * y + x on big tensors: two pointwise ops and a temporary per step. LibTorch's CPU allocator
// returns buffers this large to the OS, so each step pays page faults on fresh memory; TinyTorch's
// caching allocator reuses them.
Workload mul_add(int64_t rows, int64_t cols, bool quick = false) {
  Workload w;
  w.op = "mul_add";
  w.params = "expr=x*y+x,shape=[" + str(rows) + "," + str(cols) + "]";
  w.inputs = {grad({rows, cols}), grad({rows, cols})};
  w.tinytorch = [](const tt::TensorList& x) { return x[0] * x[1] + x[0]; };
  w.libtorch = [](const Inputs& x) { return x[0] * x[1] + x[0]; };
  const double n = static_cast<double>(rows) * cols;
  w.flops = 2 * n;
  w.bytes = kF32 * 6 * n;  // each op reads two tensors and writes one
  w.items = n;
  w.backward_factor = 1;
  w.quick = quick;
  return w;
}

Workload unary(const std::string& op, int64_t rows, int64_t cols, bool quick = false) {
  Workload w;
  w.op = op;
  w.params = "shape=[" + str(rows) + "," + str(cols) + "]";
  w.inputs = {grad({rows, cols})};
  if (op == "relu") {
    w.tinytorch = [](const tt::TensorList& x) { return tt::relu(x[0]); };
    w.libtorch = [](const Inputs& x) { return torch::relu(x[0]); };
  } else {
    w.tinytorch = [](const tt::TensorList& x) { return tt::gelu(x[0]); };
    w.libtorch = [](const Inputs& x) { return torch::gelu(x[0]); };
  }
  const double n = static_cast<double>(rows) * cols;
  w.flops = op == "gelu" ? 5 * n : n;
  w.bytes = kF32 * 2 * n;
  w.items = n;
  w.backward_factor = 1;
  w.quick = quick;
  return w;
}

// sum or mean over everything (dim = -2) or over the last dim.
Workload reduction(const std::string& op, int64_t rows, int64_t cols, bool last_dim, bool quick = false) {
  Workload w;
  w.op = op;
  w.params = "shape=[" + str(rows) + "," + str(cols) + "],dim=" + (last_dim ? "-1" : "all");
  w.inputs = {grad({rows, cols})};
  const bool is_sum = op == "sum";
  if (last_dim) {
    w.tinytorch = [is_sum](const tt::TensorList& x) { return is_sum ? x[0].sum({-1}) : x[0].mean({-1}); };
    w.libtorch = [is_sum](const Inputs& x) { return is_sum ? x[0].sum(-1) : x[0].mean(-1); };
  } else {
    w.tinytorch = [is_sum](const tt::TensorList& x) { return is_sum ? x[0].sum() : x[0].mean(); };
    w.libtorch = [is_sum](const Inputs& x) { return is_sum ? x[0].sum() : x[0].mean(); };
  }
  const double n = static_cast<double>(rows) * cols;
  w.flops = n;
  w.bytes = kF32 * (n + (last_dim ? rows : 1));
  w.items = n;
  w.backward_factor = 1;
  w.quick = quick;
  w.atol = 1e-7 * (last_dim ? cols : n);
  w.atol = std::max(w.atol, 1e-5);
  return w;
}

// softmax or log_softmax over the last dim of [rows, cols].
Workload softmax_like(const std::string& op, int64_t rows, int64_t cols, bool quick = false) {
  Workload w;
  w.op = op;
  w.params = "rows=" + str(rows) + ",cols=" + str(cols);
  w.inputs = {grad({rows, cols})};
  const bool log = op == "log_softmax";
  w.tinytorch = [log](const tt::TensorList& x) { return log ? tt::log_softmax(x[0], -1) : tt::softmax(x[0], -1); };
  w.libtorch = [log](const Inputs& x) { return log ? torch::log_softmax(x[0], -1) : torch::softmax(x[0], -1); };
  const double n = static_cast<double>(rows) * cols;
  w.flops = 5 * n;
  w.bytes = kF32 * 2 * n;
  w.items = rows;
  w.backward_factor = 1;
  w.quick = quick;
  return w;
}

Workload cross_entropy(int64_t batch, int64_t classes, bool quick = false) {
  Workload w;
  w.op = "cross_entropy";
  w.params = "batch=" + str(batch) + ",classes=" + str(classes);
  w.inputs = {grad({batch, classes}), indices({batch}, classes)};
  w.tinytorch = [](const tt::TensorList& x) { return tt::cross_entropy(x[0], x[1]); };
  w.libtorch = [](const Inputs& x) { return torch::nn::functional::cross_entropy(x[0], x[1]); };
  const double n = static_cast<double>(batch) * classes;
  w.flops = 5 * n + batch;
  w.bytes = kF32 * n + 8.0 * batch + kF32;
  w.items = batch;
  w.backward_factor = 1;
  w.quick = quick;
  return w;
}

Workload layer_norm(int64_t rows, int64_t dim, bool quick = false) {
  Workload w;
  w.op = "layer_norm";
  w.params = "rows=" + str(rows) + ",dim=" + str(dim);
  w.inputs = {grad({rows, dim}), grad({dim}), grad({dim})};
  w.tinytorch = [dim](const tt::TensorList& x) { return tt::layer_norm(x[0], {dim}, x[1], x[2]); };
  w.libtorch = [dim](const Inputs& x) { return torch::layer_norm(x[0], {dim}, x[1], x[2]); };
  const double n = static_cast<double>(rows) * dim;
  w.flops = 8 * n;
  w.bytes = kF32 * (2 * n + 2 * dim);
  w.items = rows;
  w.quick = quick;
  w.rtol = 1e-3;
  w.atol = atol_for(rows);  // weight and bias gradients sum over rows
  return w;
}

// Training-mode batch norm with running statistics (updated in place, and compared too).
Workload batch_norm(int64_t n, int64_t c, int64_t hw, bool quick = false) {
  Workload w;
  w.op = "batch_norm";
  w.params = "n=" + str(n) + ",c=" + str(c) + ",hw=" + str(hw) + ",training=1";
  w.inputs = {grad({n, c, hw, hw}), grad({c}), grad({c}), data({c}), data({c}, InputKind::Positive)};
  w.tinytorch = [](const tt::TensorList& x) { return tt::batch_norm(x[0], x[3], x[4], x[1], x[2], true); };
  w.libtorch = [](const Inputs& x) { return torch::batch_norm(x[0], x[1], x[2], x[3], x[4], true, 0.1, 1e-5, false); };
  const double elements = static_cast<double>(n) * c * hw * hw;
  w.flops = 8 * elements;
  w.bytes = kF32 * (2 * elements + 4 * c);
  w.items = n;
  w.quick = quick;
  w.rtol = 1e-3;
  w.atol = atol_for(n * hw * hw);
  return w;
}

Workload embedding(int64_t vocab, int64_t dim, int64_t batch, int64_t seq, bool quick = false) {
  Workload w;
  w.op = "embedding";
  w.params = "vocab=" + str(vocab) + ",dim=" + str(dim) + ",batch=" + str(batch) + ",seq=" + str(seq);
  w.inputs = {grad({vocab, dim}), indices({batch, seq}, vocab)};
  w.tinytorch = [](const tt::TensorList& x) { return tt::embedding(x[0], x[1]); };
  w.libtorch = [](const Inputs& x) { return torch::embedding(x[0], x[1]); };
  const double tokens = static_cast<double>(batch) * seq;
  w.flops = 0;
  w.bytes = 2 * kF32 * tokens * dim + 8 * tokens;  // rows read, output written, indices
  w.items = tokens;
  w.backward_factor = 1;
  w.quick = quick;
  return w;
}

// softmax(q kᵀ / sqrt(d)) v over q, k, v [batch, heads, seq, d], composed from matmul and softmax.
Workload attention(int64_t batch, int64_t heads, int64_t seq, int64_t d, bool quick = false) {
  Workload w;
  w.op = "attention";
  w.params = "batch=" + str(batch) + ",heads=" + str(heads) + ",seq=" + str(seq) + ",d=" + str(d);
  const tt::Shape shape{batch, heads, seq, d};
  w.inputs = {grad(shape), grad(shape), grad(shape)};
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  w.tinytorch = [scale](const tt::TensorList& x) {
    return tt::matmul(tt::softmax(tt::matmul(x[0], x[1].transpose(-2, -1)) * scale, -1), x[2]);
  };
  w.libtorch = [scale](const Inputs& x) {
    return torch::matmul(torch::softmax(torch::matmul(x[0], x[1].transpose(-2, -1)) * scale, -1), x[2]);
  };
  const double scores = static_cast<double>(batch) * heads * seq * seq;
  w.flops = 4 * scores * d + 6 * scores;
  w.bytes = kF32 * 4 * batch * heads * seq * d;
  w.items = batch * seq;
  w.quick = quick;
  w.atol = atol_for(std::max(seq, d));
  return w;
}

std::vector<Workload> workloads() {
  std::vector<Workload> w;
  for (int64_t n : {64, 128, 256, 512, 1024, 2048}) w.push_back(matmul(n, n, n, "", n == 256));
  w.push_back(matmul(128, 256, 784, "mlp_fc1", true));
  w.push_back(matmul(128, 10, 256, "mlp_fc2"));
  w.push_back(matmul(128, 128, 3136, "cnn_fc1"));
  w.push_back(matmul(2048, 768, 256, "transformer_qkv"));
  w.push_back(matmul(2048, 1024, 256, "transformer_ffn1"));

  w.push_back(linear(128, 784, 256, "mlp_fc1", true));
  w.push_back(linear(128, 3136, 128, "cnn_fc1"));
  w.push_back(linear(2048, 256, 256, "transformer_proj"));
  w.push_back(linear(2048, 256, 1024, "transformer_ffn1"));

  w.push_back(conv2d({64, 1, 32, 28}, "fmnist_conv1", true));
  w.push_back(conv2d({64, 32, 64, 14}, "fmnist_conv2", true));
  w.push_back(conv2d({128, 1, 32, 28}, "fmnist_conv1"));
  w.push_back(conv2d({128, 32, 64, 14}, "fmnist_conv2"));
  w.push_back(conv2d({64, 3, 64, 32}, "cifar_conv1"));
  w.push_back(conv2d({16, 64, 64, 32}, "cifar_block"));
  // The residual CNN of bench_train at batch 32 (widths 16, 32, 64).
  w.push_back(conv2d({32, 1, 16, 28, 3, 1, 1, false}, "resnet_stem"));
  w.push_back(conv2d({32, 16, 16, 28, 3, 1, 1, false}, "resnet_block1"));
  w.push_back(conv2d({32, 16, 32, 28, 3, 2, 1, false}, "resnet_down2"));
  w.push_back(conv2d({32, 16, 32, 28, 1, 2, 0, false}, "resnet_shortcut2"));
  w.push_back(conv2d({32, 32, 32, 14, 3, 1, 1, false}, "resnet_block2"));
  w.push_back(conv2d({32, 32, 64, 14, 3, 2, 1, false}, "resnet_down3"));
  w.push_back(conv2d({32, 64, 64, 7, 3, 1, 1, false}, "resnet_block3"));

  w.push_back(pool2d("max_pool2d", 64, 32, 28, true));
  w.push_back(pool2d("max_pool2d", 64, 64, 32));
  w.push_back(pool2d("avg_pool2d", 64, 32, 28));
  w.push_back(pool2d("avg_pool2d", 64, 64, 32));

  w.push_back(binary("add", 1024, 1024, false));
  w.push_back(binary("add", 4096, 256, true, true));
  w.push_back(binary("mul", 1024, 1024, false));
  w.push_back(binary("mul", 4096, 256, true));
  w.push_back(unary("relu", 1024, 1024, true));
  w.push_back(unary("gelu", 1024, 1024, true));
  w.push_back(mul_add(4096, 4096, true));  // 16M floats

  w.push_back(reduction("sum", 1024, 1024, false, true));
  w.push_back(reduction("sum", 4096, 256, true));
  w.push_back(reduction("mean", 1024, 1024, false));
  w.push_back(reduction("mean", 4096, 256, true));

  w.push_back(softmax_like("softmax", 4096, 512, true));
  w.push_back(softmax_like("softmax", 128, 10));
  w.push_back(softmax_like("log_softmax", 4096, 512));
  w.push_back(softmax_like("log_softmax", 128, 10));
  w.push_back(cross_entropy(512, 1000, true));
  w.push_back(cross_entropy(128, 10));

  w.push_back(layer_norm(2048, 256, true));
  w.push_back(batch_norm(64, 32, 28, true));
  w.push_back(batch_norm(64, 64, 32));
  w.push_back(embedding(10000, 256, 32, 128, true));
  w.push_back(embedding(256, 256, 32, 256));

  for (int64_t seq : {64, 128, 256, 512}) w.push_back(attention(4, 4, seq, 64, seq == 128));
  return w;
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<tt_bench::BenchCase> cases;
  for (const Workload& w : workloads())
    for (tt_bench::BenchCase& c : tt_bench::expand("ops", w)) cases.push_back(std::move(c));
  return tt_bench::run_suite("ops", cases, argc, argv,
                             {{"dataset_source", "synthetic: seeded tinytorch::Generator, copied into LibTorch"}});
}
