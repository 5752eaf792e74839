// The inference forward pass: the one implementation of the model's transformer for the browser,
// the CLI and evaluation. It runs T new tokens at positions P..P+T-1 against a key/value cache
// that holds the P tokens before them (llama.cpp's n_past): the Predictor's incremental step is
// T = 1, a window recompute T = n with P = 0. The trainer's forward (train/graph.cpp) uses the same
// layer functions (model/layers.h) in the same order.
//
// T = new tokens, P = cached tokens, L = max_len, d = model width, f = FFN width.
#pragma once

#include <cstddef>
#include <vector>

#include "model/model.h"
#include "model/token.h"

namespace forecart {

// Keys and values of up to L tokens per block: [layers, L, d] each.
struct KvCache {
  std::vector<float> k, v;
  explicit KvCache(const ModelConfig& c);
};

// Scratch for up to L tokens at once; allocated once, reused by every call.
struct ForwardScratch {
  std::vector<float> x, xn, qkv, att, attn_out, ffn, tmp, row;
  explicit ForwardScratch(const ModelConfig& c);
};

// Runs tokens[0..T) at positions P..P+T-1 (P + T <= L) with the cache holding the keys/values of
// positions 0..P-1, appends theirs to the cache, and writes the final LayerNorm'd hidden state of
// every new token to hidden [T, d]. w = ParamView::bind(m.rest.layout, ...), bound once by the
// caller so that this allocates nothing.
void forward_tokens(const Model& m, const ParamView& w, const Token* tokens, size_t T, size_t P, KvCache* cache,
                    ForwardScratch* s, float* hidden);

}  // namespace forecart
