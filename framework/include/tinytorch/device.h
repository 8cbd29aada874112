// Where a tensor's memory lives. Only the CPU is built in; CUDA tensors need the optional backend.
#pragma once

namespace tinytorch {

enum class Device { CPU, CUDA };

const char* device_name(Device device);

}  // namespace tinytorch
