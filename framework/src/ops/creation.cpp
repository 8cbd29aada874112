// Tensor factories.
#include "tinytorch/ops/creation.h"

#include <cmath>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/kernel_table.h"

namespace tinytorch {
namespace {
void check_shape(const Shape& shape, const char* op) {
  for (int64_t s : shape)
    TT_CHECK(s >= 0, "{}: negative dimension {} in shape {}; sizes must be >= 0", op, s, shape_str(shape));
}

// Fills a new tensor element by element from `next()` (used by the random and range factories).
template <class Next>
Tensor generate(const Shape& shape, TensorOptions options, Next&& next) {
  Tensor out = empty(shape, options.requires_grad(false));  // keeps the device
  kernels::dispatch_all(options.dtype(), "generate", [&](auto tag) {
    using T = decltype(tag);
    T* data = out.data_ptr<T>();
    for (int64_t i = 0; i < out.numel(); ++i) data[i] = static_cast<T>(next(i));
  });
  return out.requires_grad_(options.requires_grad());
}

Generator& pick(Generator* generator) { return generator ? *generator : default_generator(); }
}  // namespace

Tensor empty(const Shape& shape, TensorOptions options) {
  check_shape(shape, "empty");
  auto storage = std::make_shared<Storage>(numel_of(shape) * element_size(options.dtype()), options.device());
  Tensor out(std::make_shared<TensorImpl>(std::move(storage), shape, contiguous_strides(shape), 0, options.dtype()));
  if (options.requires_grad()) out.requires_grad_();
  return out;
}

Tensor full(const Shape& shape, const Scalar& value, TensorOptions options) {
  Tensor out = empty(shape, options.requires_grad(false));  // keeps the device
  kernels::active_kernels().fill(out, value.to_double());
  return out.requires_grad_(options.requires_grad());
}

Tensor zeros(const Shape& shape, TensorOptions options) { return full(shape, 0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return full(shape, 1, options); }
Tensor scalar_tensor(const Scalar& value, TensorOptions options) { return full({}, value, options); }

Tensor arange(const Scalar& end, std::optional<TensorOptions> options) { return arange(0, end, 1, options); }

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, std::optional<TensorOptions> options) {
  if (!options) options = start.is_integral() && end.is_integral() && step.is_integral() ? kInt64 : kFloat32;
  const double s = start.to_double(), e = end.to_double(), st = step.to_double();
  TT_CHECK(st != 0, "arange: step must be nonzero");
  TT_CHECK((st > 0 && e >= s) || (st < 0 && e <= s),
           "arange: range [{}, {}) is empty or runs against step {}; swap start and end or flip the step's sign", s, e,
           st);
  const auto n = static_cast<int64_t>(std::ceil((e - s) / st));
  return generate({n}, *options, [&](int64_t i) { return s + static_cast<double>(i) * st; });
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions options) {
  TT_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got {}", steps);
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  // Fill symmetric halves from each end, as PyTorch does, so the last value is exactly `end`.
  return generate({steps}, options, [&](int64_t i) {
    if (steps == 1) return start;
    return i < steps / 2 ? start + step * static_cast<double>(i) : end - step * static_cast<double>(steps - 1 - i);
  });
}

Tensor eye(int64_t n, std::optional<int64_t> m, TensorOptions options) {
  const int64_t cols = m.value_or(n);
  TT_CHECK(n >= 0 && cols >= 0, "eye: sizes must be non-negative, got {} x {}", n, cols);
  return generate({n, cols}, options, [&](int64_t i) { return i / cols == i % cols ? 1.0 : 0.0; });
}

Tensor rand(const Shape& shape, TensorOptions options, Generator* generator) {
  TT_CHECK(is_floating(options.dtype()), "rand: dtype must be floating point, got {}", dtype_name(options.dtype()));
  Generator& gen = pick(generator);
  return generate(shape, options, [&](int64_t) { return gen.next_uniform(); });
}

Tensor randn(const Shape& shape, TensorOptions options, Generator* generator) {
  TT_CHECK(is_floating(options.dtype()), "randn: dtype must be floating point, got {}", dtype_name(options.dtype()));
  Generator& gen = pick(generator);
  return generate(shape, options, [&](int64_t) { return gen.next_normal(); });
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options, Generator* generator) {
  TT_CHECK(high > low, "randint: high ({}) must be greater than low ({})", high, low);
  Generator& gen = pick(generator);
  const auto range = static_cast<uint64_t>(high - low);
  return generate(shape, options, [&](int64_t) { return static_cast<double>(low + static_cast<int64_t>(gen.next_u64() % range)); });
}

Tensor empty_like(const Tensor& like, std::optional<DType> dtype) { return empty(like.sizes(), dtype.value_or(like.dtype())); }
Tensor zeros_like(const Tensor& like, std::optional<DType> dtype) { return zeros(like.sizes(), dtype.value_or(like.dtype())); }
Tensor ones_like(const Tensor& like, std::optional<DType> dtype) { return ones(like.sizes(), dtype.value_or(like.dtype())); }
Tensor full_like(const Tensor& like, const Scalar& value, std::optional<DType> dtype) {
  return full(like.sizes(), value, dtype.value_or(like.dtype()));
}
Tensor rand_like(const Tensor& like, Generator* generator) { return rand(like.sizes(), like.dtype(), generator); }
Tensor randn_like(const Tensor& like, Generator* generator) { return randn(like.sizes(), like.dtype(), generator); }

template <class T>
Tensor tensor(const std::vector<T>& values, const Shape& shape, std::optional<TensorOptions> options) {
  const Shape target = shape.empty() ? Shape{static_cast<int64_t>(values.size())} : shape;
  TT_CHECK(numel_of(target) == static_cast<int64_t>(values.size()),
           "tensor: {} values cannot fill shape {} ({} elements); pass a matching shape", values.size(),
           shape_str(target), numel_of(target));
  // As torch::tensor in C++: floating literals give the default dtype (float32) unless told otherwise.
  const DType fallback = std::is_same_v<T, double> ? kFloat32 : dtype_of<T>::value;
  Tensor out = from_buffer(values.data(), target, dtype_of<T>::value).to(options ? options->dtype() : fallback);
  return out.requires_grad_(options && options->requires_grad());
}

template Tensor tensor<float>(const std::vector<float>&, const Shape&, std::optional<TensorOptions>);
template Tensor tensor<double>(const std::vector<double>&, const Shape&, std::optional<TensorOptions>);
template Tensor tensor<int64_t>(const std::vector<int64_t>&, const Shape&, std::optional<TensorOptions>);

template <>
Tensor tensor<bool>(const std::vector<bool>& values, const Shape& shape, std::optional<TensorOptions> options) {
  std::vector<int64_t> widened(values.begin(), values.end());
  Tensor out = tensor(widened, shape).to(kBool);
  return options ? out.to(options->dtype()) : out;
}

template <>
Tensor tensor<int>(const std::vector<int>& values, const Shape& shape, std::optional<TensorOptions> options) {
  return tensor(std::vector<int64_t>(values.begin(), values.end()), shape, options);
}

Tensor from_blob(void* data, const Shape& shape, DType dtype, const Shape& strides) {
  check_shape(shape, "from_blob");
  const Shape actual_strides = strides.empty() ? contiguous_strides(shape) : strides;
  TT_CHECK(actual_strides.size() == shape.size(), "from_blob: {} strides given for shape {}; give one per dim",
           actual_strides.size(), shape_str(shape));
  int64_t extent = 1;
  for (size_t d = 0; d < shape.size(); ++d) extent += (shape[d] - 1) * actual_strides[d];
  auto storage = std::make_shared<Storage>(data, static_cast<size_t>(extent) * element_size(dtype));
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), shape, actual_strides, 0, dtype));
}

Tensor from_buffer(const void* data, const Shape& shape, DType dtype) {
  Tensor out = empty(shape, dtype);
  std::memcpy(out.raw_data(), data, static_cast<size_t>(out.numel()) * element_size(dtype));
  return out;
}

}  // namespace tinytorch
