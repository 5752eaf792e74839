// Reference int8 quantization: round-trip error bounds and edge cases.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "quant/q8.h"

using namespace forecart;

TEST_CASE("q8 round trip error is at most half a step per row", "[quant]") {
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (uint32_t rows : {1u, 3u, 17u}) {
    for (uint32_t cols : {1u, 5u, 64u, 129u}) {
      std::vector<float> x(rows * cols);
      for (auto& v : x) v = d(rng) * (1.0f + static_cast<float>(rows));
      Q8Matrix q = quantize_q8_ref(x.data(), rows, cols);
      REQUIRE(q.data.size() == x.size());
      REQUIRE(q.scales.size() == rows);
      auto back = dequantize_q8_ref(q);
      for (uint32_t r = 0; r < rows; ++r) {
        float amax = 0.0f;
        for (uint32_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(x[r * cols + c]));
        REQUIRE(q.scales[r] == Approx(amax / 127.0f));
        for (uint32_t c = 0; c < cols; ++c) {
          REQUIRE(std::fabs(back[r * cols + c] - x[r * cols + c]) <= q.scales[r] * 0.5f * 1.0001f);
          REQUIRE(std::abs(int(q.data[r * cols + c])) <= 127);
        }
      }
    }
  }
}

TEST_CASE("q8 handles zero rows and the extreme value exactly", "[quant]") {
  std::vector<float> x = {0.0f, 0.0f, 0.0f, -2.54f, 1.27f, 0.0f};
  Q8Matrix q = quantize_q8_ref(x.data(), 2, 3);
  REQUIRE(q.scales[0] == 0.0f);
  for (int c = 0; c < 3; ++c) REQUIRE(q.data[c] == 0);
  REQUIRE(q.data[3] == -127);
  REQUIRE(q.data[4] == Approx(64).margin(1));
  auto back = dequantize_q8_ref(q);
  REQUIRE(back[3] == Approx(-2.54f));
  REQUIRE(back[0] == 0.0f);
}

TEST_CASE("q8 of non-finite input yields zeros instead of garbage", "[quant]") {
  std::vector<float> x = {1.0f, std::numeric_limits<float>::infinity(), 2.0f};
  int8_t q[3];
  REQUIRE(quantize_row_q8_ref(x.data(), 3, q) == 0.0f);
  REQUIRE((q[0] == 0 && q[1] == 0 && q[2] == 0));
}

TEST_CASE("q8 flushes rows that would need a subnormal scale to zero", "[quant]") {
  // Found by fuzzing: for a row whose largest value is below ~1.5e-36, 1/scale overflowed to inf and
  // zeros became NaN -> -127.
  std::vector<float> x = {1e-40f, 0.0f, -3e-41f};
  int8_t q[3] = {1, 1, 1};
  REQUIRE(quantize_row_q8_ref(x.data(), 3, q) == 0.0f);
  REQUIRE((q[0] == 0 && q[1] == 0 && q[2] == 0));
  std::vector<float> small = {2e-36f, -1e-36f};  // just above the threshold: quantized normally
  int8_t qs[2];
  const float s = quantize_row_q8_ref(small.data(), 2, qs);
  REQUIRE(s > 0.0f);
  REQUIRE(qs[0] == 127);
  REQUIRE(std::fabs(s * qs[1] - small[1]) <= s * 0.5f * 1.0001f);
}
