// Umbrella header for tinytorch::nn: Module, the layers, losses and init functions.
#pragma once

#include "tinytorch/nn/activation.h"
#include "tinytorch/nn/container.h"
#include "tinytorch/nn/conv.h"
#include "tinytorch/nn/dropout.h"
#include "tinytorch/nn/embedding.h"
#include "tinytorch/nn/init.h"
#include "tinytorch/nn/linear.h"
#include "tinytorch/nn/loss.h"
#include "tinytorch/nn/module.h"
#include "tinytorch/nn/normalization.h"
#include "tinytorch/nn/pooling.h"
#include "tinytorch/nn/residual.h"
