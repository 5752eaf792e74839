// Inference kernels. Each function has a generic C++ version (kernels/*_generic.cpp) and, in the
// WASM build, a wasm_simd128 version with the same name (kernels/*_wasmsimd.cpp); exactly one of
// them is linked. Names follow XNNPACK's habit: operation, datatype, then the variant in the file name.
//
// N = rows (catalogue items or output features), K = columns (model dim or input features).
#pragma once

#include <cstddef>
#include <cstdint>

namespace forecart {

// y[n] = bias[n] + sum_k W[n,k] * x[k]   (W row-major [N,K]; bias may be null)
void f32_gemv(const float* W, const float* x, const float* bias, size_t N, size_t K, float* y);

// Catalogue scoring, int8 table x int8 state:
//   y[n] = row_scale[n] * x_scale * sum_k Q[n,k] * xq[k]  (+ bias[n] when bias is not null)
// Q row-major [N,K]. Integer accumulation in int32 is exact for K <= 2^17.
void q8_gemv(const int8_t* Q, const float* row_scale, const int8_t* xq, float x_scale, const float* bias, size_t N,
             size_t K, float* y);

// Largest of x[0..n) (n >= 1).
float f32_max(const float* x, size_t n);

// sum_i exp(x[i] - shift) for x[i] <= shift (the softmax normaliser). The SIMD variant uses a
// polynomial exp (relative error below 2e-5 per term, measured; terms below -87 count as 0),
// which only scales every probability by the same factor.
float f32_sum_exp(const float* x, size_t n, float shift);

// The first index in [begin, end) whose value is > thr, or end (top-k: skips what cannot enter).
size_t f32_first_above(const float* x, size_t begin, size_t end, float thr);

// Name of the compiled variant ("generic" or "wasmsimd"), for diagnostics and benchmarks.
const char* kernels_variant();

}  // namespace forecart
