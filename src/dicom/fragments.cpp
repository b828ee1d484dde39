// Frame extraction from encapsulated pixel data (see fragments.h).
#include "dicom/fragments.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcofsetl.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include "dicom/internal.h"

namespace refluxscan::dicom::internal {
namespace {

// Every item of the sequence, in order. nextInContainer continues from the list's current
// position (O(1) a step); getItem(i) walks from the start each time, quadratic on a file of
// millions of empty fragments.
std::vector<DcmPixelItem*> Items(DcmPixelSequence& seq) {
  std::vector<DcmPixelItem*> items;
  for (DcmObject* o = seq.nextInContainer(nullptr); o != nullptr; o = seq.nextInContainer(o)) {
    items.push_back(static_cast<DcmPixelItem*>(o));
  }
  return items;
}

// The encapsulated Pixel Data's fragment sequence, or nullptr when there is none.
DcmPixelSequence* EncapsulatedSequence(DcmDataset& dataset, E_TransferSyntax xfer) {
  DcmElement* element = nullptr;
  DcmPixelSequence* seq = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr ||
      static_cast<DcmPixelData*>(element)
          ->getEncapsulatedRepresentation(xfer, nullptr, seq)
          .bad()) {
    return nullptr;
  }
  return seq;
}

// First fragment of each frame from the Basic Offset Table (items[0]): offsets count bytes from
// the first fragment's item tag, 8 header bytes + value per item. nullopt without a table of one
// entry per frame, or when an offset falls between items.
std::optional<std::vector<size_t>> FirstsFromOffsetTable(const std::vector<DcmPixelItem*>& items,
                                                         unsigned long frames) {
  if (items.empty() || items[0]->getLength() != 4 * frames) return std::nullopt;
  Uint8* raw = nullptr;
  if (items[0]->getUint8Array(raw).bad() || raw == nullptr) return std::nullopt;
  std::vector<size_t> firsts;
  uint64_t at = 0;
  size_t item = 1;
  for (unsigned long f = 0; f < frames; ++f) {
    const uint64_t offset = uint64_t(raw[4 * f]) | uint64_t(raw[4 * f + 1]) << 8 |
                            uint64_t(raw[4 * f + 2]) << 16 | uint64_t(raw[4 * f + 3]) << 24;
    while (item < items.size() && at < offset) at += 8 + uint64_t(items[item++]->getLength());
    if (at != offset || item >= items.size()) return std::nullopt;
    if (!firsts.empty() && item <= firsts.back()) return std::nullopt;  // empty or backwards
    firsts.push_back(item);
  }
  return firsts;
}

// Whether the fragment's value begins with `marker` (reads those bytes only).
bool BeginsWith(DcmPixelItem& item, const std::vector<uint8_t>& marker) {
  if (marker.empty() || item.getLength() < marker.size()) return false;
  std::vector<uint8_t> head(marker.size());
  return item.getPartialValue(head.data(), 0, static_cast<Uint32>(head.size())).good() &&
         head == marker;
}

std::optional<std::vector<size_t>> FirstsFromMarkers(const std::vector<DcmPixelItem*>& items,
                                                     unsigned long frames,
                                                     const FrameStart& start) {
  std::vector<size_t> firsts;
  for (size_t i = 1; i < items.size(); ++i) {
    if (BeginsWith(*items[i], start.marker) || BeginsWith(*items[i], start.alternative)) {
      firsts.push_back(i);
    }
  }
  if (firsts.size() != frames || firsts.front() != 1) return std::nullopt;
  return firsts;
}

std::optional<std::vector<size_t>> FrameFirsts(const std::vector<DcmPixelItem*>& items,
                                               unsigned long frames, const FrameStart& start) {
  const size_t fragments = items.empty() ? 0 : items.size() - 1;
  if (fragments == 0 || frames == 0) return std::nullopt;
  if (fragments == frames) {
    std::vector<size_t> firsts(frames);
    for (size_t f = 0; f < frames; ++f) firsts[f] = f + 1;
    return firsts;
  }
  if (auto firsts = FirstsFromOffsetTable(items, frames)) return firsts;
  if (frames == 1) return std::vector<size_t>{1};
  return FirstsFromMarkers(items, frames, start);
}

}  // namespace

Result<EncapsulatedFrames> EncapsulatedFrames::Find(DcmDataset& dataset, E_TransferSyntax xfer,
                                                    unsigned long frames, const FrameStart& start) {
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
    return Fail(ErrorCode::kInvalidInput, "no Pixel Data (7FE0,0010)");
  }
  DcmPixelSequence* seq = nullptr;
  auto* pixel_data = static_cast<DcmPixelData*>(element);
  if (pixel_data->getEncapsulatedRepresentation(xfer, nullptr, seq).bad() || seq == nullptr) {
    return Fail(ErrorCode::kCorrupt, "pixel data is not encapsulated as its transfer syntax says");
  }
  EncapsulatedFrames out;
  out.items_ = Items(*seq);
  std::optional<std::vector<size_t>> firsts = FrameFirsts(out.items_, frames, start);
  if (!firsts) {
    return Fail(ErrorCode::kCorrupt,
                Cat("cannot tell which of ", out.items_.size(), " pixel items hold which of ",
                    frames, " frame(s): no offset table and no frame start in the fragments"));
  }
  out.first_ = std::move(*firsts);
  out.first_.push_back(out.items_.size());
  return out;
}

Result<bool> FillOffsetTable(DcmDataset& dataset, E_TransferSyntax xfer, unsigned long frames,
                             const FrameStart& start) {
  DcmPixelSequence* seq = EncapsulatedSequence(dataset, xfer);
  if (seq == nullptr) return false;  // the decode reports what is wrong
  const std::vector<DcmPixelItem*> items = Items(*seq);
  if (frames <= 1 || items.size() < 2 || items.size() - 1 == frames || items[0]->getLength() != 0) {
    return false;
  }
  const std::optional<std::vector<size_t>> firsts = FirstsFromMarkers(items, frames, start);
  if (!firsts) return false;
  DcmOffsetList sizes;  // per frame: its items' bytes, 8-byte item headers included
  for (size_t f = 0; f < firsts->size(); ++f) {
    const size_t end = f + 1 < firsts->size() ? (*firsts)[f + 1] : items.size();
    uint64_t bytes = 0;
    for (size_t i = (*firsts)[f]; i < end; ++i) bytes += 8 + uint64_t(items[i]->getLength());
    if (bytes > UINT32_MAX || bytes % 2 != 0) return false;
    sizes.push_back(static_cast<Uint32>(bytes));
  }
  if (items[0]->createOffsetTable(sizes).bad()) return false;
  return true;
}

namespace {

// Where DCMTK's walk to the frame header (scanJpegDataForBitDepth, mirrored case by case) ends:
// at a TEM marker (FF 01), where it stops moving; at a frame header (SOF), whose lines and
// samples per line are read; or at a byte pair that is no marker (DCMTK then stops with "no
// precision").
struct JpegWalk {
  bool stalls_at_tem = false;
  bool frame_header = false;
  unsigned sof = 0;                          // the frame header's marker (FFC0..FFCF)
  unsigned lines = 0, samples_per_line = 0;  // the frame header's Y and X (Y = 0: set by DNL)
  unsigned components = 0;                   // Nf
  bool rgb_ids = false;      // three components with ids 'R', 'G', 'B' (libjpeg 9 reads RGB then)
  bool jfif = false;         // an APP0 "JFIF" segment came before it
  int adobe_transform = -1;  // an APP14 "Adobe" segment's transform (-1: none)
};

bool SegmentSays(const uint8_t* data, uint64_t length, uint64_t at, std::string_view id) {
  return at + id.size() <= length && std::equal(id.begin(), id.end(), data + at,
                                                [](char c, uint8_t b) { return uint8_t(c) == b; });
}

JpegWalk WalkToFrameHeader(const uint8_t* data, uint64_t length) {
  uint64_t offset = 0;
  const auto u16 = [&](uint64_t at) { return static_cast<unsigned>(data[at] << 8 | data[at + 1]); };
  JpegWalk walk;
  while (offset + 4 < length) {
    const unsigned marker = u16(offset);
    if (marker == 0xFF01) return {.stalls_at_tem = true};
    const bool frame_header = marker >= 0xFFC0 && marker <= 0xFFCF && marker != 0xFFC4 &&
                              marker != 0xFFC8 && marker != 0xFFCC;
    if (frame_header) {  // FF Cn, length (2), precision (1), Y (2), X (2), Nf (1), then per
                         // component its id (1), sampling (1), table (1)
      if (offset + 10 > length) return {};
      walk.frame_header = true;
      walk.sof = marker;
      walk.lines = u16(offset + 5), walk.samples_per_line = u16(offset + 7);
      walk.components = data[offset + 9];
      walk.rgb_ids = walk.components == 3 && offset + 17 <= length && data[offset + 10] == 'R' &&
                     data[offset + 13] == 'G' && data[offset + 16] == 'B';
      return walk;
    }
    // APP0 "JFIF\0" with >= 14 data bytes; APP14 "Adobe", version (2), flags (2 + 2), transform
    // (1): >= 12 data bytes (libjpeg's own minimum lengths for these markers).
    const unsigned segment_length = u16(offset + 2);
    if (marker == 0xFFE0 && segment_length >= 16 &&
        SegmentSays(data, length, offset + 4, {"JFIF\0", 5})) {
      walk.jfif = true;
    }
    if (marker == 0xFFEE && segment_length >= 14 &&
        SegmentSays(data, length, offset + 4, "Adobe") && offset + 15 < length) {
      walk.adobe_transform = data[offset + 15];
    }
    const bool segment = marker == 0xFFC4 || marker == 0xFFC8 || marker == 0xFFCC ||
                         (marker >= 0xFFDA && marker <= 0xFFDF) ||
                         (marker >= 0xFFE0 && marker <= 0xFFFE);
    const bool bare = (marker >= 0xFFD0 && marker <= 0xFFD9) ||
                      (data[offset] == 0xFF && data[offset + 1] > 2 && data[offset + 1] <= 0xBF);
    if (segment) {
      offset += u16(offset + 2) + 2;
    } else if (bare) {
      offset += 2;
    } else {
      return {};
    }
  }
  return {};
}

}  // namespace

Result<void> CheckJpegHeaders(DcmDataset& dataset, E_TransferSyntax xfer, bool all_frames, int rows,
                              int columns) {
  DcmPixelSequence* seq = EncapsulatedSequence(dataset, xfer);
  if (seq == nullptr) return {};  // the decode reports what is wrong
  const std::vector<DcmPixelItem*> items = Items(*seq);
  // DCMTK walks the first fragment (the colour model) and each decoded frame's first one: for
  // the last frame alone, the last fragment that opens with SOI; the rest is never read.
  std::vector<size_t> walked;
  for (size_t k = 1; k < items.size(); ++k) {
    const size_t i = all_frames ? k : items.size() - k;
    if (!BeginsWith(*items[i], {0xFF, 0xD8})) continue;
    walked.push_back(i);
    if (!all_frames) break;
  }
  if (!all_frames && items.size() > 1 && (walked.empty() || walked.front() != 1)) {
    walked.push_back(1);
  }
  for (const size_t i : walked) {
    Uint8* data = nullptr;
    if (items[i]->getUint8Array(data).bad() || data == nullptr) continue;
    const JpegWalk walk = WalkToFrameHeader(data, items[i]->getLength());
    if (walk.stalls_at_tem) {
      return Fail(ErrorCode::kCorrupt, Cat("JPEG fragment ", i,
                                           " has a TEM marker (FF 01) before its frame header, "
                                           "where DCMTK 3.6.7's decoder would not return"));
    }
    const bool short_frame =
        walk.frame_header && ((walk.lines != 0 && walk.lines < unsigned(rows)) ||
                              walk.samples_per_line < unsigned(columns));
    if (short_frame) {
      return Fail(ErrorCode::kCorrupt,
                  Cat("JPEG frame header of fragment ", i, " is ", walk.lines, " lines x ",
                      walk.samples_per_line, " samples, smaller than Rows x Columns ", rows, " x ",
                      columns, ": DCMTK 3.6.7 would leave the rest of the frame uninitialised"));
    }
  }
  return {};
}

bool JpegStreamIsJfifYcbcr(DcmDataset& dataset, E_TransferSyntax xfer) {
  DcmPixelSequence* seq = EncapsulatedSequence(dataset, xfer);
  if (seq == nullptr) return false;
  const std::vector<DcmPixelItem*> items = Items(*seq);
  Uint8* data = nullptr;
  if (items.size() < 2 || items[1]->getUint8Array(data).bad() || data == nullptr) return false;
  const JpegWalk walk = WalkToFrameHeader(data, items[1]->getLength());
  const bool lossless =
      walk.sof == 0xFFC3 || walk.sof == 0xFFC7 || walk.sof == 0xFFCB || walk.sof == 0xFFCF;
  return walk.frame_header && !lossless && walk.components == 3 && !walk.rgb_ids && walk.jfif &&
         walk.adobe_transform != 0;
}

Result<std::vector<uint8_t>> EncapsulatedFrames::Bytes(unsigned long frame,
                                                       uint64_t max_bytes) const {
  if (frame + 1 >= first_.size()) return Fail(ErrorCode::kInvalidInput, "no such frame");
  const size_t begin = first_[frame], end = first_[frame + 1];
  uint64_t total = 0;
  for (size_t i = begin; i < end; ++i) total += items_[i]->getLength();
  if (total > max_bytes) {
    return Fail(ErrorCode::kCorrupt, Cat("frame ", frame + 1, " claims ", total,
                                         " compressed bytes, more than the file holds"));
  }
  std::vector<uint8_t> bytes;
  bytes.reserve(total);
  for (size_t i = begin; i < end; ++i) {
    if (items_[i]->getLength() == 0) continue;
    Uint8* data = nullptr;
    if (items_[i]->getUint8Array(data).bad() || data == nullptr) {
      return Fail(ErrorCode::kCorrupt, Cat("pixel item ", i, " is unreadable"));
    }
    bytes.insert(bytes.end(), data, data + items_[i]->getLength());
  }
  return bytes;
}

}  // namespace refluxscan::dicom::internal
