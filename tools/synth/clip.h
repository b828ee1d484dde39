#pragma once
// One clip: its full specification (identity, flow, signal, display, encoding), and generation
// of the signal, the rendered frames, the DICOM regions and the exact ground truth.
#include <complex>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/error.h"
#include "refluxscan/core/segments.h"
#include "refluxscan/core/ultrasound.h"
#include "refluxscan/dicom/write.h"
#include "synth/doppler.h"
#include "synth/flow.h"
#include "synth/render.h"

namespace refluxscan::synth {

// SNR (dB, of the I/Q) below which a clip's trace is invisible and the truth says
// "indeterminate / weak_signal". Generated clips are either <= kWeakSignalMaxSnrDb or
// >= kVisibleMinSnrDb, never between, so the cut is unambiguous.
inline constexpr double kWeakSignalMaxSnrDb = -18;
inline constexpr double kVisibleMinSnrDb = 4;

struct ClipSpec {
  Laterality laterality = Laterality::kLeft;
  std::optional<Segment> segment;                  // nullopt: the label is not in the vocabulary
  VeinClass vein_class = VeinClass::kSuperficial;  // threshold class (also for unknown labels)
  std::string label_text;
  bool label_in_comments = true, label_in_series = false;
  bool laterality_tag = false, image_laterality_tag = false;
  FlowSpec flow;
  SignalSpec signal;
  DisplaySpec display;
  dicom::TransferSyntax transfer_syntax = dicom::TransferSyntax::kJpegBaseline;
  int jpeg_quality = 90;
  double j2k_compression_ratio = 12;  // JPEG 2000 encapsulation (dicom::UltrasoundWriteSpec)
  unsigned j2k_fragment_kib = 0;
  bool j2k_offset_table = true;
  std::vector<std::string> tags;  // scenario tags added to the derived conditions
};

struct EnvelopeTruth {
  double seconds_per_column = 0;
  std::vector<double> max_forward_cm_s, max_reverse_cm_s;  // calibrated sides, >= 0
  std::vector<int> valid;
};

struct ClipTruth {
  double threshold_ms = 0;
  std::vector<ManeuverTruth> maneuvers;
  double reflux_duration_ms = 0, peak_reflux_velocity_cm_s = 0;
  std::string expected_classification, expected_reason;
  std::vector<std::string> conditions;
  bool aliasing = false;
  int antegrade_sign = 1;  // of antegrade flow in calibrated velocity
  double velocity_top_cm_s = 0, velocity_bottom_cm_s = 0, cm_s_per_row = 0;
  std::vector<std::pair<int, int>> invalid_columns;  // inclusive column ranges
  EnvelopeTruth envelope;
};

// Reflux threshold (ms, "reflux when longer") per vein class: DOMAIN.md defaults
// (Labropoulos 2003; SVS/AVF 2011): superficial and deep distal 500, CFV/FV/POPV 1000,
// perforators 350.
double DefaultThresholdMs(VeinClass c);

// Truth from the specification alone (no rendering needed).
ClipTruth TruthOf(const ClipSpec& spec);

struct ClipOutput {
  std::vector<cv::Mat> frames;            // BGR, the last one is the frozen full strip
  std::vector<UltrasoundRegion> regions;  // B-mode and spectral
  spectral::IqSignal iq;                  // the signal that produced the strip
  double iq_t0_s = 0;                     // time of iq.samples[0] on the strip's time axis
  ClipTruth truth;
};

// Simulates, transforms (spectral::StftPower) and renders one clip.
Result<ClipOutput> GenerateClip(const ClipSpec& spec);

// Stereo forward/reverse audio of complex I/Q (forward = positive Doppler shifts), the way
// scanners export it, scaled to [-1, 1].
void StereoFromIq(const std::vector<std::complex<float>>& iq, std::vector<float>& forward,
                  std::vector<float>& reverse);

}  // namespace refluxscan::synth
