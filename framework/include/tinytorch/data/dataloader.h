// DataLoader: batches of a Dataset, optionally shuffled, built by worker threads ahead of use.
//
//   data::DataLoaderOptions options;
//   options.batch_size = 64;
//   options.shuffle = true;
//   data::DataLoader loader(dataset, options);
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (data::Batch& batch : loader) { ... batch.data, batch.target ... }
//
// Each begin() starts a new epoch. Its order is fixed by (seed, epoch) alone: the permutation is
// drawn from them, batch b goes to worker b mod num_workers, and batches are delivered in order, so
// the sequence of batches is identical for any number of workers (0 builds them on the calling
// thread). Each worker keeps at most `prefetch` finished batches queued. Leaving the loop early
// (break, exception) or destroying the loader stops and joins the workers; an exception thrown while
// building a batch is rethrown where that batch is consumed.
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "tinytorch/data/dataset.h"

namespace tinytorch::data {

struct Batch {
  Tensor data;                   // the examples' data stacked along a new dim 0
  Tensor target;                 // the examples' targets stacked along a new dim 0
  std::vector<int64_t> indices;  // dataset index of each example
};

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  uint64_t seed = 0;
  bool drop_last = false;  // drop a final batch smaller than batch_size
  int64_t num_workers = 0;
  int64_t prefetch = 2;  // finished batches each worker may hold ahead of the consumer
};

// Stacks examples into a batch; throws naming the indices when their shapes differ.
Batch collate(const std::vector<Example>& examples, const std::vector<int64_t>& indices);

class DataLoader {
  class Epoch;

 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = Batch*;
    using reference = Batch&;

    Iterator() = default;
    Batch& operator*() { return *current_; }
    Batch* operator->() { return &*current_; }
    Iterator& operator++();
    // Iterators compare equal when both are exhausted (the end iterator always is).
    bool operator==(const Iterator& other) const { return done() == other.done(); }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    friend class DataLoader;
    explicit Iterator(std::shared_ptr<Epoch> epoch);
    bool done() const { return !current_.has_value(); }

    std::shared_ptr<Epoch> epoch_;
    std::optional<Batch> current_;
  };

  DataLoader(std::shared_ptr<Dataset> dataset, DataLoaderOptions options);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // Starts the next epoch, first stopping an unfinished one.
  Iterator begin();
  Iterator end() { return Iterator(); }

  int64_t size() const;  // batches per epoch
  int64_t epochs_started() const { return epoch_; }
  const DataLoaderOptions& options() const { return options_; }
  // The dataset indices of each batch of `epoch` (0-based), in delivery order.
  std::vector<std::vector<int64_t>> batch_indices(int64_t epoch) const;

 private:
  std::shared_ptr<Dataset> dataset_;
  DataLoaderOptions options_;
  int64_t epoch_ = 0;
  std::weak_ptr<Epoch> running_;
};

}  // namespace tinytorch::data
