// TrainGraph's trunk: create() (checks, parameter layouts, buffer allocation in named steps),
// input validation and the per-step plan, the training forward (the layers of model/layers.h plus
// dropout, linears as Eigen GEMMs), the backward through the blocks and embeddings, and step(),
// which runs them around the heads (graph_heads.cpp). See graph.h.
#include "train/graph.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "model/layers.h"
#include "train/backward.h"
#include "train/eigen.h"
#include "train/graph_internal.h"
#include "train/thread_pool.h"

namespace forecart::train {

using detail::kHeadBufferFloats;
using detail::part;
using detail::splitmix64;
using detail::zero;

namespace {

constexpr uint32_t kMaxThreads = 256;
constexpr uint32_t kMaxNegSamples = 1u << 20;

// Dropout sites: 0 = embedding sum, 1 + 2l = attention projection of block l, 2 + 2l = its fc2.
// x[i] *= mask[i] with mask = 0 (dropped, probability p) or 1 / (1 - p); element i of the slice
// is element first + i of the whole batch, so masks do not depend on how threads split the work.
void dropout_forward(float* x, float* mask, size_t n, size_t first, uint64_t key, uint64_t site, float p) {
  const float keep_scale = 1.0f / (1.0f - p);
  const uint64_t base = key ^ splitmix64(site);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t h = splitmix64(base + first + i);
    const float u = static_cast<float>(h >> 40) * (1.0f / 16777216.0f);  // 24 bits -> [0, 1)
    mask[i] = u < p ? 0.0f : keep_scale;
    x[i] *= mask[i];
  }
}

// layers.h's activation_forward with the GELU vectorised (Eigen's tanh, within a few ulp of std::tanh).
void activation_forward_vec(Activation a, float* out, const float* inp, size_t n) {
  if (a == Activation::kRelu) {
    relu_forward(out, inp, n);
  } else {
    gelu_forward_vec(out, inp, n);
  }
}

void activation_backward(Activation a, float* dinp, const float* inp, const float* dout, size_t n) {
  if (a == Activation::kRelu) {
    relu_backward(dinp, inp, dout, n);
  } else {
    gelu_backward(dinp, inp, dout, n);
  }
}

// create()'s checks of config and options.
Status check_options(const ModelConfig& config, const GraphOptions& options) {
  FORECART_RETURN_IF_ERROR(config.validate());
  if (config.num_items == 0) return invalid_argument("training needs at least one catalogue item");
  if (options.max_batch == 0) return invalid_argument("max_batch must be at least 1");
  if (options.threads == 0 || options.threads > kMaxThreads)
    return invalid_argument("threads must be 1.." + std::to_string(kMaxThreads));
  if (!(options.dropout >= 0.0f && options.dropout < 1.0f)) return invalid_argument("dropout must be in [0, 1)");
  if (!(options.action_weight >= 0.0f && options.action_weight <= 1e6f))
    return invalid_argument("action_weight must be a finite value >= 0");
  if (options.neg_samples > kMaxNegSamples)
    return invalid_argument("neg_samples must be at most " + std::to_string(kMaxNegSamples));
  return Status::Ok();
}

}  // namespace

// ------------------------------------------------------------------------------------------
void TrainBatch::clear() {
  tokens.clear();
  target_item.clear();
  target_action.clear();
  offsets.assign(1, 0);
}

void TrainBatch::add_sequence(const Token* toks, const uint32_t* next_item, const uint32_t* next_action, size_t n) {
  if (offsets.empty()) offsets.push_back(0);
  tokens.insert(tokens.end(), toks, toks + n);
  target_item.insert(target_item.end(), next_item, next_item + n);
  target_action.insert(target_action.end(), next_action, next_action + n);
  offsets.push_back(static_cast<uint32_t>(tokens.size()));
}

TrainGraph::TrainGraph() = default;
TrainGraph::~TrainGraph() = default;
TrainGraph::TrainGraph(TrainGraph&&) noexcept = default;
TrainGraph& TrainGraph::operator=(TrainGraph&&) noexcept = default;

Result<TrainGraph> TrainGraph::create(const ModelConfig& config, const GraphOptions& options) {
  FORECART_RETURN_IF_ERROR(check_options(config, options));
  TrainGraph g;
  g.config_ = config;
  g.options_ = options;
  FORECART_RETURN_IF_ERROR(g.bind_layouts());
  g.max_tokens_ = static_cast<size_t>(options.max_batch) * config.max_len;
  g.allocate_plan();
  g.allocate_activations();
  g.allocate_gradients();
  g.allocate_heads();

#if defined(_OPENMP)
  // The pool already splits every large GEMM; Eigen's own OpenMP team inside each worker would
  // oversubscribe the cores (built without -fopenmp, Eigen is single-threaded anyway).
  if (options.threads > 1) Eigen::setNbThreads(1);
#endif
  g.pool_ = std::make_unique<ThreadPool>(options.threads);
  FORECART_RETURN_IF_ERROR(g.pool_->start());
  return Result<TrainGraph>(std::move(g));
}

// Layouts of params/grads and of the per-thread accumulators, and the span (blocks.*, lnf_*) that
// the accumulators fill, which must be contiguous in both.
Status TrainGraph::bind_layouts() {
  layout_ = ParamLayout::build(config_, true);
  local_layout_ = ParamLayout::build(config_, false);
  const std::string first = config_.layers ? "blocks.0.ln1_g" : "lnf_g";
  local_begin_ = local_layout_.find(first)->offset;
  local_end_ = local_layout_.find("lnf_b")->offset + config_.dim;
  grads_begin_ = layout_.find(first)->offset;
  if (layout_.find("lnf_b")->offset + config_.dim - grads_begin_ != local_end_ - local_begin_)
    return Status(StatusCode::kInternal, "parameter layout: blocks and final norm are not contiguous");
  return Status::Ok();
}

// The step plan's buffers: per token, per sequence, per thread, per target row.
void TrainGraph::allocate_plan() {
  const size_t Tm = max_tokens_;
  pos_.resize(Tm);
  att_off_.resize(options_.max_batch);
  chunks_.resize(options_.threads);
  rows_.reserve(Tm);
  row_item_.reserve(Tm);
  row_action_.reserve(Tm);
  row_prior_.reserve(Tm);
}

// The forward's saved activations (dropout masks only when dropout > 0).
void TrainGraph::allocate_activations() {
  const size_t d = config_.dim, f = config_.ffn_dim, NH = config_.heads, L = config_.max_len;
  const size_t Tm = max_tokens_;
  const bool drop = options_.dropout > 0.0f;
  resid_.assign(config_.layers + 1, FloatBuf(Tm * d));
  layers_.resize(config_.layers);
  for (Layer& l : layers_) {
    l.ln1.resize(Tm * d);
    l.ln1_mean.resize(Tm);
    l.ln1_rstd.resize(Tm);
    l.qkv.resize(Tm * 3 * d);
    l.att.resize(options_.max_batch * NH * L * L);
    l.atty.resize(Tm * d);
    l.res_mid.resize(Tm * d);
    l.ln2.resize(Tm * d);
    l.ln2_mean.resize(Tm);
    l.ln2_rstd.resize(Tm);
    l.fc1.resize(Tm * f);
    l.act.resize(Tm * f);
    if (drop) {
      l.drop_attn.resize(Tm * d);
      l.drop_ffn.resize(Tm * d);
    }
  }
  if (drop) drop_emb_.resize(Tm * d);
  lnf_mean_.resize(Tm);
  lnf_rstd_.resize(Tm);
  hidden_.resize(Tm * d);
}

// The trunk's gradient scratch and the per-thread parameter-gradient accumulators.
void TrainGraph::allocate_gradients() {
  const size_t d = config_.dim, f = config_.ffn_dim, Tm = max_tokens_;
  for (auto* v : {&dres_, &dtmp_, &dln_, &datty_, &dhidden_}) v->resize(Tm * d);
  dqkv_.resize(Tm * 3 * d);
  dact_.resize(Tm * f);
  dfc1_.resize(Tm * f);
  local_grads_.assign(options_.threads, FloatBuf(local_layout_.total));
}

// The heads' buffers: a logits chunk of head_rows_ rows, the gathered rows, the negatives.
void TrainGraph::allocate_heads() {
  const size_t d = config_.dim, Tm = max_tokens_;
  const size_t S = options_.neg_samples;
  const size_t K = S ? 1 + S : config_.num_items;  // logits per row
  head_rows_ = std::clamp<size_t>(kHeadBufferFloats / K, 16, 1024);
  head_rows_ = std::min(head_rows_, Tm);
  logits_.resize(head_rows_ * K);
  H_.resize(Tm * d);
  dH_.resize(Tm * d);
  row_loss_.resize(Tm);
  if (S) {
    negatives_.resize(S);
    neg_emb_.resize(S * d);
    neg_bias_.resize(S);
    dneg_emb_.resize(S * d);
    dneg_bias_.resize(S);
    dtarget_.resize(Tm);
  }
  action_logits_.resize(Tm * config_.num_actions);
}

Status TrainGraph::validate(const std::vector<float>& params, const TrainBatch& b,
                            const std::vector<float>* grads) const {
  if (!pool_) return invalid_argument("TrainGraph used before create()");
  if (params.size() != layout_.total)
    return invalid_argument("params: " + std::to_string(params.size()) + " floats, the layout needs " +
                            std::to_string(layout_.total));
  if (grads && grads->size() != layout_.total)
    return invalid_argument("grads: " + std::to_string(grads->size()) + " floats, the layout needs " +
                            std::to_string(layout_.total));
  if (b.offsets.empty() || b.offsets[0] != 0) return invalid_argument("batch offsets must start with 0");
  const size_t B = b.size(), T = b.tokens.size();
  if (B > options_.max_batch)
    return invalid_argument("batch of " + std::to_string(B) + " sequences exceeds max_batch " +
                            std::to_string(options_.max_batch));
  if (b.offsets.back() != T || b.target_item.size() != T || b.target_action.size() != T)
    return invalid_argument("batch offsets and tokens/targets disagree in length");
  for (size_t s = 0; s < B; ++s) {
    if (b.offsets[s + 1] <= b.offsets[s]) return invalid_argument("sequence " + std::to_string(s) + " is empty");
    const size_t n = b.offsets[s + 1] - b.offsets[s];
    if (n > config_.max_len)
      return invalid_argument("sequence " + std::to_string(s) + " has " + std::to_string(n) + " events, max_len is " +
                              std::to_string(config_.max_len));
  }
  const uint32_t V = config_.vocab(), A = config_.num_actions;
  for (size_t t = 0; t < T; ++t) {
    const Token& k = b.tokens[t];
    if (k.item >= V || k.action >= A || k.time_bucket >= config_.time_buckets)
      return invalid_argument("token " + std::to_string(t) + ": item, action or time bucket out of range");
    if (b.target_item[t] >= V) return invalid_argument("target item of token " + std::to_string(t) + " out of range");
    if (b.target_item[t] != 0 && b.target_action[t] >= A)
      return invalid_argument("target action of token " + std::to_string(t) + " out of range");
  }
  return Status::Ok();
}

void TrainGraph::plan(const TrainBatch& b) {
  const size_t B = b.size(), NH = config_.heads;
  num_tokens_ = b.tokens.size();
  size_t att = 0;
  rows_.clear();
  row_item_.clear();
  row_action_.clear();
  row_prior_.clear();
  for (size_t s = 0; s < B; ++s) {
    const size_t o = b.offsets[s], n = b.offsets[s + 1] - o;
    for (size_t i = 0; i < n; ++i) pos_[o + i] = static_cast<uint32_t>(i);
    att_off_[s] = att;
    att += NH * n * n;
  }
  for (size_t t = 0; t < num_tokens_; ++t) {
    if (b.target_item[t] == 0) continue;
    rows_.push_back(static_cast<uint32_t>(t));
    row_item_.push_back(b.target_item[t]);
    row_action_.push_back(b.target_action[t]);
    row_prior_.push_back(b.tokens[t].action * prior_buckets_ + (prior_buckets_ > 1 ? b.tokens[t].time_bucket : 0));
  }
  // Contiguous runs of sequences with about equal token counts: a sequence goes to the chunk
  // that holds its middle token.
  const size_t nt = chunks_.size();
  size_t s = 0;
  for (size_t c = 0; c < nt; ++c) {
    Chunk& ch = chunks_[c];
    ch.seq_begin = s;
    const size_t goal = part(num_tokens_, c + 1, nt);
    while (s < B && (c + 1 == nt || b.offsets[s] + (b.offsets[s + 1] - b.offsets[s]) / 2 < goal)) ++s;
    ch.seq_end = s;
    ch.tok_begin = b.offsets[ch.seq_begin];
    ch.tok_end = b.offsets[ch.seq_end];
  }
}

// ------------------------------------------------------------------------------------------
// Forward of one chunk of sequences. n = tokens of the chunk, d = channels, f = ffn channels.
void TrainGraph::forward_chunk(const ParamView& w, const TrainBatch& b, size_t tid, bool dropout_on) {
  const Chunk& ch = chunks_[tid];
  const size_t a = ch.tok_begin, n = ch.tok_end - ch.tok_begin;
  if (n == 0) return;
  const ModelConfig& c = config_;
  const size_t d = c.dim, f = c.ffn_dim, NH = c.heads;
  const float p = options_.dropout;

  float* x0 = resid_[0].data() + a * d;
  for (size_t t = 0; t < n; ++t) {
    const Token& k = b.tokens[a + t];
    embedding_sum(x0 + t * d, w.item_emb + static_cast<size_t>(k.item) * d,
                  w.action_emb + static_cast<size_t>(k.action) * d, w.time_emb + static_cast<size_t>(k.time_bucket) * d,
                  w.pos_emb + static_cast<size_t>(pos_[a + t]) * d, d);
  }
  if (dropout_on) dropout_forward(x0, drop_emb_.data() + a * d, n * d, a * d, rng_key_, 0, p);

  for (size_t l = 0; l < layers_.size(); ++l) {
    Layer& L = layers_[l];
    const BlockView& bw = w.blocks[l];
    const float* xin = resid_[l].data() + a * d;
    layernorm_forward(L.ln1.data() + a * d, L.ln1_mean.data() + a, L.ln1_rstd.data() + a, xin, bw.ln1_g, bw.ln1_b, n, d,
                      c.norm_eps);
    linear_forward_gemm(L.qkv.data() + a * 3 * d, L.ln1.data() + a * d, bw.qkv_w, bw.qkv_b, n, d, 3 * d);
    for (size_t s = ch.seq_begin; s < ch.seq_end; ++s) {
      const size_t o = b.offsets[s], len = b.offsets[s + 1] - o;
      const float* qkv = L.qkv.data() + o * 3 * d;
      attention_forward(L.atty.data() + o * d, L.att.data() + att_off_[s], qkv, 3 * d, qkv + d, qkv + 2 * d, 3 * d, len,
                        0, d, NH);
    }
    float* mid = L.res_mid.data() + a * d;
    linear_forward_gemm(mid, L.atty.data() + a * d, bw.proj_w, bw.proj_b, n, d, d);
    if (dropout_on) dropout_forward(mid, L.drop_attn.data() + a * d, n * d, a * d, rng_key_, 1 + 2 * l, p);
    residual_add(mid, xin, mid, n * d);
    layernorm_forward(L.ln2.data() + a * d, L.ln2_mean.data() + a, L.ln2_rstd.data() + a, mid, bw.ln2_g, bw.ln2_b, n, d,
                      c.norm_eps);
    linear_forward_gemm(L.fc1.data() + a * f, L.ln2.data() + a * d, bw.fc1_w, bw.fc1_b, n, d, f);
    activation_forward_vec(c.activation, L.act.data() + a * f, L.fc1.data() + a * f, n * f);
    float* xout = resid_[l + 1].data() + a * d;
    linear_forward_gemm(xout, L.act.data() + a * f, bw.fc2_w, bw.fc2_b, n, f, d);
    if (dropout_on) dropout_forward(xout, L.drop_ffn.data() + a * d, n * d, a * d, rng_key_, 2 + 2 * l, p);
    residual_add(xout, mid, xout, n * d);
  }
  layernorm_forward(hidden_.data() + a * d, lnf_mean_.data() + a, lnf_rstd_.data() + a,
                    resid_[layers_.size()].data() + a * d, w.lnf_g, w.lnf_b, n, d, c.norm_eps);
}

// Backward of one chunk: from dhidden_ to dres_ (the gradient of the embedding sum), with the
// block and final-norm parameter gradients accumulated in this thread's local_grads_.
void TrainGraph::backward_chunk(const ParamView& w, const TrainBatch& b, size_t tid, bool dropout_on) {
  FloatBuf& local = local_grads_[tid];
  zero(local.data() + local_begin_, local_end_ - local_begin_);
  const Chunk& ch = chunks_[tid];
  const size_t a = ch.tok_begin, n = ch.tok_end - ch.tok_begin;
  if (n == 0) return;
  ParamView g = ParamView::bind(local_layout_, local.data());
  const ModelConfig& c = config_;
  const size_t d = c.dim, f = c.ffn_dim, NH = c.heads;
  float* dres = dres_.data() + a * d;
  float* dtmp = dtmp_.data() + a * d;
  float* dln = dln_.data() + a * d;
  float* datty = datty_.data() + a * d;
  float* dqkv = dqkv_.data() + a * 3 * d;
  float* dact = dact_.data() + a * f;
  float* dfc1 = dfc1_.data() + a * f;
  auto masked = [&](const FloatBuf& mask) -> const float* {  // dres, through dropout
    if (!dropout_on) return dres;
    for (size_t i = 0; i < n * d; ++i) dtmp[i] = dres[i] * mask[a * d + i];
    return dtmp;
  };

  const size_t NL = layers_.size();
  zero(dres, n * d);
  layernorm_backward(dres, g.lnf_g, g.lnf_b, dhidden_.data() + a * d, resid_[NL].data() + a * d, w.lnf_g,
                     lnf_mean_.data() + a, lnf_rstd_.data() + a, n, d);
  for (size_t l = NL; l-- > 0;) {
    Layer& L = layers_[l];
    const BlockView& bw = w.blocks[l];
    BlockView& gb = g.blocks[l];
    // xout = mid + dropout(fc2(act(fc1(ln2(mid))))): dres flows to mid unchanged, plus the branch.
    const float* dffn = masked(L.drop_ffn);
    zero(dact, n * f);
    linear_backward(dact, gb.fc2_w, gb.fc2_b, dffn, L.act.data() + a * f, bw.fc2_w, n, f, d);
    zero(dfc1, n * f);
    activation_backward(c.activation, dfc1, L.fc1.data() + a * f, dact, n * f);
    zero(dln, n * d);
    linear_backward(dln, gb.fc1_w, gb.fc1_b, dfc1, L.ln2.data() + a * d, bw.fc1_w, n, d, f);
    layernorm_backward(dres, gb.ln2_g, gb.ln2_b, dln, L.res_mid.data() + a * d, bw.ln2_g, L.ln2_mean.data() + a,
                       L.ln2_rstd.data() + a, n, d);
    // mid = xin + dropout(proj(attn(qkv(ln1(xin))))).
    const float* dproj = masked(L.drop_attn);
    zero(datty, n * d);
    linear_backward(datty, gb.proj_w, gb.proj_b, dproj, L.atty.data() + a * d, bw.proj_w, n, d, d);
    zero(dqkv, n * 3 * d);
    for (size_t s = ch.seq_begin; s < ch.seq_end; ++s) {
      const size_t o = b.offsets[s] - a, len = b.offsets[s + 1] - b.offsets[s];
      attention_backward(dqkv + o * 3 * d, datty + o * d, L.qkv.data() + (a + o) * 3 * d, L.att.data() + att_off_[s],
                         len, d, NH);
    }
    zero(dln, n * d);
    linear_backward(dln, gb.qkv_w, gb.qkv_b, dqkv, L.ln1.data() + a * d, bw.qkv_w, n, d, 3 * d);
    layernorm_backward(dres, gb.ln1_g, gb.ln1_b, dln, resid_[l].data() + a * d, bw.ln1_g, L.ln1_mean.data() + a,
                       L.ln1_rstd.data() + a, n, d);
  }
  if (dropout_on)
    for (size_t i = 0; i < n * d; ++i) dres[i] *= drop_emb_[a * d + i];
}

// ------------------------------------------------------------------------------------------
Status TrainGraph::step(const std::vector<float>& params, const TrainBatch& batch, bool training,
                        std::vector<float>* grads, StepStats* stats) {
  FORECART_RETURN_IF_ERROR(validate(params, batch, grads));
  plan(batch);
  rng_key_ = splitmix64(options_.seed ^ splitmix64(step_count_));
  ++step_count_;
  const bool dropout_on = training && options_.dropout > 0.0f;
  const size_t d = config_.dim, N = rows_.size();
  const ParamView w = ParamView::bind(layout_, const_cast<float*>(params.data()));
  ParamView g{};
  if (grads) {
    std::fill(grads->begin(), grads->end(), 0.0f);
    g = ParamView::bind(layout_, grads->data());
  }
  if (options_.neg_samples) sample_negatives(w);

  pool_->run([&](size_t tid) { forward_chunk(w, batch, tid, dropout_on); });

  StepStats st;
  st.tokens = num_tokens_;
  st.positions = N;
  if (N > 0) {
    for (size_t r = 0; r < N; ++r) std::memcpy(H_.data() + r * d, hidden_.data() + rows_[r] * d, d * sizeof(float));
    st.item_loss = item_head(w, grads ? &g : nullptr) / static_cast<double>(N);
    st.action_loss = action_head(w, grads ? &g : nullptr) / static_cast<double>(N);
    st.loss = st.item_loss + static_cast<double>(options_.action_weight) * st.action_loss;
  }
  if (stats) *stats = st;
  if (!grads || N == 0) return Status::Ok();

  zero(dhidden_.data(), num_tokens_ * d);
  for (size_t r = 0; r < N; ++r) std::memcpy(dhidden_.data() + rows_[r] * d, dH_.data() + r * d, d * sizeof(float));
  pool_->run([&](size_t tid) { backward_chunk(w, batch, tid, dropout_on); });
  float* dst = grads->data() + grads_begin_;
  const size_t span = local_end_ - local_begin_;
  for (const auto& local : local_grads_) {  // fixed thread order
    const float* src = local.data() + local_begin_;
    for (size_t i = 0; i < span; ++i) dst[i] += src[i];
  }
  embedding_backward(g.item_emb, g.action_emb, g.time_emb, g.pos_emb, dres_.data(), batch.tokens.data(), pos_.data(),
                     num_tokens_, d);
  return Status::Ok();
}

}  // namespace forecart::train
