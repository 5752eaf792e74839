// Internal to src/format: little-endian byte encoding, the file checksum, UTF-8 checks and the
// bounds-checked header cursor shared by the .fcm writer and reader. Values are assembled byte by byte (or memcpy'd on
// a little-endian host), never read through an unaligned pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "format/fcm.h"

namespace forecart {
namespace fcm_internal {

constexpr uint8_t kMagic[4] = {'F', 'C', 'M', '1'};
// magic + version + header size + file size: the fixed fields read before anything else.
constexpr size_t kFixedHeaderBytes = 4 + 4 + 4 + 8;
constexpr size_t kChecksumBytes = 8;
constexpr size_t kHeaderSizeOffset = 8;
constexpr size_t kFileSizeOffset = 12;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr bool kHostLittleEndian = true;
#else
constexpr bool kHostLittleEndian = false;
#endif

inline uint32_t load_u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
inline uint64_t load_u64(const uint8_t* p) {
  return static_cast<uint64_t>(load_u32(p)) | static_cast<uint64_t>(load_u32(p + 4)) << 32;
}
inline float bits_to_f32(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline uint32_t f32_to_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}
inline void store_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void store_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// n little-endian float32 at p into out[n].
inline void load_f32_array(const uint8_t* p, size_t n, float* out) {
  if (kHostLittleEndian) {
    if (n) std::memcpy(out, p, n * sizeof(float));
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = bits_to_f32(load_u32(p + 4 * i));
  }
}

// Appends little-endian fields to a byte vector.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>* out) : out_(out) {}
  size_t size() const { return out_->size(); }
  void u32(uint32_t v) {
    uint8_t b[4];
    store_u32(b, v);
    out_->insert(out_->end(), b, b + 4);
  }
  void u64(uint64_t v) {
    uint8_t b[8];
    store_u64(b, v);
    out_->insert(out_->end(), b, b + 8);
  }
  void f32(float v) { u32(f32_to_bits(v)); }
  void f32_array(const float* x, size_t n) {
    if (kHostLittleEndian) {
      bytes(reinterpret_cast<const uint8_t*>(x), n * sizeof(float));
    } else {
      for (size_t i = 0; i < n; ++i) f32(x[i]);
    }
  }
  void bytes(const uint8_t* p, size_t n) {
    if (!n) return;
    // resize + memcpy rather than insert(): GCC 12 at -O3 reports a false stringop-overflow on insert.
    const size_t at = out_->size();
    out_->resize(at + n);
    std::memcpy(out_->data() + at, p, n);
  }
  void string(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  void pad_to(size_t alignment) {
    while (out_->size() % alignment) out_->push_back(0);
  }
  void patch_u32(size_t at, uint32_t v) { store_u32(out_->data() + at, v); }
  void patch_u64(size_t at, uint64_t v) { store_u64(out_->data() + at, v); }

 private:
  std::vector<uint8_t>* out_;
};

inline uint64_t align_up(uint64_t n, uint64_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

// XXH64 (seed 0) of data[0, size).
uint64_t fcm_checksum(const uint8_t* data, size_t size);

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool valid_utf8(const uint8_t* s, size_t n);
inline bool valid_utf8(const std::string& s) {
  return valid_utf8(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// The FcmConfigKey names, for messages ("num_items"); "?" for an unknown key.
const char* config_key_name(uint32_t key);

// Messages and bounds-checked header reads, shared by the reader's units.
inline std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Bytes as text for a message: printable ASCII as is, anything else as \xHH.
inline std::string printable(const uint8_t* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
      s += static_cast<char>(p[i]);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", p[i]);
      s += buf;
    }
  }
  return s;
}

inline std::string n2s(uint64_t v) {
  return std::to_string(v);
}

// "item id 12" (index given) or "item id count" (no index): built only for a message.
inline std::string field_name(const char* what, size_t index) {
  return index == SIZE_MAX ? std::string(what) : std::string(what) + " " + n2s(index);
}

// Bounds-checked little-endian reads of the header, within [pos, end).
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t pos, size_t end) : data_(data), pos_(pos), end_(end) {}
  size_t pos() const { return pos_; }
  size_t remaining() const { return end_ - pos_; }

  Status need(uint64_t n, const char* what, size_t index = SIZE_MAX) const {
    if (n <= remaining()) return Status::Ok();
    return corrupt_model(field_name(what, index) + " at byte " + n2s(pos_) + " needs " + n2s(n) +
                         " bytes but runs past the end of the header (" + n2s(end_) + " bytes)");
  }
  Status u32(const char* what, uint32_t* v, size_t index = SIZE_MAX) {
    FORECART_RETURN_IF_ERROR(need(4, what, index));
    *v = load_u32(data_ + pos_);
    pos_ += 4;
    return Status::Ok();
  }
  Status u64(const char* what, uint64_t* v, size_t index = SIZE_MAX) {
    FORECART_RETURN_IF_ERROR(need(8, what, index));
    *v = load_u64(data_ + pos_);
    pos_ += 8;
    return Status::Ok();
  }
  Status bytes(size_t n, const char* what, const uint8_t** p, size_t index = SIZE_MAX) {
    FORECART_RETURN_IF_ERROR(need(n, what, index));
    *p = data_ + pos_;
    pos_ += n;
    return Status::Ok();
  }
  // A length-prefixed UTF-8 string of min_bytes..max_bytes.
  Status string(const char* what, size_t min_bytes, size_t max_bytes, std::string_view* s, size_t index = SIZE_MAX) {
    uint32_t n = 0;
    FORECART_RETURN_IF_ERROR(u32(what, &n, index));
    if (n < min_bytes || n > max_bytes)
      return corrupt_model(field_name(what, index) + " is " + n2s(n) + " bytes, out of range " + n2s(min_bytes) + ".." +
                           n2s(max_bytes));
    const uint8_t* p = nullptr;
    FORECART_RETURN_IF_ERROR(bytes(n, what, &p, index));
    if (!valid_utf8(p, n)) return corrupt_model(field_name(what, index) + " is not valid UTF-8");
    *s = std::string_view(reinterpret_cast<const char*>(p), n);
    return Status::Ok();
  }

 private:
  const uint8_t* data_;
  size_t pos_;
  size_t end_;
};

// Expected byte size of a tensor of this dtype and [rows, cols].
// Only called with the rows and cols of a validated config, far from overflowing.
inline uint64_t tensor_nbytes(FcmDtype dtype, uint64_t rows, uint64_t cols) {
  return dtype == FcmDtype::kQ8Row ? rows * 4 + rows * cols : rows * cols * 4;
}

}  // namespace fcm_internal
}  // namespace forecart
