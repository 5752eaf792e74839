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
// Four rows at a time: their four accumulators are reduced together by two transposing adds, and
// the scale, state scale and bias are applied to four scores in one vector.
namespace {
inline v128_t row_dot(const int8_t* q, const v128_t* xlo, const v128_t* xhi, size_t blocks, const int8_t* xq) {
  v128_t acc0 = wasm_i32x4_splat(0), acc1 = wasm_i32x4_splat(0);
  for (size_t b = 0; b < blocks; ++b) {
    const v128_t qv = wasm_v128_load(q + 16 * b);
    if (xlo) {
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(qv), xlo[b]));
      acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(qv), xhi[b]));
    } else {  // very wide models: state halves recomputed
      const v128_t xv = wasm_v128_load(xq + 16 * b);
      acc0 =
          wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(qv), wasm_i16x8_extend_low_i8x16(xv)));
      acc1 = wasm_i32x4_add(acc1,
                            wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(qv), wasm_i16x8_extend_high_i8x16(xv)));
    }
  }
  return wasm_i32x4_add(acc0, acc1);
}
}  // namespace

// d = 16 * B with B known at compile time: the state halves live in locals (registers), the block
// loop is unrolled and has no branch; same arithmetic and order as the general kernel below.
template <size_t B>
void q8_gemv_fixed(const int8_t* Q, const float* row_scale, const int8_t* xq, float x_scale, const float* bias,
                   size_t N, float* y) {
  constexpr size_t K = 16 * B;
  v128_t xl[B], xh[B];
  for (size_t b = 0; b < B; ++b) {
    const v128_t xv = wasm_v128_load(xq + 16 * b);
    xl[b] = wasm_i16x8_extend_low_i8x16(xv);
    xh[b] = wasm_i16x8_extend_high_i8x16(xv);
  }
  auto dot = [&](const int8_t* q) {
    v128_t a = wasm_i32x4_splat(0), c = wasm_i32x4_splat(0);
    for (size_t b = 0; b < B; ++b) {
      const v128_t qv = wasm_v128_load(q + 16 * b);
      a = wasm_i32x4_add(a, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(qv), xl[b]));
      c = wasm_i32x4_add(c, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(qv), xh[b]));
    }
    return wasm_i32x4_add(a, c);
  };
  const v128_t xs = wasm_f32x4_splat(x_scale);
  size_t n = 0;
  for (; n + 4 <= N; n += 4) {
    const int8_t* q = Q + n * K;
    const v128_t a = dot(q), b = dot(q + K), c = dot(q + 2 * K), d = dot(q + 3 * K);
    const v128_t ab = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 2, 6), wasm_i32x4_shuffle(a, b, 1, 5, 3, 7));
    const v128_t cd = wasm_i32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 2, 6), wasm_i32x4_shuffle(c, d, 1, 5, 3, 7));
    const v128_t sums = wasm_i32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
    v128_t out = wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(row_scale + n), xs), wasm_f32x4_convert_i32x4(sums));
    if (bias) out = wasm_f32x4_add(out, wasm_v128_load(bias + n));
    wasm_v128_store(y + n, out);
  }
  for (; n < N; ++n) {
    const int32_t acc = hsum_i32(dot(Q + n * K));
    y[n] = row_scale[n] * x_scale * static_cast<float>(acc) + (bias ? bias[n] : 0.0f);
  }
}

void q8_gemv_any(const int8_t* Q, const float* row_scale, const int8_t* xq, float x_scale, const float* bias, size_t N,
                 size_t K, float* y) {
  const size_t K16 = K & ~size_t(15), blocks = K16 / 16;
  constexpr size_t kMaxPre = 64;  // state halves kept for d <= 1024
  v128_t xlo[kMaxPre], xhi[kMaxPre];
  const bool pre = blocks <= kMaxPre;
  if (pre) {
    for (size_t b = 0; b < blocks; ++b) {
      const v128_t xv = wasm_v128_load(xq + 16 * b);
      xlo[b] = wasm_i16x8_extend_low_i8x16(xv);
      xhi[b] = wasm_i16x8_extend_high_i8x16(xv);
    }
  }
  const v128_t* lo = pre ? xlo : nullptr;
  const v128_t* hi = pre ? xhi : nullptr;
  auto tail = [&](const int8_t* q) {
    int32_t acc = 0;
    for (size_t k = K16; k < K; ++k) acc += static_cast<int32_t>(q[k]) * static_cast<int32_t>(xq[k]);
    return acc;
  };
  const v128_t xs = wasm_f32x4_splat(x_scale);
  size_t n = 0;
  for (; n + 4 <= N; n += 4) {
    const int8_t* q = Q + n * K;
    const v128_t a = row_dot(q, lo, hi, blocks, xq), b = row_dot(q + K, lo, hi, blocks, xq);
    const v128_t c = row_dot(q + 2 * K, lo, hi, blocks, xq), d = row_dot(q + 3 * K, lo, hi, blocks, xq);
    // Transpose-and-add: lane r of the result is the sum of the four lanes of row r.
    const v128_t ab = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 2, 6), wasm_i32x4_shuffle(a, b, 1, 5, 3, 7));
    const v128_t cd = wasm_i32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 2, 6), wasm_i32x4_shuffle(c, d, 1, 5, 3, 7));
    v128_t sums = wasm_i32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
    if (K16 != K) {
      alignas(16) int32_t t[4] = {tail(q), tail(q + K), tail(q + 2 * K), tail(q + 3 * K)};
      sums = wasm_i32x4_add(sums, wasm_v128_load(t));
    }
    // Same operation order as the generic kernel (row_scale * x_scale * acc + bias): identical results.
    v128_t out = wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(row_scale + n), xs), wasm_f32x4_convert_i32x4(sums));
    if (bias) out = wasm_f32x4_add(out, wasm_v128_load(bias + n));
    wasm_v128_store(y + n, out);
  }
  for (; n < N; ++n) {
    const int8_t* q = Q + n * K;
    const int32_t acc = hsum_i32(row_dot(q, lo, hi, blocks, xq)) + tail(q);
    y[n] = row_scale[n] * x_scale * static_cast<float>(acc) + (bias ? bias[n] : 0.0f);
  }
}

void q8_gemv(const int8_t* Q, const float* row_scale, const int8_t* xq, float x_scale, const float* bias, size_t N,
             size_t K, float* y) {
  switch (K) {
    case 16:
      return q8_gemv_fixed<1>(Q, row_scale, xq, x_scale, bias, N, y);
    case 32:
      return q8_gemv_fixed<2>(Q, row_scale, xq, x_scale, bias, N, y);
    case 64:
      return q8_gemv_fixed<4>(Q, row_scale, xq, x_scale, bias, N, y);
    case 128:
      return q8_gemv_fixed<8>(Q, row_scale, xq, x_scale, bias, N, y);
    default:
      return q8_gemv_any(Q, row_scale, xq, x_scale, bias, N, K, y);
  }
}

float f32_max(const float* x, size_t n) {
  size_t i = 0;
  float m = x[0];
  if (n >= 8) {  // two independent chains (pmax latency)
    v128_t m0 = wasm_v128_load(x), m1 = wasm_v128_load(x + 4);
    for (i = 8; i + 8 <= n; i += 8) {
      m0 = wasm_f32x4_pmax(m0, wasm_v128_load(x + i));
      m1 = wasm_f32x4_pmax(m1, wasm_v128_load(x + i + 4));
    }
    const v128_t mv = wasm_f32x4_pmax(m0, m1);
    const float a = wasm_f32x4_extract_lane(mv, 0), b = wasm_f32x4_extract_lane(mv, 1);
    const float c = wasm_f32x4_extract_lane(mv, 2), d = wasm_f32x4_extract_lane(mv, 3);
    const float ab = a > b ? a : b, cd = c > d ? c : d;
    m = ab > cd ? ab : cd;
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// exp(t) for t <= 0: 2^(t log2 e) = 2^k * 2^f, k = floor, f in [0, 1), 2^f by its degree-8 Taylor
// polynomial in f ln 2 (truncation error (ln 2)^9 / 9! = 1e-7 relative, plus float rounding); lanes below -87 (where
// 2^k leaves the normal range) give 0, which is what they contribute to a softmax sum in float anyway.
namespace {
// exp(t) of four lanes, t <= 0; 0 below -87.
inline v128_t exp4_nonpositive(v128_t t) {
  const v128_t ok = wasm_f32x4_ge(t, wasm_f32x4_splat(-87.0f));
  const v128_t u = wasm_f32x4_mul(t, wasm_f32x4_splat(1.44269504088896341f));
  const v128_t k = wasm_f32x4_floor(u);
  const v128_t g = wasm_f32x4_mul(wasm_f32x4_sub(u, k), wasm_f32x4_splat(0.693147180559945309f));  // [0, ln 2)
  v128_t p = wasm_f32x4_add(wasm_f32x4_splat(1.0f / 5040), wasm_f32x4_mul(g, wasm_f32x4_splat(1.0f / 40320)));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f / 720), wasm_f32x4_mul(g, p));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f / 120), wasm_f32x4_mul(g, p));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f / 24), wasm_f32x4_mul(g, p));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f / 6), wasm_f32x4_mul(g, p));
  p = wasm_f32x4_add(wasm_f32x4_splat(0.5f), wasm_f32x4_mul(g, p));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(g, p));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(g, p));
  // 2^k through the exponent bits; masked lanes (k < -126 possible) are zeroed.
  const v128_t pow2k = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(k), wasm_i32x4_splat(127)), 23);
  return wasm_v128_and(wasm_f32x4_mul(p, pow2k), ok);
}
}  // namespace

float f32_sum_exp(const float* x, size_t n, float shift) {
  const v128_t sh = wasm_f32x4_splat(shift);
  // Blocks of 4096 values are summed in float lanes (two chains for the add latency) and the block
  // sums in double, so that rounding does not grow with the catalogue.
  constexpr size_t kBlock = 4096;
  double total = 0.0;
  size_t i = 0;
  while (i + 8 <= n) {
    const size_t end = i + kBlock < n ? i + kBlock : n;
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = wasm_f32x4_splat(0.0f);
    for (; i + 8 <= end; i += 8) {
      s0 = wasm_f32x4_add(s0, exp4_nonpositive(wasm_f32x4_sub(wasm_v128_load(x + i), sh)));
      s1 = wasm_f32x4_add(s1, exp4_nonpositive(wasm_f32x4_sub(wasm_v128_load(x + i + 4), sh)));
    }
    total += hsum_f32(wasm_f32x4_add(s0, s1));
  }
  v128_t sum = wasm_f32x4_splat(0.0f);
  for (; i + 4 <= n; i += 4) sum = wasm_f32x4_add(sum, exp4_nonpositive(wasm_f32x4_sub(wasm_v128_load(x + i), sh)));
  if (i < n) {  // tail: padded lanes are far below -87 and contribute 0
    alignas(16) float t[4] = {-1e30f, -1e30f, -1e30f, -1e30f};
    for (size_t j = 0; i + j < n; ++j) t[j] = x[i + j] - shift;
    sum = wasm_f32x4_add(sum, exp4_nonpositive(wasm_v128_load(t)));
  }
  return static_cast<float>(total + hsum_f32(sum));
}

size_t f32_first_above(const float* x, size_t begin, size_t end, float thr) {
  const v128_t t = wasm_f32x4_splat(thr);
  size_t i = begin;
  for (; i + 16 <= end; i += 16) {  // 16 values per test while none is above the threshold
    const v128_t a = wasm_v128_or(wasm_f32x4_gt(wasm_v128_load(x + i), t), wasm_f32x4_gt(wasm_v128_load(x + i + 4), t));
    const v128_t b =
        wasm_v128_or(wasm_f32x4_gt(wasm_v128_load(x + i + 8), t), wasm_f32x4_gt(wasm_v128_load(x + i + 12), t));
    if (wasm_v128_any_true(wasm_v128_or(a, b))) break;
  }
  for (; i < end; ++i)
    if (x[i] > thr) return i;
  return end;
}

const char* kernels_variant() {
  return "wasmsimd";
}

}  // namespace forecart
