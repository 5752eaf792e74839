// Tests of the .fcm model file (src/format): fp32 and int8 round trips, atomic file writes,
// one specific error per kind of corruption, and the committed golden v1 file.
//
// The test reads the file layout on its own (FileMap in fcm_test_util.h, from the spec in
// format/fcm.h) so that it can corrupt single fields and re-seal the checksum.
//
// Hidden tests, run by hand:
//   format_test "[.generate]"  rewrites tests/golden/golden_v1.fcm and golden_v1.json. Only do
//                              this for a new golden version: v1 files must keep loading.
//   format_test "[.size]"      prints int8 vs fp32 file sizes for a 23,715-item catalogue.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/limits.h"
#include "fcm_test_util.h"
#include "format/fcm.h"
#include "model/model.h"
#include "quant/q8.h"

#ifndef FORECART_TEST_DIR
#define FORECART_TEST_DIR "/work/main/tests"
#endif

using namespace forecart;

using namespace forecart::fcm_test;

TEST_CASE("stored_int8 names exactly the int8 matrices", "[format]") {
  for (const char* name :
       {"item_emb", "action_w", "blocks.0.qkv_w", "blocks.0.proj_w", "blocks.1.fc1_w", "blocks.15.fc2_w"})
    CHECK(stored_int8(name));
  for (const char* name : {"item_bias", "action_b", "action_emb", "time_emb", "pos_emb", "lnf_g", "lnf_b",
                           "blocks.0.qkv_b", "blocks.0.ln1_g", "blocks.0.fc1_b", "blocks.x.fc1_w", "blocks..fc1_w",
                           "blocks.0.fc1_w2", "xblocks.0.fc1_w", ""})
    CHECK_FALSE(stored_int8(name));
  // Every int8 tensor of a layout is a matrix (never a [1,n] vector).
  for (const ParamTensor& t : ParamLayout::build(small_config()).tensors)
    if (stored_int8(t.name)) CHECK(t.rows > 1);
}

TEST_CASE("fp32 model round trip is exact", "[format]") {
  for (bool categories : {true, false}) {
    const Model m = make_model(/*quantize=*/false, categories);
    const Bytes b = must_write(m);
    Result<Model> r = read_model(b.data(), b.size());
    REQUIRE(r.ok());
    const Model& got = r.value();
    check_same_config(got.config, m.config);
    check_same_meta(got.meta, m.meta);
    CHECK_FALSE(got.items.quantized);
    CHECK(got.items.rows == m.config.vocab());
    CHECK(got.items.cols == m.config.dim);
    CHECK(got.items.f32 == m.items.f32);
    CHECK(got.rest.arena == m.rest.arena);
    CHECK(got.item_index("sku-001") == 1);
    CHECK(got.item_index("\xe6\x97\xa5\xe6\x9c\xac-4") == 4);
    CHECK(got.item_index("sku-007") == 7);
    CHECK(got.item_index("nope") == 0);
    // Writing what was read gives the same bytes.
    CHECK(must_write(got) == b);
  }
}

TEST_CASE("int8 model round trip keeps the codes and stays within the quantization bound", "[format]") {
  const ModelConfig c = small_config();
  const ModelWeights w = make_weights(c, 11);
  const Model m = Model::from_weights(w, make_meta(c, true), /*quantize=*/true);
  const Bytes b = must_write(m);
  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  const Model& got = r.value();
  check_same_config(got.config, m.config);
  check_same_meta(got.meta, m.meta);
  REQUIRE(got.items.quantized);
  CHECK(got.items.f32.empty());  // no fp32 copy of an int8 catalogue
  CHECK(got.items.q8.rows == m.items.q8.rows);
  CHECK(got.items.q8.cols == m.items.q8.cols);
  CHECK(got.items.q8.data == m.items.q8.data);
  CHECK(got.items.q8.scales == m.items.q8.scales);

  for (const ParamTensor& t : got.rest.layout.tensors) {
    const float* a = got.rest.arena.data() + t.offset;
    const float* x = m.rest.arena.data() + t.offset;
    INFO(t.name);
    if (!stored_int8(t.name)) {
      CHECK(std::memcmp(a, x, t.size() * sizeof(float)) == 0);
      continue;
    }
    for (uint32_t row = 0; row < t.rows; ++row) {
      float amax = 0.0f;
      for (uint32_t col = 0; col < t.cols; ++col) amax = std::fmax(amax, std::fabs(x[size_t{row} * t.cols + col]));
      const float bound = amax / 127.0f * 0.5f * 1.0001f + 1e-12f;
      for (uint32_t col = 0; col < t.cols; ++col) {
        const size_t i = size_t{row} * t.cols + col;
        CHECK(std::fabs(a[i] - x[i]) <= bound);
      }
    }
  }
  // The read model holds dequantized values: writing it again requantizes to the same bytes.
  CHECK(must_write(got) == b);

  Result<ModelFileInfo> info = inspect_model(b.data(), b.size());
  REQUIRE(info.ok());
  CHECK(info.value().quantized);
  for (const TensorInfo& t : info.value().tensors)
    CHECK(t.dtype == static_cast<uint32_t>(stored_int8(t.name) ? FcmDtype::kQ8Row : FcmDtype::kF32));
}

TEST_CASE("round_trip_int8 makes an in-memory model equal to its int8 file", "[format]") {
  Model m = make_model(/*quantize=*/true);
  round_trip_int8(m);
  const Bytes b = must_write(m);
  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  CHECK(r.value().rest.arena == m.rest.arena);
  CHECK(r.value().items.q8.data == m.items.q8.data);
  CHECK(r.value().items.q8.scales == m.items.q8.scales);

  Model twice = m;
  round_trip_int8(twice);
  CHECK(twice.rest.arena == m.rest.arena);

  // An fp32 model becomes the int8 model its file would hold.
  Model f = make_model(/*quantize=*/false);
  const Model q = make_model(/*quantize=*/true);
  round_trip_int8(f);
  CHECK(f.items.quantized);
  CHECK(f.items.f32.empty());
  CHECK(f.items.q8.data == q.items.q8.data);
  CHECK(must_write(f) == b);
}

TEST_CASE("inspect_model reports the header", "[format]") {
  const Model m = make_model(/*quantize=*/true);
  const Bytes b = must_write(m);
  Result<ModelFileInfo> r = inspect_model(b.data(), b.size());
  REQUIRE(r.ok());
  const ModelFileInfo& info = r.value();
  CHECK(info.version == kFcmVersion);
  CHECK(info.file_size == b.size());
  CHECK(info.checksum == get_u64(b, b.size() - 8));
  CHECK(info.checksum == XXH64(b.data(), b.size() - 8, 0));
  CHECK(info.header_size % 32 == 0);
  CHECK(info.num_categories == 3);
  check_same_config(info.config, m.config);
  const ParamLayout layout = ParamLayout::build(m.config);
  REQUIRE(info.tensors.size() == layout.tensors.size());
  for (size_t i = 0; i < layout.tensors.size(); ++i) {
    const TensorInfo& t = info.tensors[i];
    CHECK(t.name == layout.tensors[i].name);
    CHECK(t.shape == std::vector<uint64_t>{layout.tensors[i].rows, layout.tensors[i].cols});
    CHECK(t.offset % 32 == 0);
    CHECK(t.offset >= info.header_size);
    CHECK(t.offset + t.nbytes <= b.size() - 8);
  }
  CHECK(std::memcmp(b.data(), "FCM1", 4) == 0);
  CHECK(get_u32(b, 4) == kFcmVersion);
  CHECK(get_u32(b, 8) == info.header_size);
  CHECK(get_u64(b, 12) == b.size());
}

TEST_CASE("write_model_file writes atomically and read_model_file reads it back", "[format]") {
  const std::string path = temp_path("atomic.fcm");
  std::remove(path.c_str());
  const Model a = make_model(/*quantize=*/true, true, small_config(), 1);
  const Model b = make_model(/*quantize=*/false, false, small_config(), 2);
  REQUIRE(write_model_file(a, path).ok());
  CHECK_FALSE(file_exists(path + ".tmp"));
  CHECK(read_bytes(path) == must_write(a));
  // Overwriting replaces the whole file.
  REQUIRE(write_model_file(b, path).ok());
  CHECK_FALSE(file_exists(path + ".tmp"));
  Result<Model> r = read_model_file(path);
  REQUIRE(r.ok());
  CHECK_FALSE(r.value().items.quantized);
  CHECK(r.value().items.f32 == b.items.f32);
  check_same_meta(r.value().meta, b.meta);

  // A model the writer refuses leaves the existing file alone.
  Model bad = a;
  bad.meta.item_ids.pop_back();
  CHECK(write_model_file(bad, path).code() == StatusCode::kInvalidArgument);
  CHECK(read_bytes(path) == must_write(b));
  std::remove(path.c_str());

  CHECK(write_model_file(a, "/nonexistent-dir/x/model.fcm").code() == StatusCode::kIoError);
  Result<Model> missing = read_model_file(temp_path("does-not-exist.fcm"));
  CHECK(missing.status().code() == StatusCode::kIoError);

  // Errors from a file name the file.
  const std::string junk = temp_path("junk.fcm");
  {
    std::ofstream out(junk, std::ios::binary);
    out << "<!doctype html><p>404 not found</p>";
  }
  Result<Model> j = read_model_file(junk);
  CHECK(j.status().code() == StatusCode::kBadMagic);
  CHECK(j.status().message().find(junk) != std::string::npos);
  std::remove(junk.c_str());
}

TEST_CASE("write_model refuses a model the reader would reject", "[format]") {
  const Model good = make_model(/*quantize=*/true);
  {
    Model m = good;
    m.meta.item_ids[2] = std::string(kMaxItemIdBytes + 1, 'x');
    CHECK(write_model(m).status().code() == StatusCode::kLimitExceeded);
  }
  {
    Model m = good;
    m.meta.item_ids[1] = m.meta.item_ids[0];
    CHECK(write_model(m).status().code() == StatusCode::kInvalidArgument);
  }
  {
    Model m = good;
    m.meta.item_ids[1] = "bad\xff";
    CHECK(write_model(m).status().code() == StatusCode::kInvalidArgument);
  }
  {
    Model m = good;
    m.meta.item_ids[1] = "";
    CHECK(write_model(m).status().code() == StatusCode::kInvalidArgument);
  }
  {
    Model m = good;
    m.meta.popularity.clear();
    CHECK(write_model(m).status().code() == StatusCode::kInvalidArgument);
  }
  {
    Model m = good;
    m.meta.item_category[3] = 3;
    CHECK(write_model(m).status().code() == StatusCode::kInvalidArgument);
  }
  {
    Model m = good;
    m.rest.arena[5] = std::nanf("");
    CHECK(write_model(m).status().code() == StatusCode::kInvalidArgument);
  }
  {
    Model m = good;
    m.meta.action_names.pop_back();
    CHECK(write_model(m).status().code() == StatusCode::kInvalidArgument);
  }
  {
    Model m = good;
    m.config.heads = 3;
    CHECK(write_model(m).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("short, empty and foreign input", "[format][corrupt]") {
  CHECK(read_model(nullptr, 0).status().code() == StatusCode::kTruncated);
  const uint8_t three[] = {'F', 'C', 'M'};
  CHECK(read_model(three, 3).status().code() == StatusCode::kTruncated);
  const uint8_t fcm_only[] = {'F', 'C', 'M', '1', 1, 0};
  CHECK(read_model(fcm_only, sizeof fcm_only).status().code() == StatusCode::kTruncated);
  const uint8_t text[] = "hello world, this is not a model file at all";
  Result<Model> r = read_model(text, sizeof text);
  CHECK(r.status().code() == StatusCode::kBadMagic);
  CHECK(r.status().message().find("not a forecart model file") != std::string::npos);
  CHECK(inspect_model(text, sizeof text).status().code() == StatusCode::kBadMagic);
  const uint8_t gguf[64] = {'G', 'G', 'U', 'F'};
  CHECK(read_model(gguf, sizeof gguf).status().code() == StatusCode::kBadMagic);
}

TEST_CASE("bad and byte-swapped magic", "[format][corrupt]") {
  const Bytes good = must_write(make_model(true));
  Bytes b = good;
  b[0] = 'X';
  CHECK(code_of(b) == StatusCode::kBadMagic);
  CHECK(message_of(b).find("byte-swapped") == std::string::npos);

  b = good;
  std::reverse(b.begin(), b.begin() + 4);  // "1MCF"
  CHECK(code_of(b) == StatusCode::kBadMagic);
  CHECK(message_of(b).find("byte-swapped: written on a big-endian machine?") != std::string::npos);
}

TEST_CASE("a newer version is rejected naming both versions", "[format][corrupt]") {
  const Bytes good = must_write(make_model(true));
  Bytes b = good;
  put_u32(b, 4, 3);
  CHECK(code_of(b) == StatusCode::kUnsupportedVersion);
  CHECK(message_of(b) == "model file version 3 is newer than this forecart, which reads up to version 2");
  CHECK(inspect_model(b.data(), b.size()).status().code() == StatusCode::kUnsupportedVersion);
  // Even when the rest of a future file looks nothing like v1.
  b.resize(10);
  CHECK(code_of(b) == StatusCode::kUnsupportedVersion);

  b = good;
  put_u32(b, 4, 0);
  CHECK(code_of(b) == StatusCode::kUnsupportedVersion);
}

TEST_CASE("every truncation is an error, never a crash", "[format][corrupt]") {
  for (bool quantize : {true, false}) {
    const Bytes good = must_write(make_model(quantize));
    for (size_t cut = 0; cut < good.size(); ++cut) {
      const Bytes part(good.begin(),
                       good.begin() + static_cast<std::ptrdiff_t>(cut));  // exact size: ASan sees over-reads
      Result<Model> r = read_model(part.data(), part.size());
      INFO("cut at " << cut << " of " << good.size());
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kTruncated);
      CHECK_FALSE(inspect_model(part.data(), part.size()).ok());
    }
    const Bytes part(good.begin(), good.end() - 100);
    CHECK(message_of(part) == "model file is " + std::to_string(good.size() - 100) + " bytes but its header says " +
                                  std::to_string(good.size()));
    // Trailing bytes after the declared end.
    Bytes longer = good;
    longer.push_back(0);
    CHECK(code_of(longer) == StatusCode::kCorruptModel);
  }
}

TEST_CASE("flipping any byte is caught", "[format][corrupt]") {
  const Bytes good = must_write(make_model(true));
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t bit : {uint8_t{0x01}, uint8_t{0x80}}) {
      Bytes b = good;
      b[i] ^= bit;
      const StatusCode code = code_of(b);
      INFO("byte " << i << " bit " << int{bit});
      if (i < 4) {
        CHECK(code == StatusCode::kBadMagic);
      } else if (i < 8) {
        CHECK(code == StatusCode::kUnsupportedVersion);
      } else if (i >= 12 && i < 20) {  // the declared file size
        CHECK((code == StatusCode::kTruncated || code == StatusCode::kCorruptModel));
      } else {
        CHECK(code == StatusCode::kChecksumMismatch);
      }
    }
  }
  Bytes b = good;
  b[b.size() / 2] ^= 0x10;
  CHECK(message_of(b).find("checksum mismatch") != std::string::npos);
}

TEST_CASE("corrupt fields with a valid checksum give specific errors", "[format][corrupt]") {
  const Bytes good = must_write(make_model(/*quantize=*/true));
  const FileMap map = map_file(good);
  REQUIRE(map.item_id_at.size() == 7);
  REQUIRE(map.tensors.size() == ParamLayout::build(small_config()).tensors.size());
  REQUIRE(code_of(good) == StatusCode::kOk);

  // Applies edit, reseals, and returns the reader's status. inspect_model makes the same
  // checks except on the tensor values, which it does not decode.
  auto after = [&good](auto edit, bool in_tensor_data = false) {
    Bytes b = good;
    edit(b);
    reseal(b);
    const Status st = read_model(b.data(), b.size()).status();
    CHECK(inspect_model(b.data(), b.size()).status().code() == (in_tensor_data ? StatusCode::kOk : st.code()));
    return st;
  };
  auto contains = [](const Status& st, const std::string& text) {
    INFO(st.to_string());
    CHECK(st.message().find(text) != std::string::npos);
  };

  SECTION("header size") {
    Status st = after([](Bytes& b) { put_u32(b, 8, get_u32(b, 8) + 4); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "header size");
    st = after([](Bytes& b) { put_u32(b, 8, 0xFFFFFFE0u); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([](Bytes& b) { put_u32(b, 8, 32); });  // the fields run past a too-small header
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "runs past the end of the header");
  }
  SECTION("config") {
    Status st = after([&](Bytes& b) { put_u32(b, map.config_key_at[3], 99); });
    CHECK(st.code() == StatusCode::kUnsupportedVersion);
    contains(st, "config key 99");
    st = after([&](Bytes& b) { put_u32(b, map.config_key_at[3], 0); });
    CHECK(st.code() == StatusCode::kUnsupportedVersion);
    st = after([&](Bytes& b) { put_u32(b, map.config_key_at[3], get_u32(b, map.config_key_at[2])); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "appears twice");
    st = after([&](Bytes& b) { put_u32(b, map.config_count_at, 0xFFFFFFFFu); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, map.config_count_at, 10); });  // the last key is dropped
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "weight_format is missing");
    st = after([&](Bytes& b) { put_u32(b, config_value_at(b, map, FcmConfigKey::kNumItems), 0xFFFFFFF0u); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "num_items");
    st = after([&](Bytes& b) { put_u32(b, config_value_at(b, map, FcmConfigKey::kNumItems), 6); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "item id count 7 does not match num_items 6");
    st = after([&](Bytes& b) { put_u32(b, config_value_at(b, map, FcmConfigKey::kDim), 0); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, config_value_at(b, map, FcmConfigKey::kHeads), 3); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, config_value_at(b, map, FcmConfigKey::kActivation), 9); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_f32(b, config_value_at(b, map, FcmConfigKey::kNormEpsBits), std::nanf("")); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, config_value_at(b, map, FcmConfigKey::kWeightFormat), 7); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "weight_format 7");
    // An fp32 weight format with int8 tensors: the dtypes no longer match.
    st = after([&](Bytes& b) { put_u32(b, config_value_at(b, map, FcmConfigKey::kWeightFormat), 0); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "expected f32");
  }
  SECTION("action names") {
    Status st = after([&](Bytes& b) { put_u32(b, map.action_count_at, 2); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, map.action_count_at + 4, 0); });  // empty name
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, map.action_count_at + 4, 65); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "action name 0");
  }
  SECTION("item ids") {
    Status st = after([&](Bytes& b) { put_u32(b, map.item_count_at, 0xFFFFFFFFu); });  // huge: must not allocate
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "item id count");
    // A config and count that agree on the largest catalogue, in a file far too small for it.
    st = after([&](Bytes& b) {
      put_u32(b, config_value_at(b, map, FcmConfigKey::kNumItems), kMaxItems);
      put_u32(b, map.item_count_at, kMaxItems);
    });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "item id table");
    // A duplicate id: "sku-002" becomes "sku-001".
    st = after([&](Bytes& b) { b[map.item_id_at[1] + 4 + 6] = '1'; });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "'sku-001' is a duplicate");
    // An id longer than kMaxItemIdBytes.
    st = after([&](Bytes& b) { put_u32(b, map.item_id_at[2], static_cast<uint32_t>(kMaxItemIdBytes + 1)); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "item id 2 is 257 bytes");
    st = after([&](Bytes& b) { put_u32(b, map.item_id_at[2], 0); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, map.item_id_at[6], 200); });  // within the limit, past the header
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { b[map.item_id_at[0] + 4] = 0xC0; });  // invalid UTF-8
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "UTF-8");
  }
  SECTION("categories and popularity") {
    Status st = after([&](Bytes& b) { put_u32(b, map.category_count_at, 0xFFFFFFFFu); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, map.category_count_at, kMaxCategories); });  // fits the limit, not the file
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, map.item_category_at + 4 * 5, 3); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "item 5 category 3 out of range");
    st = after([&](Bytes& b) { put_f32(b, map.popularity_at + 4 * 2, -1.0f); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_f32(b, map.popularity_at, std::nanf("")); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "popularity");
  }
  SECTION("tensor table") {
    const FileMap::Tensor& qkv = map.tensor("blocks.0.qkv_w");
    const FileMap::Tensor& bias = map.tensor("item_bias");
    Status st = after([&](Bytes& b) { put_u32(b, map.tensor_count_at, 0xFFFFFFFFu); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, qkv.dtype_at, 7); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "unknown dtype 7");
    st = after([&](Bytes& b) { put_u32(b, qkv.dtype_at, 0); });  // f32 where int8 belongs
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, bias.dtype_at, 1); });  // int8 where f32 belongs
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, qkv.ndim_at, 0); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u32(b, qkv.ndim_at, 0xFFFFFFFFu); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u64(b, qkv.dims_at, 25); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "shape [25,8], expected [24,8]");
    st = after([&](Bytes& b) { put_u64(b, qkv.nbytes_at, qkv.nbytes + 1); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u64(b, qkv.offset_at, qkv.offset + 4); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "not 32-byte aligned");
    st = after([&](Bytes& b) { put_u64(b, qkv.offset_at, (b.size() / 32 + 100) * 32); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "outside the data section");
    st = after([&](Bytes& b) { put_u64(b, qkv.offset_at, 0xFFFFFFFFFFFFFFE0ull); });  // would overflow offset + nbytes
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u64(b, qkv.offset_at, 0); });  // inside the header
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { put_u64(b, map.tensors.back().offset_at, map.tensors.front().offset); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "overlap");
    // The last tensor dropped from the table.
    st = after([&](Bytes& b) { put_u32(b, map.tensor_count_at, static_cast<uint32_t>(map.tensors.size() - 1)); });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "tensor action_b is missing");
    // A name changed to an unknown one, or to another tensor's.
    const FileMap::Tensor& lnf_b = map.tensor("lnf_b");
    st = after([&](Bytes& b) { b[lnf_b.name_at + 4 + 4] = 'x'; });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "unknown tensor 'lnf_x'");
    st = after([&](Bytes& b) { b[lnf_b.name_at + 4 + 4] = 'g'; });
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "lnf_g appears twice");
  }
  SECTION("tensor data") {
    const FileMap::Tensor& items = map.tensor("item_emb");
    const FileMap::Tensor& fc1 = map.tensor("blocks.0.fc1_w");
    const FileMap::Tensor& ln = map.tensor("blocks.0.ln1_g");
    Status st = after([&](Bytes& b) { put_f32(b, items.offset + 4, std::nanf("")); }, true);
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "item_emb row 1 scale");
    st = after([&](Bytes& b) { put_f32(b, fc1.offset, -1.0f); }, true);
    CHECK(st.code() == StatusCode::kCorruptModel);
    st = after([&](Bytes& b) { b[items.offset + 4 * 8 + 3] = 0x80; }, true);  // code -128
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "-128");
    st = after([&](Bytes& b) { put_f32(b, ln.offset + 8, INFINITY); }, true);
    CHECK(st.code() == StatusCode::kCorruptModel);
    contains(st, "blocks.0.ln1_g holds a non-finite value");
  }
}

TEST_CASE("fp32 files reject int8 dtypes too", "[format][corrupt]") {
  const Bytes good = must_write(make_model(/*quantize=*/false));
  const FileMap map = map_file(good);
  Bytes b = good;
  put_u32(b, map.tensor("item_emb").dtype_at, 1);
  reseal(b);
  CHECK(code_of(b) == StatusCode::kCorruptModel);
  CHECK(message_of(b).find("expected f32 in an fp32 model") != std::string::npos);
}

TEST_CASE("random field corruption never crashes", "[format][corrupt]") {
  const Bytes good = must_write(make_model(/*quantize=*/true));
  const size_t header = get_u32(good, 8);
  std::mt19937 rng(1234);
  int rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    Bytes b = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      // Mostly the header, where the structure lives; sometimes anywhere before the checksum.
      const size_t span = (rng() % 4 != 0) ? header - 20 : good.size() - 28;
      const size_t at = 20 + rng() % span;
      b[at] = (rng() % 2) ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(b[at] ^ (1u << (rng() % 8)));
    }
    reseal(b);
    Result<Model> r = read_model(b.data(), b.size());
    if (!r.ok()) {
      ++rejected;
      const StatusCode c = r.status().code();
      CHECK((c == StatusCode::kCorruptModel || c == StatusCode::kUnsupportedVersion));
    }
  }
  CHECK(rejected > 1000);
}

// ---- golden v1 file ----

namespace {

const std::string kGoldenFcm = std::string(FORECART_TEST_DIR) + "/golden/golden_v1.fcm";
const std::string kGoldenJson = std::string(FORECART_TEST_DIR) + "/golden/golden_v1.json";

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// A few values of a loaded model, by name: what the golden JSON pins down.
nlohmann::json sample_values(const Model& m) {
  nlohmann::json v;
  v["item_emb.scales"] = m.items.q8.scales;
  std::vector<int> row1(m.items.q8.row(1), m.items.q8.row(1) + m.items.cols);
  v["item_emb.codes.row1"] = row1;
  std::vector<int> row7(m.items.q8.row(7), m.items.q8.row(7) + m.items.cols);
  v["item_emb.codes.row7"] = row7;
  auto first = [&m](const std::string& name, size_t n) {
    const ParamTensor* t = m.rest.layout.find(name);
    const float* p = m.rest.arena.data() + t->offset;
    return std::vector<float>(p, p + std::min(n, t->size()));
  };
  for (const char* name :
       {"item_bias", "action_emb", "time_emb", "pos_emb", "blocks.0.ln1_g", "blocks.0.qkv_w", "blocks.0.qkv_b",
        "blocks.0.proj_w", "blocks.0.fc1_w", "blocks.0.fc2_w", "blocks.0.fc2_b", "lnf_b", "action_w", "action_b"})
    v[name] = first(name, 8);
  double sum = 0.0;
  for (float x : m.rest.arena) sum += x;
  v["rest_sum"] = sum;
  return v;
}

}  // namespace

TEST_CASE("generate the golden v1 file", "[.generate]") {
  const ModelConfig c = small_config();  // 7 items, dim 8, 1 layer, 2 heads, ffn 16, max_len 6, 3 actions
  Model m = Model::from_weights(make_weights(c, 2024), make_meta(c, /*categories=*/true), /*quantize=*/true);
  round_trip_int8(m);
  REQUIRE(write_model_file(m, kGoldenFcm).ok());
  const Bytes b = read_bytes(kGoldenFcm);
  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  const Model& got = r.value();
  Result<ModelFileInfo> info = inspect_model(b.data(), b.size());
  REQUIRE(info.ok());

  nlohmann::json j;
  j["comment"] =
      "Expected contents of golden_v1.fcm (format/fcm.h, version 1). Never regenerate for v1: "
      "the file pins down what every later forecart must still read.";
  j["version"] = info.value().version;
  j["file_size"] = info.value().file_size;
  j["header_size"] = info.value().header_size;
  j["checksum"] = hex64(info.value().checksum);
  j["quantized"] = info.value().quantized;
  j["config"] = {{"num_items", c.num_items},
                 {"num_actions", c.num_actions},
                 {"dim", c.dim},
                 {"layers", c.layers},
                 {"heads", c.heads},
                 {"ffn_dim", c.ffn_dim},
                 {"max_len", c.max_len},
                 {"time_buckets", c.time_buckets},
                 {"activation", static_cast<uint32_t>(c.activation)},
                 {"norm_eps", c.norm_eps}};
  j["action_names"] = got.meta.action_names;
  j["item_ids"] = got.meta.item_ids;
  j["category_names"] = got.meta.category_names;
  j["item_category"] = got.meta.item_category;
  j["popularity"] = got.meta.popularity;
  nlohmann::json tensors = nlohmann::json::array();
  for (const TensorInfo& t : info.value().tensors)
    tensors.push_back(
        {{"name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}, {"offset", t.offset}, {"nbytes", t.nbytes}});
  j["tensors"] = tensors;
  j["values"] = sample_values(got);
  std::ofstream out(kGoldenJson);
  out << j.dump(2) << "\n";
  REQUIRE(out.good());
  WARN("wrote " << kGoldenFcm << " (" << b.size() << " bytes) and " << kGoldenJson);
}

TEST_CASE("the golden v1 file still loads with the same contents", "[format][golden]") {
  const Bytes b = read_bytes(kGoldenFcm);
  REQUIRE(!b.empty());
  std::ifstream in(kGoldenJson);
  REQUIRE(in.good());
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  REQUIRE(!j.is_discarded());

  Result<ModelFileInfo> info_r = inspect_model(b.data(), b.size());
  REQUIRE(info_r.ok());
  const ModelFileInfo& info = info_r.value();
  CHECK(info.version == j["version"].get<uint32_t>());
  CHECK(info.version == 1);
  CHECK(info.file_size == j["file_size"].get<uint64_t>());
  CHECK(info.header_size == j["header_size"].get<uint32_t>());
  CHECK(hex64(info.checksum) == j["checksum"].get<std::string>());
  CHECK(info.quantized == j["quantized"].get<bool>());
  const nlohmann::json& jt = j["tensors"];
  REQUIRE(info.tensors.size() == jt.size());
  for (size_t i = 0; i < jt.size(); ++i) {
    INFO(jt[i]["name"].get<std::string>());
    CHECK(info.tensors[i].name == jt[i]["name"].get<std::string>());
    CHECK(info.tensors[i].dtype == jt[i]["dtype"].get<uint32_t>());
    CHECK(info.tensors[i].shape == jt[i]["shape"].get<std::vector<uint64_t>>());
    CHECK(info.tensors[i].offset == jt[i]["offset"].get<uint64_t>());
    CHECK(info.tensors[i].nbytes == jt[i]["nbytes"].get<uint64_t>());
  }

  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  const Model& m = r.value();
  const nlohmann::json& jc = j["config"];
  CHECK(m.config.num_items == jc["num_items"].get<uint32_t>());
  CHECK(m.config.num_actions == jc["num_actions"].get<uint32_t>());
  CHECK(m.config.dim == jc["dim"].get<uint32_t>());
  CHECK(m.config.layers == jc["layers"].get<uint32_t>());
  CHECK(m.config.heads == jc["heads"].get<uint32_t>());
  CHECK(m.config.ffn_dim == jc["ffn_dim"].get<uint32_t>());
  CHECK(m.config.max_len == jc["max_len"].get<uint32_t>());
  CHECK(m.config.time_buckets == jc["time_buckets"].get<uint32_t>());
  CHECK(static_cast<uint32_t>(m.config.activation) == jc["activation"].get<uint32_t>());
  CHECK(m.config.norm_eps == jc["norm_eps"].get<float>());
  CHECK(m.meta.action_names == j["action_names"].get<std::vector<std::string>>());
  CHECK(m.meta.item_ids == j["item_ids"].get<std::vector<std::string>>());
  CHECK(m.meta.category_names == j["category_names"].get<std::vector<std::string>>());
  CHECK(m.meta.item_category == j["item_category"].get<std::vector<uint32_t>>());
  CHECK(m.meta.popularity == j["popularity"].get<std::vector<float>>());
  CHECK(m.item_index("\xf0\x9f\x91\x9f-6") == 6);

  const nlohmann::json want = j["values"];
  const nlohmann::json got = sample_values(m);
  for (auto it = want.begin(); it != want.end(); ++it) {
    INFO(it.key());
    if (it.key() == "rest_sum") {
      CHECK(got[it.key()].get<double>() == Approx(it.value().get<double>()).epsilon(1e-12));
    } else if (it.key().find("codes") != std::string::npos) {
      CHECK(got[it.key()].get<std::vector<int>>() == it.value().get<std::vector<int>>());
    } else {
      CHECK(got[it.key()].get<std::vector<float>>() == it.value().get<std::vector<float>>());  // exact
    }
  }
  // Written again, it becomes a version 2 file (no sections) that reads back to the same model.
  const Bytes v2 = must_write(m);
  CHECK(get_u32(v2, 4) == 2);
  Result<Model> again = read_model(v2.data(), v2.size());
  REQUIRE(again.ok());
  check_same_config(again.value().config, m.config);
  check_same_meta(again.value().meta, m.meta);
  CHECK(again.value().rest.arena == m.rest.arena);
  CHECK(again.value().items.q8.data == m.items.q8.data);
  CHECK(again.value().items.q8.scales == m.items.q8.scales);
}

TEST_CASE("file sizes for a 23,715-item catalogue", "[.size]") {
  ModelConfig c;  // defaults: dim 64, 2 layers, 2 heads, ffn 256, max_len 50, 20 time buckets
  c.num_items = 23715;
  c.num_actions = 4;
  const ModelWeights w = ModelWeights::random(c, 3);
  ModelMeta meta = make_meta(c, /*categories=*/false);
  for (uint32_t i = 0; i < c.num_items; ++i) meta.item_ids[i] = std::to_string(100000 + i * 7);  // 6-digit ids
  const Bytes f32 = must_write(Model::from_weights(w, meta, false));
  const Bytes q8 = must_write(Model::from_weights(w, meta, true));
  const size_t params = ParamLayout::build(c).total;
  WARN("23715 items, default config (" << params << " parameters), 6-byte ids: fp32 " << f32.size() << " bytes, int8 "
                                       << q8.size() << " bytes (" << 100.0 * q8.size() / f32.size() << "%)");
  CHECK(q8.size() < f32.size() / 2);
}
