#pragma once
// Text burned into an ultrasound frame's pixels (the sonographer's on-screen annotation, a
// header): read by OCR (Tesseract, confined to this module) as a fallback label source when the
// manifest, the DICOM tags and the file name name no segment (docs/segments.md, "Burned-in
// labels").
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/error.h"

namespace refluxscan::ocr {

// The text lines read from `frame` (8-bit gray or BGR), with the `exclude` rectangles (the
// spectral strip: its noise and scale read as glyphs) blanked first. Bright pixels (the
// annotation's white or coloured strokes) are kept as dark text on white, the rest dropped, and
// the image is read at three times its size with sparse-text layout. Lines the OCR is less than
// 60% sure of (speckle read as glyphs) are dropped, the rest trimmed, and the OCR's l / I / i / 1
// confusions in side words ("It." for "lt.") undone.
// Thread-safe: one engine per thread, started on its first use. Errors: kUnsupported when the
// OCR engine or its English data is missing, kInvalidInput for an empty or non-8-bit frame.
Result<std::vector<std::string>> ReadBurnedText(const cv::Mat& frame,
                                                const std::vector<cv::Rect>& exclude);

// The word-level corrections ReadBurnedText applies to one line (exposed for tests).
std::string UndoSideConfusions(const std::string& line);

}  // namespace refluxscan::ocr
