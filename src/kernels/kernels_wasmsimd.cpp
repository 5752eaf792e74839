// wasm_simd128 versions of the inference kernels (compiled with -msimd128 in the WASM build, in
// place of kernels_generic.cpp). Standard SIMD only: relaxed-SIMD opcodes are rejected by Node 20.
#include <wasm_simd128.h>

#include "kernels/kernels.h"

namespace forecart {

namespace {
inline float hsum_f32(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}
inline int32_t hsum_i32(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}
}  // namespace

void f32_gemv(const float* W, const float* x, const float* bias, size_t N, size_t K, float* y) {
  const size_t K8 = K & ~size_t(7);
  for (size_t n = 0; n < N; ++n) {
    const float* w = W + n * K;
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = wasm_f32x4_splat(0.0f);
    size_t k = 0;
    for (; k < K8; k += 8) {
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(w + k), wasm_v128_load(x + k)));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(w + k + 4), wasm_v128_load(x + k + 4)));
    }
    float s = hsum_f32(wasm_f32x4_add(a0, a1));
    for (; k < K; ++k) s += w[k] * x[k];
    y[n] = s + (bias ? bias[n] : 0.0f);
  }
}

// Per 16 codes: sign-extend the row to two i16x8 halves and take i32x4.dot_i16x8_s against the
// state, pre-extended once. Products fit in i16 pairs summed in i32 (|q| <= 127), so this is exact.
void q8_gemv(const int8_t* Q, const float* row_scale, const int8_t* xq, float x_scale, const float* bias, size_t N,
             size_t K, float* y) {
  const size_t K16 = K & ~size_t(15);
  constexpr size_t kMaxPre = 64;  // state halves kept in registers/stack for d <= 1024
  v128_t xlo[kMaxPre], xhi[kMaxPre];
  const size_t blocks = K16 / 16;
  const size_t pre = blocks < kMaxPre ? blocks : kMaxPre;
  for (size_t b = 0; b < pre; ++b) {
    const v128_t xv = wasm_v128_load(xq + 16 * b);
    xlo[b] = wasm_i16x8_extend_low_i8x16(xv);
    xhi[b] = wasm_i16x8_extend_high_i8x16(xv);
  }
  for (size_t n = 0; n < N; ++n) {
    const int8_t* q = Q + n * K;
    v128_t acc0 = wasm_i32x4_splat(0), acc1 = wasm_i32x4_splat(0);
    size_t b = 0;
    for (; b < pre; ++b) {
      const v128_t qv = wasm_v128_load(q + 16 * b);
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(qv), xlo[b]));
      acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(qv), xhi[b]));
    }
    for (; b < blocks; ++b) {  // very wide models: state halves recomputed
      const v128_t qv = wasm_v128_load(q + 16 * b), xv = wasm_v128_load(xq + 16 * b);
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(qv), wasm_i16x8_extend_low_i8x16(xv)));
      acc1 = wasm_i32x4_add(acc1,
                            wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(qv), wasm_i16x8_extend_high_i8x16(xv)));
    }
    int32_t acc = hsum_i32(wasm_i32x4_add(acc0, acc1));
    for (size_t k = K16; k < K; ++k) acc += static_cast<int32_t>(q[k]) * static_cast<int32_t>(xq[k]);
    y[n] = row_scale[n] * x_scale * static_cast<float>(acc) + (bias ? bias[n] : 0.0f);
  }
}

const char* kernels_variant() { return "wasmsimd"; }

}  // namespace forecart
