// A naive reference of the model's forward pass, kept only for tests: written out directly from
// the definition (no cache, no shared layer functions, double accumulators), so that the one
// inference forward (model/forward.h) and the trainer's forward are checked against something
// other than each other. Returns the final LayerNorm'd hidden state of every token, [T, d].
#pragma once

#include <cmath>
#include <vector>

#include "model/model.h"
#include "model/token.h"

namespace forecart::test {

inline std::vector<float> reference_forward(const Model& m, const std::vector<Token>& toks) {
  const ModelConfig& c = m.config;
  const size_t T = toks.size(), d = c.dim, f = c.ffn_dim, H = c.heads, hs = d / H;
  const ParamView w = ParamView::bind(m.rest.layout, const_cast<float*>(m.rest.arena.data()));
  using Mat = std::vector<std::vector<double>>;
  auto layernorm = [&](const std::vector<double>& x, const float* g, const float* b) {
    double mean = 0, var = 0;
    for (double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    for (double v : x) var += (v - mean) * (v - mean);
    var /= static_cast<double>(x.size());
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = (x[i] - mean) / std::sqrt(var + c.norm_eps) * g[i] + b[i];
    return y;
  };
  auto linear = [](const std::vector<double>& x, const float* W, const float* b, size_t out) {
    std::vector<double> y(out);
    for (size_t o = 0; o < out; ++o) {
      double s = b[o];
      for (size_t i = 0; i < x.size(); ++i) s += static_cast<double>(W[o * x.size() + i]) * x[i];
      y[o] = s;
    }
    return y;
  };
  Mat x(T, std::vector<double>(d));
  std::vector<float> row(d);
  for (size_t t = 0; t < T; ++t) {
    m.items.row(toks[t].item, row.data());
    for (size_t i = 0; i < d; ++i)
      x[t][i] = static_cast<double>(row[i]) + w.action_emb[toks[t].action * d + i] +
                w.time_emb[toks[t].time_bucket * d + i] + w.pos_emb[t * d + i];
  }
  for (const BlockView& b : w.blocks) {
    Mat q(T), k(T), v(T);
    for (size_t t = 0; t < T; ++t) {
      const std::vector<double> qkv = linear(layernorm(x[t], b.ln1_g, b.ln1_b), b.qkv_w, b.qkv_b, 3 * d);
      q[t].assign(qkv.begin(), qkv.begin() + d);
      k[t].assign(qkv.begin() + d, qkv.begin() + 2 * d);
      v[t].assign(qkv.begin() + 2 * d, qkv.end());
    }
    for (size_t t = 0; t < T; ++t) {
      std::vector<double> att(d, 0.0);
      for (size_t h = 0; h < H; ++h) {
        std::vector<double> s(t + 1);
        double mx = -1e300, z = 0;
        for (size_t u = 0; u <= t; ++u) {
          double dot = 0;
          for (size_t i = 0; i < hs; ++i) dot += q[t][h * hs + i] * k[u][h * hs + i];
          s[u] = dot / std::sqrt(static_cast<double>(hs));
          mx = std::max(mx, s[u]);
        }
        for (size_t u = 0; u <= t; ++u) z += (s[u] = std::exp(s[u] - mx));
        for (size_t u = 0; u <= t; ++u)
          for (size_t i = 0; i < hs; ++i) att[h * hs + i] += s[u] / z * v[u][h * hs + i];
      }
      const std::vector<double> proj = linear(att, b.proj_w, b.proj_b, d);
      for (size_t i = 0; i < d; ++i) x[t][i] += proj[i];
      std::vector<double> hid = linear(layernorm(x[t], b.ln2_g, b.ln2_b), b.fc1_w, b.fc1_b, f);
      for (double& a : hid) {
        if (c.activation == Activation::kRelu) {
          a = a > 0 ? a : 0;
        } else {
          a = 0.5 * a * (1 + std::tanh(std::sqrt(2 / M_PI) * (a + 0.044715 * a * a * a)));
        }
      }
      const std::vector<double> out = linear(hid, b.fc2_w, b.fc2_b, d);
      for (size_t i = 0; i < d; ++i) x[t][i] += out[i];
    }
  }
  std::vector<float> hidden(T * d);
  for (size_t t = 0; t < T; ++t) {
    const std::vector<double> y = layernorm(x[t], w.lnf_g, w.lnf_b);
    for (size_t i = 0; i < d; ++i) hidden[t * d + i] = static_cast<float>(y[i]);
  }
  return hidden;
}

}  // namespace forecart::test
