#pragma once
// Frames' compressed bytes out of an encapsulated Pixel Data element (PS3.5 A.4), for the codecs
// decoded outside dcmimage (JPEG 2000). Private to the dicom module.
#include <cstdint>
#include <vector>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include "refluxscan/core/error.h"

class DcmDataset;
class DcmPixelItem;

namespace refluxscan::dicom::internal {

// A codestream's first bytes (JPEG 2000: SOC + SIZ, FF4F FF51), and optionally a second form
// (a JP2 file's signature box) that also opens a frame.
struct FrameStart {
  std::vector<uint8_t> marker, alternative;
};

// The fragments of every frame of one encapsulated Pixel Data element, found once: one fragment
// per frame when the counts match; else the Basic Offset Table when it has one entry per frame;
// else, for a single frame, every fragment; else each fragment that begins with a FrameStart
// opens a frame. Only the first bytes of a fragment are read to find that (not its value).
class EncapsulatedFrames {
 public:
  // kCorrupt when the element is not encapsulated or its fragments do not give `frames` frames.
  static Result<EncapsulatedFrames> Find(DcmDataset& dataset, E_TransferSyntax xfer,
                                         unsigned long frames, const FrameStart& start);

  // Frame `frame` (0-based), its fragments concatenated. kCorrupt when it would exceed
  // `max_bytes` (checked before any value is loaded) or a fragment is unreadable.
  Result<std::vector<uint8_t>> Bytes(unsigned long frame, uint64_t max_bytes) const;

 private:
  std::vector<DcmPixelItem*> items_;  // fragments; items_[0] is the Basic Offset Table
  std::vector<size_t> first_;         // per frame: index into items_ of its first fragment,
                                      // plus one past the last frame's fragments at the end
};

// For the DCMTK codecs' frame-wise decode (JPEG family): when the frames span several fragments
// and the Basic Offset Table is empty, DCMTK 3.6.7 cannot tell where a frame starts ("can't
// determine 'PhotometricInterpretation' of decompressed image", frame 1 included). Writes the
// table into the in-memory dataset from the fragments that begin with `start`, so only the
// requested frames are decoded. Returns whether it wrote one; nothing is written when the counts
// match, the table is present, there is one frame, or the frame starts cannot be found (the
// decode then fails as before).
Result<bool> FillOffsetTable(DcmDataset& dataset, E_TransferSyntax xfer, unsigned long frames,
                             const FrameStart& start);

// DCMTK 3.6.7's JPEG decoder walks a fragment's marker segments to its frame header (SOF) for the
// sample precision (DJCodecDecoder::scanJpegDataForBitDepth) and never moves past a TEM marker
// (FF 01) that comes before it: the decode does not return (found by fuzz_dicom: a JFIF header
// with FF 01 hung a worker for good). Walks the fragments DCMTK will walk the same way (the first
// one, and each decoded frame's first: every fragment that opens with SOI when `all_frames`, else
// the last one) and refuses (kCorrupt) the pixel data when the walk would reach such a marker.
// Refuses too a frame header smaller than Rows x Columns: DCMTK decodes it into a buffer of
// Rows x Columns and leaves the rest uninitialised (pixels that differ from run to run).
Result<void> CheckJpegHeaders(DcmDataset& dataset, E_TransferSyntax xfer, bool all_frames, int rows,
                              int columns);

// Whether the first frame's JPEG stream says by its own markers that it holds YCbCr: a JFIF
// header (JFIF streams are YCbCr or gray), 3 components not named 'R', 'G', 'B', a lossy (DCT)
// process, and no Adobe marker with transform 0 (RGB). libjpeg decodes such a stream as YCbCr on
// its own; DCMTK goes by the data set's PhotometricInterpretation, so a stream of this kind
// labelled RGB came out unconverted (black read teal; an independent renderer's real-world
// mislabel).
bool JpegStreamIsJfifYcbcr(DcmDataset& dataset, E_TransferSyntax xfer);

}  // namespace refluxscan::dicom::internal
