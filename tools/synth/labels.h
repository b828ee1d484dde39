#pragma once
// Sonographer-style free-text labels for a laterality + segment, in varied clinical spellings
// ("RT GSV PROX THIGH", "Lt. great saphenous mid thigh", "L SSV SPJ", "SFJ R", "perf calf L").
#include <optional>
#include <string>

#include "refluxscan/core/segments.h"
#include "synth/rng.h"

namespace refluxscan::synth {

// kClassic: the original small set of spellings (the `sample` preset, so the bundled sample_data
// stays reproducible). kVaried: side forms and positions, abbreviations, separators, clip
// numbers, maneuver notes and case of many scanners and sonographers. Both are deterministic for
// the generator's state.
enum class LabelStyle { kClassic, kVaried };

// A label the product's vocabulary should recognise for this segment and side.
std::string MakeLabel(Laterality laterality, Segment segment, Rng& rng,
                      LabelStyle style = LabelStyle::kClassic);
// A label naming no vocabulary segment ("L misc vein 3"; varied: also "R GSV", "L LSV mid
// thigh", "R CFA"): identification must not guess.
std::string MakeUnknownLabel(Laterality laterality, Rng& rng,
                             LabelStyle style = LabelStyle::kClassic);

}  // namespace refluxscan::synth
