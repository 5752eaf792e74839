// The versioned `.fcm` model file: writer and reader (one loader for the browser and native).
//
// File layout, version 2 (version 1 is the same without item 10b; both are read). Every integer
// and float is little-endian; a "string" is a uint32 byte length followed by that many bytes of
// UTF-8 (no terminator).
//
//  1. magic        4 bytes  "FCM1". Read as "1MCF" it is a byte-swapped (big-endian) file.
//  2. version      uint32   2 (kFcmVersion). A reader rejects versions newer than its own.
//  3. header size  uint32   bytes from the start of the file to the data section; a multiple of 32.
//  4. file size    uint64   total bytes of the file, the final checksum included.
//  5. config       uint32 count, then count pairs (uint32 key, uint32 value), see FcmConfigKey.
//                  Version 1 requires every key of FcmConfigKey exactly once, in any order;
//                  a key this reader does not know is rejected (a newer forecart wrote it).
//  6. action names uint32 count (= num_actions), then count strings (1..kMaxActionNameBytes bytes).
//  7. item ids     uint32 count (= num_items), then count strings (1..kMaxItemIdBytes bytes,
//                  no duplicates). Item id i (0-based) is vocab index i + 1; index 0 is "unknown".
//  8. categories   uint32 count of category names (0 = the model has no category table), then
//                  count strings (0..kMaxCategoryNameBytes bytes), then, only when count > 0,
//                  num_items uint32 indices into those names, one per item.
//  9. popularity   num_items float32 (finite, >= 0): the empty-history prior.
// 10. tensors      uint32 count, then per tensor:
//                    string name (1..kMaxTensorNameBytes), uint32 dtype (FcmDtype),
//                    uint32 ndim (1..kMaxTensorDims), ndim uint64 dims,
//                    uint64 offset (from the start of the file; a multiple of 32, >= header size),
//                    uint64 nbytes.
//                  Version 1 writes [rows, cols] of ParamLayout::build(config) for each tensor, in
//                  that order; a reader accepts any order but wants every tensor exactly once.
//                  An f32 tensor [R,C] holds R*C float32 (nbytes = 4*R*C). A q8_row tensor [R,C]
//                  holds R float32 scales (finite, 0 <= scale <= FLT_MAX/127) then R*C int8 codes in -127..127
//                  (nbytes = 4*R + R*C); value = scale[r] * code[r][c].
//                  In an int8 model (weight format q8_row) the tensors named by stored_int8()
//                  are q8_row and every other tensor is f32; in an fp32 model all are f32.
// 10b. sections    (version >= 2) optional parts of a model, each tagged: uint32 count (at most
//                  kMaxSections), then per section: uint32 tag (FcmSectionTag), uint32 flags,
//                  uint64 offset (from the start of the file; a multiple of 32, in the data
//                  section), uint64 nbytes. Flag bit 0 (kFcmSectionSkippable): a reader that does
//                  not know the tag may skip the section; a section without it changes what the
//                  model computes, so a reader that does not know its tag rejects the file
//                  (kUnsupportedVersion). A tag appears at most once; other flag bits are 0.
//                  A section's bytes are a record list: uint32 count (at most kMaxSectionRecords),
//                  then per record: string name (1..kMaxTensorNameBytes), uint32 dtype (FcmDtype:
//                  f32, u32 or utf8), uint64 element count, the elements (4 bytes each for f32 and
//                  u32, 1 for utf8), zero bytes up to a multiple of 4. Each tag says which records
//                  it holds (FcmSectionTag); a reader ignores records it does not know.
// 11. padding      zero bytes up to the header size.
// 12. data         the tensors' and sections' bytes at their offsets, each start 32-byte aligned,
//                  zero padding between them; none overlap.
// 13. checksum     uint64 XXH64 (seed 0) of every preceding byte: the last 8 bytes of the file.
//
// The reader checks, in this order: the size of the fixed fields, the magic, the version, the
// declared file size against the real one, the checksum, then every field, and returns one
// specific StatusCode per failure (kBadMagic, kUnsupportedVersion, kTruncated,
// kChecksumMismatch, kCorruptModel; kLimitExceeded for an input over kMaxModelFileBytes).
// Counts are checked against limits.h and against the bytes left before anything is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/config.h"
#include "model/model.h"

namespace forecart {

constexpr uint32_t kFcmVersion = 2;   // the version this software writes and the newest it reads
constexpr size_t kFcmAlignment = 32;  // data section and every tensor start
constexpr size_t kMaxTensorNameBytes = 64;
constexpr uint32_t kMaxTensorDims = 4;

// Tensor dtypes. Append-only: always add types at the end to keep old files readable.
enum class FcmDtype : uint32_t {
  kF32 = 0,
  kQ8Row = 1,  // int8 codes with one float32 scale per row (quant/q8.h)
  kU32 = 2,    // section records only
  kUtf8 = 3,   // section records only: text
};

// Section tags (version >= 2). Append-only with explicit numbers: never renumber or reuse a tag.
enum class FcmSectionTag : uint32_t {
  // Skippable. Record "json" (utf8): a JSON object describing how the model was made (data,
  // options, figures); kept as ModelMeta::card, never interpreted by the reader.
  kModelCard = 1,
  // Not skippable (it changes the scores). Records "params" (f32[5]: follow_bump, follow_slope,
  // repeat_bump, repeat_slope, repeat_decay) and the follow table "follow_offsets" (u32[V + 1]),
  // "follow_items" (u32[nnz]), "follow_weights" (f32[nnz]), all three or none: model/evidence.h.
  kEvidence = 2,
  // Skippable. Record "default_action" (u32[1]): ModelMeta::default_action (< num_actions); absent
  // (older files) = action 0.
  kActions = 3,
  // Not skippable (it changes the action probabilities). Records "shape" (u32[2]: actions A, time
  // buckets B, or 1), "marginal" (f32[A]), "log_prior" (f32[A * B * A]) and "calibration" (f32[2]:
  // alpha, temperature), optionally "shift" (f32[A]): model/action_head.h.
  kActionHead = 4,
};
constexpr uint32_t kFcmSectionSkippable = 1;  // flags bit 0
constexpr uint32_t kMaxSections = 64;
constexpr uint32_t kMaxSectionRecords = 256;
constexpr size_t kMaxModelCardBytes = 1 << 20;

// Config keys. Append-only with explicit numbers: never renumber or reuse a key.
enum class FcmConfigKey : uint32_t {
  kDim = 1,
  kLayers = 2,
  kHeads = 3,
  kFfnDim = 4,
  kMaxLen = 5,
  kNumItems = 6,
  kNumActions = 7,
  kTimeBuckets = 8,
  kActivation = 9,     // Activation
  kNormEpsBits = 10,   // the float32 bits of norm_eps
  kWeightFormat = 11,  // FcmDtype of the matrices: kF32 (fp32 model) or kQ8Row (int8 model)
};
constexpr uint32_t kFcmNumConfigKeys = 11;  // version 1 knows keys 1..11

// Serializes m: an int8 file when m.items.quantized, else fp32. The int8 weight matrices other than
// the item table are kept dequantized in memory and quantized again here, so a file forecart wrote
// reads and writes back byte for byte, while a foreign file whose rows are not in the quantizer's
// canonical form (largest |code| < 127) is normalised, within half a quantization step.
Result<std::vector<uint8_t>> write_model(const Model& m);
// Writes PATH.tmp, then renames it onto path (a reader never sees a half-written file).
Status write_model_file(const Model& m, const std::string& path);

// The one loader shared by the browser and native code; it never trusts a field.
Result<Model> read_model(const uint8_t* data, size_t size);
Result<Model> read_model_file(const std::string& path);

struct TensorInfo {
  std::string name;
  uint32_t dtype = 0;  // FcmDtype
  std::vector<uint64_t> shape;
  uint64_t offset = 0;  // from the start of the file
  uint64_t nbytes = 0;
};

struct SectionInfo {
  uint32_t tag = 0;  // FcmSectionTag (or one this reader does not know, when skippable)
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t nbytes = 0;
};

struct ModelFileInfo {
  uint32_t version = 0;
  uint64_t file_size = 0;
  uint64_t checksum = 0;  // XXH64 stored in (and verified against) the file
  ModelConfig config;
  bool quantized = false;  // int8 model
  std::vector<TensorInfo> tensors;
  std::vector<SectionInfo> sections;  // version >= 2, in file order
  uint32_t header_size = 0;
  uint32_t num_categories = 0;  // 0 when the model has no category table
};

// Header-level information (for `forecart inspect`), after the same checks as read_model
// except that the tensor data are not decoded.
Result<ModelFileInfo> inspect_model(const uint8_t* data, size_t size);

// Which tensors an int8 model stores int8 (per-row fp32 scales): item_emb, blocks.*.qkv_w,
// blocks.*.proj_w, blocks.*.fc1_w, blocks.*.fc2_w, action_w. Everything else (biases,
// LayerNorm, item_bias, action/time/pos embeddings) is fp32.
bool stored_int8(const std::string& tensor_name);

// Makes m's in-memory weights equal to what an int8 file holds: the stored_int8() tensors of
// m.rest become dequantize(quantize(x)), and an fp32 item table becomes int8. Afterwards m
// predicts exactly like read_model(write_model(m)). Applying it twice changes nothing.
void round_trip_int8(Model& m);

}  // namespace forecart
