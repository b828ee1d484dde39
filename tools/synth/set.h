#pragma once
// A whole generated set: studies of clips written as DICOM under one folder, with truth.json and
// manifest.csv beside them (docs/synth.md describes the layout and the truth schema).
#include <cstdint>
#include <string>
#include <vector>

#include "refluxscan/core/error.h"
#include "refluxscan/core/ultrasound.h"
#include "synth/clip.h"

namespace refluxscan::synth {

struct SetOptions {
  std::string out_dir;  // created if absent
  uint64_t seed = 1;
  int studies = 25;               // stress preset only (sample and edge: one study)
  std::string preset = "sample";  // sample | stress | edge
  std::string transfer_syntax =
      "mixed";                 // explicit | rle | jpeg | jpegls | j2k | j2k-lossy | mixed
  bool mixed_jpeg2000 = true;  // false: `mixed` draws only DCMTK's own codecs (make bench)
  int jpeg_quality = 0;        // 1..100; 0 = 90, or 80..95 per file when mixed
  bool emit_signal = false;    // also write <base>.iq and <base>.wav
  bool preview = false;        // also write <base>.png (last frame)
  int threads = 0;             // 0 = hardware concurrency (at most 2 used by default)
  // Non-empty: every clip's display map (TintName), applied after the clip is drawn, so the same
  // seed gives the same clips in each map (per-map comparisons); "" = the preset's draw.
  std::string tint;
  // Share of the junction and proximal deep clips (SFJ, SPJ, CFV, proximal FV) done as a Valsalva
  // (0..1; 0 = none, the presets' own draw).
  double valsalva = 0;
  // Share of the CW clips and of the deep-vein PW clips with an artery in the beam (0..1;
  // negative = the preset's own shares).
  double artery = -1;
  // Share of the squeeze clips done with a cuff (inflation, hold, rapid deflation; 0..1;
  // negative = the preset's own share).
  double cuff = -1;
  // Share of the clips with tissue clutter residue (0..1; 0 = none, the presets' own draw).
  double clutter = 0;
};

// One planned clip: where it goes, what it shows, and its DICOM header.
struct PlannedClip {
  std::string relative_path;  // e.g. "STUDY_001/IMG_0001.dcm"
  int study_index = 0, clip_index = 0;
  ClipSpec spec;
  DicomTags tags;
};

// The deterministic plan of a set (no files written): same options, same plan.
Result<std::vector<PlannedClip>> PlanSet(const SetOptions& options);

struct SetSummary {
  int studies = 0, files = 0;
  uint64_t bytes = 0;  // DICOM bytes written
  std::string truth_path, manifest_path;
  std::vector<std::string> relative_paths;
};

// The options' values (transfer syntax, quality, tint, study count): kInvalidInput naming the bad
// one. GenerateSet checks them too; the CLI calls it first to tell usage errors from failures.
Result<void> CheckOptions(const SetOptions& options);

// Plans, generates (clips in parallel) and writes the set. Deterministic for a seed: same
// options give byte-identical files.
Result<SetSummary> GenerateSet(const SetOptions& options);

}  // namespace refluxscan::synth
