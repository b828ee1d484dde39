// ReadUltrasound and LooksLikeDicom: header first (pixel data never loaded), then the memory
// guard, then decoding of the requested frames only (decode.cpp).
#include <array>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "dicom/decode.h"
#include "dicom/internal.h"
#include "dicom/quirks.h"
#include "refluxscan/dicom/read.h"

namespace refluxscan::dicom {
namespace {

using internal::GetNumber;
using internal::GetString;

// Element values above this size stay on disk until asked for (pixel data, big private blobs):
// a file claiming a huge element cannot make us allocate it just by being opened.
constexpr Uint32 kLazyLoadBytes = 64 * 1024;

bool PlausibleFirstElement(const std::array<unsigned char, 132>& b, std::streamsize n) {
  if (n < 8) return false;
  const unsigned group = b[0] | (b[1] << 8);
  const unsigned element = b[2] | (b[3] << 8);
  if ((group != 0x0002 && group != 0x0008) || element > 0x0020) return false;
  const bool explicit_vr = b[4] >= 'A' && b[4] <= 'Z' && b[5] >= 'A' && b[5] <= 'Z';
  const uint32_t implicit_length = b[4] | (b[5] << 8) | (b[6] << 16) | (uint32_t{b[7]} << 24);
  return explicit_vr || implicit_length < 1024;
}

Result<void> CheckReadableFile(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return Fail(ErrorCode::kIo, "cannot open " + path + ": no such file");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return Fail(ErrorCode::kIo, "cannot open " + path + ": not a regular file");
  }
  if (std::filesystem::file_size(path, ec) == 0) {
    return Fail(ErrorCode::kCorrupt, "empty file: not DICOM");
  }
  if (!LooksLikeDicom(path)) {
    return Fail(
        ErrorCode::kCorrupt,
        "not a DICOM file: no \"DICM\" marker at offset 128 and no plausible first element");
  }
  return {};
}

int PositiveInt(DcmItem& ds, const DcmTagKey& key, int fallback) {
  const std::optional<double> v = GetNumber(ds, key);
  if (!v || *v < 1 || *v > 2e9) return fallback;
  return static_cast<int>(*v);
}

UltrasoundImage ImageFromHeader(DcmFileFormat& file, const std::string& path) {
  DcmDataset& ds = *file.getDataset();
  UltrasoundImage image;
  image.path = path;
  image.tags = internal::ReadTags(file);
  image.rows = PositiveInt(ds, DCM_Rows, 0);
  image.columns = PositiveInt(ds, DCM_Columns, 0);
  image.number_of_frames = PositiveInt(ds, DCM_NumberOfFrames, 1);
  image.samples_per_pixel = PositiveInt(ds, DCM_SamplesPerPixel, 1);
  image.bits_allocated = PositiveInt(ds, DCM_BitsAllocated, 8);
  image.photometric_interpretation = GetString(ds, DCM_PhotometricInterpretation);
  image.is_ultrasound_sop = internal::IsUltrasoundSopClass(image.tags.sop_class_uid);
  image.is_secondary_capture = internal::IsSecondaryCaptureSopClass(image.tags.sop_class_uid);
  image.regions = internal::ParseRegions(ds, image.rows, image.columns);
  return image;
}

void AddHeaderWarnings(DcmDataset& ds, UltrasoundImage& image) {
  if (!ds.tagExists(DCM_SequenceOfUltrasoundRegions)) {
    image.warnings.push_back(QuirkWarning(
        QuirkId::kNoRegionSequence, "no Sequence of Ultrasound Regions: image is uncalibrated"));
  }
  const std::string& uid = image.tags.sop_class_uid;
  if (uid == "1.2.840.10008.5.1.4.1.1.6" || uid == "1.2.840.10008.5.1.4.1.1.3") {
    image.warnings.push_back(QuirkWarning(QuirkId::kRetiredUsSopClass, image.tags.sop_class_name));
  }
  if (!image.is_ultrasound_sop && !image.is_secondary_capture) {
    image.warnings.push_back("SOP class " + image.tags.sop_class_name +
                             " is neither ultrasound nor secondary capture");
  }
}

Result<UltrasoundImage> ReadHeader(const std::string& path) {
  DcmFileFormat file;
  const OFCondition cond = file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange,
                                                 kLazyLoadBytes, ERM_autoDetect, DCM_PixelData);
  if (cond.bad()) {
    return std::unexpected(
        internal::ErrorFromCondition(ErrorCode::kCorrupt, "unreadable DICOM header", cond));
  }
  UltrasoundImage image = ImageFromHeader(file, path);
  if (image.tags.sop_class_uid.empty()) {
    return Fail(ErrorCode::kCorrupt, "no SOP Class UID: not a DICOM object we can read");
  }
  AddHeaderWarnings(*file.getDataset(), image);
  return image;
}

}  // namespace

Result<UltrasoundImage> ReadUltrasound(const std::string& path, const ReadOptions& options) {
  try {
    internal::RegisterCodecsOnce();
    if (Result<void> ok = CheckReadableFile(path); !ok) return std::unexpected(ok.error());
    if (Result<void> ok = internal::CheckNestingDepth(path); !ok)
      return std::unexpected(ok.error());
    Result<UltrasoundImage> image = ReadHeader(path);
    if (!image || options.frames == FrameSelection::kNone) return image;
    if (Result<void> ok = internal::DecodeFrames(*image, options); !ok) {
      return std::unexpected(ok.error());
    }
    return image;
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceLimit, "out of memory while reading " + path);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what());
  }
}

bool LooksLikeDicom(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::array<unsigned char, 132> b{};
  in.read(reinterpret_cast<char*>(b.data()), b.size());
  const std::streamsize n = in.gcount();
  if (n == 132 && std::memcmp(b.data() + 128, "DICM", 4) == 0) return true;
  return PlausibleFirstElement(b, n);
}

}  // namespace refluxscan::dicom
