// Documented hard limits, enforced in C++; the bindings export the ones the JS API checks itself.
#pragma once

#include <cstddef>
#include <cstdint>

namespace forecart {

constexpr size_t kMaxItemIdBytes = 256;  // UTF-8 bytes of one storefront item id
constexpr size_t kMaxActionNameBytes = 64;
constexpr size_t kMaxCategoryNameBytes = 256;
constexpr uint32_t kMaxActions = 32;       // action types in one model
constexpr uint32_t kMaxItems = 4'000'000;  // catalogue size
constexpr uint32_t kMaxCategories = 1'000'000;
constexpr uint32_t kMaxDim = 1024;
constexpr uint32_t kMaxLayers = 16;
constexpr uint32_t kMaxSeqLen = 512;
constexpr uint32_t kMaxTimeBuckets = 64;
constexpr uint64_t kMaxModelFileBytes = 1ull << 30;  // 1 GiB

}  // namespace forecart
