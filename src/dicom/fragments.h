#pragma once
// One frame's compressed bytes out of an encapsulated Pixel Data element (PS3.5 A.4), for the
// codecs decoded outside dcmimage (JPEG 2000). Private to the dicom module.
#include <cstdint>
#include <vector>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include "refluxscan/core/error.h"

class DcmDataset;

namespace refluxscan::dicom::internal {

// The bytes of frame `frame` (0-based) of `frames`, concatenated from its fragments. Which
// fragments belong to it: one fragment per frame when the counts match; else the Basic Offset
// Table when it has one entry per frame; else, for a single frame, every fragment; else each
// fragment starting with `start_marker` (the codec's start-of-codestream bytes) opens a frame.
// kCorrupt when the element is not encapsulated, the table or fragments disagree with the frame
// count, or the frame would exceed `max_bytes` (no fragment is loaded before that check).
Result<std::vector<uint8_t>> FrameFragments(DcmDataset& dataset, E_TransferSyntax xfer,
                                            unsigned long frame, unsigned long frames,
                                            uint16_t start_marker, uint64_t max_bytes);

}  // namespace refluxscan::dicom::internal
