// Decoding frames with dcmimage: only the requested frames are read and decompressed
// (CIF_UsePartialAccessToPixelData with a frame range), after checks that refuse before
// allocating: transfer syntax decodable, palette not segmented, pixel budget, pixel data length.
#include "dicom/decode.h"

#include <filesystem>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmimage/diregist.h>  // registers color (RGB, YBR, palette) support
#include <dcmtk/dcmimgle/dcmimage.h>
#include <opencv2/imgproc.hpp>

#include "dicom/fragments.h"
#include "dicom/internal.h"
#include "dicom/j2k.h"
#include "dicom/quirks.h"

namespace refluxscan::dicom::internal {
namespace {

constexpr Uint32 kLazyLoadBytes = 64 * 1024;

// JPEG 2000 is decoded by OpenJPEG (j2k.h), not by a DCMTK codec: DCMTK 3.6.7 has none.
bool IsJpeg2000(E_TransferSyntax xfer) {
  return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000 ||
         xfer == EXS_JPEG2000MulticomponentLosslessOnly || xfer == EXS_JPEG2000Multicomponent;
}

Result<E_TransferSyntax> DecodableSyntax(const DicomTags& tags) {
  const DcmXfer xfer(tags.transfer_syntax_uid.c_str());
  const std::string named =
      Cat("transfer syntax ", tags.transfer_syntax_name, " (", tags.transfer_syntax_uid, ")");
  if (xfer.getXfer() == EXS_Unknown) {
    return Fail(ErrorCode::kUnsupported,
                QuirkWarning(QuirkId::kUnknownTransferSyntax,
                             named + " is unknown to DCMTK 3.6.7 and cannot be decoded"));
  }
  if (xfer.isEncapsulated() && !IsJpeg2000(xfer.getXfer()) &&
      !DcmCodecList::canChangeCoding(xfer.getXfer(), EXS_LittleEndianExplicit)) {
    return Fail(ErrorCode::kUnsupported, named + " has no decoder in DCMTK 3.6.7");
  }
  return xfer.getXfer();
}

uint64_t NativeFrameBytes(const UltrasoundImage& h) {
  const uint64_t pixels = uint64_t(h.rows) * uint64_t(h.columns);
  const uint64_t bytes = (uint64_t(h.bits_allocated) + 7) / 8;
  const std::string& pi = h.photometric_interpretation;
  if (pi == "YBR_FULL_422" || pi == "YBR_PARTIAL_422") return pixels * 2 * bytes;
  return pixels * uint64_t(h.samples_per_pixel) * bytes;
}

Result<void> CheckPixelBudget(const UltrasoundImage& h, const ReadOptions& options) {
  if (h.rows <= 0 || h.columns <= 0) {
    return Fail(ErrorCode::kInvalidInput, "no Rows/Columns: the object holds no image");
  }
  const uint64_t need = DecodedPixelBytes(h, options.frames);
  if (need > options.max_pixel_bytes) {
    return Fail(ErrorCode::kResourceLimit,
                Cat("image claims ", h.rows, " x ", h.columns, " pixels x ", h.samples_per_pixel,
                    " samples x ", options.frames == FrameSelection::kAll ? h.number_of_frames : 1,
                    " frame(s) = ", need, " bytes to decode, above the limit of ",
                    options.max_pixel_bytes, " bytes (ReadOptions::max_pixel_bytes)"));
  }
  return {};
}

// Native pixel data must hold every frame the header declares, and cannot be longer than the
// file: a short or lying length is corruption, found before any frame buffer is allocated.
Result<void> CheckNativeLength(DcmDataset& ds, const UltrasoundImage& h, uint64_t file_bytes) {
  DcmElement* el = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, el).bad() || el == nullptr) {
    return Fail(ErrorCode::kInvalidInput, "no Pixel Data (7FE0,0010)");
  }
  const uint64_t have = el->getLength();
  const uint64_t need = NativeFrameBytes(h) * uint64_t(h.number_of_frames);
  if (have > file_bytes || have < need) {
    return Fail(ErrorCode::kCorrupt,
                Cat("pixel data length ", have, " bytes does not fit the header (", need,
                    " bytes for ", h.number_of_frames, " frame(s)) or the file (", file_bytes,
                    " bytes): truncated or corrupt"));
  }
  return {};
}

Result<cv::Mat> RenderFrame(DicomImage& dimg, int rows, int columns, unsigned long frame) {
  const void* data = dimg.getOutputData(8, frame, 0);
  if (data == nullptr) {
    return Fail(
        ErrorCode::kCorrupt,
        Cat("frame ", frame, " could not be rendered: ", DicomImage::getString(dimg.getStatus())));
  }
  cv::Mat out;
  // getOutputData owns `data`; copy before the next call frees it.
  if (dimg.isMonochrome()) {
    out = cv::Mat(rows, columns, CV_8UC1, const_cast<void*>(data)).clone();
  } else {
    cv::cvtColor(cv::Mat(rows, columns, CV_8UC3, const_cast<void*>(data)), out, cv::COLOR_RGB2BGR);
  }
  dimg.deleteOutputData();
  return out;
}

// Segmented palettes are refused by name before dcmimage fails with a generic status.
Result<void> CheckPalette(DcmDataset& ds) {
  if (ds.tagExists(DCM_SegmentedRedPaletteColorLookupTableData)) {
    return Fail(ErrorCode::kUnsupported,
                QuirkWarning(QuirkId::kSegmentedPalette,
                             "segmented palette color lookup tables (PALETTE COLOR) cannot be "
                             "decoded by DCMTK 3.6.7"));
  }
  return {};
}

// DCMTK 3.6.7's frame-wise (partial access) RLE decoder overruns its buffer when Rows/Columns
// understate the encoded frame (tests/robustness
// HugeClaims.RleHeaderSmallerThanTheEncodedFrame...); its whole-dataset RLE decoder checks the
// sizes. RLE therefore decodes whole (and is budgeted so).
bool DecodesWhole(E_TransferSyntax xfer) { return xfer == EXS_RLELossless; }

Result<void> RenderAll(DcmFileFormat& file, E_TransferSyntax xfer, UltrasoundImage& image,
                       unsigned long first, unsigned long count) {
  const unsigned long flags = DecodesWhole(xfer) ? 0 : CIF_UsePartialAccessToPixelData;
  DicomImage dimg(&file, xfer, flags, first, count);
  if (dimg.getStatus() != EIS_Normal) {
    const ErrorCode code =
        dimg.getStatus() == EIS_NotSupportedValue ? ErrorCode::kUnsupported : ErrorCode::kCorrupt;
    return Fail(
        code, Cat("cannot decode pixel data (", image.photometric_interpretation, ", ",
                  image.tags.transfer_syntax_name, "): ", DicomImage::getString(dimg.getStatus())));
  }
  for (unsigned long i = 0; i < count; ++i) {
    Result<cv::Mat> frame = RenderFrame(dimg, image.rows, image.columns, i);
    if (!frame) return std::unexpected(frame.error());
    image.frames.push_back(std::move(*frame));
    image.decoded_frame_indices.push_back(static_cast<int>(first + i));
  }
  return {};
}

// The syntaxes dcmjpeg decodes (JPEG processes 1-14, SV1), not JPEG-LS (dcmjpls) or RLE.
bool IsDcmjpegSyntax(E_TransferSyntax xfer) {
  switch (xfer) {
    case EXS_JPEGProcess1:
    case EXS_JPEGProcess2_4:
    case EXS_JPEGProcess3_5:
    case EXS_JPEGProcess6_8:
    case EXS_JPEGProcess7_9:
    case EXS_JPEGProcess10_12:
    case EXS_JPEGProcess11_13:
    case EXS_JPEGProcess14:
    case EXS_JPEGProcess15:
    case EXS_JPEGProcess16_18:
    case EXS_JPEGProcess17_19:
    case EXS_JPEGProcess20_22:
    case EXS_JPEGProcess21_23:
    case EXS_JPEGProcess24_26:
    case EXS_JPEGProcess25_27:
    case EXS_JPEGProcess28:
    case EXS_JPEGProcess29:
    case EXS_JPEGProcess14SV1:
      return true;
    default:
      return false;
  }
}

// A JPEG, JPEG-LS or lossless JPEG frame starts with SOI and another marker (FF D8 FF): FF is
// stuffed in entropy-coded data (FF 00), so a continuation fragment does not begin so.
const FrameStart& JpegFrameStart() {
  static const FrameStart start{{0xFF, 0xD8, 0xFF}, {}};
  return start;
}

// A JPEG 2000 frame starts with SOC + SIZ (a SIZ always follows SOC: FF4F alone can occur in
// coded data at a fragment boundary), or with a JP2 file's signature box (some writers wrap).
const FrameStart& J2kFrameStart() {
  static const FrameStart start{{0xFF, 0x4F, 0xFF, 0x51},
                                {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20}};
  return start;
}

// Each requested frame's codestream out of its fragments, through OpenJPEG. Bounded by the file
// size: fragments cannot hold more bytes than the file.
Result<void> DecodeJ2kFrames(DcmDataset& ds, E_TransferSyntax xfer, UltrasoundImage& image,
                             unsigned long first, unsigned long count) {
  if (image.photometric_interpretation == "PALETTE COLOR") {
    return Fail(ErrorCode::kUnsupported, "JPEG 2000 with PALETTE COLOR is not supported");
  }
  std::error_code ec;
  const uint64_t file_bytes = std::filesystem::file_size(image.path, ec);
  const J2kFrameShape shape{image.rows, image.columns, image.samples_per_pixel,
                            image.photometric_interpretation};
  const auto frames = static_cast<unsigned long>(image.number_of_frames);
  Result<EncapsulatedFrames> encapsulated =
      EncapsulatedFrames::Find(ds, xfer, frames, J2kFrameStart());
  if (!encapsulated) return std::unexpected(encapsulated.error());
  for (unsigned long f = first; f < first + count; ++f) {
    Result<std::vector<uint8_t>> codestream = encapsulated->Bytes(f, ec ? UINT64_MAX : file_bytes);
    if (!codestream) return std::unexpected(codestream.error());
    Result<cv::Mat> frame = DecodeJ2k(*codestream, shape);
    if (!frame) {
      return Fail(frame.error().code, Cat("frame ", f + 1, ": ", frame.error().message));
    }
    image.frames.push_back(std::move(*frame));
    image.decoded_frame_indices.push_back(static_cast<int>(f));
  }
  return {};
}

// A JFIF (YCbCr) stream labelled RGB is decoded as what its markers say: the label is changed in
// the in-memory data set (DCMTK then converts to RGB), with a warning.
void RelabelJfifYcbcr(DcmDataset& ds, E_TransferSyntax xfer, UltrasoundImage& image) {
  if (image.photometric_interpretation != "RGB" || !JpegStreamIsJfifYcbcr(ds, xfer)) return;
  if (ds.putAndInsertString(DCM_PhotometricInterpretation, "YBR_FULL_422").bad()) return;
  image.warnings.push_back(QuirkWarning(
      QuirkId::kJfifLabelledRgb,
      "the JPEG stream is JFIF (YCbCr) but PhotometricInterpretation says RGB: decoded as YCbCr"));
}

}  // namespace

uint64_t DecodedPixelBytes(const UltrasoundImage& h, FrameSelection frames) {
  const uint64_t count = frames == FrameSelection::kAll    ? uint64_t(h.number_of_frames)
                         : frames == FrameSelection::kLast ? 1
                                                           : 0;
  const uint64_t bytes = (uint64_t(h.bits_allocated) + 7) / 8;
  return uint64_t(h.rows) * uint64_t(h.columns) * uint64_t(h.samples_per_pixel) * bytes * count;
}

Result<void> DecodeFrames(UltrasoundImage& image, const ReadOptions& options) {
  Result<E_TransferSyntax> xfer = DecodableSyntax(image.tags);
  if (!xfer) return std::unexpected(xfer.error());
  ReadOptions budget = options;
  if (DecodesWhole(*xfer)) budget.frames = FrameSelection::kAll;
  if (Result<void> ok = CheckPixelBudget(image, budget); !ok) return ok;
  DcmFileFormat file;
  const OFCondition cond =
      file.loadFile(image.path.c_str(), EXS_Unknown, EGL_noChange, kLazyLoadBytes, ERM_autoDetect);
  if (cond.bad())
    return std::unexpected(ErrorFromCondition(ErrorCode::kCorrupt, "unreadable DICOM", cond));
  DcmDataset& ds = *file.getDataset();
  if (Result<void> ok = CheckPalette(ds); !ok) return ok;
  if (!DcmXfer(*xfer).isEncapsulated()) {
    std::error_code ec;
    // A deflated file is smaller than its inflated pixel data: no file-size bound then.
    const uint64_t file_bytes = *xfer == EXS_DeflatedLittleEndianExplicit
                                    ? UINT64_MAX
                                    : std::filesystem::file_size(image.path, ec);
    if (Result<void> ok = CheckNativeLength(ds, image, file_bytes); !ok) return ok;
  }
  const unsigned long frames = static_cast<unsigned long>(image.number_of_frames);
  const bool all = options.frames == FrameSelection::kAll;
  if (IsJpeg2000(*xfer))
    return DecodeJ2kFrames(ds, *xfer, image, all ? 0 : frames - 1, all ? frames : 1);
  if (DcmXfer(*xfer).isEncapsulated() && !DecodesWhole(*xfer)) {
    // Frames split over fragments without an offset table (an independent renderer's JPEG cine):
    // the table is written in memory, so DCMTK still decodes only the requested frames.
    if (Result<bool> filled = FillOffsetTable(ds, *xfer, frames, JpegFrameStart()); !filled) {
      return std::unexpected(filled.error());
    }
    if (IsDcmjpegSyntax(*xfer)) {
      if (Result<void> ok = CheckJpegHeaders(ds, *xfer, all, image.rows, image.columns); !ok) {
        return ok;
      }
      RelabelJfifYcbcr(ds, *xfer, image);
    }
  }
  return RenderAll(file, *xfer, image, all ? 0 : frames - 1, all ? frames : 1);
}

}  // namespace refluxscan::dicom::internal
