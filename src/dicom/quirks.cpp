#include "dicom/quirks.h"

#include <array>

namespace refluxscan::dicom {
namespace {

constexpr std::array<Quirk, 14> kQuirks = {{
    {QuirkId::kBoundsOnePastEdge, "bounds_one_past_edge", "Philips CX50 (MaxX1 = 800 = Columns)",
     "clamp to the last row/column, warn"},
    {QuirkId::kBoundsBeyondImage, "bounds_beyond_image",
     "files re-sampled after export (region bounds for a larger image)",
     "clamp to the image, warn with the declared bounds"},
    {QuirkId::kBoundsInverted, "bounds_inverted", "hand-edited or broken exporters",
     "swap min and max, warn"},
    {QuirkId::kZeroOrAbsentDelta, "zero_or_absent_delta",
     "ECG/gray-bar regions (DeltaY 0), Aloka gray bar (no deltas)",
     "keep 0, warn: the axis has no calibration"},
    {QuirkId::kUnexpectedSpectralUnits, "unexpected_spectral_units",
     "spectral regions must be X = seconds, Y = cm/s or Hz", "warn; downstream refuses to guess"},
    {QuirkId::kReferencePixelImageOrigin, "reference_pixel_image_origin",
     "Philips CX50 ECG region ref0 = (-176,-522) = -(MinX0,MinY0)",
     "keep the stored values (relative to the region), warn"},
    {QuirkId::kPlaceholderRegion, "placeholder_region",
     "Acuson Sequoia whole-screen region (format 0, type 0, delta 1/1)",
     "keep it (never spectral), warn"},
    {QuirkId::kTransducerFrequencyKhz, "transducer_frequency_khz",
     "all vendors: (0018,6030) is kHz per PS3.3", "multiply by 1000, store Hz"},
    {QuirkId::kImplausibleTransducerFrequency, "implausible_transducer_frequency",
     "writers that store Hz (or MHz) in the kHz field (an independent renderer: 6000000 = 6 GHz)",
     "outside 0.5-100 MHz: not used (a Hz axis stays in Hz), warn; never rescaled by a guess"},
    {QuirkId::kNoRegionSequence, "no_region_sequence",
     "GE LOGIQ 700, ATL HDI5000, ACME echo: no (0018,6011)",
     "image warning; inspect reports \"no ultrasound regions\""},
    {QuirkId::kSegmentedPalette, "segmented_palette", "Aloka SSD-4000 (16-bit segmented LUT)",
     "header and regions read; decoding fails with kUnsupported"},
    {QuirkId::kUnknownTransferSyntax, "unknown_transfer_syntax",
     "GE Vivid E95 JPEG XL (1.2.840.10008.1.2.4.111)",
     "header read as explicit little endian; decoding fails with kUnsupported naming the UID"},
    {QuirkId::kRetiredUsSopClass, "retired_us_sop_class",
     "old scanners (US Image Storage 1.2.840.10008.5.1.4.1.1.6)",
     "read like the current US classes, name ends in (Retired)"},
    {QuirkId::kJfifLabelledRgb, "jfif_labelled_rgb",
     "an independent renderer's JPEG Baseline clips (a real-world mislabel: JFIF YCbCr, PI RGB)",
     "decoded as YCbCr (the stream's own markers), warn"},
}};

}  // namespace

std::span<const Quirk> AllQuirks() { return kQuirks; }

const Quirk& GetQuirk(QuirkId id) {
  for (const Quirk& q : kQuirks) {
    if (q.id == id) return q;
  }
  return kQuirks.front();  // unreachable: every QuirkId has an entry (tested)
}

std::string QuirkWarning(QuirkId id, std::string_view detail) {
  std::string out = "[";
  out += GetQuirk(id).key;
  out += "] ";
  out += detail;
  return out;
}

}  // namespace refluxscan::dicom
