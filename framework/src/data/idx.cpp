// IDX reader. The whole file is read through zlib's gz* interface, which inflates gzip and passes
// other files through unchanged; the header and payload are then validated against each other.
#include "tinytorch/data/idx.h"

#include <zlib.h>

#include <cstring>
#include <fstream>

#include "tinytorch/ops/creation.h"

namespace tinytorch::data {
namespace {
constexpr int64_t kMaxElements = int64_t{1} << 40;

bool is_gzip(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  file.read(reinterpret_cast<char*>(magic), 2);
  return file.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream probe(path, std::ios::binary);
  TT_CHECK(probe.good(), "read_idx: cannot open '{}': {}", path, std::strerror(errno));
  probe.close();
  const bool gzip = is_gzip(path);
  gzFile file = gzopen(path.c_str(), "rb");
  TT_CHECK(file != nullptr, "read_idx: cannot open '{}': {}", path, std::strerror(errno));
  std::vector<uint8_t> bytes;
  constexpr unsigned kChunk = 1 << 20;
  int got = 0;
  do {
    const size_t old = bytes.size();
    bytes.resize(old + kChunk);
    got = gzread(file, bytes.data() + old, kChunk);
    bytes.resize(old + static_cast<size_t>(std::max(got, 0)));
  } while (got > 0);
  int code = Z_OK;
  const std::string message = gzerror(file, &code);
  gzclose(file);
  TT_CHECK(got == 0 && (code == Z_OK || code == Z_STREAM_END),
           "read_idx: '{}' is {} (zlib: {}); the file is truncated or corrupt, fetch or generate it again", path,
           gzip ? "a damaged gzip stream" : "unreadable", message);
  return bytes;
}

bool known_type(uint8_t code) {
  for (IdxType type :
       {IdxType::UInt8, IdxType::Int8, IdxType::Int16, IdxType::Int32, IdxType::Float32, IdxType::Float64})
    if (static_cast<uint8_t>(type) == code) return true;
  return false;
}

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Converts each element of `width` bytes from big-endian to host order (this reader assumes a
// little-endian host, as x86-64 and AArch64 Linux are).
void swap_to_host(std::vector<uint8_t>& bytes, size_t width) {
  if (width == 1) return;
  for (size_t i = 0; i + width <= bytes.size(); i += width) std::reverse(bytes.begin() + i, bytes.begin() + i + width);
}

template <class From, class To>
void convert(const std::vector<uint8_t>& bytes, To* out) {
  const size_t n = bytes.size() / sizeof(From);
  for (size_t i = 0; i < n; ++i) {
    From value;
    std::memcpy(&value, bytes.data() + i * sizeof(From), sizeof(From));
    out[i] = static_cast<To>(value);
  }
}
}  // namespace

const char* idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::UInt8: return "ubyte";
    case IdxType::Int8: return "byte";
    case IdxType::Int16: return "short";
    case IdxType::Int32: return "int";
    case IdxType::Float32: return "float";
    case IdxType::Float64: return "double";
  }
  return "unknown";
}

size_t idx_element_size(IdxType type) {
  switch (type) {
    case IdxType::UInt8:
    case IdxType::Int8: return 1;
    case IdxType::Int16: return 2;
    case IdxType::Int32:
    case IdxType::Float32: return 4;
    case IdxType::Float64: return 8;
  }
  return 0;
}

IdxArray read_idx(const std::string& path) {
  std::vector<uint8_t> bytes = read_all(path);
  const size_t n = bytes.size();
  TT_CHECK(n >= 4, "read_idx: '{}' is {} bytes long, too short for the 4-byte IDX magic number", path, n);
  TT_CHECK(bytes[0] == 0 && bytes[1] == 0,
           "read_idx: '{}' does not start with an IDX magic number: its first bytes are 0x{:02x} 0x{:02x}, an IDX "
           "file starts with 0x00 0x00 <type code> <dims>; is it an IDX file?",
           path, bytes[0], bytes[1]);
  TT_CHECK(known_type(bytes[2]),
           "read_idx: '{}' has unknown element type code 0x{:02x} in its magic number; IDX defines 0x08 (ubyte), 0x09 "
           "(byte), 0x0B (short), 0x0C (int), 0x0D (float) and 0x0E (double)",
           path, bytes[2]);
  IdxArray array;
  array.type = static_cast<IdxType>(bytes[2]);
  const size_t ndim = bytes[3];
  TT_CHECK(ndim > 0, "read_idx: '{}' declares 0 dimensions in its magic number; an IDX array needs at least one", path);
  const size_t header = 4 + 4 * ndim;
  TT_CHECK(n >= header,
           "read_idx: '{}' ends after {} bytes, inside its header: {} dimensions need {} header bytes; the file is "
           "truncated",
           path, n, ndim, header);
  int64_t count = 1;
  for (size_t d = 0; d < ndim; ++d) {
    array.dims.push_back(big_endian_u32(&bytes[4 + 4 * d]));
    count *= array.dims.back();
    TT_CHECK(count <= kMaxElements,
             "read_idx: '{}' declares dimensions {}... with over 2^40 elements; the header is "
             "corrupt",
             path, shape_str(array.dims));
  }
  const size_t width = idx_element_size(array.type);
  const size_t expected = static_cast<size_t>(count) * width;
  const size_t actual = n - header;
  TT_CHECK(actual >= expected,
           "read_idx: '{}' is truncated: its header declares {} elements of type {} ({} payload bytes) but only {} "
           "bytes follow",
           path, shape_str(array.dims), idx_type_name(array.type), expected, actual);
  TT_CHECK(actual == expected,
           "read_idx: '{}' has {} bytes after the {}-byte payload its header {} of type {} declares; the header or "
           "the file is corrupt",
           path, actual - expected, expected, shape_str(array.dims), idx_type_name(array.type));
  array.bytes.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  swap_to_host(array.bytes, width);
  return array;
}

Tensor IdxArray::to_tensor() const {
  switch (type) {
    case IdxType::Float32: return from_buffer(bytes.data(), dims, kFloat32);
    case IdxType::Float64: return from_buffer(bytes.data(), dims, kFloat64);
    default: break;
  }
  Tensor out = empty(dims, kInt64);
  int64_t* dst = out.data_ptr<int64_t>();
  switch (type) {
    case IdxType::UInt8: convert<uint8_t>(bytes, dst); break;
    case IdxType::Int8: convert<int8_t>(bytes, dst); break;
    case IdxType::Int16: convert<int16_t>(bytes, dst); break;
    default: convert<int32_t>(bytes, dst); break;
  }
  return out;
}

}  // namespace tinytorch::data
