// Generic C++ versions of the inference kernels (native builds and the scalar reference).
// The WASM test build compiles this file a second time with FORECART_KERNELS_AS_REFERENCE, which
// renames every function to NAME_generic so that the SIMD versions can be tested against it.
#ifdef FORECART_KERNELS_AS_REFERENCE  // before the header, so that its declarations are renamed too
#define f32_gemv f32_gemv_generic
#define q8_gemv q8_gemv_generic
#define kernels_variant kernels_variant_generic
#define f32_first_above f32_first_above_generic
#define f32_max f32_max_generic
#define f32_sum_exp f32_sum_exp_generic
#endif
#include <cmath>

#include "kernels/kernels.h"

namespace forecart {

void f32_gemv(const float* W, const float* x, const float* bias, size_t N, size_t K, float* y) {
  for (size_t n = 0; n < N; ++n) {
    const float* w = W + n * K;
    // Four partial sums let the compiler vectorise without -ffast-math reassociation.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t k = 0;
    for (; k + 4 <= K; k += 4) {
      s0 += w[k] * x[k];
      s1 += w[k + 1] * x[k + 1];
      s2 += w[k + 2] * x[k + 2];
      s3 += w[k + 3] * x[k + 3];
    }
    for (; k < K; ++k) s0 += w[k] * x[k];
    y[n] = (s0 + s1) + (s2 + s3) + (bias ? bias[n] : 0.0f);
  }
}

void q8_gemv(const int8_t* Q, const float* row_scale, const int8_t* xq, float x_scale, const float* bias, size_t N,
             size_t K, float* y) {
  for (size_t n = 0; n < N; ++n) {
    const int8_t* q = Q + n * K;
    int32_t acc = 0;
    for (size_t k = 0; k < K; ++k) acc += static_cast<int32_t>(q[k]) * static_cast<int32_t>(xq[k]);
    y[n] = row_scale[n] * x_scale * static_cast<float>(acc) + (bias ? bias[n] : 0.0f);
  }
}

float f32_max(const float* x, size_t n) {
  float m = x[0];
  for (size_t i = 1; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

float f32_sum_exp(const float* x, size_t n, float shift) {
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += std::exp(x[i] - shift);
  return static_cast<float>(sum);
}

size_t f32_first_above(const float* x, size_t begin, size_t end, float thr) {
  for (size_t i = begin; i < end; ++i)
    if (x[i] > thr) return i;
  return end;
}

const char* kernels_variant() {
  return "generic";
}

}  // namespace forecart
