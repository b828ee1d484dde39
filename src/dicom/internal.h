#pragma once
// Private helpers of the dicom module: the only place (with the .cpp files here) that sees DCMTK.
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "refluxscan/core/error.h"
#include "refluxscan/core/ultrasound.h"

class DcmItem;
class DcmDataset;
class DcmFileFormat;
class DcmTagKey;
class OFCondition;

namespace refluxscan::dicom::internal {

// Concatenates streamable values into a message (GCC 12 has no <format>).
template <class... Args>
std::string Cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

// Registers every DCMTK decoder (JPEG, JPEG-LS, RLE) and encoder exactly once, thread-safe, and
// quiets DCMTK's own logger (errors travel as values instead).
void RegisterCodecsOnce();

// The value of a numeric attribute whatever VR the file used (US/SS/UL/SL/FL/FD/IS/DS): vendors
// and implicit-VR files do not always use the dictionary VR. nullopt when absent or empty.
std::optional<double> GetNumber(DcmItem& item, const DcmTagKey& key);
// A string attribute (all values, backslash separated), trimmed of DICOM padding; "" if absent.
std::string GetString(DcmItem& item, const DcmTagKey& key);

// Parses (0018,6011) into validated regions; problems become region warnings, never errors.
std::vector<UltrasoundRegion> ParseRegions(DcmItem& dataset, int rows, int columns);

// Human names for SOP classes and transfer syntaxes (DCMTK's names, plus newer syntaxes such as
// JPEG XL that DCMTK 3.6.7 does not know).
std::string SopClassName(std::string_view uid);
std::string TransferSyntaxNameOf(std::string_view uid);
bool IsUltrasoundSopClass(std::string_view uid);
bool IsSecondaryCaptureSopClass(std::string_view uid);

// Fills tags from the meta header and dataset of a loaded file.
DicomTags ReadTags(DcmFileFormat& file);

// OFCondition -> Error with the given code and context prefix.
Error ErrorFromCondition(ErrorCode code, std::string_view context, const OFCondition& cond);

// Sequence nesting DCMTK can parse without exhausting a worker's stack; real files use < 10.
inline constexpr size_t kMaxSequenceDepth = 32;
// Refuses (kCorrupt) a file whose sequences nest deeper than kMaxSequenceDepth, by walking the
// element headers before DCMTK does. Deflated datasets are not walked (their bytes are opaque).
Result<void> CheckNestingDepth(const std::string& path);

}  // namespace refluxscan::dicom::internal
