#pragma once
// Which leg and which venous segment a clip shows: manifest, then DICOM tags, then file name.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "refluxscan/core/error.h"
#include "refluxscan/core/measurement.h"
#include "refluxscan/core/ultrasound.h"

namespace refluxscan::study {

struct ManifestEntry {
  std::string file;  // as written, relative to the manifest's folder
  Laterality laterality;
  Segment segment;
  // Optional column `antegrade` (up / down, as the report's antegrade_direction): the sonographer
  // knows which way the vein drains; replaces the inference from the augmentation for this clip.
  std::optional<AntegradeDirection> antegrade;
  // The row asks for the inference (`inferred`, `auto`, or a value not understood), whatever a
  // run-wide --antegrade says; an empty cell leaves the clip to the run's setting.
  bool antegrade_inferred = false;
};

struct Manifest {
  std::string path;
  // Key: lexically normalized absolute path of the referenced file.
  std::map<std::string, ManifestEntry> entries;
  std::vector<std::string> warnings;  // rows skipped (unknown segment, outside the folder, ...)
};

// CSV with header `file,laterality,segment` (any order, optional `antegrade`, other columns
// ignored). Rows naming files outside the manifest's folder are rejected with a warning.
// Errors: kIo, kInvalidInput (bad header).
Result<Manifest> LoadManifest(const std::string& path);

// The manifest's row for this file, or null (no manifest, or the file is not listed).
const ManifestEntry* FindManifestEntry(const Manifest* manifest, const std::string& file_path);

// "up" / "down" (any case) -> the direction; anything else -> nullopt.
std::optional<AntegradeDirection> AntegradeFromName(std::string_view name);

// The manifest rows (their `file` as written) that name none of `files`: a wrong relative path or
// a file left out of the run; the caller warns, since such a row silently assigns nothing.
std::vector<std::string> UnmatchedManifestRows(const Manifest& manifest,
                                               const std::vector<std::string>& files);

struct ParsedLabel {
  std::optional<Laterality> laterality;
  std::optional<Segment> segment;
  // The threshold class: the segment's, or without one the class every vein named shares ("R GSV
  // thigh", "GSV SSV"; docs/segments.md "Vein only").
  std::optional<VeinClass> vein_class;
};
// Free-text sonographer labels: "RT GSV PROX THIGH", "Lt. great saphenous mid thigh", "L SSV SPJ",
// "RIGHT POP V", "L GSV @ knee", "SFJ R", "perf calf L" ... Never guesses: unknown -> nullopt.
ParsedLabel ParseLabel(std::string_view text);

// An OCR line with one glyph confusion per space-separated token undone ("femora!" -> "femoral",
// "SF]" -> "SFJ", "FY" -> "FV") where the token names nothing the label vocabulary knows and the
// repaired one names only known words; every other token as read. For burned-in labels only:
// typed text is parsed as written.
std::string RepairOcrConfusions(std::string_view line);

SegmentId IdentifySegment(const std::string& file_path, const DicomTags& tags,
                          const Manifest* manifest);

// `id` with the segment named by text burned into the image (OCR lines, in reading order) when
// `id` has none: the first line naming a segment decides, joined with its neighbour when OCR split
// the label (source burned_in, the text as the label text, capped and made printable ASCII); the
// tags' side wins over the label's, a disagreement leaves it unknown, as for a tag label. A
// manifest row or a tag or file name that named a segment is kept, and one that named only a vein
// keeps its class (the pixels may give its level, not a vein of another class); lines naming no
// segment change nothing. `unsure_lines` (read with less confidence: text over speckle, or
// speckle read as glyphs) count only when `lines` name no segment, one line at a time and only a
// line that names a side and a segment by itself (repaired as above, never joined).
SegmentId WithBurnedInLabel(SegmentId id, const std::vector<std::string>& lines,
                            const DicomTags& tags,
                            const std::vector<std::string>& unsure_lines = {});

}  // namespace refluxscan::study
