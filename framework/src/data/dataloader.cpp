// DataLoader: the per-epoch batch plan, the worker threads that fill one bounded queue each, and
// the in-order hand-off to the consuming thread.
#include "tinytorch/data/dataloader.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "tinytorch/generator.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch::data {

Batch collate(const std::vector<Example>& examples, const std::vector<int64_t>& indices) {
  TT_CHECK(!examples.empty(), "collate: a batch needs at least one example");
  TensorList data, targets;
  for (size_t i = 0; i < examples.size(); ++i) {
    const Example& e = examples[i];
    TT_CHECK(e.data.sizes() == examples[0].data.sizes() && e.target.sizes() == examples[0].target.sizes(),
             "collate: example {} has data {} and target {} but example {} of the same batch has {} and {}; "
             "examples must share shapes to be stacked (resize or crop them in a transform)",
             indices[i], shape_str(e.data.sizes()), shape_str(e.target.sizes()), indices[0],
             shape_str(examples[0].data.sizes()), shape_str(examples[0].target.sizes()));
    data.push_back(e.data);
    targets.push_back(e.target);
  }
  return {stack(data), stack(targets), indices};
}

// One pass over the data. Worker w builds batches w, w + W, w + 2W, ... into its own queue of at
// most `prefetch` batches; the consumer takes batch b from queue b mod W, so delivery order is the
// plan's order whatever the timing. Destruction stops and joins the workers.
class DataLoader::Epoch {
 public:
  Epoch(std::shared_ptr<Dataset> dataset, std::vector<std::vector<int64_t>> plan, int64_t workers, int64_t prefetch)
      : dataset_(std::move(dataset)), plan_(std::move(plan)), prefetch_(static_cast<size_t>(prefetch)) {
    queues_.resize(static_cast<size_t>(workers));
    for (int64_t w = 0; w < workers; ++w) threads_.emplace_back([this, w, workers] { work(w, workers); });
  }
  ~Epoch() { stop(); }
  Epoch(const Epoch&) = delete;
  Epoch& operator=(const Epoch&) = delete;

  // The next batch in plan order, or nullopt after the last one (or once stopped).
  std::optional<Batch> next() {
    if (next_ >= plan_.size() || stopping_) return std::nullopt;
    const size_t b = next_++;
    if (threads_.empty()) return build(b);
    Queue& queue = queues_[b % queues_.size()];
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return !queue.items.empty() || stopping_; });
    if (queue.items.empty()) return std::nullopt;
    Item item = std::move(queue.items.front());
    queue.items.pop_front();
    lock.unlock();
    space_.notify_all();
    if (item.error) {
      next_ = plan_.size();  // the failed worker built nothing after this batch
      std::rethrow_exception(item.error);
    }
    return std::move(item.batch);
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    space_.notify_all();
    ready_.notify_all();
    for (std::thread& thread : threads_)
      if (thread.joinable()) thread.join();
  }

 private:
  struct Item {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };
  struct Queue {
    std::deque<Item> items;
  };

  Batch build(size_t b) const {
    const std::vector<int64_t>& indices = plan_[b];
    std::vector<Example> examples;
    examples.reserve(indices.size());
    for (int64_t index : indices) examples.push_back(dataset_->get(index));
    return collate(examples, indices);
  }

  void work(int64_t w, int64_t workers) {
    Queue& queue = queues_[static_cast<size_t>(w)];
    for (size_t b = static_cast<size_t>(w); b < plan_.size(); b += static_cast<size_t>(workers)) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        space_.wait(lock, [&] { return queue.items.size() < prefetch_ || stopping_; });
        if (stopping_) return;
      }
      Item item;
      try {
        item.batch = build(b);
      } catch (...) {
        item.error = std::current_exception();
      }
      const bool failed = item.error != nullptr;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        queue.items.push_back(std::move(item));
      }
      ready_.notify_all();
      if (failed) return;  // the consumer rethrows at this batch; later ones are never wanted
    }
  }

  std::shared_ptr<Dataset> dataset_;
  const std::vector<std::vector<int64_t>> plan_;
  const size_t prefetch_;
  size_t next_ = 0;  // consumer side only
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::vector<Queue> queues_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

DataLoader::Iterator::Iterator(std::shared_ptr<Epoch> epoch) : epoch_(std::move(epoch)) { ++*this; }

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  current_.reset();
  if (epoch_) current_ = epoch_->next();
  if (!current_) epoch_.reset();  // the last holder's reset joins the (finished) workers
  return *this;
}

DataLoader::DataLoader(std::shared_ptr<Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  TT_CHECK(dataset_ != nullptr, "DataLoader: the dataset is null");
  TT_CHECK(options_.batch_size > 0, "DataLoader: batch_size must be positive, got {}", options_.batch_size);
  TT_CHECK(options_.num_workers >= 0, "DataLoader: num_workers must be >= 0, got {}", options_.num_workers);
  TT_CHECK(options_.prefetch > 0, "DataLoader: prefetch must be positive, got {}", options_.prefetch);
}

DataLoader::~DataLoader() {
  if (auto running = running_.lock()) running->stop();
}

int64_t DataLoader::size() const {
  const int64_t n = dataset_->size();
  return options_.drop_last ? n / options_.batch_size : (n + options_.batch_size - 1) / options_.batch_size;
}

std::vector<std::vector<int64_t>> DataLoader::batch_indices(int64_t epoch) const {
  const int64_t n = dataset_->size();
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  if (options_.shuffle) {
    // Fisher-Yates from a generator that depends on (seed, epoch) only.
    Generator generator(options_.seed ^ (0x9e3779b97f4a7c15ull * static_cast<uint64_t>(epoch + 1)));
    for (int64_t i = n - 1; i > 0; --i) {
      const auto j = static_cast<int64_t>(generator.next_u64() % static_cast<uint64_t>(i + 1));
      std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
  }
  std::vector<std::vector<int64_t>> plan;
  for (int64_t start = 0; start < n; start += options_.batch_size) {
    const int64_t stop = std::min(start + options_.batch_size, n);
    if (stop - start < options_.batch_size && options_.drop_last) break;
    plan.emplace_back(order.begin() + start, order.begin() + stop);
  }
  return plan;
}

DataLoader::Iterator DataLoader::begin() {
  if (auto running = running_.lock()) running->stop();
  const int64_t epoch = epoch_++;
  dataset_->set_epoch(epoch);
  auto pass = std::make_shared<Epoch>(dataset_, batch_indices(epoch), options_.num_workers, options_.prefetch);
  running_ = pass;
  return Iterator(std::move(pass));
}

}  // namespace tinytorch::data
