#pragma once
// One file through every stage: read -> locate strip -> spectrogram -> envelope -> reflux ->
// classify -> QA flags. Private to the pipeline module.
#include <optional>
#include <string>

#include "refluxscan/core/study_report.h"
#include "refluxscan/core/ultrasound.h"
#include "refluxscan/pipeline/analyze.h"
#include "refluxscan/reflux/criteria.h"
#include "refluxscan/study/identify.h"

namespace refluxscan::pipeline {

struct ClipContext {
  const study::Manifest* manifest = nullptr;
  const reflux::Criteria* criteria = nullptr;
  SignalSource source = SignalSource::kDisplay;
  std::optional<AntegradeDirection> antegrade;  // run-wide override (a manifest row's wins)
  bool decode_only = false;
  bool decode_all_frames = false;  // with decode_only (AnalyzeOptions::decode_all_frames)
  bool keep_evidence = true;       // keep strip image + envelope for the HTML report
  bool read_burned_labels = true;  // AnalyzeOptions::read_burned_labels
};

struct ClipOutcome {
  ClipResult result;
  StudyInfo study;  // from the file's header (raw, untrusted)
  StageTimes times;
};

// Never fails: errors become ClipResult::status = kError with the error value.
ClipOutcome AnalyzeClip(const std::string& path, const ClipContext& context);

// Analysis of an already-read image (used by AnalyzeClip and the evaluation commands).
ClipOutcome AnalyzeImage(UltrasoundImage image, const ClipContext& context);

}  // namespace refluxscan::pipeline
