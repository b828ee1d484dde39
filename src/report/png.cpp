// Images for the self-contained HTML report: JPEG (libjpeg-turbo) wrapped in a base64 data: URI.
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <cstdlib>

#include <string_view>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <jerror.h>
#include <jpeglib.h>
#include <opencv2/core/hal/intrin.hpp>

#include "report/internal.h"

namespace refluxscan::report::detail {
namespace {

constexpr int kJpegQuality = 90;

// libjpeg reports a fatal error through error_exit, which must not return (the default one
// exits the process): it jumps back to the encoder's setjmp.
struct JpegErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
};

[[noreturn]] void JumpOnJpegError(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<JpegErrorManager*>(cinfo->err)->jump, 1);
}

// Whether every pixel of an 8-bit BGR image has B == G == R (a gray strip stored as colour).
// Sixteen pixels at a time, deinterleaved with OpenCV's universal intrinsics; stops at the first
// row holding a coloured pixel.
bool AllPixelsGray(const cv::Mat& bgr) {
  for (int r = 0; r < bgr.rows; ++r) {
    const uchar* p = bgr.ptr<uchar>(r);
    const int cols = bgr.cols;
    int c = 0;
#if CV_SIMD128
    cv::v_uint8x16 differ = cv::v_setzero_u8();
    for (; c + 16 <= cols; c += 16) {
      cv::v_uint8x16 b, g, rd;
      cv::v_load_deinterleave(p + 3 * c, b, g, rd);
      differ |= (b ^ g) | (g ^ rd);
    }
    if (cv::v_check_any(differ != cv::v_setzero_u8())) return false;
#endif
    for (; c < cols; ++c) {
      if (p[3 * c] != p[3 * c + 1] || p[3 * c + 1] != p[3 * c + 2]) return false;
    }
  }
  return true;
}

// The input colour space that lets libjpeg-turbo read OpenCV's channel order directly.
J_COLOR_SPACE InputColourSpace(int channels) {
  return channels == 1 ? JCS_GRAYSCALE : channels == 3 ? JCS_EXT_BGR : JCS_EXT_BGRX;
}

// libjpeg's output into one growing malloc'd buffer (plain C memory: the callbacks run inside
// libjpeg, where a C++ exception must not pass). The caller frees `data`, also after a failure.
struct JpegBuffer {
  jpeg_destination_mgr pub;  // first: libjpeg's pointer to it is a pointer to the whole
  unsigned char* data = nullptr;
  size_t capacity = 0;
};

// Makes room for `capacity` bytes (keeping the written ones); false when out of memory.
bool Reserve(JpegBuffer& b, size_t capacity) {
  auto* grown = static_cast<unsigned char*>(std::realloc(b.data, capacity));
  if (grown == nullptr) return false;
  b.data = grown;
  b.capacity = capacity;
  return true;
}

void StartJpegBuffer(j_compress_ptr cinfo) {
  auto& b = *reinterpret_cast<JpegBuffer*>(cinfo->dest);
  if (!Reserve(b, size_t{1} << 16)) ERREXIT(cinfo, JERR_OUT_OF_MEMORY);
  b.pub.next_output_byte = b.data;
  b.pub.free_in_buffer = b.capacity;
}

// Called when the buffer is full: doubles it.
boolean GrowJpegBuffer(j_compress_ptr cinfo) {
  auto& b = *reinterpret_cast<JpegBuffer*>(cinfo->dest);
  const size_t used = b.capacity;
  if (!Reserve(b, 2 * used)) ERREXIT(cinfo, JERR_OUT_OF_MEMORY);
  b.pub.next_output_byte = b.data + used;
  b.pub.free_in_buffer = b.capacity - used;
  return TRUE;
}

void FinishJpegBuffer(j_compress_ptr) {}

// Baseline JPEG of an 8-bit gray, BGR or BGRA image into `out` (its first
// out.capacity - out.pub.free_in_buffer bytes). The same stream as cv::imencode(".jpg", image,
// {cv::IMWRITE_JPEG_QUALITY, quality}) in OpenCV 4.6, which sets the defaults and the quality
// (baseline tables) and feeds RGB rows: here libjpeg-turbo reads the BGR(X) rows itself
// (JCS_EXT_BGR/BGRX: the same colour conversion) without OpenCV's per-row BGR -> RGB copy.
// `gray`: a BGR image whose pixels are all gray is written as a one-component (grayscale) JPEG,
// its luma computed by libjpeg from the BGR rows. Luma is exactly the gray level there (the
// weights 19595 + 38470 + 7471 = 65536 / 65536), as it is in the three-component stream, whose
// chroma is then exactly 128 (zero after the level shift: all-zero blocks). The luma blocks and
// their quantization are the same, so a decoder returns the same gray pixels; the stream drops
// the two chroma components (their colour conversion, downsampling, DCTs and Huffman codes).
// No C++ object with a destructor lives in this frame (longjmp).
bool EncodeJpeg(const cv::Mat& image, int quality, bool gray, JpegBuffer& out) {
  jpeg_compress_struct cinfo;
  JpegErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = JumpOnJpegError;
  if (setjmp(err.jump) != 0) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  out.pub.init_destination = StartJpegBuffer;
  out.pub.empty_output_buffer = GrowJpegBuffer;
  out.pub.term_destination = FinishJpegBuffer;
  cinfo.dest = &out.pub;
  cinfo.image_width = static_cast<JDIMENSION>(image.cols);
  cinfo.image_height = static_cast<JDIMENSION>(image.rows);
  cinfo.input_components = image.channels();
  cinfo.in_color_space = InputColourSpace(image.channels());
  jpeg_set_defaults(&cinfo);
  if (gray) jpeg_set_colorspace(&cinfo, JCS_GRAYSCALE);
  jpeg_set_quality(&cinfo, quality, TRUE);  // limited to baseline values, as OpenCV does
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.ptr<uchar>(static_cast<int>(cinfo.next_scanline)));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

#if defined(__x86_64__) && defined(__GNUC__)
// Base64 of in[0, i) into out (i / 3 * 4 characters), 12 bytes to 16 characters per step while
// 16 bytes can be loaded; returns i, a multiple of 12. The SSSE3 encoder of Mula and Lemire
// ("Faster Base64 Encoding and Decoding Using AVX2 Instructions", 2018): each 3-byte group is
// spread over a 32-bit lane, its four 6-bit indices isolated by two multiplies, and each index
// mapped to its character by adding an offset looked up per range (A-Z, a-z, 0-9, +, /). The
// same characters as the table loop (a test compares them on random input).
[[gnu::target("ssse3")]] size_t Base64Ssse3(const unsigned char* in, size_t n, char* out) {
  const __m128i spread = _mm_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1);
  const __m128i offsets =
      _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                    '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
  size_t i = 0;
  for (; i + 16 <= n; i += 12, out += 16) {
    const __m128i bytes =
        _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)), spread);
    const __m128i t0 = _mm_and_si128(bytes, _mm_set1_epi32(0x0fc0fc00));
    const __m128i t1 = _mm_mulhi_epu16(t0, _mm_set1_epi32(0x04000040));
    const __m128i t2 = _mm_and_si128(bytes, _mm_set1_epi32(0x003f03f0));
    const __m128i t3 = _mm_mullo_epi16(t2, _mm_set1_epi32(0x01000010));
    const __m128i index = _mm_or_si128(t1, t3);               // 0 .. 63 per byte
    __m128i range = _mm_subs_epu8(index, _mm_set1_epi8(51));  // 0 (< 52), 1 .. 12 (52 .. 63)
    const __m128i below_26 = _mm_cmpgt_epi8(_mm_set1_epi8(26), index);
    range = _mm_or_si128(range, _mm_and_si128(below_26, _mm_set1_epi8(13)));  // 13: A-Z
    const __m128i chars = _mm_add_epi8(_mm_shuffle_epi8(offsets, range), index);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), chars);
  }
  return i;
}
#endif

}  // namespace

std::string Base64(std::span<const unsigned char> bytes) {
  std::string out;
  AppendBase64(out, bytes);
  return out;
}

void AppendBase64(std::string& out, std::span<const unsigned char> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const size_t start = out.size(), n = bytes.size(), size = start + (n + 2) / 3 * 4;
  // Every character is written below: no fill first.
  out.resize_and_overwrite(size, [&](char* data, size_t) {
    size_t i = 0;
    char* o = data + start;
#if defined(__x86_64__) && defined(__GNUC__)
    static const bool ssse3 = __builtin_cpu_supports("ssse3");
    if (ssse3) {
      i = Base64Ssse3(bytes.data(), n, o);
      o += i / 3 * 4;
    }
#endif
    for (; i + 2 < n; i += 3, o += 4) {
      const unsigned v = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
      o[0] = kAlphabet[(v >> 18) & 0x3f];
      o[1] = kAlphabet[(v >> 12) & 0x3f];
      o[2] = kAlphabet[(v >> 6) & 0x3f];
      o[3] = kAlphabet[v & 0x3f];
    }
    const size_t rest = n - i;
    if (rest != 0) {
      unsigned v = unsigned{bytes[i]} << 16;
      if (rest == 2) v |= unsigned{bytes[i + 1]} << 8;
      o[0] = kAlphabet[(v >> 18) & 0x3f];
      o[1] = kAlphabet[(v >> 12) & 0x3f];
      o[2] = rest == 2 ? kAlphabet[(v >> 6) & 0x3f] : '=';
      o[3] = '=';
    }
    return size;
  });
}

// JPEG, not PNG: a speckled spectral strip is noise to a lossless coder (PNG ~5x larger), and at
// quality 90 the evidence is visually unchanged. Keeps a 500-clip study's page small.
std::string ImageDataUri(const cv::Mat& image) {
  std::string uri;
  AppendImageDataUri(uri, image);
  return uri;
}

bool AppendImageDataUri(std::string& out, const cv::Mat& image) {
  // Only 8-bit gray/BGR/BGRA strips are evidence we can show faithfully; anything else is skipped
  // rather than silently rescaled.
  if (image.empty() || image.depth() != CV_8U) return false;
  const int channels = image.channels();
  if (channels != 1 && channels != 3 && channels != 4) return false;
  const bool gray = channels == 3 && AllPixelsGray(image);
  JpegBuffer jpeg;
  const bool encoded = EncodeJpeg(image, kJpegQuality, gray, jpeg);
  // On failure the report still renders, with a note instead of the strip.
  if (encoded) {
    const std::span<const unsigned char> bytes(jpeg.data, jpeg.capacity - jpeg.pub.free_in_buffer);
    constexpr std::string_view kPrefix = "data:image/jpeg;base64,";
    out.reserve(out.size() + kPrefix.size() + (bytes.size() + 2) / 3 * 4);
    out += kPrefix;
    AppendBase64(out, bytes);
  }
  std::free(jpeg.data);
  return encoded;
}

}  // namespace refluxscan::report::detail
