#pragma once
// Reflux measurement, segment identity and classification values.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "refluxscan/core/segments.h"

namespace refluxscan {

enum class AntegradeDirection { kUp, kDown };                   // up = positive calibrated velocity
std::string_view AntegradeDirectionName(AntegradeDirection d);  // "up" / "down"
// What decided the antegrade direction: the first augmentation burst, the side carrying more
// resting flow (no credible burst on either side), or the user's override.
enum class AntegradeSource { kAugmentation, kRestingFlow, kOverride };
std::string_view AntegradeSourceName(
    AntegradeSource s);  // "augmentation", "resting_flow", "override"

// What provoked the reflux: an augmentation (calf squeeze, cuff release: an antegrade burst, then
// its release) or a Valsalva (no burst: resting antegrade flow stops as the patient strains).
enum class ManeuverKind { kAugmentation, kValsalva };
std::string_view ManeuverKindName(ManeuverKind k);  // "augmentation", "valsalva"

// One maneuver and the retrograde flow after its release. Times in seconds from the start of the
// strip, velocities in cm/s as magnitudes (the direction is in RefluxMeasurement).
struct Maneuver {
  ManeuverKind kind = ManeuverKind::kAugmentation;
  // A Valsalva has no burst: both times are where the resting antegrade flow stopped, and the
  // peak antegrade velocity is that resting flow's.
  double augmentation_start_s = 0;
  double release_s = 0;  // end of the antegrade burst (a Valsalva: where the resting flow stopped)
  double peak_antegrade_velocity_cm_s = 0;
  bool has_reflux = false;
  std::optional<double> reflux_onset_s;   // crossing into retrograde flow after release
  std::optional<double> reflux_offset_s;  // retrograde flow back below offset_velocity_cm_s
  double reflux_duration_ms = 0;          // offset - onset; 0 when no reflux
  double peak_reflux_velocity_cm_s = 0;
  double time_to_peak_ms = 0;       // onset to peak
  double reflux_vti_cm = 0;         // retrograde velocity-time integral
  double offset_velocity_cm_s = 0;  // the noise/wall velocity that ends reflux
  // How long the flow took to fall from twice offset_velocity_cm_s to the offset: a slow fade
  // into the noise hides the true end, which then lies later (QA flag `faint_tail`).
  double offset_fade_ms = 0;
  bool truncated = false;  // clip ended while reflux continued (or before it could show)
  bool aliased = false;    // aliasing hides the reflux timing (near onset/offset, or most of it)
};

struct RefluxMeasurement {
  AntegradeDirection antegrade = AntegradeDirection::kUp;
  AntegradeSource antegrade_source = AntegradeSource::kAugmentation;
  std::vector<Maneuver> maneuvers;
  std::optional<size_t> decisive;  // index of the longest reflux (or first maneuver)
  double time_resolution_ms = 0;   // one display column / STFT hop
  std::vector<std::string> flags;  // "no_augmentation", "weak_signal", "aliased", ...
  // [begin, end) in seconds of the pulses at the heart's rhythm the measurement bridged over
  // (either side: an artery's beats, or pulsatile venous flow; flag "pulsatile_signal"), for the
  // report to show what was not read as venous flow.
  std::vector<std::pair<double, double>> cardiac_pulses_s;
};

// Where the segment identity came from.
enum class IdentitySource { kManifest, kDicomTag, kFileName, kBurnedIn, kNone };
// "manifest", "dicom_tag", "file_name", "burned_in", "none"
std::string_view IdentitySourceName(IdentitySource s);

struct SegmentId {
  std::optional<Laterality> laterality;
  std::optional<Segment> segment;
  // The threshold class: the segment's, or the vein's when a label names the vein but not a
  // level we map ("L SSV 2", "R GSV thigh"): segment stays unknown, the class is known.
  std::optional<VeinClass> vein_class;
  IdentitySource source = IdentitySource::kNone;
  std::string source_detail;  // e.g. "ImageComments", the manifest path, "ImageComments, not
                              // understood" for an unknown label
  std::string label_text;     // raw text that was parsed, or the unknown label as typed (capped
                              // at 256 bytes; untrusted)
  // Set when a manifest row decided and the image's own label (tags or file name) names another
  // side or segment: the manifest still wins, a reviewer is told (QA flag label_mismatch).
  bool label_mismatch = false;
  // Whether vein_class came from the image's own label (ImageComments, the processing
  // description, the file name), not from text naming its series or protocol: only such a class
  // holds against a burned-in label naming a segment of another class (WithBurnedInLabel).
  bool vein_class_of_the_image = false;
};

enum class Classification { kReflux, kNoReflux, kIndeterminate };
std::string_view ClassificationName(Classification c);  // "reflux" / "no_reflux" / "indeterminate"

struct ClassifiedFinding {
  Classification classification = Classification::kIndeterminate;
  std::optional<double> threshold_ms;
  std::optional<double> margin_ms;   // duration - threshold (positive = over the threshold)
  bool threshold_inclusive = false;  // reflux at duration >= threshold (else > threshold)
  std::string
      reason;  // machine-readable reason for indeterminate ("truncated_below_threshold", ...)
  std::string criterion_source;  // citation of the threshold used
};

}  // namespace refluxscan
