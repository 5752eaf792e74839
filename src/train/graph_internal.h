// Helpers shared by the TrainGraph's translation units (graph.cpp: trunk; graph_heads.cpp: losses).
// Internal to src/train.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace forecart::train::detail {

constexpr size_t kHeadBufferFloats = size_t{1} << 21;  // logits per item-head chunk (8 MiB)

// Counter-based randomness: a hash of (seed, step, site, index), so that results do not depend
// on how threads split the work.
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline void zero(float* p, size_t n) {
  std::memset(p, 0, n * sizeof(float));
}

// [begin, end) of part `i` of `n` equal parts of [0, total).
inline size_t part(size_t total, size_t i, size_t n) {
  return total * i / n;
}

}  // namespace forecart::train::detail
