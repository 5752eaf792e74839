// Implements quant/q8.h: per-row symmetric int8 quantization and dequantization.
#include "quant/q8.h"

#include <cmath>
#include <limits>

namespace forecart {

float quantize_row_q8_ref(const float* x, size_t n, int8_t* q) {
  float amax = 0.0f;
  for (size_t i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  // Rows below 127 * FLT_MIN (~1.5e-36) are flushed to zero: their scale would be subnormal, where 1/scale
  // overflows and the scale itself has too few bits to honour the half-step bound (found by fuzzing).
  if (!(amax >= 127.0f * std::numeric_limits<float>::min()) || !std::isfinite(amax)) {
    for (size_t i = 0; i < n; ++i) q[i] = 0;
    return 0.0f;
  }
  const float scale = amax / 127.0f;
  const float inv = 1.0f / scale;
  for (size_t i = 0; i < n; ++i) {
    float v = std::nearbyint(x[i] * inv);
    v = std::fmin(127.0f, std::fmax(-127.0f, v));
    q[i] = static_cast<int8_t>(v);
  }
  return scale;
}

void dequantize_row_q8_ref(const int8_t* q, float scale, size_t n, float* x) {
  for (size_t i = 0; i < n; ++i) x[i] = scale * static_cast<float>(q[i]);
}

Q8Matrix quantize_q8_ref(const float* x, uint32_t rows, uint32_t cols) {
  Q8Matrix m;
  m.rows = rows;
  m.cols = cols;
  m.data.resize(static_cast<size_t>(rows) * cols);
  m.scales.resize(rows);
  for (uint32_t r = 0; r < rows; ++r)
    m.scales[r] =
        quantize_row_q8_ref(x + static_cast<size_t>(r) * cols, cols, m.data.data() + static_cast<size_t>(r) * cols);
  return m;
}

std::vector<float> dequantize_q8_ref(const Q8Matrix& m) {
  std::vector<float> x(m.data.size());
  for (uint32_t r = 0; r < m.rows; ++r)
    dequantize_row_q8_ref(m.row(r), m.scales[r], m.cols, x.data() + static_cast<size_t>(r) * m.cols);
  return x;
}

}  // namespace forecart
