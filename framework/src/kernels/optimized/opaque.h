// opaque(v) is v, as a value the optimizer cannot see through. Kernels pass the clamp limits of
// their exp polynomials through it once, outside their loops: with literal limits GCC pushes every
// later operation into both arms of each clamp's select (one arm is a constant it can fold), and
// the vectorized exp became ~50 masked instructions per 16 floats instead of 28 (1.55x slower,
// bit-identical results).
#pragma once

namespace tinytorch::kernels::optimized {
// Unnamed: included by files built for different ISAs, each keeps its own copy (an inline
// function merged across them could run AVX-512 code on a CPU without it).
namespace {

template <class T>
__attribute__((noipa)) T opaque(T value) {
  return value;
}

}  // namespace
}  // namespace tinytorch::kernels::optimized
