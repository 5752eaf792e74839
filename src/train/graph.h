// TrainGraph: forward + loss + backward of the forecart model for a batch of event sequences,
// over activation buffers allocated once for (max_batch, max_len).
//
// Sequences are packed back to back (no padding tokens at all). This is exactly what right
// padding to the longest sequence computes: attention is causal, so a valid position never sees
// a padded one, and padded positions would carry no loss and no gradient.
//
// The forward at dropout 0 reproduces the inference forward (model/forward.h) up to fp32 rounding
// (linears as Eigen GEMMs, GELU with Eigen's vectorised tanh; tested to 1e-4 per hidden value).
// Memory: about 3.7k floats per token slot at d 64 / ffn 256 / 2 layers, i.e. ~100 MB for
// max_batch 128 x max_len 50, plus an 8 MiB logits chunk for the item head.
// Losses, at the positions that have a target item (N of them):
//   item:   softmax cross-entropy over vocab ids 1..V-1 (the reserved unknown id 0 never takes
//           mass: its logit is -inf), logits = h . item_emb[i] + item_bias[i] (tied table);
//           or, with neg_samples = S > 0, over {target} + S negatives drawn uniformly (with
//           replacement) from 1..V-1 and shared by the batch. Uniform sampling makes the logQ
//           correction a constant, so it is dropped; a negative equal to the row's target
//           (accidental hit) is masked out.
//   action: softmax cross-entropy of action_w h + action_b against the next action type, plus,
//           after set_action_prior(), the prior's log P(next | token's action, time bucket)
//           (model/action_head.h) as a fixed offset: the learned part is the correction.
//   loss = mean item CE + action_weight * mean action CE.
//
// Threads: one fork-join pool of `threads` (the caller is thread 0). The transformer runs with the
// sequences split in contiguous, token-balanced chunks, one per thread, each with a private
// gradient accumulator reduced in thread order; the item head splits rows (logits, softmax, dH)
// and then catalogue rows (dE). Dropout masks come from a counter-based hash of (seed, step,
// site, token, channel) and negatives from a generator seeded by (seed, step), so a given seed
// and thread count reproduce the gradients bit for bit. Eigen's GEMMs run single-threaded inside
// the pool, so -fopenmp is not needed (built with it, create() sets Eigen::setNbThreads(1) when
// threads > 1 to avoid nested teams).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "core/status.h"
#include "model/action_head.h"
#include "model/config.h"
#include "model/token.h"

namespace forecart::train {

// 64-byte aligned float storage for activations: Eigen's vectorised kernels peel unaligned heads,
// so with AVX/AVX-512 the summation order (and the last bits) would otherwise depend on where
// malloc put a buffer. Aligned buffers keep a seed's results bit-identical from run to run.
template <typename T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kAlign = 64;
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kAlign))); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(kAlign)); }
  template <typename U>
  bool operator==(const AlignedAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const AlignedAllocator<U>&) const {
    return false;
  }
};
using FloatBuf = std::vector<float, AlignedAllocator<float>>;

// A batch of B sequences stored back to back. Sequence b is tokens [offsets[b], offsets[b+1]).
// target_item[t] is the vocab id of the item that follows token t (0 = no target: the position
// takes no loss, item or action); target_action[t] its action type (read only when
// target_item[t] != 0).
struct TrainBatch {
  std::vector<Token> tokens;
  std::vector<uint32_t> target_item;
  std::vector<uint32_t> target_action;
  std::vector<uint32_t> offsets{0};

  size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }  // B
  size_t num_tokens() const { return tokens.size(); }
  void clear();  // keeps capacity
  void add_sequence(const Token* toks, const uint32_t* next_item, const uint32_t* next_action, size_t n);
};

struct GraphOptions {
  uint32_t max_batch = 128;    // sequences per batch (buffers are sized for max_batch * max_len)
  uint32_t threads = 1;        // 1..256
  float dropout = 0.0f;        // inverted dropout rate in [0, 1), used only when training
  float action_weight = 0.5f;  // weight of the next-action loss
  // The action loss trains action_w and action_b only: no gradient into the hidden states, so the
  // head cannot reshape the model to memorise the training users' actions.
  bool action_detached = false;
  uint32_t neg_samples = 0;  // 0 = full softmax over the catalogue; S > 0 = sampled softmax
  uint64_t seed = 1;         // dropout masks and negative samples
};

struct StepStats {
  double loss = 0.0;         // item_loss + action_weight * action_loss
  double item_loss = 0.0;    // mean item cross-entropy over the N positions with a target
  double action_loss = 0.0;  // mean action cross-entropy over the same positions
  size_t positions = 0;      // N
  size_t tokens = 0;         // tokens in the batch
};

class ThreadPool;

class TrainGraph {
 public:
  TrainGraph();
  ~TrainGraph();
  TrainGraph(TrainGraph&&) noexcept;
  TrainGraph& operator=(TrainGraph&&) noexcept;

  // Validates config and options and allocates every buffer (and the worker threads).
  static Result<TrainGraph> create(const ModelConfig& config, const GraphOptions& options);

  // One forward + loss (+ backward) pass.
  //   params: arena of ParamLayout::build(config) (item table included), e.g. ModelWeights::arena.
  //   training: applies dropout (when options.dropout > 0). Negatives are sampled whenever
  //             neg_samples > 0. Every call advances the step counter that keys the randomness.
  //   grads: same layout and size as params; zeroed, then filled. Null = forward and loss only.
  //   stats: may be null.
  // Bad input (wrong arena size, batch larger than max_batch, empty or too long sequence, an id
  // out of range) returns kInvalidArgument and changes nothing.
  Status step(const std::vector<float>& params, const TrainBatch& batch, bool training, std::vector<float>* grads,
              StepStats* stats);

  // Final hidden states (after the last LayerNorm) of the last step's tokens, packed [tokens, d].
  const float* hidden() const { return hidden_.data(); }

  // The randomness of call k depends on (seed, k) only: set it to replay a step (gradient
  // checks) or to resume a run.
  uint64_t step_count() const { return step_count_; }
  void set_step_count(uint64_t k) { step_count_ = k; }

  const ModelConfig& config() const { return config_; }
  const GraphOptions& options() const { return options_; }

  // The action head's prior table (an active head of this config's actions and buckets), added to
  // the action logits of every later step. An inactive head removes it.
  void set_action_prior(const ActionHead& head);

 private:
  struct Layer {  // saved activations of one block, packed [tokens, ...]
    FloatBuf ln1, ln1_mean, ln1_rstd, qkv, att, atty, res_mid, ln2, ln2_mean, ln2_rstd, fc1, act, drop_attn, drop_ffn;
  };
  struct Chunk {  // a thread's share of the sequences
    size_t seq_begin = 0, seq_end = 0, tok_begin = 0, tok_end = 0;
  };

  struct ItemHead;  // one step's item-head operands (graph_heads.cpp)

  // create()'s steps (graph.cpp), run once config_, options_ and max_tokens_ are set.
  Status bind_layouts();
  void allocate_plan();
  void allocate_activations();
  void allocate_gradients();
  void allocate_heads();

  Status validate(const std::vector<float>& params, const TrainBatch& batch, const std::vector<float>* grads) const;
  void plan(const TrainBatch& batch);
  void forward_chunk(const ParamView& w, const TrainBatch& batch, size_t tid, bool dropout_on);
  void backward_chunk(const ParamView& w, const TrainBatch& batch, size_t tid, bool dropout_on);

  // Heads (graph_heads.cpp).
  double item_head(const ParamView& w, ParamView* g);
  ItemHead item_head_operands(const ParamView& w, ParamView* g);
  float target_logit(const ParamView& w, size_t r) const;
  void item_rows_loss(const ItemHead& h, const ParamView& w, size_t c0, size_t r0, size_t r1);
  void item_rows_dh(const ItemHead& h, const ParamView& w, size_t c0, size_t r0, size_t r1);
  void item_candidates_grad(const ItemHead& h, size_t c0, size_t rc, size_t k0, size_t k1);
  void scatter_sampled_grads(ParamView* g);
  double action_head(const ParamView& w, ParamView* g);
  void sample_negatives(const ParamView& w);

  ModelConfig config_;
  GraphOptions options_;
  ParamLayout layout_;                      // of params and grads
  ParamLayout local_layout_;                // of the per-thread accumulators (built without the item table)
  size_t local_begin_ = 0, local_end_ = 0;  // the span they fill (blocks.*, lnf_*) in local_layout_
  size_t grads_begin_ = 0;                  // where that span starts in layout_
  size_t max_tokens_ = 0;                   // max_batch * max_len
  std::unique_ptr<ThreadPool> pool_;
  uint64_t step_count_ = 0;

  // Plan of the current step.
  size_t num_tokens_ = 0;
  uint64_t rng_key_ = 0;                         // hash of (seed, step)
  std::vector<uint32_t> pos_;                    // [tokens] position of each token in its sequence
  std::vector<size_t> att_off_;                  // [B] offset of each sequence's [NH, n, n] attention weights
  std::vector<Chunk> chunks_;                    // [threads]
  std::vector<uint32_t> rows_;                   // [N] token index of each position with a target
  std::vector<uint32_t> row_item_, row_action_;  // [N] its targets
  std::vector<uint32_t> row_prior_;              // [N] its token's prior row: action * buckets + time bucket

  // Activations, packed [tokens, ...]; threads own token slices.
  std::vector<FloatBuf> resid_;  // [layers + 1]: block inputs (0 = embeddings after dropout)
  std::vector<Layer> layers_;
  FloatBuf drop_emb_, lnf_mean_, lnf_rstd_, hidden_;
  // Gradient scratch.
  FloatBuf dres_, dtmp_, dln_, datty_, dqkv_, dact_, dfc1_, dhidden_;
  std::vector<FloatBuf> local_grads_;  // [threads][local_layout_.total]

  // Heads.
  size_t head_rows_ = 0;                                // rows of logits per chunk
  FloatBuf H_, dH_;                                     // [N, d] gathered hidden states and their gradient
  FloatBuf logits_;                                     // [head_rows_, K] (K = V-1, or 1+S when sampled)
  std::vector<double> row_loss_;                        // [N]
  std::vector<uint32_t> negatives_;                     // [S]
  FloatBuf neg_emb_, neg_bias_, dneg_emb_, dneg_bias_;  // [S, d], [S]
  FloatBuf dtarget_;                                    // [N] gradient of each row's target logit (sampled softmax)
  FloatBuf action_logits_;                              // [N, A]
  std::vector<float> action_prior_;                     // [A * B * A] log prior rows, or empty
  uint32_t prior_buckets_ = 1;                          // its B (1 or the config's time buckets)
};

}  // namespace forecart::train
