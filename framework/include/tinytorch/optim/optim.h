// Umbrella header for optimizers, learning-rate schedulers and gradient clipping.
#pragma once

#include "tinytorch/optim/adagrad.h"
#include "tinytorch/optim/adam.h"
#include "tinytorch/optim/adamw.h"
#include "tinytorch/optim/clip_grad.h"
#include "tinytorch/optim/cosine_annealing_lr.h"
#include "tinytorch/optim/linear_lr.h"
#include "tinytorch/optim/lr_scheduler.h"
#include "tinytorch/optim/one_cycle_lr.h"
#include "tinytorch/optim/optimizer.h"
#include "tinytorch/optim/rmsprop.h"
#include "tinytorch/optim/sgd.h"
#include "tinytorch/optim/step_lr.h"
