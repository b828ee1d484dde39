#pragma once
// Helpers for the hostile-input tests: small valid clips to damage, byte-level file surgery,
// and a time guard that turns a hang into a failure instead of a stuck test run.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "refluxscan/dicom/write.h"
#include "synth/clip.h"
#include "synth/set.h"
#include "testing/fixtures.h"

namespace refluxscan::robustness {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// Sanitizer builds run several times slower: scale time guards and loop counts.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif
inline int Iterations(int n) { return kSanitized ? std::max(4, n / 6) : n; }
inline std::chrono::seconds Guard(int seconds) {
  return std::chrono::seconds(kSanitized ? seconds * 10 : seconds);
}

// Runs fn on another thread; a hang past `limit` fails the test and ends the process (a stuck
// worker cannot be cancelled, and ctest would otherwise wait for its own timeout).
template <class Fn>
auto WithinTime(std::chrono::seconds limit, const char* what, Fn&& fn) {
  auto future = std::async(std::launch::async, std::forward<Fn>(fn));
  if (future.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "HANG: %s did not finish within %lld s\n", what,
                 static_cast<long long>(limit.count()));
    std::fflush(stderr);
    std::_Exit(124);
  }
  return future.get();
}

inline Bytes ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteBytes(const fs::path& p, const Bytes& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// The first planned clip of the sample preset, rendered, cropped to its spectral strip (a small
// single-frame image whose only region is the spectral one) and written with `syntax`.
inline dicom::UltrasoundWriteSpec CompactClipSpec(dicom::TransferSyntax syntax, uint64_t seed = 3) {
  synth::SetOptions options;
  options.preset = "sample";
  options.seed = seed;
  auto plan = synth::PlanSet(options);
  EXPECT_TRUE(plan.has_value());
  const synth::PlannedClip& planned = plan->front();
  auto clip = synth::GenerateClip(planned.spec);
  EXPECT_TRUE(clip.has_value());
  dicom::UltrasoundWriteSpec spec;
  spec.tags = planned.tags;
  spec.transfer_syntax = syntax;
  for (const UltrasoundRegion& r : clip->regions) {
    if (!r.IsSpectral()) continue;
    spec.frames.push_back(clip->frames.back()(r.Rect()).clone());
    UltrasoundRegion moved = r;
    moved.min_x0 = moved.min_y0 = 0;
    moved.max_x1 = r.Width() - 1;
    moved.max_y1 = r.Height() - 1;
    spec.regions.push_back(moved);
    break;
  }
  return spec;
}

inline fs::path WriteCompactClip(const fs::path& path, dicom::TransferSyntax syntax,
                                 uint64_t seed = 3) {
  auto written = dicom::WriteUltrasound(CompactClipSpec(syntax, seed), path.string());
  EXPECT_TRUE(written.has_value()) << (written ? "" : written.error().message);
  return path;
}

// End of the File Meta Information group (offset of the first dataset byte) of a Part 10 file
// written by dicom::WriteUltrasound (explicit little endian meta with (0002,0000) first).
inline size_t MetaEnd(const Bytes& b) {
  if (b.size() < 144) return 132;
  const uint32_t group_length = b[140] | (b[141] << 8) | (b[142] << 16) | (uint32_t{b[143]} << 24);
  return 144 + group_length;
}

// Appends raw bytes one by one (GCC 12 warns falsely on vector::insert of short lists).
inline void Append(Bytes& b, std::string_view raw) {
  for (char c : raw) b.push_back(static_cast<uint8_t>(c));
}

// Little-endian element writers (explicit VR).
inline void Put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v & 0xff));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
inline void Put32(Bytes& b, uint32_t v) {
  Put16(b, static_cast<uint16_t>(v & 0xffff));
  Put16(b, static_cast<uint16_t>(v >> 16));
}
inline void PutTag(Bytes& b, uint16_t group, uint16_t element) {
  Put16(b, group);
  Put16(b, element);
}
inline void PutShort(Bytes& b, uint16_t group, uint16_t element, const char* vr,
                     std::string value) {
  if (value.size() % 2) value.push_back(vr[0] == 'U' && vr[1] == 'I' ? '\0' : ' ');
  PutTag(b, group, element);
  b.push_back(static_cast<uint8_t>(vr[0]));
  b.push_back(static_cast<uint8_t>(vr[1]));
  Put16(b, static_cast<uint16_t>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
}

// Explicit-VR undefined-length sequences nested `depth` levels deep, under tag (gggg,eeee).
inline Bytes NestedSequences(int depth, uint16_t group = 0x0008, uint16_t element = 0x1115) {
  Bytes b;
  for (int i = 0; i < depth; ++i) {
    PutTag(b, group, element);
    b.push_back('S');
    b.push_back('Q');
    Put16(b, 0);
    Put32(b, 0xffffffffu);
    PutTag(b, 0xfffe, 0xe000);  // item, undefined length
    Put32(b, 0xffffffffu);
  }
  for (int i = 0; i < depth; ++i) {
    PutTag(b, 0xfffe, 0xe00d);  // item delimitation
    Put32(b, 0);
    PutTag(b, 0xfffe, 0xe0dd);  // sequence delimitation
    Put32(b, 0);
  }
  return b;
}

// A minimal Part 10 file (explicit little endian) whose dataset is `dataset`, after the SOP
// class/instance and study UIDs.
inline Bytes MinimalPart10(const Bytes& dataset) {
  const std::string sop_class = "1.2.840.10008.5.1.4.1.1.6.1";
  const std::string sop_instance = "1.2.826.0.1.3680043.2.1143.99.1";
  Bytes meta;
  meta.push_back(0x02);
  meta.push_back(0x00);
  meta.push_back(0x01);
  meta.push_back(0x00);
  meta.push_back('O');
  meta.push_back('B');
  Put16(meta, 0);
  Put32(meta, 2);
  meta.push_back(0);
  meta.push_back(1);
  PutShort(meta, 0x0002, 0x0002, "UI", sop_class);
  PutShort(meta, 0x0002, 0x0003, "UI", sop_instance);
  PutShort(meta, 0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1");
  Bytes b(128, 0);
  Append(b, "DICM");
  PutTag(b, 0x0002, 0x0000);
  b.push_back('U');
  b.push_back('L');
  Put16(b, 4);
  Put32(b, static_cast<uint32_t>(meta.size()));
  b.insert(b.end(), meta.begin(), meta.end());
  PutShort(b, 0x0008, 0x0016, "UI", sop_class);
  PutShort(b, 0x0008, 0x0018, "UI", sop_instance);
  b.insert(b.end(), dataset.begin(), dataset.end());
  PutShort(b, 0x0020, 0x000d, "UI", "1.2.826.0.1.3680043.2.1143.99.2");
  return b;
}

// Every path under `dir` (recursive), for before/after snapshots.
inline std::vector<std::string> Snapshot(const fs::path& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    paths.push_back(it->path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace refluxscan::robustness
