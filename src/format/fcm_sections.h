// Internal to src/format: the optional tagged sections of .fcm version 2 (spec item 10b in
// format/fcm.h): the section table, the record lists inside sections, and which parts of a Model
// each known tag carries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/fcm.h"
#include "format/fcm_bytes.h"

namespace forecart::fcm_internal {

// One section ready to be laid out in the data section.
struct SectionBlob {
  FcmSectionTag tag;
  uint32_t flags = 0;
  std::vector<uint8_t> bytes;  // a record list
};

// Appends records to a section's bytes (the record-list encoding of the spec).
class RecordWriter {
 public:
  explicit RecordWriter(std::vector<uint8_t>* out);
  void f32(const std::string& name, const float* x, size_t n);
  void u32(const std::string& name, const uint32_t* x, size_t n);
  void text(const std::string& name, const std::string& s);
  void finish();  // writes the record count in front

 private:
  void head(const std::string& name, FcmDtype dtype, uint64_t n);
  std::vector<uint8_t>* out_;
  std::vector<uint8_t> body_;
  uint32_t count_ = 0;
};

// A parsed record: points into the file's bytes.
struct Record {
  std::string name;
  FcmDtype dtype = FcmDtype::kF32;
  uint64_t count = 0;
  const uint8_t* data = nullptr;
};

// Parses one section's record list (bounds-checked; names unique).
Status parse_records(const uint8_t* data, const SectionInfo& s, std::vector<Record>* out);

// The sections a model needs (none for a model without optional parts).
std::vector<SectionBlob> encode_sections(const Model& m);

// Reads the section table at the cursor (version >= 2). data_begin/data_end bound the data
// section. A tag this reader does not know is kept only when skippable; otherwise the file is
// rejected with kUnsupportedVersion.
Status parse_section_table(Cursor& cur, uint64_t data_begin, uint64_t data_end, std::vector<SectionInfo>* out);

// Fills m's optional parts from the known sections (skippable unknown ones are ignored).
Status decode_sections(const uint8_t* data, const std::vector<SectionInfo>& sections, Model* m);

}  // namespace forecart::fcm_internal
