// Fashion-MNIST from its four IDX files; images stay as bytes and become float tensors per example.
#include "tinytorch/data/fashion_mnist.h"

#include <filesystem>

#include "tinytorch/ops/creation.h"

namespace tinytorch::data {
namespace {
// root/<stem>.gz, else root/<stem>; throws naming both and the package when neither exists.
std::string locate(const std::string& root, const std::string& stem) {
  const std::filesystem::path dir(root);
  const std::filesystem::path gz = dir / (stem + ".gz"), plain = dir / stem;
  if (std::filesystem::exists(gz)) return gz.string();
  if (std::filesystem::exists(plain)) return plain.string();
  throw Error(
      fmt::format("FashionMNIST: missing {} (nor an uncompressed {}); install the dataset with `apt-get "
                  "install dataset-fashion-mnist`, or pass the directory that holds the IDX files as root",
                  gz.string(), plain.string()));
}
}  // namespace

const std::array<const char*, 10> FashionMNIST::kClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

FashionMNIST::FashionMNIST(const std::string& root, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string image_path = locate(root, prefix + "-images-idx3-ubyte");
  const std::string label_path = locate(root, prefix + "-labels-idx1-ubyte");
  images_ = read_idx(image_path);
  labels_ = read_idx(label_path);
  TT_CHECK(images_.type == IdxType::UInt8 && images_.dims.size() == 3 && images_.dims[1] == 28 && images_.dims[2] == 28,
           "FashionMNIST: '{}' holds {} elements of type {}; expected ubyte images [N, 28, 28]", image_path,
           shape_str(images_.dims), idx_type_name(images_.type));
  TT_CHECK(labels_.type == IdxType::UInt8 && labels_.dims.size() == 1,
           "FashionMNIST: '{}' holds {} elements of type {}; expected ubyte labels [N]", label_path,
           shape_str(labels_.dims), idx_type_name(labels_.type));
  TT_CHECK(images_.dims[0] == labels_.dims[0], "FashionMNIST: '{}' has {} images but '{}' has {} labels", image_path,
           images_.dims[0], label_path, labels_.dims[0]);
  for (size_t i = 0; i < labels_.bytes.size(); ++i)
    TT_CHECK(labels_.bytes[i] < kClasses.size(), "FashionMNIST: label {} in '{}' is {}; classes are 0 to 9", i,
             label_path, labels_.bytes[i]);
}

Example FashionMNIST::get(int64_t index) const {
  TT_CHECK(index >= 0 && index < size(), "FashionMNIST: index {} is out of range for {} examples", index, size());
  constexpr int64_t kPixels = 28 * 28;
  Tensor image = empty({1, 28, 28}, kFloat32);
  float* out = image.data_ptr<float>();
  const uint8_t* in = images_.bytes.data() + index * kPixels;
  for (int64_t i = 0; i < kPixels; ++i) out[i] = static_cast<float>(in[i]) / 255.0f;
  return {image, scalar_tensor(static_cast<int64_t>(labels_.bytes[static_cast<size_t>(index)]), kInt64)};
}

}  // namespace tinytorch::data
