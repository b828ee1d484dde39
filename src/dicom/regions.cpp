// Sequence of Ultrasound Regions (0018,6011) -> validated UltrasoundRegion values.
// Every special case here is an entry of the quirk table (quirks.h).
#include <algorithm>
#include <cmath>
#include <utility>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include "dicom/internal.h"
#include "dicom/quirks.h"

namespace refluxscan::dicom::internal {
namespace {

std::optional<int> GetInt(DcmItem& item, const DcmTagKey& key) {
  const std::optional<double> v = GetNumber(item, key);
  if (!v || !std::isfinite(*v) || std::abs(*v) > 1e9) return std::nullopt;
  return static_cast<int>(std::lround(*v));
}

// One axis of the bounds, as declared (64-bit: UL values may exceed int).
struct Span {
  long long lo = 0, hi = 0;
};

// Clamps [lo, hi] into [0, extent - 1]; extent <= 0 means "image size unknown": no clamping.
Span ClampAxis(Span s, long long extent, char axis, std::vector<std::string>& warnings) {
  if (s.lo > s.hi) {
    warnings.push_back(QuirkWarning(QuirkId::kBoundsInverted,
                                    Cat(axis, " min ", s.lo, " > max ", s.hi, ": swapped")));
    std::swap(s.lo, s.hi);
  }
  if (extent <= 0) return s;
  if (s.hi == extent && s.lo >= 0) {
    warnings.push_back(QuirkWarning(
        QuirkId::kBoundsOnePastEdge,
        Cat(axis, " max ", s.hi, " equals the image size ", extent, ": clamped to ", extent - 1)));
    s.hi = extent - 1;
  } else if (s.lo < 0 || s.hi >= extent) {
    warnings.push_back(QuirkWarning(
        QuirkId::kBoundsBeyondImage,
        Cat(axis, " bounds [", s.lo, ", ", s.hi, "] exceed the image size ", extent, ": clamped")));
    s.lo = std::clamp<long long>(s.lo, 0, extent - 1);
    s.hi = std::clamp<long long>(s.hi, 0, extent - 1);
  }
  return s;
}

void ReadBounds(DcmItem& item, int rows, int columns, UltrasoundRegion& r) {
  const auto get = [&](const DcmTagKey& key) {
    const std::optional<double> v = GetNumber(item, key);
    if (!v)
      r.warnings.push_back("region bound " + std::string(DcmTag(key).getTagName()) +
                           " is missing: taken as 0");
    return v ? static_cast<long long>(*v) : 0LL;
  };
  Span x{get(DCM_RegionLocationMinX0), get(DCM_RegionLocationMaxX1)};
  Span y{get(DCM_RegionLocationMinY0), get(DCM_RegionLocationMaxY1)};
  x = ClampAxis(x, columns, 'X', r.warnings);
  y = ClampAxis(y, rows, 'Y', r.warnings);
  r.min_x0 = static_cast<int>(x.lo);
  r.max_x1 = static_cast<int>(x.hi);
  r.min_y0 = static_cast<int>(y.lo);
  r.max_y1 = static_cast<int>(y.hi);
}

void ReadCalibration(DcmItem& item, UltrasoundRegion& r) {
  r.reference_pixel_x0 = GetInt(item, DCM_ReferencePixelX0);
  r.reference_pixel_y0 = GetInt(item, DCM_ReferencePixelY0);
  r.reference_physical_x = GetNumber(item, DCM_ReferencePixelPhysicalValueX);
  r.reference_physical_y = GetNumber(item, DCM_ReferencePixelPhysicalValueY);
  r.units_x = GetInt(item, DCM_PhysicalUnitsXDirection).value_or(0);
  r.units_y = GetInt(item, DCM_PhysicalUnitsYDirection).value_or(0);
  const std::optional<double> dx = GetNumber(item, DCM_PhysicalDeltaX);
  const std::optional<double> dy = GetNumber(item, DCM_PhysicalDeltaY);
  r.delta_x = dx.value_or(0.0);
  r.delta_y = dy.value_or(0.0);
  r.doppler_correction_angle_deg = GetNumber(item, DCM_DopplerCorrectionAngle);
  // Quirk transducer_frequency_khz: PS3.3 C.8.5.5.1 stores kHz.
  if (const std::optional<double> khz = GetNumber(item, DCM_TransducerFrequency)) {
    r.transducer_frequency_hz = *khz * 1000.0;
    // Diagnostic and intravascular probes span about 1-60 MHz: a value outside 0.5-100 MHz was
    // stored in another unit, and converting Hz with it would scale velocities by 1000.
    constexpr double kMinPlausibleHz = 0.5e6, kMaxPlausibleHz = 100e6;
    if (!(*r.transducer_frequency_hz >= kMinPlausibleHz &&
          *r.transducer_frequency_hz <= kMaxPlausibleHz)) {
      r.warnings.push_back(
          QuirkWarning(QuirkId::kImplausibleTransducerFrequency,
                       Cat("TransducerFrequency ", std::abs(*khz) < 1e15 ? std::llround(*khz) : -1,
                           " kHz is outside 0.5-100 MHz: not used")));
      r.transducer_frequency_hz.reset();
    }
  }
  r.pulse_repetition_frequency_hz = GetNumber(item, DCM_PulseRepetitionFrequency);
}

void WarnDeltas(UltrasoundRegion& r) {
  if (r.delta_x == 0.0) {
    r.warnings.push_back(QuirkWarning(QuirkId::kZeroOrAbsentDelta,
                                      "PhysicalDeltaX is zero or absent: X is not calibrated"));
  }
  if (r.delta_y == 0.0) {
    r.warnings.push_back(QuirkWarning(QuirkId::kZeroOrAbsentDelta,
                                      "PhysicalDeltaY is zero or absent: Y is not calibrated"));
  }
}

void WarnSpectralUnits(UltrasoundRegion& r) {
  if (!r.IsSpectral()) return;
  if (r.units_x != static_cast<int>(PhysicalUnits::kSeconds)) {
    r.warnings.push_back(
        QuirkWarning(QuirkId::kUnexpectedSpectralUnits,
                     "spectral X units are " + PhysicalUnitsName(r.units_x) + ", expected s"));
  }
  const bool hz = r.units_y == static_cast<int>(PhysicalUnits::kHertz);
  if (!hz && r.units_y != static_cast<int>(PhysicalUnits::kCmPerSecond)) {
    r.warnings.push_back(QuirkWarning(
        QuirkId::kUnexpectedSpectralUnits,
        "spectral Y units are " + PhysicalUnitsName(r.units_y) + ", expected cm/s or Hz"));
  }
  if (hz && !r.transducer_frequency_hz) {
    r.warnings.push_back("spectral Y axis in Hz without TransducerFrequency: no cm/s conversion");
  }
}

// Reference pixel and placeholder quirks compare against the bounds as declared.
void WarnLayout(DcmItem& item, UltrasoundRegion& r) {
  const std::optional<int> min_x = GetInt(item, DCM_RegionLocationMinX0);
  const std::optional<int> min_y = GetInt(item, DCM_RegionLocationMinY0);
  if (min_x && min_y && (*min_x != 0 || *min_y != 0) && r.reference_pixel_x0 == -*min_x &&
      r.reference_pixel_y0 == -*min_y) {
    r.warnings.push_back(QuirkWarning(
        QuirkId::kReferencePixelImageOrigin,
        Cat("reference pixel (", -*min_x, ", ", -*min_y, ") points at the image origin")));
  }
  if (r.spatial_format == 0 && r.data_type == 0) {
    r.warnings.push_back(QuirkWarning(QuirkId::kPlaceholderRegion,
                                      "region with spatial format 0 and data type 0 (none)"));
  }
}

UltrasoundRegion ParseRegion(DcmItem& item, int rows, int columns) {
  UltrasoundRegion r;
  r.spatial_format = GetInt(item, DCM_RegionSpatialFormat).value_or(0);
  r.data_type = GetInt(item, DCM_RegionDataType).value_or(0);
  const std::optional<double> flags = GetNumber(item, DCM_RegionFlags);
  r.flags = flags && *flags >= 0 ? static_cast<uint32_t>(*flags) : 0U;
  ReadBounds(item, rows, columns, r);
  ReadCalibration(item, r);
  WarnDeltas(r);
  WarnSpectralUnits(r);
  WarnLayout(item, r);
  return r;
}

}  // namespace

std::vector<UltrasoundRegion> ParseRegions(DcmItem& dataset, int rows, int columns) {
  std::vector<UltrasoundRegion> regions;
  DcmSequenceOfItems* seq = nullptr;
  if (dataset.findAndGetSequence(DCM_SequenceOfUltrasoundRegions, seq, OFFalse).bad() ||
      seq == nullptr) {
    return regions;
  }
  for (unsigned long i = 0; i < seq->card(); ++i) {
    if (DcmItem* item = seq->getItem(i)) regions.push_back(ParseRegion(*item, rows, columns));
  }
  return regions;
}

}  // namespace refluxscan::dicom::internal
