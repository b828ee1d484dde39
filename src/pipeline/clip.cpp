#include "clip.h"

#include <chrono>
#include <filesystem>

#include "qa.h"
#include "refluxscan/core/text.h"
#include "refluxscan/dicom/read.h"
#include "refluxscan/ocr/burned_text.h"
#include "refluxscan/reflux/measure.h"
#include "refluxscan/spectral/envelope.h"
#include "refluxscan/spectral/signal.h"
#include "refluxscan/spectral/strip.h"

namespace refluxscan::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

StudyInfo StudyInfoFrom(const DicomTags& tags) {
  return {tags.study_instance_uid, tags.patient_id,        tags.patient_name,
          tags.study_date,         tags.study_description, tags.accession_number};
}

void MarkFailed(ClipResult& clip, Error error, std::string_view flag, std::string_view reason) {
  clip.status = ClipStatus::kError;
  clip.error = std::move(error);
  clip.finding = reflux::Indeterminate(reason);
  clip.quality.emplace_back(flag);
}

CalibrationSummary SummarizeCalibration(const UltrasoundRegion& region, const Spectrogram& s) {
  CalibrationSummary cal;
  cal.region_data_type = region.data_type;
  cal.region = region.Rect();
  cal.seconds_per_column = s.seconds_per_column;
  cal.velocity_step_per_row = s.velocity_step_per_row;
  cal.unit = s.unit;
  cal.baseline_row = s.BaselineRow();
  cal.velocity_top = s.velocity_top;
  cal.velocity_bottom = s.VelocityBottom();
  cal.doppler_angle_deg = region.doppler_correction_angle_deg;
  cal.prf_hz = region.pulse_repetition_frequency_hz;
  cal.transducer_frequency_hz = region.transducer_frequency_hz;
  cal.frame_index = s.frame_index;
  cal.frames_total = s.frames_total;
  cal.source = s.source;
  cal.warnings = s.warnings;
  cal.warnings.insert(cal.warnings.end(), region.warnings.begin(), region.warnings.end());
  cal.notes = s.notes;
  return cal;
}

// The raw signal beside a DICOM (same base name, .iq or .wav), when asked for and present.
std::optional<Result<Spectrogram>> SignalSpectrogram(const std::string& path,
                                                     const UltrasoundRegion& region) {
  namespace fs = std::filesystem;
  fs::path iq_path = fs::path(path).replace_extension(".iq");
  std::error_code ec;
  if (fs::is_regular_file(iq_path, ec)) {
    auto iq = spectral::ReadIqFile(iq_path.string());
    if (!iq) return std::unexpected(iq.error());
    return spectral::SpectrogramFromIq(*iq);
  }
  fs::path wav_path = fs::path(path).replace_extension(".wav");
  if (fs::is_regular_file(wav_path, ec)) {
    auto iq = spectral::ReadStereoWav(wav_path.string(), region.transducer_frequency_hz.value_or(0),
                                      region.doppler_correction_angle_deg.value_or(0));
    if (!iq) return std::unexpected(iq.error());
    return spectral::SpectrogramFromIq(*iq);
  }
  return std::nullopt;
}

// A sweeping display whose current sweep shows no maneuver: the previous sweep beyond its erase
// bar (or cursor), masked as older data, is still this recording of this vein, and a blank band
// in one continuous recording looks the same where nothing tells the two apart (the strip's
// ends as alike as the columns across the band: GoesOnAcross). So the strip is read again from
// that part alone (the current sweep masked: the two meet at the bar seconds apart); the new
// reading replaces the first only when it finds a maneuver. (An
// eleventh independent renderer's bars are bands: in 5 of its clips the only maneuver lay
// beyond one, `no_augmentation`.)
// Returns whether it replaced the reading.
bool ReadPreviousSweep(const UltrasoundImage& image, const UltrasoundRegion& region,
                       const reflux::RefluxOptions& reflux_options, StageTimes& times,
                       Spectrogram& spectrogram, Envelope& envelope,
                       RefluxMeasurement& measurement) {
  auto start = Clock::now();
  Result<Spectrogram> whole =
      spectral::SpectrogramFromDisplay(image, region, {.read_previous_sweep = true});
  times.strip_s += SecondsSince(start);
  if (!whole) return false;
  start = Clock::now();
  Result<Envelope> whole_envelope = spectral::EstimateEnvelope(*whole);
  times.envelope_s += SecondsSince(start);
  if (!whole_envelope) return false;
  start = Clock::now();
  Result<RefluxMeasurement> whole_measurement =
      reflux::MeasureReflux(*whole_envelope, reflux_options);
  times.reflux_s += SecondsSince(start);
  if (!whole_measurement || whole_measurement->maneuvers.empty()) return false;
  spectrogram = std::move(*whole);
  envelope = std::move(*whole_envelope);
  measurement = std::move(*whole_measurement);
  return true;
}

// The clip's calibration summary with how the pixels were read (a relabelled colour model, a
// retired SOP class) and a signal file not used, as notes shown in the reports.
void SetCalibration(const UltrasoundImage& image, const UltrasoundRegion& region,
                    const Spectrogram& spectrogram, const std::string& signal_problem,
                    ClipResult& clip) {
  clip.calibration = SummarizeCalibration(region, spectrogram);
  for (const std::string& w : image.warnings) clip.calibration->notes.push_back(w);
  if (!signal_problem.empty()) clip.calibration->notes.push_back(signal_problem);
}

// Strip -> envelope -> reflux -> classification, filling `out`. Returns the envelope.
void MeasureStrip(const UltrasoundImage& image, const UltrasoundRegion& region,
                  const ClipContext& context, ClipOutcome& out) {
  ClipResult& clip = out.result;
  auto start = Clock::now();
  Result<Spectrogram> spectrogram = spectral::SpectrogramFromDisplay(image, region);
  std::string signal_problem;  // a signal file that could not be used: the display serves
  if (context.source == SignalSource::kAuto) {
    if (auto from_signal = SignalSpectrogram(image.path, region)) {
      if (*from_signal) {
        spectrogram = std::move(*from_signal);
      } else {
        signal_problem = "raw signal beside the file not used (" +
                         SanitizeForLog(from_signal->error().message, 200) +
                         "): the display strip was measured";
      }
    }
  }
  out.times.strip_s += SecondsSince(start);
  if (!spectrogram) {
    const bool no_calibration = spectrogram.error().code == ErrorCode::kNotFound;
    MarkFailed(clip, spectrogram.error(), no_calibration ? "calibration_missing" : "decode_error",
               no_calibration ? reflux::kReasonNoCalibration : reflux::kReasonError);
    return;
  }
  SetCalibration(image, region, *spectrogram, signal_problem, clip);
  clip.clip_duration_s = spectrogram->Columns() * spectrogram->seconds_per_column;

  start = Clock::now();
  Result<Envelope> envelope = spectral::EstimateEnvelope(*spectrogram);
  out.times.envelope_s += SecondsSince(start);
  if (!envelope) {
    MarkFailed(clip, envelope.error(), "weak_signal", reflux::kReasonError);
    return;
  }

  start = Clock::now();
  const study::ManifestEntry* row = study::FindManifestEntry(context.manifest, image.path);
  // A manifest row's choice wins for its clip (a direction, or "infer"); else the run's.
  const bool row_decides = row != nullptr && (row->antegrade || row->antegrade_inferred);
  const reflux::RefluxOptions reflux_options{.antegrade_override =
                                                 row_decides ? row->antegrade : context.antegrade};
  Result<RefluxMeasurement> measurement = reflux::MeasureReflux(*envelope, reflux_options);
  out.times.reflux_s += SecondsSince(start);
  if (measurement && measurement->maneuvers.empty() && spectrogram->previous_sweep_columns > 0 &&
      ReadPreviousSweep(image, region, reflux_options, out.times, *spectrogram, *envelope,
                        *measurement)) {
    SetCalibration(image, region, *spectrogram, signal_problem, clip);
  }
  start = Clock::now();
  if (measurement) {
    clip.measurement = *measurement;
    clip.finding =
        reflux::ClassifyVeinClass(*measurement, clip.identity.vein_class, *context.criteria);
  }
  out.times.reflux_s += SecondsSince(start);
  if (!measurement) {
    MarkFailed(clip, measurement.error(), "no_augmentation", reflux::kReasonError);
    return;
  }

  for (std::string& flag : QualityFlags(clip, &*envelope)) clip.quality.push_back(std::move(flag));
  if (context.keep_evidence && !image.frames.empty()) {
    // The strip as the scanner showed it, also when the raw signal was measured (then without
    // the envelopes: their time axis is the signal's, not the display's columns).
    const cv::Mat& frame = image.frames.back();
    const cv::Rect rect = region.Rect() & cv::Rect(0, 0, frame.cols, frame.rows);
    if (rect.empty()) return;
    clip.strip_bgr = frame(rect).clone();
    if (spectrogram->source != SpectrogramSource::kDisplay) return;
    // Velocity at the strip's displayed row 0 and per displayed row: a display whose velocity
    // grows downward (DeltaY > 0) was flipped into the canonical orientation; undo that here.
    const bool flipped = region.delta_y > 0;
    clip.strip_velocity_top = flipped ? spectrogram->VelocityBottom() : spectrogram->velocity_top;
    clip.strip_velocity_step_per_row =
        flipped ? -spectrogram->velocity_step_per_row : spectrogram->velocity_step_per_row;
    clip.envelope = std::move(*envelope);
  }
}

// A clip whose manifest row, tags and file name named no segment: the label burned into its
// last frame, read by OCR outside the spectral strips (their noise and scale read as glyphs).
// The OCR being unavailable (no English data) leaves the clip as it was: a fallback source.
void ReadBurnedInLabel(const UltrasoundImage& image, ClipResult& clip) {
  if (clip.identity.segment || image.frames.empty()) return;
  std::vector<cv::Rect> strips;
  for (const UltrasoundRegion* region : image.SpectralRegions()) strips.push_back(region->Rect());
  const cv::Mat& frame = image.frames.back();
  // The coloured strokes alone, when the bright strokes gave no segment: a label drawn in colour
  // over the B-mode image, whose speckle is as bright as its glyphs (fifteenth independent
  // renderer: yellow labels over the image read as noise).
  for (const ocr::Strokes strokes : {ocr::Strokes::kBright, ocr::Strokes::kColoured}) {
    if (strokes == ocr::Strokes::kColoured && frame.channels() == 1) return;
    const auto lines = ocr::ReadBurnedText(frame, strips, strokes);
    if (!lines) return;
    std::vector<std::string> sure, unsure;
    for (const ocr::TextLine& line : *lines) {
      (line.confidence >= ocr::kSureConfidence ? sure : unsure).push_back(line.text);
    }
    clip.identity = study::WithBurnedInLabel(std::move(clip.identity), sure, image.tags, unsure);
    if (clip.identity.segment) return;
  }
}

}  // namespace

ClipOutcome AnalyzeImage(UltrasoundImage image, const ClipContext& context) {
  ClipOutcome out;
  ClipResult& clip = out.result;
  clip.file = image.path;
  clip.sop_instance_uid = image.tags.sop_instance_uid;
  clip.series_description = image.tags.series_description;
  clip.identity = study::IdentifySegment(image.path, image.tags, context.manifest);
  out.study = StudyInfoFrom(image.tags);
  if (context.decode_only) return out;

  const std::vector<const UltrasoundRegion*> spectral_regions = image.SpectralRegions();
  if (spectral_regions.empty()) {  // a B-mode or colour image of the study: nothing to measure
    MarkFailed(
        clip,
        Error{ErrorCode::kNotFound, "no spectral Doppler region: " + image.NoSpectralReason()},
        "not_spectral", reflux::kReasonNotSpectral);
    clip.status = ClipStatus::kSkipped;
    return out;
  }
  if (context.read_burned_labels) {  // spectral clips only
    const auto start = Clock::now();
    ReadBurnedInLabel(image, clip);
    out.times.ocr_s += SecondsSince(start);
  }
  MeasureStrip(image, *spectral_regions.front(), context, out);
  if (clip.status == ClipStatus::kError) {
    for (std::string& flag : QualityFlags(clip, nullptr)) clip.quality.push_back(std::move(flag));
  }
  return out;
}

ClipOutcome AnalyzeClip(const std::string& path, const ClipContext& context) {
  const auto start = Clock::now();
  Result<UltrasoundImage> image = dicom::ReadUltrasound(
      path, {.frames = context.decode_all_frames ? dicom::FrameSelection::kAll
                                                 : dicom::FrameSelection::kLast});
  const double read_s = SecondsSince(start);
  if (!image) {
    // The pixels could not be decoded; the header may still say what the file is. An image
    // (it has Rows and Columns) without a spectral region (a colour-flow frame in a codec we lack)
    // is skipped as when decoded; anything else fails, keeping its study, UID and label.
    // Not in --decode-only, which exists to check decoding: there a file that does not decode
    // is a failure whatever it holds.
    const bool retry = image.error().code != ErrorCode::kIo && !context.decode_only;
    auto header = retry ? dicom::ReadUltrasound(path, {.frames = dicom::FrameSelection::kNone})
                        : Result<UltrasoundImage>(std::unexpected(image.error()));
    const bool is_image = header && header->rows > 0 && header->columns > 0;
    if (is_image && header->SpectralRegions().empty()) {
      ClipOutcome out = AnalyzeImage(std::move(*header), context);
      if (out.result.error) {  // say it did not decode either: it may be corrupt, not B-mode
        out.result.error->message +=
            "; its pixels could not be decoded (" + image.error().message + ")";
      }
      out.times.read_decode_s += SecondsSince(start);
      return out;
    }
    ClipOutcome out;
    out.result.file = path;
    const DicomTags tags = header ? header->tags : DicomTags{};
    out.result.sop_instance_uid = tags.sop_instance_uid;
    out.result.series_description = tags.series_description;
    out.result.identity = study::IdentifySegment(path, tags, context.manifest);
    if (header) out.study = StudyInfoFrom(tags);
    MarkFailed(out.result, image.error(), "decode_error", reflux::kReasonError);
    out.times.read_decode_s = SecondsSince(start);
    return out;
  }
  ClipOutcome out = AnalyzeImage(std::move(*image), context);
  out.times.read_decode_s += read_s;
  return out;
}

}  // namespace refluxscan::pipeline
