// The inference forward pass over a key/value cache (see forward.h).
#include "model/forward.h"

#include <cstring>

#include "model/layers.h"

namespace forecart {

KvCache::KvCache(const ModelConfig& c)
    : k(static_cast<size_t>(c.layers) * c.max_len * c.dim, 0.0f),
      v(static_cast<size_t>(c.layers) * c.max_len * c.dim, 0.0f) {}

ForwardScratch::ForwardScratch(const ModelConfig& c) {
  const size_t L = c.max_len, d = c.dim;
  x.resize(L * d);
  xn.resize(L * d);
  qkv.resize(L * 3 * d);
  att.resize(static_cast<size_t>(c.heads) * L);
  attn_out.resize(L * d);
  ffn.resize(L * c.ffn_dim);
  tmp.resize(L * d);
  row.resize(d);
}

namespace {

// x[t] = item + action + time-bucket + position embeddings of token t (position P + t).
void embed(const Model& m, const ParamView& w, const Token* tokens, size_t T, size_t P, ForwardScratch* s) {
  const size_t d = m.config.dim;
  for (size_t t = 0; t < T; ++t) {
    const Token& tok = tokens[t];
    m.items.row(tok.item, s->row.data());
    embedding_sum(s->x.data() + t * d, s->row.data(), w.action_emb + static_cast<size_t>(tok.action) * d,
                  w.time_emb + static_cast<size_t>(tok.time_bucket) * d, w.pos_emb + (P + t) * d, d);
  }
}

// One pre-LN block: x += proj(attn(qkv(ln1(x)))); x += fc2(act(fc1(ln2(x)))).
// kc/vc: this block's cache rows [L, d].
void block(const ModelConfig& c, const BlockView& b, size_t T, size_t P, float* kc, float* vc, ForwardScratch* s) {
  const size_t d = c.dim, f = c.ffn_dim;
  float *x = s->x.data(), *xn = s->xn.data(), *qkv = s->qkv.data(), *tmp = s->tmp.data();
  layernorm_forward(xn, nullptr, nullptr, x, b.ln1_g, b.ln1_b, T, d, c.norm_eps);
  linear_forward(qkv, xn, b.qkv_w, b.qkv_b, T, d, 3 * d);
  for (size_t t = 0; t < T; ++t) {
    std::memcpy(kc + (P + t) * d, qkv + t * 3 * d + d, d * sizeof(float));
    std::memcpy(vc + (P + t) * d, qkv + t * 3 * d + 2 * d, d * sizeof(float));
  }
  // One query row at a time: the weights of a row fit att [heads, P + t + 1] whatever T is.
  for (size_t t = 0; t < T; ++t)
    attention_forward(s->attn_out.data() + t * d, s->att.data(), qkv + t * 3 * d, 3 * d, kc, vc, d, 1, P + t, d,
                      c.heads);
  linear_forward(tmp, s->attn_out.data(), b.proj_w, b.proj_b, T, d, d);
  residual_add(x, x, tmp, T * d);
  layernorm_forward(xn, nullptr, nullptr, x, b.ln2_g, b.ln2_b, T, d, c.norm_eps);
  linear_forward(s->ffn.data(), xn, b.fc1_w, b.fc1_b, T, d, f);
  activation_forward(c.activation, s->ffn.data(), s->ffn.data(), T * f);
  linear_forward(tmp, s->ffn.data(), b.fc2_w, b.fc2_b, T, f, d);
  residual_add(x, x, tmp, T * d);
}

}  // namespace

void forward_tokens(const Model& m, const ParamView& w, const Token* tokens, size_t T, size_t P, KvCache* cache,
                    ForwardScratch* s, float* hidden) {
  const ModelConfig& c = m.config;
  const size_t L = c.max_len, d = c.dim;
  embed(m, w, tokens, T, P, s);
  for (size_t l = 0; l < w.blocks.size(); ++l)
    block(c, w.blocks[l], T, P, cache->k.data() + l * L * d, cache->v.data() + l * L * d, s);
  layernorm_forward(hidden, nullptr, nullptr, s->x.data(), w.lnf_g, w.lnf_b, T, d, c.norm_eps);
}

}  // namespace forecart
