#pragma once
// Private helpers shared by the report writers (JSON, CSV, HTML). Not part of the public API.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "refluxscan/core/study_report.h"

namespace refluxscan::report::detail {

// nullopt for NaN/Inf: the reports never print a non-finite number.
std::optional<double> Finite(double value);
std::optional<double> Finite(const std::optional<double>& value);
// Rounds to a multiple of `step` (e.g. 0.1 for ms, 0.01 for cm/s); non-finite -> nullopt.
std::optional<double> Rounded(const std::optional<double>& value, double step);
// Fixed-point text with `decimals` digits, "" for nullopt/non-finite. "-0.0" is printed as "0.0".
std::string Fixed(const std::optional<double>& value, int decimals);
// The reflux condition as the criteria state it: "> 500" or "\u2265 500" (inclusive), "" without
// a threshold.
std::string ThresholdCondition(const ClassifiedFinding& f);
// Appends v as printf's "%.2f" (and std::to_chars(fixed, 2)) prints it, "-0.00" and "nan"
// included: the SVG polylines' numbers (~2 a strip column).
void AppendFixed2(std::string& out, double v);
// Like Fixed with an explicit sign ("+12.5", "-3.0") for margins.
std::string SignedFixed(const std::optional<double>& value, int decimals);

// Clip-level summaries over all maneuvers (nullopt when no maneuver shows reflux / no maneuver).
std::optional<double> LongestRefluxMs(const ClipResult& clip);
// Whether that reflux time is a lower bound: the longest reflux ran into the end of the clip
// (shown "≥ N ms" wherever the time is shown). For a segment: its decisive clip's.
bool RefluxIsLowerBound(const ClipResult& clip);
bool RefluxIsLowerBound(const StudyReport& r, const SegmentFinding& s);
// Whether the segment's decisive clip carries the QA flag near_threshold: its reflux time is
// within reading error of the threshold (shown "borderline" beside the classification).
bool IsBorderline(const StudyReport& r, const SegmentFinding& s);
std::optional<double> PeakRefluxCmS(const ClipResult& clip);
std::optional<double> PeakAntegradeCmS(const ClipResult& clip);

// The canonical name of the clip's segment and its vein class, or nullopt when unknown.
std::optional<std::string_view> SegmentName(const ClipResult& clip);
std::optional<std::string_view> VeinClassOf(const ClipResult& clip);
// "GSV prox thigh" style short label for maps and tables.
std::string ShortSegmentLabel(Segment segment);
// What a reader calls the clip's level: "GSV prox thigh", "unknown segment (superficial vein)"
// when a label named only the vein, or "unknown segment". Not escaped.
std::string SegmentLabelOf(const SegmentId& id);
// A QA flag as words for the HTML ("short_after_release" -> "short after release"): the code
// itself reads as jargon to a sonographer; it stays in the element's data-flag.
std::string FlagWords(std::string_view flag);

// Clip indices in reading order: right leg then left leg, each proximal to distal, then clips of
// unknown laterality or segment, ties kept in input order.
std::vector<size_t> ClipDisplayOrder(const StudyReport& report);
// Segment findings in the same order (right, then left, anatomical order within each leg).
std::vector<const SegmentFinding*> SegmentsInOrder(const StudyReport& report, Laterality side);

// A human-readable explanation of a known QA flag, or "" for an unknown flag.
std::string_view QualityFlagDescription(std::string_view flag);
// A human-readable explanation of a known indeterminate reason, or "".
std::string_view ReasonDescription(std::string_view reason);

// RFC 4648 base64 of `bytes`.
std::string Base64(std::span<const unsigned char> bytes);
// "data:image/jpeg;base64,..." of an 8-bit gray, BGR or BGRA image; "" when empty, of another
// type, or when encoding fails.
std::string ImageDataUri(const cv::Mat& image);
// Appends RFC 4648 base64 of `bytes` to `out`.
void AppendBase64(std::string& out, std::span<const unsigned char> bytes);
// Appends ImageDataUri(image) to `out` (without a copy of the URI); false (nothing appended) when
// ImageDataUri would be "".
bool AppendImageDataUri(std::string& out, const cv::Mat& image);

// True when every required level is present and measurable.
bool ProtocolComplete(const ProtocolCompleteness& protocol);
// Whether the study's protocol is assessed at all: it holds a spectral Doppler clip (analysed, or
// failed while being one). A folder of B-mode, echo or OB images is no reflux study.
bool ProtocolAssessed(const StudyReport& report);

// HTML fragments (html_*.cpp).
std::string LegMapSvg(const StudyReport& report);
std::string ClipCardHtml(const StudyReport& report, size_t clip_index);
// Appends ClipCardHtml(report, clip_index) to `out` (the strip's data URI written in place).
void AppendClipCardHtml(std::string& out, const StudyReport& report, size_t clip_index);
std::string_view HtmlStyle();

}  // namespace refluxscan::report::detail
