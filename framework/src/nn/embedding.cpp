// nn::Embedding: N(0, 1) initialisation with a zeroed padding row, forward through tt::embedding.
#include "tinytorch/nn/embedding.h"

#include "tinytorch/grad_mode.h"
#include "tinytorch/nn/init.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/indexing.h"

namespace tinytorch::nn {

Embedding::Embedding(const EmbeddingOptions& options_) : Module("Embedding"), options(options_) {
  const int64_t rows = options.num_embeddings(), width = options.embedding_dim();
  TT_CHECK(rows > 0 && width > 0, "Embedding: num_embeddings ({}) and embedding_dim ({}) must be positive", rows,
           width);
  if (const auto idx = options.padding_idx()) {
    TT_CHECK(*idx >= -rows && *idx < rows, "Embedding: padding_idx {} must be within [-{}, {}) for {} embeddings", *idx,
             rows, rows, rows);
    padding_row_ = *idx < 0 ? *idx + rows : *idx;
  }
  weight = register_parameter("weight", empty({rows, width}));
  reset_parameters();
}

void Embedding::reset_parameters(Generator* generator) {
  init::normal_(weight, 0.0, 1.0, generator);
  if (padding_row_ >= 0) {
    NoGradGuard no_grad;
    weight.select(0, padding_row_).zero_();
  }
}

Tensor Embedding::forward(const Tensor& indices) { return embedding(weight, indices, padding_row_); }

std::string Embedding::extra_repr() const {
  std::string out = fmt::format("{}, {}", options.num_embeddings(), options.embedding_dim());
  if (padding_row_ >= 0) out += fmt::format(", padding_idx={}", padding_row_);
  return out;
}

}  // namespace tinytorch::nn
