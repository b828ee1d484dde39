#pragma once
// Sonographer-style free-text labels for a laterality + segment, in varied clinical spellings
// ("RT GSV PROX THIGH", "Lt. great saphenous mid thigh", "L SSV SPJ", "SFJ R", "perf calf L").
#include <optional>
#include <string>

#include "refluxscan/core/segments.h"
#include "synth/rng.h"

namespace refluxscan::synth {

// A label the product's vocabulary should recognise for this segment.
std::string MakeLabel(Laterality laterality, Segment segment, Rng& rng);
// A label naming no vocabulary segment ("L misc vein 3"): identification must not guess.
std::string MakeUnknownLabel(Laterality laterality, Rng& rng);

}  // namespace refluxscan::synth
