// Umbrella header: everything a user needs. `namespace tt = tinytorch;` is the usual short form.
#pragma once

#include "tinytorch/autograd.h"
#include "tinytorch/backend.h"
#include "tinytorch/dtype.h"
#include "tinytorch/error.h"
#include "tinytorch/generator.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/gradcheck.h"
#include "tinytorch/memory.h"
#include "tinytorch/nn.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/indexing.h"
#include "tinytorch/ops/linalg.h"
#include "tinytorch/ops/nn_functional.h"
#include "tinytorch/ops/reduction.h"
#include "tinytorch/ops/shape_ops.h"
#include "tinytorch/tensor.h"
#include "tinytorch/threading.h"

namespace tt = tinytorch;
