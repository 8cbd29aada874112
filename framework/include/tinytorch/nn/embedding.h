// nn::Embedding: a lookup table of num_embeddings vectors of size embedding_dim, indexed by int64
// tensors of any shape, as torch.nn.Embedding (max_norm and sparse gradients are not supported).
#pragma once

#include <optional>

#include "tinytorch/generator.h"
#include "tinytorch/nn/module.h"
#include "tinytorch/nn/options.h"

namespace tinytorch::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  TT_NN_ARG(int64_t, num_embeddings);
  TT_NN_ARG(int64_t, embedding_dim);
  // The row that is initialised to zeros and gets no gradient; negative values count from the end.
  TT_NN_ARG(std::optional<int64_t>, padding_idx);
};

class Embedding : public Module {
 public:
  explicit Embedding(const EmbeddingOptions& options);
  Embedding(int64_t num_embeddings, int64_t embedding_dim)
      : Embedding(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  Tensor forward(const Tensor& indices) override;
  // PyTorch's default: weight ~ N(0, 1), with the padding row zeroed.
  void reset_parameters(Generator* generator = nullptr);
  std::string extra_repr() const override;

  EmbeddingOptions options;
  Tensor weight;  // [num_embeddings, embedding_dim]

 private:
  int64_t padding_row_ = -1;  // padding_idx wrapped to [0, num_embeddings), or -1
};

}  // namespace tinytorch::nn
