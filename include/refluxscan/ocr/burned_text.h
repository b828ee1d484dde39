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

// One line of burned-in text and how sure the OCR is of it (Tesseract's 0-100).
struct TextLine {
  std::string text;
  float confidence = 0;
};
// Lines read at kSureConfidence or more are text; below it, down to kUnsureConfidence, speckle read
// as glyphs and text on a busy background (a label over B-mode speckle) overlap, so a caller takes
// those only with more evidence (study::WithBurnedInLabel: the line alone names a side and a
// segment). Lower ones are dropped here: a generated B-mode's speckle read "vf ie" at 37.
inline constexpr float kSureConfidence = 60;
inline constexpr float kUnsureConfidence = 45;

// Which strokes a reading keeps: every bright pixel, or only the coloured ones (kColoured: a
// channel spread of kColouredSpread or more), which lifts yellow, green or cyan annotation off a
// gray B-mode image whose speckle is as bright as the text (a colour frame only; a gray frame
// reads nothing that way).
enum class Strokes { kBright, kColoured };
inline constexpr int kColouredSpread = 80;

// The text lines read from `frame` (8-bit gray or BGR), with the `exclude` rectangles (the
// spectral strip: its noise and scale read as glyphs) blanked first. Bright pixels (the
// annotation's white or coloured strokes) are kept as dark text on white, the rest dropped, and
// the image is read at three times its size with sparse-text layout. Lines read with less than
// kUnsureConfidence are dropped, the rest trimmed, and the OCR's l / I / i / 1 confusions in side
// words ("It." for "lt.") undone.
// Thread-safe: one engine per thread, started on its first use. Errors: kUnsupported when the
// OCR engine or its English data is missing, kInvalidInput for an empty or non-8-bit frame.
// `strokes`: every bright pixel (the default) or the coloured ones alone (Strokes).
Result<std::vector<TextLine>> ReadBurnedText(const cv::Mat& frame,
                                             const std::vector<cv::Rect>& exclude,
                                             Strokes strokes = Strokes::kBright);

// The word-level corrections ReadBurnedText applies to one line (exposed for tests).
std::string UndoSideConfusions(const std::string& line);

}  // namespace refluxscan::ocr
