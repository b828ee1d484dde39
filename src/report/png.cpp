// Images for the self-contained HTML report: JPEG (OpenCV) wrapped in a base64 data: URI.
#include <opencv2/imgcodecs.hpp>

#include "report/internal.h"

namespace refluxscan::report::detail {

std::string Base64(std::span<const unsigned char> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out((bytes.size() + 2) / 3 * 4, '=');  // written in place: no push_back per char
  size_t i = 0;
  char* o = out.data();
  for (; i + 2 < bytes.size(); i += 3, o += 4) {
    const unsigned v = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
    o[0] = kAlphabet[(v >> 18) & 0x3f];
    o[1] = kAlphabet[(v >> 12) & 0x3f];
    o[2] = kAlphabet[(v >> 6) & 0x3f];
    o[3] = kAlphabet[v & 0x3f];
  }
  out.resize(static_cast<size_t>(o - out.data()));
  const size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  unsigned v = unsigned{bytes[i]} << 16;
  if (rest == 2) v |= unsigned{bytes[i + 1]} << 8;
  out.push_back(kAlphabet[(v >> 18) & 0x3f]);
  out.push_back(kAlphabet[(v >> 12) & 0x3f]);
  out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 0x3f] : '=');
  out.push_back('=');
  return out;
}

// JPEG, not PNG: a speckled spectral strip is noise to a lossless coder (PNG ~5x larger), and at
// quality 90 the evidence is visually unchanged. Keeps a 500-clip study's page small.
std::string ImageDataUri(const cv::Mat& image) {
  // Only 8-bit gray/BGR/BGRA strips are evidence we can show faithfully; anything else is skipped
  // rather than silently rescaled.
  if (image.empty() || image.depth() != CV_8U) return "";
  const int channels = image.channels();
  if (channels != 1 && channels != 3 && channels != 4) return "";
  std::vector<unsigned char> jpeg;
  try {
    if (!cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90})) return "";
  } catch (const cv::Exception&) {
    return "";  // the report still renders, with a note instead of the strip
  }
  return "data:image/jpeg;base64," + Base64(jpeg);
}

}  // namespace refluxscan::report::detail
