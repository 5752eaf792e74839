// int8 quantization with one fp32 scale per row (symmetric, zero point 0):
//   q[r][c] = round(x[r][c] / scale[r]),  scale[r] = max_c |x[r][c]| / 127.
// Reference (scalar) quantizers and dequantizers; the error of one element is at most scale[r] / 2.
// A row whose largest magnitude is below 127 * FLT_MIN (~1.5e-36) quantizes to zero (scale 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace forecart {

struct Q8Matrix {
  uint32_t rows = 0;
  uint32_t cols = 0;
  std::vector<int8_t> data;   // rows * cols, row-major
  std::vector<float> scales;  // rows

  const int8_t* row(size_t r) const { return data.data() + r * cols; }
  size_t bytes() const { return data.size() + scales.size() * sizeof(float); }
};

// Quantizes one vector; returns its scale (0 for an all-zero or negligible vector, whose codes are all 0).
float quantize_row_q8_ref(const float* x, size_t n, int8_t* q);
void dequantize_row_q8_ref(const int8_t* q, float scale, size_t n, float* x);

Q8Matrix quantize_q8_ref(const float* x, uint32_t rows, uint32_t cols);
std::vector<float> dequantize_q8_ref(const Q8Matrix& m);

}  // namespace forecart
