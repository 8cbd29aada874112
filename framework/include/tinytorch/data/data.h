// Umbrella header for datasets, transforms and the DataLoader.
#pragma once

#include "tinytorch/data/dataloader.h"
#include "tinytorch/data/dataset.h"
#include "tinytorch/data/fashion_mnist.h"
#include "tinytorch/data/idx.h"
#include "tinytorch/data/transforms.h"
