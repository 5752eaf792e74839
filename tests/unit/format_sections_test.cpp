// Tests of the optional tagged sections of .fcm version 2 (format/fcm.h, item 10b): the model
// card round trip, skipping an unknown section only when it says it may be skipped, and one
// specific error per corrupt section field.
#include <catch2/catch.hpp>

#include "fcm_test_util.h"
#include "format/fcm.h"

using namespace forecart;
using namespace forecart::fcm_test;

namespace {

Model carded(const std::string& card) {
  Model m = make_model(/*quantize=*/true);
  m.meta.card = card;
  return m;
}

}  // namespace

TEST_CASE("a model card round-trips in a skippable section", "[format][sections]") {
  const std::string card = R"({"data":"Beauty.txt.gz","epochs":3,"note":"caf\u00e9 \u2615"})";
  const Bytes b = must_write(carded(card));
  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  CHECK(r.value().meta.card == card);
  Result<ModelFileInfo> info = inspect_model(b.data(), b.size());
  REQUIRE(info.ok());
  REQUIRE(info.value().sections.size() == 1);
  CHECK(info.value().sections[0].tag == static_cast<uint32_t>(FcmSectionTag::kModelCard));
  CHECK(info.value().sections[0].flags == kFcmSectionSkippable);
  CHECK(info.value().sections[0].offset % kFcmAlignment == 0);
  // A model without a card has an empty section table.
  const Bytes plain = must_write(make_model(true));
  const FileMap map = map_file(plain);
  CHECK(get_u32(plain, map.section_count_at) == 0);
  // The writer refuses a card that is not UTF-8.
  CHECK(write_model(carded("\xff\xfe")).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("an unknown section is skipped only when it may be", "[format][sections]") {
  const Bytes good = must_write(carded("{}"));
  const FileMap map = map_file(good);
  REQUIRE(map.sections.size() == 1);
  const FileMap::Section& s = map.sections[0];

  Bytes b = good;  // a tag from the future, marked skippable: loads, the section is ignored
  put_u32(b, s.tag_at, 999);
  reseal(b);
  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  CHECK(r.value().meta.card.empty());
  Result<ModelFileInfo> info = inspect_model(b.data(), b.size());
  REQUIRE(info.ok());
  CHECK(info.value().sections.at(0).tag == 999);

  put_u32(b, s.flags_at, 0);  // the same section, not skippable: this forecart cannot read the file
  reseal(b);
  CHECK(code_of(b) == StatusCode::kUnsupportedVersion);
  CHECK(message_of(b).find("needs a newer forecart") != std::string::npos);
}

TEST_CASE("corrupt section fields give specific errors", "[format][sections][corrupt]") {
  const Bytes good = must_write(carded(R"({"a":1})"));
  const FileMap map = map_file(good);
  const FileMap::Section& s = map.sections.at(0);
  auto after = [&](auto edit) {
    Bytes b = good;
    edit(b);
    reseal(b);
    return std::make_pair(code_of(b), message_of(b));
  };
  auto expect = [](const std::pair<StatusCode, std::string>& got, const char* text) {
    INFO(got.second);
    CHECK(got.first == StatusCode::kCorruptModel);
    CHECK(got.second.find(text) != std::string::npos);
  };
  expect(after([&](Bytes& b) { put_u32(b, s.flags_at, 6); }), "unknown flags");
  expect(after([&](Bytes& b) { put_u64(b, s.offset_at, s.offset + 4); }), "unaligned or outside");
  expect(after([&](Bytes& b) { put_u64(b, s.nbytes_at, good.size()); }), "unaligned or outside");
  expect(after([&](Bytes& b) { put_u64(b, s.offset_at, map.tensors.back().offset); }), "overlap");
  expect(after([&](Bytes& b) { put_u32(b, map.section_count_at, 65); }), "section count");
  expect(after([&](Bytes& b) { put_u32(b, s.offset, 100000); }), "records, too many");
  expect(after([&](Bytes& b) { put_u64(b, s.offset + 4 + 4 + 4 + 4, 1u << 30); }), "runs past the section");
  expect(after([&](Bytes& b) { put_u32(b, s.offset + 4 + 4 + 4, 9); }), "dtype 9");
  // The card record renamed: the section lacks its record.
  expect(after([&](Bytes& b) { b[s.offset + 8] = 'X'; }), "needs a UTF-8 record 'json'");
  // Truncated to the section table: every cut is an error, never a crash.
  for (size_t cut = map.section_count_at; cut < good.size(); cut += 7) {
    Bytes b(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK(code_of(b) != StatusCode::kOk);
  }
}

TEST_CASE("the default action round-trips, older files mean action 0, and one out of range is refused",
          "[format][sections]") {
  Model m = make_model(/*quantize=*/true);
  REQUIRE(m.config.num_actions == 3);
  m.meta.default_action = 2;
  const Bytes b = must_write(m);
  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  CHECK(r.value().meta.default_action == 2);
  const Bytes plain = must_write(make_model(true));  // action 0: no section, as older files
  REQUIRE(map_file(plain).sections.empty());
  Result<Model> rp = read_model(plain.data(), plain.size());
  REQUIRE(rp.ok());
  CHECK(rp.value().meta.default_action == 0);
  m.meta.default_action = 3;  // only 3 actions
  const Bytes bad = must_write(m);
  CHECK(code_of(bad) == StatusCode::kCorruptModel);
  CHECK(message_of(bad).find("default_action") != std::string::npos);
}
