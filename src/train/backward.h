// Backward passes of the forward layers in model/layers.h, llm.c style: one X_backward per
// X_forward, over plain row-major buffers, plus the embedding scatter-add and softmax cross-entropy.
//
// Convention: every backward ACCUMULATES (+=) into all of its gradient outputs (inputs and
// parameters alike), so a residual branch needs no extra add and the caller zeroes buffers once.
// T = tokens, C = channels (d), OC = output channels, NH = heads, HS = head size (C / NH).
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/token.h"

namespace forecart::train {

// --- training-side forward helper ----------------------------------------------------------
// out[T,OC] = inp[T,C] . W[OC,C]^T + bias[OC] as one Eigen GEMM (model/layers.h's linear_forward
// is the per-row gemv of inference; same math, different summation order). bias may be null.
void linear_forward_gemm(float* out, const float* inp, const float* W, const float* bias, size_t T, size_t C,
                         size_t OC);

// --- layernorm -----------------------------------------------------------------------------
// Forward: n = (x - mean) * rstd; out = n * g + b (mean/rstd [T] saved by layernorm_forward).
// Backward: dg += sum_t n*dout, db += sum_t dout,
//   dinp += rstd * (dn - mean(dn) - n * mean(dn * n)) with dn = dout * g.
void layernorm_backward(float* dinp, float* dg, float* db, const float* dout, const float* inp, const float* g,
                        const float* mean, const float* rstd, size_t T, size_t C);

// --- linear --------------------------------------------------------------------------------
// Forward: out = inp . W^T + bias. Backward (three Eigen GEMMs):
//   dinp[T,C] += dout[T,OC] . W[OC,C];  dW[OC,C] += dout^T . inp;  dbias[OC] += sum_t dout.
// Any of dinp / dW / dbias may be null (not needed).
void linear_backward(float* dinp, float* dW, float* dbias, const float* dout, const float* inp, const float* W,
                     size_t T, size_t C, size_t OC);

// --- causal attention ----------------------------------------------------------------------
// Forward (per head h, query t, keys u <= t): a[t,u] = softmax_u(q_t . k_u / sqrt(HS)),
// out_t = sum_u a[t,u] v_u; att [NH,T,T] holds a as saved by attention_forward.
// Backward: dv_u += a[t,u] dout_t; da[t,u] = dout_t . v_u;
//   ds[t,u] = a[t,u] (da[t,u] - sum_w a[t,w] da[t,w]);  dq_t += ds[t,u] k_u / sqrt(HS);
//   dk_u += ds[t,u] q_t / sqrt(HS).   dqkv / qkv: [T, 3C] (q | k | v), dout: [T, C].
void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, size_t T, size_t C,
                        size_t NH);

// --- activations ---------------------------------------------------------------------------
// GELU (tanh approximation): y = x/2 (1 + tanh(k (x + 0.044715 x^3))), k = sqrt(2/pi);
//   dinp += dout * (0.5 (1 + th) + 0.5 x (1 - th^2) k (1 + 3 * 0.044715 x^2)).
void gelu_backward(float* dinp, const float* inp, const float* dout, size_t n);
// The same GELU forward as model/layers.h, vectorised (Eigen's tanh, within a few ulp of it).
void gelu_forward_vec(float* out, const float* inp, size_t n);
// ReLU: dinp += dout where inp > 0 (the subgradient at 0 is taken as 0, as relu_forward's max).
void relu_backward(float* dinp, const float* inp, const float* dout, size_t n);

// --- embeddings ----------------------------------------------------------------------------
// Forward: x[t] = item_emb[item_t] + action_emb[action_t] + time_emb[bucket_t] + pos_emb[pos_t].
// Backward: scatter-add dout[t] into each table row, in token order (deterministic; repeated ids
// accumulate). pos [T] is each token's position in its own sequence; null means pos_t = t.
// Any table gradient may be null (not trained).
void embedding_backward(float* ditem, float* daction, float* dtime, float* dpos, const float* dout, const Token* tokens,
                        const uint32_t* pos, size_t T, size_t C);

// --- softmax cross-entropy -----------------------------------------------------------------
// Loss = logsumexp(z) - z[target] over the n logits z. Backward, in place:
// z <- scale * (softmax(z) - onehot(target)). Returns the loss (double). A masked entry (-inf)
// gets probability exp(-88.7) ~ 1e-38 from the vectorised exp (it clamps), i.e. none that
// shows in fp32; callers that need its gradient to be exactly 0 clear it afterwards.
// n >= 1 and target < n are the caller's contract.
double softmax_xent_backward_inplace(float* z, size_t n, size_t target, float scale);

}  // namespace forecart::train
