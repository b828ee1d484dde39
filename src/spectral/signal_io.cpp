// Signal files beside a DICOM: `.iq` (complex I/Q) and 16-bit PCM stereo `.wav`.
// Both are untrusted input: every size is checked against the file size before use.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "refluxscan/spectral/signal.h"
#include "spectral/guard.h"

namespace refluxscan::spectral {
namespace {

constexpr uintmax_t kMaxSignalFileBytes = uintmax_t{1} << 30;  // 1 GiB: refuse larger files
// Version 2 adds the start time; version 1 files (no start time: 0) are still read.
constexpr std::string_view kIqMagicV1 = "RFXIQ1";
constexpr std::string_view kIqMagic = "RFXIQ2";
constexpr size_t kIqHeaderBytesV1 = 40;  // magic(6) reserved(2) prf f0 angle (f64) count (u64)
constexpr size_t kIqHeaderBytes = 48;    // v1 header + start_s (f64)

using Bytes = std::vector<uint8_t>;

Result<Bytes> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Fail(ErrorCode::kIo, "cannot stat " + path + ": " + ec.message());
  if (size > kMaxSignalFileBytes) {
    return Fail(ErrorCode::kResourceLimit, path + " is larger than 1 GiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, "cannot open " + path);
  Bytes bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) {
    return Fail(ErrorCode::kIo, "short read on " + path);
  }
  return bytes;
}

Result<void> WriteWholeFile(const Bytes& bytes, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Fail(ErrorCode::kIo, "cannot create " + path);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Fail(ErrorCode::kIo, "write failed on " + path);
  return {};
}

// Little-endian scalar encoding, independent of the host byte order.
uint64_t GetLe(const Bytes& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | b[at + static_cast<size_t>(i)];
  return v;
}
void PutLe(Bytes& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
double GetF64(const Bytes& b, size_t at) { return std::bit_cast<double>(GetLe(b, at, 8)); }
float GetF32(const Bytes& b, size_t at) {
  return std::bit_cast<float>(static_cast<uint32_t>(GetLe(b, at, 4)));
}
void PutF64(Bytes& b, double v) { PutLe(b, std::bit_cast<uint64_t>(v), 8); }
void PutF32(Bytes& b, float v) { PutLe(b, std::bit_cast<uint32_t>(v), 4); }
void PutTag(Bytes& b, std::string_view tag) { b.insert(b.end(), tag.begin(), tag.end()); }
bool TagAt(const Bytes& b, size_t at, std::string_view tag) {
  return at + tag.size() <= b.size() && std::memcmp(b.data() + at, tag.data(), tag.size()) == 0;
}

Result<void> ValidateIqHeader(double prf, double f0, double angle) {
  if (!(prf > 0) || !std::isfinite(prf)) return Fail(ErrorCode::kCorrupt, "iq: bad prf_hz");
  if (!(f0 >= 0) || !std::isfinite(f0)) return Fail(ErrorCode::kCorrupt, "iq: bad f0_hz");
  if (!std::isfinite(angle) || std::abs(angle) >= 90) {
    return Fail(ErrorCode::kCorrupt, "iq: Doppler angle must be within (-90, 90) degrees");
  }
  return {};
}

}  // namespace

Result<IqSignal> ReadIqFile(const std::string& path) {
  return detail::Guarded("iq file", [&]() -> Result<IqSignal> {
    auto bytes = ReadWholeFile(path);
    if (!bytes) return std::unexpected(bytes.error());
    const Bytes& b = *bytes;
    const bool v1 = TagAt(b, 0, kIqMagicV1);
    const size_t header_bytes = v1 ? kIqHeaderBytesV1 : kIqHeaderBytes;
    if (b.size() < header_bytes || !(v1 || TagAt(b, 0, kIqMagic))) {
      return Fail(ErrorCode::kCorrupt, path + ": not an RFXIQ file (magic or header missing)");
    }
    IqSignal iq;
    iq.start_s = v1 ? 0.0 : GetF64(b, 40);
    if (!std::isfinite(iq.start_s)) return Fail(ErrorCode::kCorrupt, "iq: bad start_s");
    iq.prf_hz = GetF64(b, 8);
    iq.transducer_frequency_hz = GetF64(b, 16);
    iq.doppler_angle_deg = GetF64(b, 24);
    if (auto ok = ValidateIqHeader(iq.prf_hz, iq.transducer_frequency_hz, iq.doppler_angle_deg);
        !ok) {
      return std::unexpected(ok.error());
    }
    const uint64_t count = GetLe(b, 32, 8);
    if (count > (b.size() - header_bytes) / 8 || header_bytes + count * 8 != b.size()) {
      return Fail(ErrorCode::kCorrupt, path + ": sample count " + std::to_string(count) +
                                           " does not match the file size (truncated?)");
    }
    iq.samples.resize(count);
    for (size_t i = 0; i < count; ++i) {
      const size_t at = header_bytes + 8 * i;
      iq.samples[i] = {GetF32(b, at), GetF32(b, at + 4)};
    }
    return iq;
  });
}

Result<void> WriteIqFile(const IqSignal& iq, const std::string& path) {
  if (auto ok = ValidateIqHeader(iq.prf_hz, iq.transducer_frequency_hz, iq.doppler_angle_deg);
      !ok) {
    return Fail(ErrorCode::kInvalidInput, ok.error().message);
  }
  return detail::Guarded("iq file", [&]() -> Result<void> {
    Bytes b;
    b.reserve(kIqHeaderBytes + 8 * iq.samples.size());
    PutTag(b, kIqMagic);
    PutLe(b, 0, 2);  // reserved
    PutF64(b, iq.prf_hz);
    PutF64(b, iq.transducer_frequency_hz);
    PutF64(b, iq.doppler_angle_deg);
    PutLe(b, iq.samples.size(), 8);
    PutF64(b, iq.start_s);
    for (const auto& s : iq.samples) {
      PutF32(b, s.real());
      PutF32(b, s.imag());
    }
    return WriteWholeFile(b, path);
  });
}

namespace {

struct WavData {
  double sample_rate_hz = 0;
  std::vector<float> left, right;
};

Result<void> CheckWavFormat(const Bytes& b, size_t at, uint32_t size, WavData& out) {
  if (size < 16) return Fail(ErrorCode::kCorrupt, "wav: fmt chunk shorter than 16 bytes");
  const uint64_t format = GetLe(b, at, 2), channels = GetLe(b, at + 2, 2);
  const uint64_t rate = GetLe(b, at + 4, 4), bits = GetLe(b, at + 14, 2);
  if (format != 1 || channels != 2 || bits != 16) {
    return Fail(ErrorCode::kUnsupported, "wav: only 16-bit PCM stereo is supported (format " +
                                             std::to_string(format) + ", " +
                                             std::to_string(channels) + " channels, " +
                                             std::to_string(bits) + " bits)");
  }
  if (rate == 0) return Fail(ErrorCode::kCorrupt, "wav: sample rate 0");
  out.sample_rate_hz = static_cast<double>(rate);
  return {};
}

void DecodePcm(const Bytes& b, size_t at, uint32_t size, WavData& out) {
  const size_t frames = size / 4;  // a trailing partial frame is ignored
  out.left.resize(frames);
  out.right.resize(frames);
  for (size_t i = 0; i < frames; ++i) {
    const auto l = static_cast<int16_t>(GetLe(b, at + 4 * i, 2));
    const auto r = static_cast<int16_t>(GetLe(b, at + 4 * i + 2, 2));
    out.left[i] = static_cast<float>(l) / 32768.0f;
    out.right[i] = static_cast<float>(r) / 32768.0f;
  }
}

// Walks the RIFF chunks; every chunk must lie inside the file (a truncated file is kCorrupt).
Result<WavData> ParseWav(const Bytes& b) {
  if (b.size() < 12 || !TagAt(b, 0, "RIFF") || !TagAt(b, 8, "WAVE")) {
    return Fail(ErrorCode::kCorrupt, "wav: not a RIFF/WAVE file");
  }
  if (GetLe(b, 4, 4) + 8 > b.size()) return Fail(ErrorCode::kCorrupt, "wav: file truncated");
  WavData out;
  bool have_fmt = false;
  for (size_t at = 12; at + 8 <= b.size();) {
    const auto size = static_cast<uint32_t>(GetLe(b, at + 4, 4));
    const size_t body = at + 8;
    if (size > b.size() - body) {
      return Fail(ErrorCode::kCorrupt, "wav: chunk extends past the end of the file (truncated?)");
    }
    if (TagAt(b, at, "fmt ")) {
      if (auto ok = CheckWavFormat(b, body, size, out); !ok) return std::unexpected(ok.error());
      have_fmt = true;
    } else if (TagAt(b, at, "data")) {
      if (!have_fmt) return Fail(ErrorCode::kCorrupt, "wav: data chunk before fmt chunk");
      DecodePcm(b, body, size, out);
      return out;
    }
    at = body + size + (size & 1u);  // chunks are padded to an even size
  }
  return Fail(ErrorCode::kCorrupt, "wav: no data chunk");
}

}  // namespace

Result<IqSignal> ReadStereoWav(const std::string& path, double transducer_hz, double angle_deg) {
  auto bytes = ReadWholeFile(path);
  if (!bytes) return std::unexpected(bytes.error());
  auto wav = detail::Guarded("wav", [&] { return ParseWav(*bytes); });
  if (!wav) return Fail(wav.error().code, path + ": " + wav.error().message);
  // Channel convention: left = forward (positive shifts), right = reverse (negative shifts).
  auto iq = IqFromStereoAudio(wav->left, wav->right, wav->sample_rate_hz);
  if (!iq) return std::unexpected(iq.error());
  iq->transducer_frequency_hz = transducer_hz;
  iq->doppler_angle_deg = angle_deg;
  return iq;
}

Result<void> WriteStereoWav(std::span<const float> forward, std::span<const float> reverse,
                            double sample_rate_hz, const std::string& path) {
  if (forward.size() != reverse.size()) {
    return Fail(ErrorCode::kInvalidInput, "wav: channels differ in length");
  }
  const double rate = std::round(sample_rate_hz);
  if (!(rate >= 1) || rate > 4e9) return Fail(ErrorCode::kInvalidInput, "wav: bad sample rate");
  if (forward.size() * 4 > 0xFFFFFFF0u - 36) {
    return Fail(ErrorCode::kResourceLimit, "wav: too many samples for a RIFF file");
  }
  return detail::Guarded("wav", [&]() -> Result<void> {
    const auto data_bytes = static_cast<uint32_t>(forward.size() * 4);
    Bytes b;
    b.reserve(44 + data_bytes);
    PutTag(b, "RIFF");
    PutLe(b, 36 + uint64_t{data_bytes}, 4);
    PutTag(b, "WAVEfmt ");
    PutLe(b, 16, 4);
    PutLe(b, 1, 2);  // PCM
    PutLe(b, 2, 2);  // channels
    PutLe(b, static_cast<uint64_t>(rate), 4);
    PutLe(b, static_cast<uint64_t>(rate) * 4, 4);  // byte rate
    PutLe(b, 4, 2);                                // block align
    PutLe(b, 16, 2);                               // bits per sample
    PutTag(b, "data");
    PutLe(b, data_bytes, 4);
    auto pcm = [](float v) {
      return static_cast<uint16_t>(
          static_cast<int16_t>(std::lround(std::clamp(v, -1.0f, 1.0f) * 32767.0f)));
    };
    for (size_t i = 0; i < forward.size(); ++i) {
      PutLe(b, pcm(forward[i]), 2);
      PutLe(b, pcm(reverse[i]), 2);
    }
    return WriteWholeFile(b, path);
  });
}

}  // namespace refluxscan::spectral
