// Forward layers over plain buffers (see layers.h): the one implementation used by inference
// (model/forward.cpp) and, apart from its GEMMs and vectorised GELU, by the trainer.
#include "model/layers.h"

#include <cmath>

#include "kernels/kernels.h"

namespace forecart {

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* g, const float* b, size_t T,
                       size_t C, float eps) {
  for (size_t t = 0; t < T; ++t) {
    const float* x = inp + t * C;
    float m = 0.0f;
    for (size_t i = 0; i < C; ++i) m += x[i];
    m /= static_cast<float>(C);
    float v = 0.0f;
    for (size_t i = 0; i < C; ++i) v += (x[i] - m) * (x[i] - m);
    v /= static_cast<float>(C);
    const float s = 1.0f / std::sqrt(v + eps);
    float* o = out + t * C;
    for (size_t i = 0; i < C; ++i) o[i] = (x[i] - m) * s * g[i] + b[i];
    if (mean) mean[t] = m;
    if (rstd) rstd[t] = s;
  }
}

void linear_forward(float* out, const float* inp, const float* W, const float* bias, size_t T, size_t C, size_t OC) {
  for (size_t t = 0; t < T; ++t) f32_gemv(W, inp + t * C, bias, OC, C, out + t * OC);
}

void gelu_forward(float* out, const float* inp, size_t n) {
  const float k = std::sqrt(2.0f / static_cast<float>(M_PI));
  for (size_t i = 0; i < n; ++i) {
    const float x = inp[i];
    out[i] = 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
  }
}

void relu_forward(float* out, const float* inp, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void activation_forward(Activation a, float* out, const float* inp, size_t n) {
  if (a == Activation::kRelu) {
    relu_forward(out, inp, n);
  } else {
    gelu_forward(out, inp, n);
  }
}

void softmax_inplace(float* x, size_t n) {
  if (n == 0) return;
  float mx = x[0];
  for (size_t i = 1; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  const float inv = 1.0f / sum;
  for (size_t i = 0; i < n; ++i) x[i] *= inv;
}

void attention_forward(float* out, float* att, const float* q, size_t q_stride, const float* k, const float* v,
                       size_t kv_stride, size_t T, size_t P, size_t C, size_t NH) {
  const size_t HS = C / NH, S = P + T;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  for (size_t h = 0; h < NH; ++h) {
    for (size_t t = 0; t < T; ++t) {
      const float* qt = q + t * q_stride + h * HS;
      float* a = att + (h * T + t) * S;
      const size_t n = P + t + 1;  // keys this query may see
      for (size_t u = 0; u < n; ++u) {
        const float* ku = k + u * kv_stride + h * HS;
        float s = 0.0f;
        for (size_t i = 0; i < HS; ++i) s += qt[i] * ku[i];
        a[u] = s * scale;
      }
      softmax_inplace(a, n);
      for (size_t u = n; u < S; ++u) a[u] = 0.0f;
      float* o = out + t * C + h * HS;
      for (size_t i = 0; i < HS; ++i) o[i] = 0.0f;
      for (size_t u = 0; u < n; ++u) {
        const float* vu = v + u * kv_stride + h * HS;
        for (size_t i = 0; i < HS; ++i) o[i] += a[u] * vu[i];
      }
    }
  }
}

void embedding_sum(float* x, const float* item, const float* action, const float* time, const float* pos, size_t C) {
  for (size_t i = 0; i < C; ++i) x[i] = item[i] + action[i] + time[i] + pos[i];
}

void residual_add(float* out, const float* a, const float* b, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

}  // namespace forecart
