// Forward layers over plain buffers, llm.c style. T = tokens, C = channels (d), OC = output
// channels, NH = heads, HS = head size (C / NH). Row-major everywhere; linear weights are [OC, C].
// The trainer's backward passes mirror these functions one to one.
#pragma once

#include <cstddef>

namespace forecart {

// out[t,:] = (inp[t,:] - mean) * rstd * g + b. mean/rstd ([T]) may be null (inference).
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* g, const float* b, size_t T,
                       size_t C, float eps);

// out[t,o] = bias[o] + sum_c W[o,c] * inp[t,c]
void linear_forward(float* out, const float* inp, const float* W, const float* bias, size_t T, size_t C, size_t OC);

// GELU (tanh approximation, as GPT-2) and ReLU, elementwise, in place allowed.
void gelu_forward(float* out, const float* inp, size_t n);
void relu_forward(float* out, const float* inp, size_t n);

// Causal self-attention over T tokens. qkv: [T, 3C] (q | k | v), out: [T, C],
// att: [NH, T, T] scratch receiving the softmax weights (kept by the trainer for backward).
void attention_forward(float* out, float* att, const float* qkv, size_t T, size_t C, size_t NH);

// One query (the newest token) against T cached keys/values: q [C], keys/values [T, C],
// out [C], att [T] scratch.
void attention_one(float* out, float* att, const float* q, const float* keys, const float* values, size_t T, size_t C,
                   size_t NH);

// In-place numerically stable softmax of n values.
void softmax_inplace(float* x, size_t n);

}  // namespace forecart
