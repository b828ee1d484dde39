#pragma once
// truth.json entries (schema "refluxscan.truth/1", docs/synth.md) and manifest.csv rows.
#include <string>

#include <nlohmann/json.hpp>

#include "synth/set.h"

namespace refluxscan::synth {

// The truth entry of one generated file. `signal_files`: base names of .iq/.wav when emitted.
nlohmann::ordered_json TruthEntry(const PlannedClip& clip, const ClipTruth& truth, double iq_t0_s,
                                  bool signal_files);

// The whole truth.json text: one file entry per line (envelopes make entries long).
std::string TruthDocument(const nlohmann::ordered_json& generator,
                          const std::vector<nlohmann::ordered_json>& entries);

// manifest.csv: header `file,laterality,segment`, rows for labels in the vocabulary only.
std::string ManifestCsv(const std::vector<PlannedClip>& clips);

}  // namespace refluxscan::synth
