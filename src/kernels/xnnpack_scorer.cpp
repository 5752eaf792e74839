// Implements kernels/xnnpack_scorer.h: catalogue scoring through XNNPACK (native only).
#include "kernels/xnnpack_scorer.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <limits>
#include <string>

namespace forecart {

namespace {
Status xnn_error(const char* what, xnn_status s) {
  return Status(StatusCode::kInternal, std::string("XNNPACK ") + what + " failed (status " + std::to_string(s) + ")");
}
}  // namespace

Result<std::unique_ptr<XnnScorer>> XnnScorer::create(const float* table, const float* bias, size_t rows, size_t cols,
                                                     size_t threads) {
  if (rows == 0 || cols == 0) return invalid_argument("XnnScorer: empty table");
  xnn_status s = xnn_initialize(nullptr);  // idempotent, reference-counted
  if (s != xnn_status_success) return xnn_error("initialize", s);
  std::unique_ptr<XnnScorer> scorer(new XnnScorer());
  scorer->rows_ = rows;
  scorer->cols_ = cols;
  if (threads > 1) scorer->threadpool_ = pthreadpool_create(threads);
  xnn_operator_t op = nullptr;
  const float inf = std::numeric_limits<float>::infinity();
  s = xnn_create_fully_connected_nc_f32(cols, rows, cols, rows, table, bias, -inf, inf, 0, &op);
  if (s != xnn_status_success) return xnn_error("create_fully_connected_nc_f32", s);
  scorer->op_ = op;
  return scorer;
}

XnnScorer::~XnnScorer() {
  if (op_) xnn_delete_operator(static_cast<xnn_operator_t>(op_));
  if (threadpool_) pthreadpool_destroy(static_cast<pthreadpool_t>(threadpool_));
  xnn_deinitialize();
}

Status XnnScorer::score(const float* states, size_t batch, float* scores) {
  if (batch == 0) return Status::Ok();
  auto op = static_cast<xnn_operator_t>(op_);
  auto pool = static_cast<pthreadpool_t>(threadpool_);
  xnn_status s = xnn_setup_fully_connected_nc_f32(op, batch, states, scores, pool);
  if (s != xnn_status_success) return xnn_error("setup_fully_connected_nc_f32", s);
  s = xnn_run_operator(op, pool);
  if (s != xnn_status_success) return xnn_error("run_operator", s);
  return Status::Ok();
}

}  // namespace forecart
