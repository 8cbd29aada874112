// Reader for the IDX format of (Fashion-)MNIST, plain or gzip-compressed (detected from the
// content, not the name). Layout: two zero bytes, an element type code, the number of dimensions,
// then each dimension as a big-endian uint32, then the elements in big-endian row-major order.
// Every malformation (short or foreign magic number, unknown type code, truncated header or
// payload, trailing bytes, broken gzip stream) throws tinytorch::Error naming the file and the fault.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinytorch/tensor.h"

namespace tinytorch::data {

enum class IdxType : uint8_t { UInt8 = 0x08, Int8 = 0x09, Int16 = 0x0B, Int32 = 0x0C, Float32 = 0x0D, Float64 = 0x0E };

const char* idx_type_name(IdxType type);  // "ubyte", "byte", "short", "int", "float", "double"
size_t idx_element_size(IdxType type);

struct IdxArray {
  IdxType type = IdxType::UInt8;
  Shape dims;
  std::vector<uint8_t> bytes;  // the elements, already converted to host byte order

  int64_t numel() const { return numel_of(dims); }
  // The elements as a tensor of shape dims: integer types become int64, float float32, double float64.
  Tensor to_tensor() const;
};

IdxArray read_idx(const std::string& path);

}  // namespace tinytorch::data
