// Eigen for the trainer (native only): the includes, with Eigen's own warnings silenced, and
// row-major Map aliases over plain float buffers.
#pragma once

#include <cstddef>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wdeprecated-copy"
#pragma GCC diagnostic ignored "-Wclass-memaccess"
#endif
#include <Eigen/Cholesky>
#include <Eigen/Core>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace forecart::train {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMat>;
using ConstMatMap = Eigen::Map<const RowMat>;
using ConstRowMap = Eigen::Map<const Eigen::RowVectorXf>;
using StridedMatMap = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;
using ConstStridedMatMap = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;

inline Eigen::Index idx(size_t n) {
  return static_cast<Eigen::Index>(n);
}

}  // namespace forecart::train
