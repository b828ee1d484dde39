#pragma once
// The one table of vendor and format quirks the dicom module handles. Every special case in the
// readers refers to an entry here (warnings carry its key in brackets), and every entry has a test
// in tests/dicom/quirks_test.cpp. docs/dicom.md mirrors this table.
#include <span>
#include <string>
#include <string_view>

namespace refluxscan::dicom {

enum class QuirkId {
  kBoundsOnePastEdge,          // MaxX1 == Columns or MaxY1 == Rows
  kBoundsBeyondImage,          // bounds declared for a larger image than stored
  kBoundsInverted,             // MinX0 > MaxX1 or MinY0 > MaxY1
  kZeroOrAbsentDelta,          // PhysicalDeltaX/Y zero or missing
  kUnexpectedSpectralUnits,    // spectral region not in s x (cm/s | Hz)
  kReferencePixelImageOrigin,  // reference pixel == -(MinX0, MinY0): points at the image origin
  kPlaceholderRegion,          // whole-screen region with spatial format 0 and data type 0
  kTransducerFrequencyKhz,     // (0018,6030) holds kHz; the product stores Hz
  kImplausibleTransducerFrequency,  // (0018,6030) outside 0.5-100 MHz as kHz: not used
  kNoRegionSequence,                // (0018,6011) absent: no calibration, never guessed
  kSegmentedPalette,                // segmented palette LUTs: DCMTK 3.6.7 cannot render them
  kUnknownTransferSyntax,  // a syntax newer than DCMTK 3.6.7 (JPEG XL, HTJ2K): read as header
  kRetiredUsSopClass,      // retired US SOP classes ...5.1.4.1.1.6 / ...1.3
  kJfifLabelledRgb,        // a JFIF (YCbCr) JPEG stream with PhotometricInterpretation RGB
};

struct Quirk {
  QuirkId id;
  std::string_view key;       // short stable name, used in warnings as "[key]"
  std::string_view seen_in;   // where it was observed (vendor / file in ../shared/realdicom)
  std::string_view handling;  // what the reader does about it
};

std::span<const Quirk> AllQuirks();
const Quirk& GetQuirk(QuirkId id);
// "[key] detail": the warning text for a quirk occurrence.
std::string QuirkWarning(QuirkId id, std::string_view detail);

}  // namespace refluxscan::dicom
