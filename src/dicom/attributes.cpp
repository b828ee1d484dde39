// Attribute access, names of SOP classes and transfer syntaxes, and the DicomTags reader.
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include "dicom/internal.h"
#include "refluxscan/core/text.h"

namespace refluxscan::dicom::internal {
namespace {

std::optional<double> ParseDecimal(const OFString& text) {
  const std::string trimmed = TrimDicom(std::string_view(text.c_str(), text.size()));
  if (trimmed.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(trimmed.c_str(), &end);
  if (end == trimmed.c_str()) return std::nullopt;
  return value;
}

template <class T, class Getter>
std::optional<double> GetBinary(DcmElement& el, Getter getter) {
  T value{};
  if ((el.*getter)(value, 0).bad()) return std::nullopt;
  return static_cast<double>(value);
}

struct UidName {
  std::string_view uid;
  std::string_view name;
};

// Our spellings for the SOP classes this product meets (DCMTK's names are CamelCase keywords).
constexpr std::array<UidName, 9> kSopNames = {{
    {"1.2.840.10008.5.1.4.1.1.6.1", "US Image Storage"},
    {"1.2.840.10008.5.1.4.1.1.3.1", "US Multi-frame Image Storage"},
    {"1.2.840.10008.5.1.4.1.1.6", "US Image Storage (Retired)"},
    {"1.2.840.10008.5.1.4.1.1.3", "US Multi-frame Image Storage (Retired)"},
    {"1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage"},
    {"1.2.840.10008.5.1.4.1.1.7.1", "Multi-frame Single Bit Secondary Capture Image Storage"},
    {"1.2.840.10008.5.1.4.1.1.7.2", "Multi-frame Grayscale Byte Secondary Capture Image Storage"},
    {"1.2.840.10008.5.1.4.1.1.7.3", "Multi-frame Grayscale Word Secondary Capture Image Storage"},
    {"1.2.840.10008.5.1.4.1.1.7.4", "Multi-frame True Color Secondary Capture Image Storage"},
}};

// Transfer syntaxes published after DCMTK 3.6.7 (it reports them as unknown).
constexpr std::array<UidName, 6> kNewerSyntaxes = {{
    {"1.2.840.10008.1.2.4.110", "JPEG XL Lossless"},
    {"1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"},
    {"1.2.840.10008.1.2.4.112", "JPEG XL"},
    {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)"},
    {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)"},
    {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"},
}};

}  // namespace

static std::optional<double> GetNumberAnyValue(DcmItem& item, const DcmTagKey& key);

// Numbers from untrusted files: NaN and infinities are treated as absent, never passed on.
std::optional<double> GetNumber(DcmItem& item, const DcmTagKey& key) {
  const std::optional<double> value = GetNumberAnyValue(item, key);
  if (value && !std::isfinite(*value)) return std::nullopt;
  return value;
}

static std::optional<double> GetNumberAnyValue(DcmItem& item, const DcmTagKey& key) {
  DcmElement* el = nullptr;
  if (item.findAndGetElement(key, el, OFFalse).bad() || el == nullptr) return std::nullopt;
  if (el->getLength() == 0) return std::nullopt;
  switch (el->ident()) {
    case EVR_US:
      return GetBinary<Uint16>(*el, &DcmElement::getUint16);
    case EVR_SS:
      return GetBinary<Sint16>(*el, &DcmElement::getSint16);
    case EVR_UL:
      return GetBinary<Uint32>(*el, &DcmElement::getUint32);
    case EVR_SL:
      return GetBinary<Sint32>(*el, &DcmElement::getSint32);
    case EVR_FL:
      return GetBinary<Float32>(*el, &DcmElement::getFloat32);
    case EVR_FD:
      return GetBinary<Float64>(*el, &DcmElement::getFloat64);
    default:
      break;
  }
  OFString text;
  if (el->getOFString(text, 0).bad()) return std::nullopt;
  return ParseDecimal(text);
}

std::string GetString(DcmItem& item, const DcmTagKey& key) {
  OFString value;
  if (item.findAndGetOFStringArray(key, value, OFFalse).bad()) return {};
  return TrimDicom(std::string_view(value.c_str(), value.size()));
}

std::string SopClassName(std::string_view uid) {
  for (const UidName& entry : kSopNames) {
    if (entry.uid == uid) return std::string(entry.name);
  }
  const std::string uid_str(uid);
  const char* dcmtk_name = dcmFindNameOfUID(uid_str.c_str(), nullptr);
  return dcmtk_name != nullptr ? dcmtk_name : "unknown SOP class";
}

std::string TransferSyntaxNameOf(std::string_view uid) {
  for (const UidName& entry : kNewerSyntaxes) {
    if (entry.uid == uid) return std::string(entry.name);
  }
  const std::string uid_str(uid);
  const DcmXfer xfer(uid_str.c_str());
  if (xfer.getXfer() == EXS_Unknown) return "unknown transfer syntax";
  return xfer.getXferName();
}

bool IsUltrasoundSopClass(std::string_view uid) {
  return uid == "1.2.840.10008.5.1.4.1.1.6.1" || uid == "1.2.840.10008.5.1.4.1.1.3.1" ||
         uid == "1.2.840.10008.5.1.4.1.1.6" || uid == "1.2.840.10008.5.1.4.1.1.3";
}

bool IsSecondaryCaptureSopClass(std::string_view uid) {
  return uid == "1.2.840.10008.5.1.4.1.1.7" || uid.starts_with("1.2.840.10008.5.1.4.1.1.7.");
}

Error ErrorFromCondition(ErrorCode code, std::string_view context, const OFCondition& cond) {
  std::string message(context);
  message += ": ";
  message += cond.text();
  // DCMTK's words for a stream that ends before the data it announced (a copy cut short, an
  // interrupted transfer): say so in the user's terms.
  if (cond == EC_InvalidStream || cond == EC_StreamNotifyClient || cond == EC_EndOfStream) {
    message += " (the file ends before its data does: truncated or incompletely copied?)";
  }
  return Error{code, message};
}

}  // namespace refluxscan::dicom::internal
