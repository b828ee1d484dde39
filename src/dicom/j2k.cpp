// JPEG 2000 through OpenJPEG (2.5, Debian 12): memory streams, decode with the header checked
// against the DICOM shape before any tile is decoded, and encode for the generator.
#include "dicom/j2k.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include <openjpeg.h>
#include <opencv2/imgproc.hpp>

namespace refluxscan::dicom::internal {
namespace {

// ---- memory streams ----------------------------------------------------------------------

struct ReadBuffer {
  std::span<const uint8_t> bytes;
  size_t offset = 0;
};

OPJ_SIZE_T ReadBytes(void* out, OPJ_SIZE_T count, void* user) {
  auto& b = *static_cast<ReadBuffer*>(user);
  if (b.offset >= b.bytes.size()) return static_cast<OPJ_SIZE_T>(-1);  // end of stream
  const size_t n = std::min<size_t>(count, b.bytes.size() - b.offset);
  std::memcpy(out, b.bytes.data() + b.offset, n);
  b.offset += n;
  return n;
}

OPJ_OFF_T SkipRead(OPJ_OFF_T count, void* user) {
  auto& b = *static_cast<ReadBuffer*>(user);
  const auto target = static_cast<OPJ_OFF_T>(b.offset) + count;
  if (target < 0) return -1;
  b.offset = std::min(static_cast<size_t>(target), b.bytes.size());
  return count;
}

OPJ_BOOL SeekRead(OPJ_OFF_T position, void* user) {
  auto& b = *static_cast<ReadBuffer*>(user);
  if (position < 0 || static_cast<size_t>(position) > b.bytes.size()) return OPJ_FALSE;
  b.offset = static_cast<size_t>(position);
  return OPJ_TRUE;
}

struct WriteBuffer {
  std::vector<uint8_t> bytes;
  size_t offset = 0;
};

OPJ_SIZE_T WriteBytes(void* in, OPJ_SIZE_T count, void* user) {
  auto& b = *static_cast<WriteBuffer*>(user);
  if (b.offset + count > b.bytes.size()) b.bytes.resize(b.offset + count);
  std::memcpy(b.bytes.data() + b.offset, in, count);
  b.offset += count;
  return count;
}

OPJ_OFF_T SkipWrite(OPJ_OFF_T count, void* user) {
  auto& b = *static_cast<WriteBuffer*>(user);
  const auto target = static_cast<OPJ_OFF_T>(b.offset) + count;
  if (target < 0) return -1;
  b.offset = static_cast<size_t>(target);
  if (b.offset > b.bytes.size()) b.bytes.resize(b.offset);
  return count;
}

OPJ_BOOL SeekWrite(OPJ_OFF_T position, void* user) {
  auto& b = *static_cast<WriteBuffer*>(user);
  if (position < 0) return OPJ_FALSE;
  b.offset = static_cast<size_t>(position);
  if (b.offset > b.bytes.size()) b.bytes.resize(b.offset);
  return OPJ_TRUE;
}

// ---- RAII and messages -------------------------------------------------------------------

struct CodecDeleter {
  void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
  void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};
using Codec = std::unique_ptr<opj_codec_t, CodecDeleter>;
using Stream = std::unique_ptr<opj_stream_t, StreamDeleter>;
using Image = std::unique_ptr<opj_image_t, ImageDeleter>;

// OpenJPEG reports through callbacks; the first error becomes the message of our Error (it
// never reaches stderr: a batch's log is ours).
void KeepFirstError(const char* message, void* user) {
  auto& text = *static_cast<std::string*>(user);
  if (text.empty() && message != nullptr) {
    text = message;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  }
}
void Ignore(const char*, void*) {}

void QuietHandlers(opj_codec_t* codec, std::string& error) {
  opj_set_error_handler(codec, KeepFirstError, &error);
  opj_set_warning_handler(codec, Ignore, nullptr);
  opj_set_info_handler(codec, Ignore, nullptr);
}

Error Corrupt(const std::string& what, const std::string& detail) {
  return Error{ErrorCode::kCorrupt,
               "JPEG 2000 " + what + (detail.empty() ? std::string() : ": " + detail)};
}

// ---- decoding ----------------------------------------------------------------------------

bool IsJp2File(std::span<const uint8_t> b) {
  static constexpr std::array<uint8_t, 12> kSignature = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50,
                                                         0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};
  return b.size() >= kSignature.size() &&
         std::equal(kSignature.begin(), kSignature.end(), b.begin());
}

Stream ReadStream(ReadBuffer& buffer) {
  Stream s(opj_stream_create(64 * 1024, OPJ_TRUE));
  if (!s) return s;
  opj_stream_set_read_function(s.get(), ReadBytes);
  opj_stream_set_skip_function(s.get(), SkipRead);
  opj_stream_set_seek_function(s.get(), SeekRead);
  opj_stream_set_user_data(s.get(), &buffer, nullptr);
  opj_stream_set_user_data_length(s.get(), buffer.bytes.size());
  return s;
}

// ---- the SIZ marker, read before OpenJPEG allocates anything --------------------------------

constexpr size_t kSizSearchBytes = 64 * 1024;  // JP2 boxes before the codestream are small
constexpr uint64_t kMaxTiles = 4096;           // real images use one to a few hundred

uint32_t BigEndian(std::span<const uint8_t> b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | b[at + static_cast<size_t>(i)];
  return v;
}

// The codestream's image size, component count and tile grid (ISO 15444-1 A.5.1) must agree with
// the DICOM header and stay small, before OpenJPEG reads the header: it allocates per tile and
// component as it does, so a tiny codestream claiming 65535 tiles x 16384 components could cost
// gigabytes.
Result<void> CheckSiz(std::span<const uint8_t> bytes, const J2kFrameShape& shape) {
  static constexpr std::array<uint8_t, 4> kSocSiz = {0xFF, 0x4F, 0xFF, 0x51};
  const auto search = bytes.first(std::min(bytes.size(), kSizSearchBytes));
  const auto it = std::search(search.begin(), search.end(), kSocSiz.begin(), kSocSiz.end());
  const auto at = static_cast<size_t>(it - search.begin());
  if (it == search.end() || at + 42 > bytes.size()) {
    return std::unexpected(Corrupt("no codestream header (SOC + SIZ) found", ""));
  }
  const uint32_t x = BigEndian(bytes, at + 8, 4), y = BigEndian(bytes, at + 12, 4);
  const uint32_t x0 = BigEndian(bytes, at + 16, 4), y0 = BigEndian(bytes, at + 20, 4);
  const uint32_t tile_w = BigEndian(bytes, at + 24, 4), tile_h = BigEndian(bytes, at + 28, 4);
  const uint32_t tile_x0 = BigEndian(bytes, at + 32, 4), tile_y0 = BigEndian(bytes, at + 36, 4);
  const uint32_t components = BigEndian(bytes, at + 40, 2);
  if (x <= x0 || y <= y0 || int64_t(x) - x0 != shape.columns || int64_t(y) - y0 != shape.rows) {
    return std::unexpected(Corrupt("codestream size disagrees with the header",
                                   std::to_string(int64_t(x) - x0) + " x " +
                                       std::to_string(int64_t(y) - y0) + " vs Columns x Rows " +
                                       std::to_string(shape.columns) + " x " +
                                       std::to_string(shape.rows)));
  }
  if (static_cast<int>(components) != shape.samples_per_pixel) {
    return std::unexpected(Corrupt("component count disagrees with SamplesPerPixel", ""));
  }
  if (tile_w == 0 || tile_h == 0 || tile_x0 > x0 || tile_y0 > y0) {
    return std::unexpected(Corrupt("invalid tile grid", ""));
  }
  const uint64_t tiles = (uint64_t(x - tile_x0) + tile_w - 1) / tile_w *
                         ((uint64_t(y - tile_y0) + tile_h - 1) / tile_h);
  if (tiles > kMaxTiles) {
    return Fail(ErrorCode::kUnsupported, "JPEG 2000 with " + std::to_string(tiles) +
                                             " tiles (at most " + std::to_string(kMaxTiles) + ")");
  }
  return {};
}

// The header's image must be what the DICOM header declares, component by component.
Result<void> CheckShape(const opj_image_t& img, const J2kFrameShape& shape) {
  const auto width = static_cast<long>(img.x1) - static_cast<long>(img.x0);
  const auto height = static_cast<long>(img.y1) - static_cast<long>(img.y0);
  if (width != shape.columns || height != shape.rows) {
    return std::unexpected(Corrupt("codestream size disagrees with the header",
                                   std::to_string(width) + " x " + std::to_string(height) +
                                       " vs Columns x Rows " + std::to_string(shape.columns) +
                                       " x " + std::to_string(shape.rows)));
  }
  if (img.numcomps != 1 && img.numcomps != 3) {
    return Fail(ErrorCode::kUnsupported,
                "JPEG 2000 with " + std::to_string(img.numcomps) + " components");
  }
  if (static_cast<int>(img.numcomps) != shape.samples_per_pixel) {
    return std::unexpected(Corrupt("component count disagrees with SamplesPerPixel", ""));
  }
  for (OPJ_UINT32 c = 0; c < img.numcomps; ++c) {
    const opj_image_comp_t& comp = img.comps[c];
    if (comp.dx != 1 || comp.dy != 1) {
      return Fail(ErrorCode::kUnsupported, "JPEG 2000 with subsampled components");
    }
    if (comp.prec < 1 || comp.prec > 16) {
      return Fail(ErrorCode::kUnsupported,
                  "JPEG 2000 component precision " + std::to_string(comp.prec) + " bits");
    }
  }
  return {};
}

// One decoded component as 8 bits (see DecodeJ2k).
cv::Mat1b ToEightBits(const opj_image_comp_t& comp, int rows, int columns) {
  cv::Mat1b out(rows, columns);
  const int offset = comp.sgnd ? 1 << (comp.prec - 1) : 0;
  const int prec = static_cast<int>(comp.prec);
  const int max_value = (1 << prec) - 1;
  for (int y = 0; y < rows; ++y) {
    const OPJ_INT32* in = comp.data + static_cast<size_t>(y) * comp.w;
    uint8_t* row = out.ptr<uint8_t>(y);
    for (int x = 0; x < columns; ++x) {
      int v = std::clamp(in[x] + offset, 0, max_value);
      v = prec > 8 ? v >> (prec - 8) : prec < 8 ? (v * 255 + max_value / 2) / max_value : v;
      row[x] = static_cast<uint8_t>(v);
    }
  }
  return out;
}

// Whether the codestream's main header asks for a multi-component transform (then OpenJPEG's
// decoder has already turned YBR_RCT / YBR_ICT back into RGB).
bool UsesMct(opj_codec_t* codec) {
  opj_codestream_info_v2_t* info = opj_get_cstr_info(codec);
  if (info == nullptr) return false;
  const bool mct = info->m_default_tile_info.mct != 0;
  opj_destroy_cstr_info(&info);
  return mct;
}

cv::Mat ToDisplay(const opj_image_t& img, const J2kFrameShape& shape, bool mct) {
  if (img.numcomps == 1) {
    cv::Mat1b gray = ToEightBits(img.comps[0], shape.rows, shape.columns);
    if (shape.photometric_interpretation == "MONOCHROME1") gray = 255 - gray;
    return gray;
  }
  std::array<cv::Mat1b, 3> planes;
  for (size_t c = 0; c < 3; ++c) planes[c] = ToEightBits(img.comps[c], shape.rows, shape.columns);
  const std::string& pi = shape.photometric_interpretation;
  // YBR_RCT / YBR_ICT name the codestream's own transform: without it (MCT 0) the components
  // are RGB (seen: a GE LOGIQ e file labelled YBR_ICT whose gray B-mode has three equal
  // components). YBR_FULL(_422) with JPEG 2000 means the encoder stored YCbCr itself.
  const bool ycbcr = !mct && (pi == "YBR_FULL" || pi == "YBR_FULL_422");
  cv::Mat merged, bgr;
  if (ycbcr) {  // Y, Cb, Cr -> OpenCV's Y, Cr, Cb order (full-range JPEG equations = YBR_FULL)
    cv::merge(std::vector<cv::Mat>{planes[0], planes[2], planes[1]}, merged);
    cv::cvtColor(merged, bgr, cv::COLOR_YCrCb2BGR);
  } else {
    cv::merge(std::vector<cv::Mat>{planes[2], planes[1], planes[0]}, bgr);
  }
  return bgr;
}

// ---- encoding ----------------------------------------------------------------------------

Image MakeImage(const cv::Mat& image) {
  const int comps = image.channels();
  std::array<opj_image_cmptparm_t, 3> params{};
  for (int c = 0; c < comps; ++c) {
    opj_image_cmptparm_t& p = params[static_cast<size_t>(c)];
    p.dx = p.dy = 1;
    p.w = static_cast<OPJ_UINT32>(image.cols);
    p.h = static_cast<OPJ_UINT32>(image.rows);
    p.prec = 8;
    p.sgnd = 0;
  }
  Image img(opj_image_create(static_cast<OPJ_UINT32>(comps), params.data(),
                             comps == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY));
  if (!img) return img;
  img->x0 = img->y0 = 0;
  img->x1 = static_cast<OPJ_UINT32>(image.cols);
  img->y1 = static_cast<OPJ_UINT32>(image.rows);
  for (int y = 0; y < image.rows; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(y);
    for (int x = 0; x < image.cols; ++x) {
      const size_t i = static_cast<size_t>(y) * static_cast<size_t>(image.cols) + x;
      // BGR in, R G B components out.
      for (int c = 0; c < comps; ++c) img->comps[c].data[i] = row[x * comps + (comps - 1 - c)];
    }
  }
  return img;
}

opj_cparameters_t EncoderParameters(const cv::Mat& image, bool lossless, double ratio) {
  opj_cparameters_t p;
  opj_set_default_encoder_parameters(&p);
  p.tcp_numlayers = 1;
  p.cp_disto_alloc = 1;
  p.tcp_rates[0] = lossless ? 0.0f : static_cast<float>(ratio);  // 0 = lossless
  p.irreversible = lossless ? 0 : 1;
  p.tcp_mct = image.channels() == 3 ? 1 : 0;
  // Every resolution level needs at least one pixel: small images get fewer levels.
  while (p.numresolution > 1 && (std::min(image.rows, image.cols) >> (p.numresolution - 1)) == 0) {
    --p.numresolution;
  }
  return p;
}

}  // namespace

Result<cv::Mat> DecodeJ2k(std::span<const uint8_t> codestream, const J2kFrameShape& shape) {
  if (Result<void> ok = CheckSiz(codestream, shape); !ok) return std::unexpected(ok.error());
  std::string error;  // outlives the codec that writes into it
  Codec codec(opj_create_decompress(IsJp2File(codestream) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
  if (!codec) return Fail(ErrorCode::kInternal, "OpenJPEG decoder could not be created");
  QuietHandlers(codec.get(), error);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  // A JP2 wrapper's palette / channel boxes would change the component count after the checks
  // (DICOM's own Photometric Interpretation says what the components are).
  params.flags |= OPJ_DPARAMETERS_IGNORE_PCLR_CMAP_CDEF_FLAG;
  if (!opj_setup_decoder(codec.get(), &params)) {
    return Fail(ErrorCode::kInternal, "OpenJPEG decoder setup failed: " + error);
  }
  // The batch is parallel over files: no threads of OpenJPEG's own, whatever OPJ_NUM_THREADS says.
  opj_codec_set_threads(codec.get(), 0);
  ReadBuffer buffer{codestream};
  Stream stream = ReadStream(buffer);
  if (!stream) return Fail(ErrorCode::kInternal, "OpenJPEG stream could not be created");
  opj_image_t* raw = nullptr;
  const bool header = opj_read_header(stream.get(), codec.get(), &raw) != 0;
  Image img(raw);
  if (!header || !img) return std::unexpected(Corrupt("header unreadable", error));
  if (Result<void> ok = CheckShape(*img, shape); !ok) return std::unexpected(ok.error());
  const bool mct = UsesMct(codec.get());
  if (!opj_decode(codec.get(), stream.get(), img.get()) ||
      !opj_end_decompress(codec.get(), stream.get())) {
    return std::unexpected(Corrupt("codestream could not be decoded", error));
  }
  // The decoded image is checked again: ToDisplay reads exactly what was checked.
  if (Result<void> ok = CheckShape(*img, shape); !ok) return std::unexpected(ok.error());
  for (OPJ_UINT32 c = 0; c < img->numcomps; ++c) {
    if (img->comps[c].data == nullptr ||
        img->comps[c].w != static_cast<OPJ_UINT32>(shape.columns) ||
        img->comps[c].h != static_cast<OPJ_UINT32>(shape.rows)) {
      return std::unexpected(Corrupt("decoded components are incomplete", error));
    }
  }
  return ToDisplay(*img, shape, mct);
}

Result<J2kEncoded> EncodeJ2k(const cv::Mat& image, bool lossless, double compression_ratio) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    return Fail(ErrorCode::kInvalidInput, "JPEG 2000 encoding needs an 8-bit gray or BGR image");
  }
  if (!lossless && !(compression_ratio > 1)) {
    return Fail(ErrorCode::kInvalidInput, "lossy JPEG 2000 needs a compression ratio above 1");
  }
  std::string error;  // outlives the codec that writes into it
  Image img = MakeImage(image);
  Codec codec(opj_create_compress(OPJ_CODEC_J2K));
  if (!img || !codec) return Fail(ErrorCode::kInternal, "OpenJPEG encoder could not be created");
  QuietHandlers(codec.get(), error);
  opj_cparameters_t params = EncoderParameters(image, lossless, compression_ratio);
  if (!opj_setup_encoder(codec.get(), &params, img.get())) {
    return Fail(ErrorCode::kInternal, "OpenJPEG encoder setup failed: " + error);
  }
  WriteBuffer out;
  Stream stream(opj_stream_create(64 * 1024, OPJ_FALSE));
  if (!stream) return Fail(ErrorCode::kInternal, "OpenJPEG stream could not be created");
  opj_stream_set_write_function(stream.get(), WriteBytes);
  opj_stream_set_skip_function(stream.get(), SkipWrite);
  opj_stream_set_seek_function(stream.get(), SeekWrite);
  opj_stream_set_user_data(stream.get(), &out, nullptr);
  if (!opj_start_compress(codec.get(), img.get(), stream.get()) ||
      !opj_encode(codec.get(), stream.get()) || !opj_end_compress(codec.get(), stream.get())) {
    return Fail(ErrorCode::kInternal, "JPEG 2000 encoding failed: " + error);
  }
  stream.reset();  // flushes the last bytes into `out`
  J2kEncoded encoded;
  encoded.codestream = std::move(out.bytes);
  encoded.photometric_interpretation = image.channels() == 1 ? "MONOCHROME2"
                                       : lossless            ? "YBR_RCT"
                                                             : "YBR_ICT";
  return encoded;
}

}  // namespace refluxscan::dicom::internal
