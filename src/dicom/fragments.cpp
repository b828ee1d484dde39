// Frame extraction from encapsulated pixel data (see fragments.h).
#include "dicom/fragments.h"

#include <optional>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include "dicom/internal.h"

namespace refluxscan::dicom::internal {
namespace {

struct Span {
  unsigned long first = 0;  // fragment index (1 = the first after the offset table)
  unsigned long end = 0;    // exclusive
};

DcmPixelItem* Item(DcmPixelSequence& seq, unsigned long i) {
  DcmPixelItem* item = nullptr;
  return seq.getItem(item, i).good() ? item : nullptr;
}

// Fragments from the Basic Offset Table (item 0): offsets count bytes from the first fragment's
// item tag, 8 header bytes + value per item. nullopt without a table of one entry per frame.
std::optional<Span> SpanFromOffsetTable(DcmPixelSequence& seq, unsigned long frame,
                                        unsigned long frames) {
  DcmPixelItem* table = Item(seq, 0);
  if (table == nullptr || table->getLength() != 4 * frames) return std::nullopt;
  Uint8* raw = nullptr;
  if (table->getUint8Array(raw).bad() || raw == nullptr) return std::nullopt;
  auto offset = [raw](unsigned long i) {  // little endian whatever the host
    return uint64_t(raw[4 * i]) | uint64_t(raw[4 * i + 1]) << 8 | uint64_t(raw[4 * i + 2]) << 16 |
           uint64_t(raw[4 * i + 3]) << 24;
  };
  const uint64_t begin = offset(frame);
  const uint64_t end = frame + 1 < frames ? offset(frame + 1) : UINT64_MAX;
  Span span;
  uint64_t at = 0;
  for (unsigned long i = 1; i < seq.card(); ++i) {
    if (at == begin) span.first = i;
    if (at == end) break;
    if (span.first != 0) span.end = i + 1;
    DcmPixelItem* item = Item(seq, i);
    if (item == nullptr) return std::nullopt;
    at += 8 + uint64_t(item->getLength());
  }
  if (span.first == 0 || span.end <= span.first) return std::nullopt;
  return span;
}

// Whether the fragment starts with the codec's two start bytes (loads only that fragment).
bool StartsWith(DcmPixelItem& item, uint16_t marker) {
  Uint8* bytes = nullptr;
  return item.getLength() >= 2 && item.getUint8Array(bytes).good() && bytes != nullptr &&
         bytes[0] == (marker >> 8) && bytes[1] == (marker & 0xFF);
}

std::optional<Span> SpanFromMarkers(DcmPixelSequence& seq, unsigned long frame, uint16_t marker) {
  unsigned long seen = 0;
  Span span;
  for (unsigned long i = 1; i < seq.card(); ++i) {
    DcmPixelItem* item = Item(seq, i);
    if (item == nullptr) return std::nullopt;
    if (StartsWith(*item, marker)) {
      if (seen == frame + 1) break;
      if (seen++ == frame) span.first = i;
    }
    if (span.first != 0) span.end = i + 1;
  }
  if (span.first == 0) return std::nullopt;
  return span;
}

std::optional<Span> FrameSpan(DcmPixelSequence& seq, unsigned long frame, unsigned long frames,
                              uint16_t marker) {
  const unsigned long fragments = seq.card() > 0 ? seq.card() - 1 : 0;
  if (fragments == 0 || frame >= frames) return std::nullopt;
  if (fragments == frames) return Span{frame + 1, frame + 2};
  if (auto span = SpanFromOffsetTable(seq, frame, frames)) return span;
  if (frames == 1) return Span{1, fragments + 1};
  return SpanFromMarkers(seq, frame, marker);
}

}  // namespace

Result<std::vector<uint8_t>> FrameFragments(DcmDataset& dataset, E_TransferSyntax xfer,
                                            unsigned long frame, unsigned long frames,
                                            uint16_t start_marker, uint64_t max_bytes) {
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
    return Fail(ErrorCode::kInvalidInput, "no Pixel Data (7FE0,0010)");
  }
  DcmPixelSequence* seq = nullptr;
  auto* pixel_data = static_cast<DcmPixelData*>(element);
  if (pixel_data->getEncapsulatedRepresentation(xfer, nullptr, seq).bad() || seq == nullptr) {
    return Fail(ErrorCode::kCorrupt, "pixel data is not encapsulated as its transfer syntax says");
  }
  const std::optional<Span> span = FrameSpan(*seq, frame, frames, start_marker);
  if (!span) {
    return Fail(ErrorCode::kCorrupt, Cat("cannot find the fragments of frame ", frame + 1, " of ",
                                         frames, " among ", seq->card(), " pixel items"));
  }
  uint64_t total = 0;
  for (unsigned long i = span->first; i < span->end; ++i) total += Item(*seq, i)->getLength();
  if (total > max_bytes) {
    return Fail(ErrorCode::kCorrupt, Cat("frame ", frame + 1, " claims ", total,
                                         " compressed bytes, more than the file holds"));
  }
  std::vector<uint8_t> bytes;
  bytes.reserve(total);
  for (unsigned long i = span->first; i < span->end; ++i) {
    DcmPixelItem* item = Item(*seq, i);
    Uint8* data = nullptr;
    if (item->getLength() == 0) continue;
    if (item->getUint8Array(data).bad() || data == nullptr) {
      return Fail(ErrorCode::kCorrupt, Cat("pixel item ", i, " is unreadable"));
    }
    bytes.insert(bytes.end(), data, data + item->getLength());
  }
  return bytes;
}

}  // namespace refluxscan::dicom::internal
