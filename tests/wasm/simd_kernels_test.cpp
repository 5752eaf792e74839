// WASM build only: the wasm_simd128 kernels against the generic C++ ones (compiled alongside under
// *_generic names) at odd sizes, tails included. The int8 kernel must match exactly.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/kernels.h"

namespace forecart {
void f32_gemv_generic(const float* W, const float* x, const float* bias, size_t N, size_t K, float* y);
void q8_gemv_generic(const int8_t* Q, const float* row_scale, const int8_t* xq, float x_scale, const float* bias,
                     size_t N, size_t K, float* y);
}  // namespace forecart

using namespace forecart;

TEST_CASE("the SIMD variant is the one linked", "[simd]") {
  REQUIRE(std::string(kernels_variant()) == "wasmsimd");
}

TEST_CASE("q8_gemv wasmsimd == generic bit for bit at odd sizes", "[simd]") {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> q(-127, 127);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (size_t N : {1u, 2u, 7u, 33u, 100u, 257u}) {
    for (size_t K : {1u, 3u, 15u, 16u, 17u, 31u, 32u, 48u, 63u, 64u, 65u, 100u, 128u, 129u, 1024u, 1040u, 1100u}) {
      std::vector<int8_t> Q(N * K), xq(K);
      for (auto& v : Q) v = static_cast<int8_t>(q(rng));
      for (auto& v : xq) v = static_cast<int8_t>(q(rng));
      // Extreme codes too: every product at its maximum.
      if (N > 1) {
        for (size_t k = 0; k < K; ++k) Q[k] = -127;
        for (size_t k = 0; k < K; ++k) xq[k] = k % 2 ? 127 : -127;
      }
      std::vector<float> scale(N), bias(N), a(N), b(N);
      for (size_t n = 0; n < N; ++n) {
        scale[n] = std::fabs(g(rng)) * 0.01f;
        bias[n] = g(rng);
      }
      for (const float* bp : {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
        q8_gemv(Q.data(), scale.data(), xq.data(), 0.03f, bp, N, K, a.data());
        q8_gemv_generic(Q.data(), scale.data(), xq.data(), 0.03f, bp, N, K, b.data());
        for (size_t n = 0; n < N; ++n) {
          INFO("N " << N << " K " << K << " row " << n << (bp ? " with bias" : ""));
          REQUIRE(a[n] == b[n]);
        }
      }
    }
  }
}

TEST_CASE("f32_gemv wasmsimd matches generic at odd sizes", "[simd]") {
  std::mt19937 rng(6);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (size_t N : {1u, 3u, 16u, 65u}) {
    for (size_t K : {1u, 4u, 7u, 8u, 9u, 16u, 63u, 64u, 256u, 257u}) {
      std::vector<float> W(N * K), x(K), bias(N), a(N), b(N);
      for (auto& v : W) v = g(rng);
      for (auto& v : x) v = g(rng);
      for (auto& v : bias) v = g(rng);
      f32_gemv(W.data(), x.data(), bias.data(), N, K, a.data());
      f32_gemv_generic(W.data(), x.data(), bias.data(), N, K, b.data());
      for (size_t n = 0; n < N; ++n) REQUIRE(a[n] == Approx(b[n]).margin(1e-4 * std::sqrt(double(K))));
    }
  }
}

namespace forecart {
float f32_max_generic(const float* x, size_t n);
float f32_sum_exp_generic(const float* x, size_t n, float shift);
}  // namespace forecart

TEST_CASE("f32_max and f32_sum_exp wasmsimd match generic at odd sizes and extreme values", "[simd]") {
  std::mt19937 rng(8);
  std::normal_distribution<float> g(0.0f, 4.0f);
  for (size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 31u, 100u, 1001u, 4099u, 23715u, 100003u}) {
    std::vector<float> x(n);
    for (auto& v : x) v = g(rng);
    if (n > 3) x[n / 2] = -200.0f;  // far below the max: contributes ~0
    if (n > 4) x[n - 1] = 30.0f;    // the max in the tail
    const float mx = f32_max(x.data(), n);
    REQUIRE(mx == f32_max_generic(x.data(), n));
    const float a = f32_sum_exp(x.data(), n, mx), b = f32_sum_exp_generic(x.data(), n, mx);
    REQUIRE(a == Approx(b).epsilon(3e-6));  // per-term error averages out; no growth with n
  }
  // Every term of one exponent range, against std::exp term by term.
  for (float t = -87.0f; t <= 0.0f; t += 0.37f) {
    const float one = f32_sum_exp(&t, 1, 0.0f);
    INFO("t " << t << " got " << one << " want " << std::exp(t));
    // Range reduction t * log2(e) in float costs ~|t| * 6e-8 relative, on top of the polynomial.
    REQUIRE(one == Approx(std::exp(t)).epsilon(2e-5));
  }
}

namespace forecart {
size_t f32_first_above_generic(const float* x, size_t begin, size_t end, float thr);
}  // namespace forecart

TEST_CASE("f32_first_above wasmsimd == generic at every start, tail and threshold", "[simd]") {
  std::mt19937 rng(10);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> x(203);
  for (auto& v : x) v = g(rng);
  for (float thr : {-10.0f, 0.0f, 1.5f, 2.5f, 10.0f})
    for (size_t b = 0; b < x.size(); b += 7)
      for (size_t e : {b, b + 1, b + 16, b + 33, x.size()})
        if (e <= x.size())
          REQUIRE(f32_first_above(x.data(), b, e, thr) == f32_first_above_generic(x.data(), b, e, thr));
}
