// Forward layers over plain buffers, llm.c style. T = tokens, C = channels (d), OC = output
// channels, NH = heads, HS = head size (C / NH). Row-major everywhere; linear weights are [OC, C].
// The trainer's backward passes mirror these functions one to one.
#pragma once

#include <cstddef>

#include "model/config.h"  // Activation

namespace forecart {

// out[t,:] = (inp[t,:] - mean) * rstd * g + b. mean/rstd ([T]) may be null (inference).
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* g, const float* b, size_t T,
                       size_t C, float eps);

// out[t,o] = bias[o] + sum_c W[o,c] * inp[t,c]
void linear_forward(float* out, const float* inp, const float* W, const float* bias, size_t T, size_t C, size_t OC);

// GELU (tanh approximation, as GPT-2) and ReLU, elementwise, in place allowed.
void gelu_forward(float* out, const float* inp, size_t n);
void relu_forward(float* out, const float* inp, size_t n);
// The model's FFN activation (GELU or ReLU), elementwise, in place allowed.
void activation_forward(Activation a, float* out, const float* inp, size_t n);

// Causal self-attention of T new tokens (positions P..P+T-1) over P + T keys and values.
// Query t is at q + t * q_stride; key/value u (0 <= u < P + T) at k/v + u * kv_stride; each holds
// NH heads of HS values. out: [T, C]; att: [NH, T, P + T] receives the softmax weights (zero past
// the causal limit), kept by the trainer for backward. The trainer calls it with P = 0 over packed
// qkv rows (q_stride = kv_stride = 3C); inference with the key/value cache (kv_stride = C).
void attention_forward(float* out, float* att, const float* q, size_t q_stride, const float* k, const float* v,
                       size_t kv_stride, size_t T, size_t P, size_t C, size_t NH);

// x[i] = item[i] + action[i] + time[i] + pos[i]: the input embedding of one token, [C].
void embedding_sum(float* x, const float* item, const float* action, const float* time, const float* pos, size_t C);

// out[i] = a[i] + b[i] (residual connection; out may alias a or b).
void residual_add(float* out, const float* a, const float* b, size_t n);

// In-place numerically stable softmax of n values.
void softmax_inplace(float* x, size_t n);

}  // namespace forecart
