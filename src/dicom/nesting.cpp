// A byte-level walk of a DICOM file's element headers that measures sequence nesting before
// DCMTK parses it: DCMTK 3.6.7 recurses once per nested sequence and overflows the stack near
// 10,000 levels (tests/robustness DeepNesting.*), which would kill a whole batch.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "dicom/internal.h"
#include "refluxscan/core/text.h"

namespace refluxscan::dicom::internal {
namespace {

constexpr uint64_t kUndefined = UINT64_MAX;
constexpr size_t kMaxContainers = 2 * kMaxSequenceDepth;  // a level = a sequence + an item
constexpr int kMaxElements = 1'000'000;                   // the walk itself is bounded too

enum class Encoding { kExplicitLittle, kImplicitLittle, kExplicitBig, kUnknown };

// Random access to the file through the stream's buffer (only headers are read).
class Bytes {
 public:
  explicit Bytes(const std::string& path) : in_(path, std::ios::binary) {}
  bool Read(uint64_t offset, unsigned char* out, size_t n) {
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    return in_.gcount() == static_cast<std::streamsize>(n);
  }
  bool ok() const { return static_cast<bool>(in_); }

 private:
  std::ifstream in_;
};

uint32_t Value(const unsigned char* b, int n, bool big) {
  uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | b[big ? i : n - 1 - i];
  return v;
}

bool IsLongVr(const unsigned char* vr) {
  static constexpr const char* kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                          "SV", "UC", "UN", "UR", "UT", "UV"};
  for (const char* v : kLong) {
    if (vr[0] == v[0] && vr[1] == v[1]) return true;
  }
  return false;
}

struct Header {
  uint16_t group = 0, element = 0;
  uint32_t length = 0;
  int size = 8;  // header bytes
  bool sequence = false;
};

Header ParseHeader(const unsigned char* b, Encoding enc) {
  const bool big = enc == Encoding::kExplicitBig;
  Header h{static_cast<uint16_t>(Value(b, 2, big)), static_cast<uint16_t>(Value(b + 2, 2, big))};
  const bool explicit_vr = enc != Encoding::kImplicitLittle && h.group != 0xFFFE && b[4] >= 'A' &&
                           b[4] <= 'Z' && b[5] >= 'A' && b[5] <= 'Z';
  if (!explicit_vr) {
    h.length = Value(b + 4, 4, big);
  } else if (IsLongVr(b + 4)) {
    h.length = Value(b + 8, 4, big);
    h.size = 12;
    h.sequence = b[4] == 'S' && b[5] == 'Q';
  } else {
    h.length = Value(b + 6, 2, big);
  }
  return h;
}

Encoding EncodingOf(const std::string& ts_uid) {
  if (ts_uid == "1.2.840.10008.1.2") return Encoding::kImplicitLittle;
  if (ts_uid == "1.2.840.10008.1.2.2") return Encoding::kExplicitBig;
  if (ts_uid == "1.2.840.10008.1.2.1.99") return Encoding::kUnknown;  // deflated: opaque bytes
  return Encoding::kExplicitLittle;
}

class Walker {
 public:
  Walker(Bytes& bytes, Encoding enc) : bytes_(bytes), enc_(enc) {}

  // Walks from `pos` until pixel data at the top level, the end of the file or the limit.
  Result<void> Walk(uint64_t pos) {
    unsigned char b[12];
    for (int n = 0; n < kMaxElements && bytes_.Read(pos, b, sizeof b); ++n) {
      while (!open_.empty() && open_.back() <= pos) open_.pop_back();
      const Header h = ParseHeader(b, enc_);
      if (h.group == 0x7FE0 && h.element == 0x0010 && open_.empty()) return {};
      pos = Step(h, pos);
      if (open_.size() > kMaxContainers) {
        return Fail(ErrorCode::kCorrupt, "sequences nested deeper than " +
                                             std::to_string(kMaxSequenceDepth) +
                                             " levels: refused before parsing");
      }
    }
    return {};
  }

 private:
  // Position of the next header; opens or closes containers on the way.
  uint64_t Step(const Header& h, uint64_t pos) {
    const uint64_t value = pos + static_cast<uint64_t>(h.size);
    if (h.group == 0xFFFE) {
      if (h.element == 0xE000) Open(value, h.length);
      if ((h.element == 0xE00D || h.element == 0xE0DD) && !open_.empty()) open_.pop_back();
      return value;
    }
    const bool undefined = h.length == 0xFFFFFFFFu;
    if (h.sequence || undefined || (enc_ == Encoding::kImplicitLittle && StartsWithItem(value))) {
      Open(value, h.length);
      return value;
    }
    return value + h.length;
  }

  void Open(uint64_t value, uint32_t length) {
    open_.push_back(length == 0xFFFFFFFFu ? kUndefined : value + length);
  }

  bool StartsWithItem(uint64_t value) {
    unsigned char b[4];
    return bytes_.Read(value, b, 4) && b[0] == 0xFE && b[1] == 0xFF && b[2] == 0x00 && b[3] == 0xE0;
  }

  Bytes& bytes_;
  Encoding enc_;
  std::vector<uint64_t> open_;  // end offsets of the open sequences/items (kUndefined: delimited)
};

struct Meta {
  std::string transfer_syntax_uid;  // empty without a meta header
  uint64_t dataset_offset = 0;
};

// The file meta group (always explicit little endian) after the 128-byte preamble and "DICM".
Meta ReadMeta(Bytes& bytes) {
  Meta meta;
  unsigned char b[12];
  if (!bytes.Read(128, b, 4) || b[0] != 'D' || b[1] != 'I' || b[2] != 'C' || b[3] != 'M') {
    return meta;
  }
  uint64_t pos = 132;
  for (int n = 0; n < 64 && bytes.Read(pos, b, sizeof b); ++n) {
    const Header h = ParseHeader(b, Encoding::kExplicitLittle);
    if (h.group != 0x0002 || h.length > 1024) break;
    const uint64_t value = pos + static_cast<uint64_t>(h.size);
    if (h.element == 0x0010) {
      std::string uid(h.length, '\0');
      if (bytes.Read(value, reinterpret_cast<unsigned char*>(uid.data()), h.length)) {
        meta.transfer_syntax_uid = TrimDicom(uid);
      }
    }
    pos = value + h.length;
  }
  meta.dataset_offset = pos;
  return meta;
}

}  // namespace

Result<void> CheckNestingDepth(const std::string& path) {
  Bytes bytes(path);
  if (!bytes.ok()) return {};  // unreadable files are reported by the reader itself
  const Meta meta = ReadMeta(bytes);
  const Encoding enc = EncodingOf(meta.transfer_syntax_uid);
  if (enc == Encoding::kUnknown) return {};
  return Walker(bytes, enc).Walk(meta.dataset_offset);
}

}  // namespace refluxscan::dicom::internal
