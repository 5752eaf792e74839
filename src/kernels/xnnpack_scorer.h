// Native batched catalogue scorer on XNNPACK's f32 fully-connected operator:
//   scores[b, n] = sum_k table[n, k] * states[b, k] + bias[n]
// Used for full-ranking evaluation of fp32 models and as an independent oracle for q8_gemv.
// Operator lifecycle follows XNNPACK: create (packs the table once) -> setup -> run.
#pragma once

#include <cstddef>
#include <memory>

#include "core/status.h"

namespace forecart {

class XnnScorer {
 public:
  // table: row-major [rows, cols], copied/packed by XNNPACK; bias may be null. threads 0 = one.
  static Result<std::unique_ptr<XnnScorer>> create(const float* table, const float* bias, size_t rows, size_t cols,
                                                   size_t threads = 1);
  ~XnnScorer();
  XnnScorer(const XnnScorer&) = delete;
  XnnScorer& operator=(const XnnScorer&) = delete;

  // states: [batch, cols]; scores: [batch, rows].
  Status score(const float* states, size_t batch, float* scores);
  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }

 private:
  XnnScorer() = default;
  void* op_ = nullptr;          // xnn_operator_t
  void* threadpool_ = nullptr;  // pthreadpool_t
  size_t rows_ = 0, cols_ = 0;
};

}  // namespace forecart
