#pragma once
// Private to the reflux module: the measurement's rules (constants), each with its reason.
// The algorithm and its measurements: docs/criteria.md ("Measuring reflux time").
#include <cstddef>

namespace refluxscan::reflux::detail {

// Column counts derived from the time resolution (see docs/criteria.md for the choices).
constexpr double kMinRefluxRunS = 0.020;     // shorter retrograde blips are noise
constexpr double kQuietToEndS = 0.040;       // reflux ends after this long below the level
constexpr double kMinAugmentationS = 0.100;  // an augmentation burst lasts at least this long
// "No reflux" needs this much of the clip after the release: valves close and reflux starts within
// tens of ms of the release (a gap of 0-60 ms in the generator, Labropoulos 2003: reflux follows
// release directly), so a quarter second without retrograde flow is an answer; less is not.
constexpr double kMinObservationAfterReleaseS = 0.25;
constexpr size_t kEdgeColumns = 2;  // a run ending this close to the data's end is truncated
constexpr double kAugmentationFraction = 0.3;     // of the robust maximum of the antegrade trace
constexpr double kAugmentationNoiseFactor = 3.0;  // and at least this many noise velocities
// Retrograde noise: an upper percentile of the retrograde envelope where no retrograde flow can
// be (during the antegrade bursts), so specks and clutter bands of this very clip set the level.
constexpr double kRetroNoisePercentile = 0.9;
// Reflux is a run above kRetroDetectFactor x that level whose peak reaches kRetroPeakFactor x it:
// sustained, clearly stronger flow than anything the quiet retrograde side shows.
constexpr double kRetroDetectFactor = 1.5;
constexpr double kRetroPeakFactor = 3.0;
// Or, sustained for kSustainedRunS, whose peak reaches kRetroSustainedPeakFactor x it (a speck
// does not stay above the detection level that long; IsRefluxEvidence).
constexpr double kSustainedRunS = 0.060;
constexpr double kRetroSustainedPeakFactor = 2.0;
// ... and a sustained run whose median is this many times the level needs only kClearPowerRise.
constexpr double kRetroClearFactor = 8.0;
constexpr double kClearPowerRise = 0.1;
// Onset and offset: crossings of kEdgeLowFactor x the noise level (hysteresis below the detection
// level: established flow is followed down to the noise), found walking outward from the first
// and last columns at kEdgeTopFraction of the run's peak.
constexpr double kEdgeLowFactor = 1.0;
constexpr double kFaintTailMs = 200;  // AddFlags: a fade this long hides the reflux's true end
constexpr double kEdgeTopFraction = 0.5;
// The onset is refined where the retrograde side's power reaches half its level inside the run
// (HalfPowerOnset), when the flow raises that power by at least this share of the no-flow level.
constexpr double kMinPowerRise = 0.25;
// ... but by at most the lead a spectrogram window gives the level crossing: half of the longest
// usual STFT window (40 ms) plus one column of display smoothing. A flow that ramps up from zero
// raises the side's power gradually (the wall filter and the spectrum's spread hide its slow
// start), and its half-power point then lies far inside the rise (docs/criteria.md "Onset").
constexpr double kMaxWindowLeadS = 0.020;
// PowerGapOnset: a stretch of >= kOnsetGapColumns columns where the retrograde side's power sits
// within kOnsetGapShare of the run's core rise over the no-flow base separates an earlier event
// (lit at >= kOnsetEventShare of that rise) from the reflux.
constexpr size_t kOnsetGapColumns = 2;
constexpr double kOnsetGapShare = 0.05, kOnsetEventShare = 0.25;
constexpr double kSpreadExtentShare = 0.8;  // SpreadAcrossTheBaseline: nearly as fast
constexpr double kSpreadPowerShare = 0.5;   // ... and at least this share of the power
constexpr double kStrongPowerRatio = 10;    // +10 dB over the whole side: flow, not noise
constexpr double kSameEventOverlap = 0.5;   // SameEvent: overlap share of the shorter burst
constexpr double kScaleEdgeShare = 0.9;     // MayBeWrapped: a burst this close to its scale's edge
constexpr double kSlowThumpPeakRatio = 10, kSlowThumpGapS = 0.25;  // IsThump, any power
constexpr double kThumpMaxS = 0.15;                                // IsThump: at most this long,
constexpr double kThumpGapS = 0.1;              // ... ending at most this long before the squeeze,
constexpr double kThumpPeakRatio = 4;           // ... which is this many times faster,
constexpr double kThumpPowerRatio = 2;          // ... while the thump has this many times its power
constexpr double kTissuePowerRatio = 100;       // ... or, no faster, this many times its power
constexpr double kBilateralThumpMaxS = 0.2;     // IsThump: a thump on both sides, at most this long
constexpr double kBilateralThumpPeakRatio = 2;  // ... before a burst this many times faster
// ReleaseBlip: at most this long, starting at most kReleaseBlipGapS after the squeeze's burst
// ends (where it falls through the augmentation level: a slow fall takes a while to reach zero),
// kReleaseBlipPeakRatio x slower.
constexpr double kReleaseBlipMaxS = 0.3, kReleaseBlipGapS = 0.25, kReleaseBlipPeakRatio = 3;
// BringsPower (SpreadSqueeze): a squeeze on resting flow keeps at least this share of the rest's
// median side power when it reads faster than the other side.
constexpr double kSpreadSqueezePower = 0.5;
constexpr double kPowerDominance = 10;  // a first burst 10 dB weaker than the other side's
// SqueezeEndsBefore: a weak squeeze reaches half the augmentation level, and the reflux follows
// its release within half a second (DOMAIN.md: reflux follows release directly).
constexpr double kWeakSqueezeShare = 0.5;
// and 2 noise velocities (not 3): its power is checked against the burst it would explain
constexpr double kWeakSqueezeNoiseFactor = 2.0;
constexpr double kReleaseToRefluxS = 0.5;
// Valsalva (RestingFlowBefore): the resting antegrade flow over kRestingWindowS before the strain
// (ending kStrainMarginS before the reflux) fills kRestingShare of the columns and at least
// kMinRestingFlowS, where that flow is kOneSidedRatio x the other side's. Respiratory flow can
// stop for seconds before a strain (an independent renderer: 0.7 s and more of zero flow right
// before it), so the window reaches back 4 s and asks for a fifth of it.
constexpr double kRestingWindowS = 4.0, kStrainMarginS = 0.05, kRestingShare = 0.2;
constexpr double kMinRestingFlowS = 0.4;
// ... and carries power: its side's median power there is at least this many noise units. A
// side's mean over its rows averages the noise to 1 within a few % (1.01-1.04 over a fourteenth-
// renderer clip's noise read as flow); a generated low-SNR resting flow read 1.19.
constexpr double kRestingFlowPower = 1.1;
// FlowResumes: half the columns between a reflux and the burst after it (a fifth, as for the
// resting flow, let the noise around the antegrade level count as flow: Valsalvas lost).
constexpr double kResumedShare = 0.5;
constexpr double kMinRestingS = 0.5;  // ... over at least this much data (the clip's start)
constexpr double kOneSidedRatio = 2.0;
constexpr double kStrainQuietShare = 0.9, kMinStrainS = 1.0;  // QuietToTheEnd
// SuppressMirrors: a side reading at least kMirrorExtentShare x the other side's velocity with
// 1 / kMirrorPowerRatio of its power or less is its mirror copy.
constexpr double kMirrorExtentShare = 0.5, kMirrorMaxExtent = 1.1, kMirrorPowerRatio = 10.0;
// SuppressArterialPulses (pulses.cpp): excursions above the side's floor (its kPulseFloorQuantile
// over kPulseFloorWindowS) by kPulseNoiseFactor noise velocities, lasting kPulseMinWidthS to
// kPulseMaxWidthS (a systole), at least kMinPulses of them at one period within the heart's
// range (kPulseMinPeriodS..kPulseMaxPeriodS: 40-150 beats per minute) to within
// kPulseJitterShare of it, of one height and width (within kPulseHeightSpread x and
// kPulseWidthSpread x), filling kPulseGridShare of the beat slots, and kPulseRhythmShare of the
// excursions of their height.
constexpr double kPulseFloorWindowS = 0.6, kPulseFloorQuantile = 0.2;
constexpr double kPulseNoiseFactor = 2.0;
constexpr double kPulseMinWidthS = 0.04, kPulseMaxWidthS = 0.3, kPulseJoinS = 0.1;
constexpr double kPulseBaseShare = 0.25;  // Candidates: a long excursion mostly this low is re-read
constexpr double kPulseMinPeriodS = 0.4, kPulseMaxPeriodS = 1.5, kPulseJitterShare = 0.1;
constexpr size_t kMinPulses = 4, kMaxPulseCandidates = 400;
constexpr double kMaxPulsesPerS = 5;    // BestRhythm: 150 beats per minute, each split in two
constexpr double kMinBeatColumns = 8;   // the shortest period's columns: a rhythm needs them
constexpr double kEmptySlotCost = 0.5;  // BestRhythm: a grid slot without a beat
constexpr double kPulseHeightSpread = 3.0, kPulseWidthSpread = 2.0;
constexpr double kPulseGridShare = 0.5, kPulseRhythmShare = 0.6;
constexpr double kMirrorJoinS = 0.04;     // SuppressMirrors: gaps joined within a copy
constexpr double kMirrorMinSpanS = 0.08;  // ... and a copy spans more than a thump's jerk
// SuppressFlashes: a run of columns with both sides at kScaleEdgeShare of their scales, at most
// kFlashMaxS long, with both sides under kFlashQuietShare of their scales within
// kFlashEdgeColumns columns before it and after it (it appears and goes at once).
constexpr double kFlashMaxS = 0.3, kFlashQuietShare = 0.5;
constexpr size_t kFlashEdgeColumns = 3;
// An augmentation (calf squeeze, cuff release) is a fast, strong burst; respiratory phasic flow
// is slow and modest. A burst counts when its flow rises from kRiseLowFraction to
// kRiseHighFraction of its plateau within kMaxRiseS (a squeeze's sin^2-like rise of <= 0.7 s
// takes <= 0.3 s between those levels; a respiratory crest of a 3-6 s period >= 0.5 s) and its
// plateau is at least kPeakOverMedian x the clip's quiet antegrade level (a squeeze
// multiplies the flow; docs/criteria.md "Maneuvers").
constexpr double kRiseLowFraction = 0.2;
constexpr double kRiseHighFraction = 0.8;
constexpr double kMaxRiseS = 0.4;
constexpr double kCrestEdgeS = 0.6;  // RespiratoryCrest
// RespiratoryCrest: a squeeze on a shelf rises by this share of its peak within kMaxRiseS. A
// smooth crest whose 20-80% rise takes over kCrestEdgeS rises at most ~0.42 of its peak in any
// kMaxRiseS (raised cosine; a linear ramp 0.40).
constexpr double kFastRiseShare = 0.5;
constexpr double kPeakOverMedian = 2.0;
// The peak's outlier filter (RobustPeak): window half-width, robust sigmas, minimum deviation.
constexpr double kPeakOutlierHalfS = 0.05;
constexpr double kPeakMeanHalfS = 0.02;  // RobustPeak: ~ one STFT window
constexpr double kPeakOutlierSigmas = 3.0;
constexpr double kPeakOutlierMinRows = 2.0;
// The trough before a run is looked for this far back: a respiratory crest's trough (half a
// period of 3-6 s before its peak) mostly lies inside, else the window starts far down its slow
// rise; a squeeze's dip is just before it.
constexpr double kTroughLookbackS = 2.0;
constexpr double kMaxTroughFraction = 0.5;  // a squeeze at least doubles the flow before it
// A squeeze on a rising shelf of resting flow rises this many times faster than the shelf did
// just before it (bursts.cpp, ShelfAccelerates).
constexpr double kShelfAcceleration = 3.0;
// The shape tests read the trace after a running mean of this length (on top of the 5-column
// median): envelope speckle of +-30% on weak phasic flow made single columns cross the 20% and
// 80% levels and a 1 s respiratory rise read as a 0.1 s one. A squeeze's 20-80% rise (<= 0.3 s)
// widens by < 0.05 s.
constexpr double kShapeSmoothS = 0.08;
constexpr double kBottomTolerance = 0.1;  // FallBottom
constexpr double kFallSearchS = 0.5;
constexpr double kWrapRows = 2;  // WrapSuspects
// The first pass of RetrogradeNoise reads the retrograde side over the bursts. Where one of them
// aliases, its wrap covers more of that side than the columns flagged aliased or at the scale
// limit (a dim squeeze's envelope falls short of the limit where it wraps), and the 90th
// percentile read the wrap: a squeeze's 17 cm/s wrap set a 10 cm/s level and hid a 13 cm/s,
// 900 ms reflux. The median there: on 11 generated sets (27-500 clips) classification gained 1-2
// clips on four and lost none, duration p95 30.9 -> 22.0 columns on one.
constexpr double kAliasedBurstNoisePercentile = 0.5;
// AliasingHidesTiming: a reflux whose unwrapped velocity exceeds its side's scale limit by this
// share for kMinClearWrapColumns aliased columns wrapped for certain; a broadened spectrum that
// only touches the edge re-enters by a few rows (its unwrapped velocity stays near the limit).
// 1.1 / 1.3 / 1.5 measured (stop 29, 36 runs): 1.1 also took blunt spectra touching their edge
// (ninth renderer set 1 -2 clips); 1.5 lost an eighth-renderer aliased reflux and 4 generated.
constexpr double kClearWrapShare = 1.3;
constexpr size_t kMinClearWrapColumns = 3;
// SuppressCoherentBands: a side whose texture, over kCoherentWindowS, is below this share of the
// clip's strongest flow's shows a coherent band (tissue clutter), not blood. Measured (stop 38,
// 12 runs): 0.15 / 0.2 / 0.3 gained 7 / 20 / 18 clips and lost 1 / 3 / 9 (slow, bright refluxes
// on tinted displays, whose log map leaves their speckle little range); a rule on reflux runs
// alone, the trace left as it was, gained 3 / 11 clips at 0.2 / 0.3 and lost 0 / 3.
constexpr double kCoherentTextureShare = 0.2;
constexpr double kCoherentWindowS = 0.1;  // 100 ms: a few analysis windows, no breath

}  // namespace refluxscan::reflux::detail
