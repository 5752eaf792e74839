// Backward passes of the forward layers (see backward.h for the math of each). Matrix products go
// through Eigen maps over the caller's row-major buffers; the rest are plain loops.
#include "train/backward.h"

#include <cmath>

#include "train/eigen.h"

namespace forecart::train {

void linear_forward_gemm(float* out, const float* inp, const float* W, const float* bias, size_t T, size_t C,
                         size_t OC) {
  if (T == 0) return;
  MatMap Y(out, idx(T), idx(OC));
  const ConstMatMap X(inp, idx(T), idx(C));
  const ConstMatMap Wm(W, idx(OC), idx(C));
  Y.noalias() = X * Wm.transpose();
  if (bias) Y.rowwise() += ConstRowMap(bias, idx(OC));
}

// B = batch rows (T), C = channels.
void layernorm_backward(float* dinp, float* dg, float* db, const float* dout, const float* inp, const float* g,
                        const float* mean, const float* rstd, size_t T, size_t C) {
  const float inv_c = 1.0f / static_cast<float>(C);
  for (size_t t = 0; t < T; ++t) {
    const float* x = inp + t * C;
    const float* dy = dout + t * C;
    const float m = mean[t], s = rstd[t];
    // Two reductions first: mean(dn) and mean(dn * n).
    float dn_mean = 0.0f, dn_n_mean = 0.0f;
    for (size_t i = 0; i < C; ++i) {
      const float n = (x[i] - m) * s;
      const float dn = g[i] * dy[i];
      dn_mean += dn;
      dn_n_mean += dn * n;
    }
    dn_mean *= inv_c;
    dn_n_mean *= inv_c;
    float* dx = dinp + t * C;
    for (size_t i = 0; i < C; ++i) {
      const float n = (x[i] - m) * s;
      const float dn = g[i] * dy[i];
      if (dg) dg[i] += n * dy[i];
      if (db) db[i] += dy[i];
      if (dx) dx[i] += (dn - dn_mean - n * dn_n_mean) * s;
    }
  }
}

// T = tokens, C = input channels, OC = output channels.
void linear_backward(float* dinp, float* dW, float* dbias, const float* dout, const float* inp, const float* W,
                     size_t T, size_t C, size_t OC) {
  if (T == 0) return;
  const ConstMatMap dY(dout, idx(T), idx(OC));
  if (dinp) {
    MatMap dX(dinp, idx(T), idx(C));
    dX.noalias() += dY * ConstMatMap(W, idx(OC), idx(C));
  }
  if (dW) {
    MatMap dWm(dW, idx(OC), idx(C));
    dWm.noalias() += dY.transpose() * ConstMatMap(inp, idx(T), idx(C));
  }
  if (dbias) {
    // Plain row-order loop: the same summation order for any caller split.
    for (size_t t = 0; t < T; ++t) {
      const float* dy = dout + t * OC;
      for (size_t o = 0; o < OC; ++o) dbias[o] += dy[o];
    }
  }
}

// T = tokens of one sequence, C = channels, NH = heads, HS = head size; qkv rows are [q | k | v].
void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, size_t T, size_t C,
                        size_t NH) {
  const size_t HS = C / NH, C3 = 3 * C;
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  for (size_t h = 0; h < NH; ++h) {
    for (size_t t = 0; t < T; ++t) {
      const float* a = att + (h * T + t) * T;
      const float* dy = dout + t * C + h * HS;
      // sum_w a[t,w] da[t,w], where da[t,w] = dy . v_w (recomputed below instead of stored).
      float a_da = 0.0f;
      for (size_t u = 0; u <= t; ++u) {
        const float* v = qkv + u * C3 + 2 * C + h * HS;
        float da = 0.0f;
        for (size_t i = 0; i < HS; ++i) da += dy[i] * v[i];
        a_da += a[u] * da;
      }
      const float* q = qkv + t * C3 + h * HS;
      float* dq = dqkv + t * C3 + h * HS;
      for (size_t u = 0; u <= t; ++u) {
        const float* k = qkv + u * C3 + C + h * HS;
        const float* v = qkv + u * C3 + 2 * C + h * HS;
        float* dk = dqkv + u * C3 + C + h * HS;
        float* dv = dqkv + u * C3 + 2 * C + h * HS;
        float da = 0.0f;
        for (size_t i = 0; i < HS; ++i) da += dy[i] * v[i];
        const float ds = a[u] * (da - a_da) * scale;
        for (size_t i = 0; i < HS; ++i) {
          dv[i] += a[u] * dy[i];
          dq[i] += ds * k[i];
          dk[i] += ds * q[i];
        }
      }
    }
  }
}

// Vectorised with Eigen's tanh (a few ulp from std::tanh, which is a libm call per element).
void gelu_forward_vec(float* out, const float* inp, size_t n) {
  const float k = std::sqrt(2.0f / static_cast<float>(M_PI));
  const Eigen::Map<const Eigen::ArrayXf> x(inp, idx(n));
  Eigen::Map<Eigen::ArrayXf> y(out, idx(n));
  y = 0.5f * x * (1.0f + (k * (x + 0.044715f * x * x * x)).tanh());
}

void gelu_backward(float* dinp, const float* inp, const float* dout, size_t n) {
  const float k = std::sqrt(2.0f / static_cast<float>(M_PI));
  const Eigen::Map<const Eigen::ArrayXf> x(inp, idx(n)), dy(dout, idx(n));
  Eigen::Map<Eigen::ArrayXf> dx(dinp, idx(n));
  const Eigen::ArrayXf th = (k * (x + 0.044715f * x * x * x)).tanh();
  dx += dy * (0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * k * (1.0f + 3.0f * 0.044715f * x * x));
}

void relu_backward(float* dinp, const float* inp, const float* dout, size_t n) {
  for (size_t i = 0; i < n; ++i) dinp[i] += inp[i] > 0.0f ? dout[i] : 0.0f;
}

// T = tokens, C = channels.
void embedding_backward(float* ditem, float* daction, float* dtime, float* dpos, const float* dout, const Token* tokens,
                        const uint32_t* pos, size_t T, size_t C) {
  auto add = [C](float* table, size_t row, const float* g) {
    if (!table) return;
    float* r = table + row * C;
    for (size_t i = 0; i < C; ++i) r[i] += g[i];
  };
  for (size_t t = 0; t < T; ++t) {
    const float* g = dout + t * C;
    add(ditem, tokens[t].item, g);
    add(daction, tokens[t].action, g);
    add(dtime, tokens[t].time_bucket, g);
    add(dpos, pos ? pos[t] : t, g);
  }
}

double softmax_xent_backward_inplace(float* z, size_t n, size_t target, float scale) {
  Eigen::Map<Eigen::ArrayXf> a(z, idx(n));
  const float zt = z[target];
  const float mx = a.maxCoeff();
  a = (a - mx).exp();  // vectorised; the sum is too, in a fixed order for a given buffer
  const double sum = static_cast<double>(a.sum());
  const double loss = std::log(sum) + static_cast<double>(mx) - static_cast<double>(zt);
  a *= static_cast<float>(static_cast<double>(scale) / sum);
  z[target] -= scale;
  return loss;
}

}  // namespace forecart::train
