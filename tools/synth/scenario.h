#pragma once
// Scenarios: what a clip should show (clinical case + display knobs), turned into a complete,
// randomized ClipSpec; and the clip lists of the sample / stress / edge presets.
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "synth/clip.h"
#include "synth/labels.h"
#include "synth/rng.h"

namespace refluxscan::synth {

enum class CaseKind {
  kCompetent,       // augmentation, then silence
  kBriefReflux,     // short retrograde blip well below threshold (competent valve closing)
  kReflux,          // retrograde flow >= threshold + 80 ms
  kNearAbove,       // threshold + 15..60 ms ("near_threshold")
  kNearBelow,       // threshold - 15..60 ms ("near_threshold")
  kTruncatedAbove,  // clip ends during reflux, visible part > threshold + 60 ms
  kTruncatedBelow,  // clip ends during reflux, visible part < threshold - 60 ms
  kNoAugmentation,  // quiet flow only
  kWeakSignal,      // SNR far below visibility
};

// Per-preset probabilities of display and physics variations.
struct PresetStyle {
  std::vector<cv::Size> sizes;
  double tinted = 0.4, inverted_flow = 0.3, inverted_display = 0.2, shifted_baseline = 0.6;
  double aliasing = 0.1, overlay_text = 0.3, erase_bar = 0.2, ecg = 0.2, multiframe = 0.15;
  double hz_units = 0.1, cw = 0.08, low_snr = 0.1, two_maneuvers = 0.25, blunt = 0.3;
  double region_margin = 0;         // share of clips whose spectral region holds a margin of panel
  double auto_trace = 0, grid = 0;  // shares of clips with a scanner auto-trace / dotted grid
  double mirror = 0, thump = 0;     // shares of clips with an I/Q mirror / a tissue thump
  // Shares of clips whose sample volume covers only the vessel's fast core (a band detached
  // from the baseline), and of reflux clips whose scale is too small for the reflux (it wraps).
  double core_gate = 0, aliased_reflux = 0;
  // Shares of CW clips, and of PW clips at a deep vein, with an artery in the beam (arterial
  // crosstalk: SignalSpec::artery_db).
  double artery_cw = 0, artery_pw_deep = 0;
  // Share of the squeeze clips done with a cuff (ManeuverSpec::cuff_hold_s), from a stream of its
  // own: the other clips stay as they were.
  double cuff = 0;
  // Share of the clips with tissue clutter residue (SignalSpec::clutter_db; refluxscan-synth
  // --clutter; 0 in every preset, and no draw then).
  double clutter = 0;
  // Share of the clips at a junction or proximal deep level (SFJ, SPJ, CFV, proximal FV) done as
  // a Valsalva instead of a squeeze (refluxscan-synth --valsalva; 0 in every preset, and no
  // random draw then, so the presets' sets stay byte-identical).
  double valsalva = 0;
  int max_frames = 4;
  LabelStyle labels = LabelStyle::kVaried;
  // Tinted clips draw from Tint 1 .. tint_maps - 1 (all maps; the sample preset keeps the first
  // five so that the bundled sample_data/ stays reproducible).
  int tint_maps = kDrawnTintCount;
};
PresetStyle SampleStyle();  // classic labels: the bundled sample_data stays reproducible
PresetStyle EdgeStyle();    // the sample's look with varied labels
PresetStyle StressStyle();

// What one clip must show; unset options are drawn from the preset style.
struct ClipPlan {
  Laterality laterality = Laterality::kLeft;
  std::optional<Segment> segment;  // nullopt: unknown label (vein class superficial)
  CaseKind kind = CaseKind::kCompetent;
  std::optional<Tint> tint;
  std::optional<bool> inverted_flow, inverted_display, shifted_baseline, aliasing, overlay_text,
      erase_bar, ecg, multiframe, hz_units, cw, low_snr, two_maneuvers;
  std::optional<cv::Size> size;
};

ClipSpec BuildClipSpec(const ClipPlan& plan, const PresetStyle& style, Rng& rng);

// Clip plans of one study for each preset (both legs).
std::vector<ClipPlan> SampleStudyPlans();
std::vector<ClipPlan> StressStudyPlans(Rng& rng);
std::vector<ClipPlan> EdgeStudyPlans();

}  // namespace refluxscan::synth
