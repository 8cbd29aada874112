// Datasets, the IDX reader, Fashion-MNIST loading, transforms and the DataLoader. IDX files are
// generated here (plain and gzip, with the test's own big-endian encoder) and then damaged in every
// way the reader must name. DataLoader tests check that the batch sequence is the same for 0, 1, 2
// and 4 workers, that each epoch visits every example once, and that stopping early leaves no thread
// behind (counted in /proc/self/task). Transforms are compared with LibTorch where it has the same
// operation (Normalize, flip, constant padding).
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "support/expect_error.h"
#include "support/torch_bridge.h"
#include "tinytorch/data/data.h"

namespace {
namespace data = tt::data;
namespace fs = std::filesystem;

// A fresh directory per test under gtest's temp dir.
std::string temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::path(::testing::TempDir()) / (std::string("tt_data_") + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// ---- IDX encoding, independent of the reader ----

using Bytes = std::vector<uint8_t>;

void put_be(Bytes& out, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * (width - 1 - i))));
}

Bytes idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  Bytes out{0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) put_be(out, d, 4);
  return out;
}

void write_file(const std::string& path, const Bytes& bytes, bool gzip) {
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
    gzclose(file);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

TEST(ReadIdx, EveryElementTypePlainAndGzip) {
  const std::string dir = temp_dir();
  const std::vector<double> values{0, 1, -2, 100, -128, 127, 5};
  struct TypeCase {
    uint8_t code;
    size_t width;
    tt::DType dtype;
    std::function<uint64_t(double)> encode;
    std::function<double(double)> expect;
  };
  auto float_bits = [](double v) {
    const float f = static_cast<float>(v) / 3.0f;
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return uint64_t{u};
  };
  auto double_bits = [](double v) {
    const double d = v / 3.0;
    uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
  };
  const std::vector<TypeCase> cases = {
      {0x08, 1, tt::kInt64, [](double v) { return static_cast<uint64_t>(static_cast<uint8_t>(v + 128)); },
       [](double v) { return v + 128; }},
      {0x09, 1, tt::kInt64, [](double v) { return static_cast<uint64_t>(static_cast<int8_t>(v)); },
       [](double v) { return v; }},
      {0x0B, 2, tt::kInt64, [](double v) { return static_cast<uint64_t>(static_cast<int16_t>(v * 250)); },
       [](double v) { return v * 250; }},
      {0x0C, 4, tt::kInt64, [](double v) { return static_cast<uint64_t>(static_cast<int32_t>(v * 1e7)); },
       [](double v) { return v * 1e7; }},
      {0x0D, 4, tt::kFloat32, float_bits, [](double v) { return static_cast<double>(static_cast<float>(v) / 3.0f); }},
      {0x0E, 8, tt::kFloat64, double_bits, [](double v) { return v / 3.0; }},
  };
  for (const TypeCase& c : cases) {
    for (bool gzip : {false, true}) {
      SCOPED_TRACE(fmt::format("type 0x{:02x} gzip {}", c.code, gzip));
      Bytes bytes = idx_header(c.code, {7, 1});
      for (double v : values) put_be(bytes, c.encode(v), c.width);
      const std::string path = dir + (gzip ? "/a.idx.gz" : "/a.idx");
      write_file(path, bytes, gzip);
      const data::IdxArray array = data::read_idx(path);
      EXPECT_EQ(array.dims, (tt::Shape{7, 1}));
      const tt::Tensor t = array.to_tensor();
      ASSERT_EQ(t.dtype(), c.dtype);
      const std::vector<double> got = t.to_vector<double>();
      for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(got[i], c.expect(values[i])) << "element " << i;
    }
  }
}

TEST(ReadIdx, MalformedFilesAreNamedWithTheFault) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/bad.idx";
  auto check = [&](const Bytes& bytes, const std::vector<std::string>& parts) {
    write_file(path, bytes, false);
    std::vector<std::string> with_path = parts;
    with_path.push_back(path);
    EXPECT_TRUE(tt_test::throws_with([&] { data::read_idx(path); }, with_path));
  };
  Bytes good = idx_header(0x08, {2, 3});
  for (int i = 0; i < 6; ++i) good.push_back(static_cast<uint8_t>(i));

  EXPECT_TRUE(tt_test::throws_with([&] { data::read_idx(dir + "/absent.idx"); }, {"cannot open", dir + "/absent.idx"}));
  check({0, 0}, {"2 bytes long", "too short", "magic number"});
  check({0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0}, {"does not start with an IDX magic number", "0x50 0x4b"});
  check({0, 0, 0x0A, 1, 0, 0, 0, 1, 9}, {"unknown element type code 0x0a", "0x08 (ubyte)"});
  check({0, 0, 0x08, 0}, {"declares 0 dimensions"});
  check(Bytes(good.begin(), good.begin() + 10), {"ends after 10 bytes", "inside its header", "2 dimensions need 12"});
  check(Bytes(good.begin(), good.end() - 1), {"is truncated", "[2, 3]", "ubyte", "6 payload bytes", "only 5"});
  Bytes trailing = good;
  trailing.push_back(42);
  check(trailing, {"1 bytes after the 6-byte payload", "[2, 3]"});

  // gzip: a stream cut short, and one whose compressed data is scrambled.
  Bytes big = idx_header(0x08, {4000});
  for (int i = 0; i < 4000; ++i) big.push_back(static_cast<uint8_t>(i * 7919 % 251));
  write_file(path, big, true);
  const Bytes compressed = read_file(path);
  write_file(path, Bytes(compressed.begin(), compressed.begin() + static_cast<long>(compressed.size() / 2)), false);
  EXPECT_TRUE(
      tt_test::throws_with([&] { data::read_idx(path); }, {path, "damaged gzip stream", "truncated or corrupt"}));
  Bytes scrambled = compressed;
  for (size_t i = 20; i < scrambled.size() - 10; i += 3) scrambled[i] ^= 0x5a;
  write_file(path, scrambled, false);
  EXPECT_TRUE(tt_test::throws_with([&] { data::read_idx(path); }, {path, "damaged gzip stream"}));
}

// ---- Fashion-MNIST ----

// Writes a miniature Fashion-MNIST split (n images whose pixel p of image i is (i + p) mod 256).
void write_fashion_split(const std::string& dir, const std::string& prefix, uint32_t n, bool gzip,
                         uint8_t bad_label = 0) {
  Bytes images = idx_header(0x08, {n, 28, 28}), labels = idx_header(0x08, {n});
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t p = 0; p < 28 * 28; ++p) images.push_back(static_cast<uint8_t>((i + p) % 256));
    labels.push_back(static_cast<uint8_t>(i == n - 1 && bad_label ? bad_label : i % 10));
  }
  const std::string suffix = gzip ? ".gz" : "";
  write_file(dir + "/" + prefix + "-images-idx3-ubyte" + suffix, images, gzip);
  write_file(dir + "/" + prefix + "-labels-idx1-ubyte" + suffix, labels, gzip);
}

TEST(FashionMNIST, ReadsGeneratedFilesCompressedOrNot) {
  const std::string dir = temp_dir();
  write_fashion_split(dir, "train", 12, true);
  write_fashion_split(dir, "t10k", 5, false);
  data::FashionMNIST train(dir, true), test(dir, false);
  ASSERT_EQ(train.size(), 12);
  ASSERT_EQ(test.size(), 5);
  const data::Example e = train.get(11);
  EXPECT_EQ(e.data.sizes(), (tt::Shape{1, 28, 28}));
  EXPECT_EQ(e.data.dtype(), tt::kFloat32);
  EXPECT_EQ(e.target.dim(), 0);
  EXPECT_EQ(e.target.item<int64_t>(), 1);
  const std::vector<float> pixels = e.data.to_vector<float>();
  for (size_t p = 0; p < pixels.size(); ++p) ASSERT_EQ(pixels[p], static_cast<float>((11 + p) % 256) / 255.0f);
  EXPECT_TRUE(tt_test::throws_with([&] { train.get(12); }, {"FashionMNIST", "index 12", "12 examples"}));
}

TEST(FashionMNIST, MissingOrInconsistentFilesAreExplained) {
  const std::string dir = temp_dir();
  EXPECT_TRUE(tt_test::throws_with([&] { data::FashionMNIST(dir + "/nowhere"); },
                                   {"FashionMNIST: missing " + dir + "/nowhere/train-images-idx3-ubyte.gz",
                                    "apt-get install dataset-fashion-mnist"}));
  write_fashion_split(dir, "train", 4, true, 10);
  EXPECT_TRUE(tt_test::throws_with([&] { data::FashionMNIST{dir}; }, {"label 3", "is 10", "0 to 9"}));
  Bytes labels = idx_header(0x08, {3});
  labels.insert(labels.end(), {1, 2, 3});
  write_file(dir + "/train-labels-idx1-ubyte.gz", labels, true);
  EXPECT_TRUE(tt_test::throws_with([&] { data::FashionMNIST{dir}; }, {"4 images", "3 labels"}));
}

TEST(FashionMNIST, InstalledTestSplitIsComplete) {
  if (!fs::exists(std::string(data::FashionMNIST::kDefaultRoot) + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  data::FashionMNIST test(data::FashionMNIST::kDefaultRoot, false);
  ASSERT_EQ(test.size(), 10000);
  std::vector<int> per_class(10, 0);
  for (int64_t i = 0; i < test.size(); i += 1) ++per_class[static_cast<size_t>(test.get(i).target.item<int64_t>())];
  for (int count : per_class) EXPECT_EQ(count, 1000);  // the test split is balanced by construction
}

// ---- TensorDataset and the DataLoader ----

// Example i has data [i, i, i] and target i, so a batch's content identifies its indices.
std::shared_ptr<data::TensorDataset> counting_dataset(int64_t n) {
  tt::Tensor ids = tt::arange(n);
  return std::make_shared<data::TensorDataset>(ids.to(tt::kFloat32).unsqueeze(1).expand({n, 3}).contiguous(), ids);
}

int64_t thread_count() {
  int64_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}

using Epochs = std::vector<std::vector<std::vector<int64_t>>>;

Epochs run_epochs(data::DataLoader& loader, int epochs) {
  Epochs out;
  for (int e = 0; e < epochs; ++e) {
    out.emplace_back();
    for (data::Batch& batch : loader) {
      const std::vector<int64_t> targets = batch.target.to_vector<int64_t>();
      EXPECT_EQ(targets, batch.indices);
      const std::vector<float> first_column = batch.data.select(1, 0).to_vector<float>();
      for (size_t i = 0; i < targets.size(); ++i) EXPECT_EQ(first_column[i], static_cast<float>(targets[i]));
      out.back().push_back(targets);
    }
  }
  return out;
}

TEST(TensorDataset, ServesRowsAndRejectsMismatchedLengths) {
  auto ds = counting_dataset(5);
  EXPECT_EQ(ds->size(), 5);
  EXPECT_EQ(ds->get(3).target.item<int64_t>(), 3);
  EXPECT_TRUE(tt_test::throws_with(
      [] {
        data::TensorDataset(tt::zeros({4, 2}), tt::zeros({3}));
      },
      {"TensorDataset", "[4, 2]", "[3]"}));
  EXPECT_TRUE(tt_test::throws_with([&] { ds->get(5); }, {"TensorDataset", "index 5"}));
}

TEST(DataLoader, BatchOrderIsIdenticalForAnyNumberOfWorkers) {
  auto ds = counting_dataset(103);
  data::DataLoaderOptions options;
  options.batch_size = 8;
  options.shuffle = true;
  options.seed = 42;
  Epochs reference;
  for (int64_t workers : {0, 1, 2, 4}) {
    SCOPED_TRACE(fmt::format("{} workers", workers));
    options.num_workers = workers;
    data::DataLoader loader(ds, options);
    const Epochs epochs = run_epochs(loader, 3);
    if (workers == 0) {
      reference = epochs;
      EXPECT_NE(epochs[0], epochs[1]);  // reshuffled every epoch
      EXPECT_EQ(epochs[0], loader.batch_indices(0));
    }
    EXPECT_EQ(epochs, reference);
  }
}

TEST(DataLoader, EveryExampleOncePerEpochAndDropLast) {
  auto ds = counting_dataset(103);
  for (bool drop_last : {false, true}) {
    data::DataLoaderOptions options;
    options.batch_size = 8;
    options.shuffle = true;
    options.drop_last = drop_last;
    options.num_workers = 3;
    data::DataLoader loader(ds, options);
    EXPECT_EQ(loader.size(), drop_last ? 12 : 13);
    for (const auto& epoch : run_epochs(loader, 2)) {
      ASSERT_EQ(static_cast<int64_t>(epoch.size()), loader.size());
      std::multiset<int64_t> seen;
      for (size_t b = 0; b < epoch.size(); ++b) {
        EXPECT_EQ(epoch[b].size(), b + 1 == epoch.size() && !drop_last ? 7u : 8u);
        seen.insert(epoch[b].begin(), epoch[b].end());
      }
      EXPECT_EQ(seen.size(), drop_last ? 96u : 103u);
      EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), seen.size()) << "an example came twice";
    }
  }
  data::DataLoaderOptions in_order;
  in_order.batch_size = 50;
  data::DataLoader sequential(ds, in_order);
  const Epochs epochs = run_epochs(sequential, 1);
  EXPECT_EQ(epochs[0][0].front(), 0);
  EXPECT_EQ(epochs[0][2], (std::vector<int64_t>{100, 101, 102}));
}

TEST(DataLoader, StoppingMidEpochJoinsEveryWorker) {
  auto ds = counting_dataset(400);
  data::DataLoaderOptions options;
  options.batch_size = 4;
  options.num_workers = 4;
  options.shuffle = true;
  {
    data::DataLoader warm_up(ds, options);  // lets lazily started pools settle before counting
    run_epochs(warm_up, 1);
  }
  const int64_t baseline = thread_count();
  data::DataLoader loader(ds, options);
  int64_t seen = 0;
  for (data::Batch& batch : loader) {
    EXPECT_GT(thread_count(), baseline);  // the workers are alive while the epoch runs
    if (++seen == 3) break;
    (void)batch;
  }
  EXPECT_EQ(thread_count(), baseline) << "break left worker threads running";

  // begin() of the next epoch stops an unfinished one; destroying the loader stops a running one
  // even while an iterator outlives it.
  data::DataLoader::Iterator survivor;
  {
    data::DataLoader short_lived(ds, options);
    auto first = short_lived.begin();
    survivor = short_lived.begin();
    EXPECT_EQ(thread_count(), baseline + 4);
    ++survivor;
  }
  EXPECT_EQ(thread_count(), baseline) << "destroying the loader left worker threads running";
  EXPECT_TRUE(++survivor == data::DataLoader::Iterator());
}

class FailingDataset : public data::Dataset {
 public:
  int64_t size() const override { return 40; }
  data::Example get(int64_t index) const override {
    TT_CHECK(index != 13, "FailingDataset: example {} is unreadable", index);
    return {tt::zeros({2}), tt::scalar_tensor(index, tt::kInt64)};
  }
};

TEST(DataLoader, WorkerErrorsSurfaceAtTheirBatch) {
  for (int64_t workers : {0, 2}) {
    data::DataLoaderOptions options;
    options.batch_size = 5;
    options.num_workers = workers;
    data::DataLoader loader(std::make_shared<FailingDataset>(), options);
    int64_t delivered = 0;
    EXPECT_TRUE(tt_test::throws_with(
        [&] {
          for ([[maybe_unused]] data::Batch& batch : loader) ++delivered;
        },
        {"FailingDataset: example 13 is unreadable"}));
    EXPECT_EQ(delivered, 2);  // batches 0 and 1; batch 2 holds example 13
  }
  EXPECT_TRUE(tt_test::throws_with(
      [] {
        data::collate({{tt::zeros({3}), tt::zeros({})}, {tt::zeros({4}), tt::zeros({})}}, {7, 9});
      },
      {"collate", "example 9", "[4]", "example 7", "[3]"}));
  EXPECT_TRUE(tt_test::throws_with([&] { data::DataLoader(counting_dataset(3), data::DataLoaderOptions{0}); },
                                   {"batch_size", "0"}));
}

// ---- transforms ----

TEST(Transforms, NormalizeMatchesLibTorch) {
  torch::manual_seed(0);
  const at::Tensor x = torch::rand({3, 5, 4});
  tt::Generator gen(1);
  data::Normalize normalize({0.5, 0.25, 0.1}, {0.2, 0.3, 0.4});
  torch::data::transforms::Normalize<> theirs({0.5, 0.25, 0.1}, {0.2, 0.3, 0.4});
  EXPECT_TRUE(tt_test::all_close(normalize(tt_test::from_torch(x), gen), theirs(x), 1e-6, 1e-7, "normalize"));
  EXPECT_TRUE(tt_test::throws_with(
      [&] {
        normalize(tt::zeros({2, 5, 4}), gen);
      },
      {"Normalize", "3 channel values", "[2, 5, 4]"}));
}

TEST(Transforms, RandomCropCoversEveryWindowOfThePaddedImage) {
  torch::manual_seed(0);
  const at::Tensor x = torch::rand({2, 6, 5});
  const at::Tensor padded = torch::constant_pad_nd(x, {2, 2, 2, 2});  // 10 x 9
  data::RandomCrop crop(4, 2);
  std::set<std::pair<int64_t, int64_t>> positions;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    tt::Generator gen(seed);
    const at::Tensor out = tt_test::to_torch(crop(tt_test::from_torch(x), gen));
    ASSERT_EQ(out.sizes(), at::IntArrayRef({2, 4, 4}));
    bool found = false;
    for (int64_t top = 0; top <= 6 && !found; ++top)
      for (int64_t left = 0; left <= 5 && !found; ++left)
        if (torch::equal(out, padded.narrow(1, top, 4).narrow(2, left, 4))) {
          positions.emplace(top, left);
          found = true;
        }
    ASSERT_TRUE(found) << "seed " << seed << " gave a crop that is no window of the padded image";
  }
  EXPECT_EQ(positions.size(), 7u * 6u);
  tt::Generator gen(3), same(3);
  EXPECT_TRUE(tt_test::all_close(crop(tt_test::from_torch(x), gen),
                                 tt_test::to_torch(crop(tt_test::from_torch(x), same)), 0, 0, "same seed"));
  EXPECT_TRUE(tt_test::throws_with([&] { data::RandomCrop(11, 2)(tt_test::from_torch(x), gen); },
                                   {"RandomCrop", "11x11", "[2, 6, 5]", "padded by 2"}));
}

TEST(Transforms, RandomHorizontalFlipMatchesTorchFlip) {
  const at::Tensor x = torch::arange(24, torch::kFloat32).view({2, 3, 4});
  tt::Generator gen(5);
  EXPECT_TRUE(tt_test::all_close(data::RandomHorizontalFlip(1.0)(tt_test::from_torch(x), gen), torch::flip(x, {-1}), 0,
                                 0, "p = 1"));
  EXPECT_TRUE(tt_test::all_close(data::RandomHorizontalFlip(0.0)(tt_test::from_torch(x), gen), x, 0, 0, "p = 0"));
  data::RandomHorizontalFlip half;
  int flips = 0;
  for (int i = 0; i < 2000; ++i) flips += half(tt_test::from_torch(x), gen).to_vector<float>()[0] == 3.0f;
  EXPECT_NEAR(flips / 2000.0, 0.5, 0.05);
  EXPECT_TRUE(tt_test::throws_with([] { data::RandomHorizontalFlip(1.5); }, {"RandomHorizontalFlip", "1.5"}));
}

TEST(Transforms, ComposeAppliesInOrderWithOneGenerator) {
  torch::manual_seed(1);
  const tt::Tensor x = tt_test::from_torch(torch::rand({1, 8, 8}));
  auto crop = std::make_shared<data::RandomCrop>(6, 1);
  auto flip = std::make_shared<data::RandomHorizontalFlip>();
  auto norm = std::make_shared<data::Normalize>(std::vector<double>{0.5}, std::vector<double>{0.25});
  data::Compose compose({crop, flip, norm});
  for (uint64_t seed = 0; seed < 10; ++seed) {
    tt::Generator a(seed), b(seed);
    const tt::Tensor by_hand = (*norm)((*flip)((*crop)(x, b), b), b);
    EXPECT_TRUE(tt_test::all_close(compose(x, a), tt_test::to_torch(by_hand), 0, 0, "compose"));
  }
}

TEST(Transforms, AugmentedBatchesDoNotDependOnWorkersButChangePerEpoch) {
  tt::Tensor images = tt::rand({30, 1, 6, 6});
  auto base = std::make_shared<data::TensorDataset>(images, tt::arange(30));
  auto augment = std::make_shared<data::Compose>(std::vector<std::shared_ptr<data::Transform>>{
      std::make_shared<data::RandomCrop>(6, 2), std::make_shared<data::RandomHorizontalFlip>()});
  auto ds = std::make_shared<data::TransformDataset>(base, augment, 17);
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t workers : {0, 3}) {
    data::DataLoaderOptions options;
    options.batch_size = 4;
    options.num_workers = workers;
    data::DataLoader loader(ds, options);
    runs.emplace_back();
    for (int epoch = 0; epoch < 2; ++epoch)
      for (data::Batch& batch : loader) runs.back().push_back(tt_test::to_torch(batch.data));
  }
  ASSERT_EQ(runs[0].size(), runs[1].size());
  for (size_t i = 0; i < runs[0].size(); ++i) EXPECT_TRUE(torch::equal(runs[0][i], runs[1][i])) << "batch " << i;
  const size_t per_epoch = runs[0].size() / 2;
  EXPECT_FALSE(torch::equal(runs[0][0], runs[0][per_epoch])) << "augmentation repeated across epochs";
}

}  // namespace
