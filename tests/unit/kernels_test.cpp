// Kernels against naive double-precision references at odd shapes, and the int8 kernel against
// the independent XNNPACK f32 oracle within the quantization error bound.
#include "kernels/kernels.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/xnnpack_scorer.h"
#include "quant/q8.h"

using namespace forecart;

namespace {
std::vector<float> randn(size_t n, std::mt19937& rng, float sd = 1.0f) {
  std::normal_distribution<float> d(0.0f, sd);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}
const size_t kOddShapes[][2] = {{1, 1},   {1, 7},   {3, 5},   {7, 16},    {13, 17},
                                {31, 64}, {64, 63}, {97, 65}, {257, 129}, {1000, 33}};
}  // namespace

TEST_CASE("f32_gemv matches a double-precision reference at odd shapes", "[kernels]") {
  std::mt19937 rng(1);
  for (auto& s : kOddShapes) {
    const size_t N = s[0], K = s[1];
    auto W = randn(N * K, rng), x = randn(K, rng), b = randn(N, rng);
    std::vector<float> y(N);
    f32_gemv(W.data(), x.data(), b.data(), N, K, y.data());
    for (size_t n = 0; n < N; ++n) {
      double ref = b[n];
      for (size_t k = 0; k < K; ++k) ref += static_cast<double>(W[n * K + k]) * x[k];
      REQUIRE(y[n] == Approx(ref).margin(1e-4 * std::sqrt(static_cast<double>(K))));
    }
    f32_gemv(W.data(), x.data(), nullptr, N, K, y.data());  // bias is optional
    double ref0 = 0.0;
    for (size_t k = 0; k < K; ++k) ref0 += static_cast<double>(W[k]) * x[k];
    REQUIRE(y[0] == Approx(ref0).margin(1e-4 * std::sqrt(static_cast<double>(K))));
  }
}

TEST_CASE("q8_gemv is exact integer arithmetic at odd shapes, with and without bias", "[kernels]") {
  std::mt19937 rng(2);
  std::uniform_int_distribution<int> q(-127, 127);
  for (auto& s : kOddShapes) {
    const size_t N = s[0], K = s[1];
    std::vector<int8_t> Q(N * K), xq(K);
    for (auto& v : Q) v = static_cast<int8_t>(q(rng));
    for (auto& v : xq) v = static_cast<int8_t>(q(rng));
    auto scales = randn(N, rng, 0.01f);
    auto bias = randn(N, rng);
    const float xs = 0.02f;
    std::vector<float> y(N), yb(N);
    q8_gemv(Q.data(), scales.data(), xq.data(), xs, nullptr, N, K, y.data());
    q8_gemv(Q.data(), scales.data(), xq.data(), xs, bias.data(), N, K, yb.data());
    for (size_t n = 0; n < N; ++n) {
      int64_t acc = 0;
      for (size_t k = 0; k < K; ++k) acc += int64_t(Q[n * K + k]) * xq[k];
      const double ref = double(scales[n]) * xs * double(acc);
      REQUIRE(y[n] == Approx(ref).epsilon(1e-5).margin(1e-6));
      REQUIRE(yb[n] == Approx(ref + bias[n]).epsilon(1e-5).margin(1e-5));
    }
  }
}

TEST_CASE("int8 scores agree with the XNNPACK f32 oracle within the quantization bound", "[kernels][xnnpack]") {
  std::mt19937 rng(3);
  for (auto& s : kOddShapes) {
    const size_t N = s[0], K = s[1];
    auto table = randn(N * K, rng, 0.1f), bias = randn(N, rng, 0.1f), state = randn(K, rng);
    Q8Matrix qt = quantize_q8_ref(table.data(), static_cast<uint32_t>(N), static_cast<uint32_t>(K));
    std::vector<int8_t> xq(K);
    const float xs = quantize_row_q8_ref(state.data(), K, xq.data());
    std::vector<float> int8_scores(N), oracle(N);
    q8_gemv(qt.data.data(), qt.scales.data(), xq.data(), xs, bias.data(), N, K, int8_scores.data());

    auto scorer = XnnScorer::create(table.data(), bias.data(), N, K);
    REQUIRE(scorer.ok());
    REQUIRE(scorer.value()->score(state.data(), 1, oracle.data()).ok());
    for (size_t n = 0; n < N; ++n) {
      // |sum a_k b_k - sum a'_k b'_k| <= sum |a_k| eb + |b_k| ea + ea eb with ea = s_row/2, eb = xs/2.
      double bound = 0.0;
      const double ea = qt.scales[n] / 2.0, eb = xs / 2.0;
      for (size_t k = 0; k < K; ++k) bound += std::fabs(table[n * K + k]) * eb + std::fabs(state[k]) * ea + ea * eb;
      REQUIRE(std::fabs(int8_scores[n] - oracle[n]) <= bound * 1.01 + 1e-5);
    }
  }
}

TEST_CASE("XNNPACK scorer scores a batch like one state at a time", "[kernels][xnnpack]") {
  std::mt19937 rng(4);
  const size_t N = 301, K = 24, B = 5;
  auto table = randn(N * K, rng), states = randn(B * K, rng);
  auto scorer = XnnScorer::create(table.data(), nullptr, N, K, 2);
  REQUIRE(scorer.ok());
  std::vector<float> batch(B * N), one(N);
  REQUIRE(scorer.value()->score(states.data(), B, batch.data()).ok());
  for (size_t b = 0; b < B; ++b) {
    f32_gemv(table.data(), states.data() + b * K, nullptr, N, K, one.data());
    for (size_t n = 0; n < N; ++n) REQUIRE(batch[b * N + n] == Approx(one[n]).margin(1e-4));
  }
  REQUIRE_FALSE(XnnScorer::create(table.data(), nullptr, 0, K).ok());
}

TEST_CASE("f32_max and f32_sum_exp against double references", "[kernels]") {
  std::mt19937 rng(9);
  for (size_t n : {1u, 2u, 5u, 64u, 1000u}) {
    auto x = randn(n, rng, 3.0f);
    double mx = x[0], sum = 0;
    for (float v : x) mx = std::max<double>(mx, v);
    for (float v : x) sum += std::exp(v - mx);
    REQUIRE(f32_max(x.data(), n) == static_cast<float>(mx));
    REQUIRE(f32_sum_exp(x.data(), n, static_cast<float>(mx)) == Approx(sum).epsilon(1e-6));
  }
}

TEST_CASE("f32_first_above finds the first value above a threshold", "[kernels]") {
  std::vector<float> x(100, 0.5f);
  REQUIRE(f32_first_above(x.data(), 0, 100, 0.5f) == 100);  // equal is not above
  x[37] = 0.6f;
  x[90] = 0.7f;
  REQUIRE(f32_first_above(x.data(), 0, 100, 0.5f) == 37);
  REQUIRE(f32_first_above(x.data(), 38, 100, 0.5f) == 90);
  REQUIRE(f32_first_above(x.data(), 91, 100, 0.5f) == 100);
  REQUIRE(f32_first_above(x.data(), 5, 5, 0.0f) == 5);
}
