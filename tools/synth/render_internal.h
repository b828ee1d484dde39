#pragma once
// Private helpers shared by render.cpp and compose.cpp.
#include <opencv2/core.hpp>

#include "synth/render.h"

namespace refluxscan::synth {

// The strip as BGR with its in-strip decorations (baseline, ECG, overlay text, erase bar).
cv::Mat StripBgrForFrames(const cv::Mat1f& intensity, const DisplaySpec& d, const SignalSpec& s);
// Scale ticks/labels beside the strip and one-second marks below it.
void DrawScaleAndTime(cv::Mat& img, const DisplaySpec& d, const SignalSpec& s);

}  // namespace refluxscan::synth
