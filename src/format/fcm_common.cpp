// Pieces of the .fcm format shared by the writer and the reader: the XXH64 checksum,
// UTF-8 validation, config key names and which tensors an int8 model stores as int8.
#include <cstring>

#include "format/fcm.h"
#include "format/fcm_bytes.h"

// Header-only xxHash (Debian libxxhash-dev): nothing to link. Emscripten's sysroot does not
// search /usr/include, so the WASM build puts a link to this one header on its include path.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace forecart {
namespace fcm_internal {

uint64_t fcm_checksum(const uint8_t* data, size_t size) {
  return XXH64(data, size, 0);
}

bool valid_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // a continuation byte or 0xF8..0xFF as a lead byte
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static constexpr uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len]) return false;  // overlong
    if (cp > 0x10FFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // UTF-16 surrogate
    i += len;
  }
  return true;
}

const char* config_key_name(uint32_t key) {
  switch (static_cast<FcmConfigKey>(key)) {
    case FcmConfigKey::kDim:
      return "dim";
    case FcmConfigKey::kLayers:
      return "layers";
    case FcmConfigKey::kHeads:
      return "heads";
    case FcmConfigKey::kFfnDim:
      return "ffn_dim";
    case FcmConfigKey::kMaxLen:
      return "max_len";
    case FcmConfigKey::kNumItems:
      return "num_items";
    case FcmConfigKey::kNumActions:
      return "num_actions";
    case FcmConfigKey::kTimeBuckets:
      return "time_buckets";
    case FcmConfigKey::kActivation:
      return "activation";
    case FcmConfigKey::kNormEpsBits:
      return "norm_eps";
    case FcmConfigKey::kWeightFormat:
      return "weight_format";
  }
  return "?";
}

}  // namespace fcm_internal

bool stored_int8(const std::string& name) {
  if (name == "item_emb" || name == "action_w") return true;
  // blocks.{l}.{qkv_w,proj_w,fc1_w,fc2_w}
  static const char kPrefix[] = "blocks.";
  const size_t prefix_len = sizeof(kPrefix) - 1;
  if (name.compare(0, prefix_len, kPrefix) != 0) return false;
  size_t i = prefix_len;
  const size_t digits_begin = i;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
  if (i == digits_begin || i >= name.size() || name[i] != '.') return false;
  const std::string leaf = name.substr(i + 1);
  return leaf == "qkv_w" || leaf == "proj_w" || leaf == "fc1_w" || leaf == "fc2_w";
}

}  // namespace forecart
