// One clip in report.html: the spectral strip as the scanner showed it with the analysis drawn
// over it in the strip's own pixel coordinates, and the numbers beside it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "refluxscan/core/text.h"
#include "report/internal.h"

namespace refluxscan::report::detail {
namespace {

std::string Num(double v) {
  std::string out;
  AppendFixed2(out, v);
  return out;
}

std::string Esc(std::string_view s) { return EscapeHtml(s); }

// Maps strip time and velocity to strip pixels. Invalid (all zero) when the clip lacks the data.
struct StripFrame {
  double t0_s = 0, seconds_per_column = 0;    // column x <-> time
  double velocity_top = 0, step_per_row = 0;  // row = (top - v) / step
  bool HasTime() const { return std::isfinite(seconds_per_column) && seconds_per_column > 0; }
  bool HasVelocity() const { return std::isfinite(step_per_row) && step_per_row != 0; }
  double X(double t_s) const { return (t_s - t0_s) / seconds_per_column; }
  double Row(double v) const { return (velocity_top - v) / step_per_row; }
};

// Whether the measurement came from the strip shown (else from the raw signal beside the file:
// its time axis is not the display's columns, so nothing is drawn over the display).
bool MeasuredOnStrip(const ClipResult& clip) {
  return !clip.calibration || clip.calibration->source == SpectrogramSource::kDisplay;
}

StripFrame FrameOf(const ClipResult& clip) {
  StripFrame f;
  if (!MeasuredOnStrip(clip)) return f;
  if (clip.envelope) {
    f.t0_s = clip.envelope->t0_s;
    f.seconds_per_column = clip.envelope->seconds_per_column;
  } else if (clip.calibration) {
    f.seconds_per_column = clip.calibration->seconds_per_column;
  }
  f.velocity_top = clip.strip_velocity_top;
  f.step_per_row = clip.strip_velocity_step_per_row;
  return f;
}

// Polylines of one envelope side (sign +1: positive velocities, -1: negative), split at masked
// or non-finite columns so gaps stay visible instead of being bridged. An unwrapped velocity
// beyond the scale (aliasing read through the wrap) is drawn where the display shows it, wrapped
// round by the scale's span, as a dashed line of its own: the reader sees which band was taken
// for the wrap.
std::string EnvelopeLines(const Envelope& env, const StripFrame& f, int rows, double sign,
                          const std::vector<float>& values, std::string_view css_class) {
  std::string out, points, wrapped;
  auto flush = [&](std::string& p, std::string_view extra) {
    if (p.find(' ') != std::string::npos) {
      out += "<polyline class=\"" + std::string(css_class) + std::string(extra) + "\" points=\"" +
             p + "\"/>";
    }
    p.clear();
  };
  auto append = [](std::string& p, size_t x, double y) {
    if (!p.empty()) p.push_back(' ');
    AppendFixed2(p, static_cast<double>(x));
    p.push_back(',');
    AppendFixed2(p, y);
  };
  for (size_t i = 0; i < values.size(); ++i) {
    const uint8_t flags = i < env.flags.size() ? env.flags[i] : 0;
    const double row = f.Row(sign * values[i]);
    if ((flags & kColumnMasked) || !std::isfinite(row)) {
      flush(points, ""), flush(wrapped, " wrapped");
      continue;
    }
    const bool off_strip = rows > 0 && (row < 0 || row > rows);
    if ((flags & kColumnUnwrapped) && off_strip) {
      flush(points, "");
      append(wrapped, i, row < 0 ? row + rows : row - rows);
      continue;
    }
    flush(wrapped, " wrapped");
    append(points, i, row);
  }
  flush(points, ""), flush(wrapped, " wrapped");
  return out;
}

// Runs [begin, end) of the envelope's columns carrying `flag`.
std::vector<std::pair<size_t, size_t>> FlaggedRuns(const Envelope& env, uint8_t flag) {
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t i = 0; i < env.flags.size();) {
    if (!(env.flags[i] & flag)) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < env.flags.size() && (env.flags[end] & flag)) ++end;
    runs.emplace_back(i, end);
    i = end;
  }
  return runs;
}

// Whether the strip shown carries the clip's envelope and some of its columns `flag`.
bool HasFlaggedColumns(const ClipResult& clip, uint8_t flag) {
  return clip.envelope && MeasuredOnStrip(clip) &&
         std::any_of(clip.envelope->flags.begin(), clip.envelope->flags.end(),
                     [flag](uint8_t f) { return (f & flag) != 0; });
}

// Runs of aliased columns (the flow passed the scale's limit and wrapped round): marked along
// both edges of the strip, where the wrap crosses.
std::string AliasedColumns(const Envelope& env, int rows) {
  std::string out;
  for (const auto& [begin, end] : FlaggedRuns(env, kColumnAliased)) {
    for (const int y : {0, std::max(0, rows - 3)}) {
      out += "<rect class=\"aliased\" x=\"" + std::to_string(begin) + "\" y=\"" +
             std::to_string(y) + "\" width=\"" + std::to_string(end - begin) + "\" height=\"3\"/>";
    }
  }
  return out;
}

// Runs of columns with no usable spectrum (an erase bar and the previous sweep beyond it, blank
// columns, masked scale labels): shaded, so that stale flow there is not read as this recording.
std::string MaskedColumns(const Envelope& env, int rows) {
  std::string out;
  for (const auto& [begin, end] : FlaggedRuns(env, kColumnMasked)) {
    out += "<rect class=\"masked\" x=\"" + std::to_string(begin) + "\" y=\"0\" width=\"" +
           std::to_string(end - begin) + "\" height=\"" + std::to_string(rows) + "\"/>";
  }
  return out;
}

// The pulses at the heart's rhythm the measurement bridged over (an artery's beats, or pulsatile
// venous flow): shaded, so that the spikes there are seen not to have been read as venous flow.
std::string ArterialBeats(const RefluxMeasurement& m, const StripFrame& f, int rows) {
  std::string out;
  for (const auto& [begin_s, end_s] : m.cardiac_pulses_s) {
    const double x0 = f.X(begin_s), x1 = f.X(end_s);
    if (!std::isfinite(x0) || !std::isfinite(x1) || x1 < x0) continue;
    out += "<rect class=\"beat\" x=\"" + Num(x0) + "\" y=\"0\" width=\"" + Num(x1 - x0) +
           "\" height=\"" + std::to_string(rows) + "\"/>";
  }
  return out;
}

std::string ManeuverMarks(const RefluxMeasurement& m, const StripFrame& f, int rows) {
  std::string out;
  for (const Maneuver& man : m.maneuvers) {
    if (man.has_reflux && man.reflux_onset_s && man.reflux_offset_s) {
      const double x0 = f.X(*man.reflux_onset_s), x1 = f.X(*man.reflux_offset_s);
      if (std::isfinite(x0) && std::isfinite(x1) && x1 >= x0) {
        out += "<rect class=\"reflux-band\" x=\"" + Num(x0) + "\" y=\"0\" width=\"" + Num(x1 - x0) +
               "\" height=\"" + std::to_string(rows) + "\"/>";
      }
    }
    const double xr = f.X(man.release_s);
    if (std::isfinite(xr)) {
      out += "<line class=\"release\" x1=\"" + Num(xr) + "\" y1=\"0\" x2=\"" + Num(xr) +
             "\" y2=\"" + std::to_string(rows) + "\"/>";
    }
  }
  return out;
}

// HTML labels positioned in percent over the strip (SVG text would be distorted by scaling).
std::string BandLabels(const RefluxMeasurement& m, const StripFrame& f, int cols) {
  std::string out;
  for (const Maneuver& man : m.maneuvers) {
    if (!man.has_reflux || !man.reflux_onset_s || !man.reflux_offset_s) continue;
    const double mid = (f.X(*man.reflux_onset_s) + f.X(*man.reflux_offset_s)) / 2;
    if (!std::isfinite(mid) || cols <= 0) continue;
    const double pct = std::clamp(100.0 * mid / cols, 7.0, 93.0);
    out += "<span class=\"band-label\" style=\"left:" + Num(pct) + "%\">" +
           (man.truncated ? "\u2265 " : "") + Fixed(man.reflux_duration_ms, 0) + " ms</span>";
  }
  return out;
}

// A "nice" tick spacing (1, 2 or 5 x 10^k) giving at most `max_ticks` ticks over `range`.
double TickStep(double range, int max_ticks) {
  if (!(range > 0) || max_ticks < 1) return 0;
  const double raw = range / max_ticks;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= raw) return m * decade;
  }
  return 10 * decade;
}

// Ticks `step` apart inside [lo, hi] (multiples of the step, so 0 is one when in range).
std::vector<double> Ticks(double lo, double hi, double step) {
  std::vector<double> out;
  if (!(step > 0) || !(hi > lo)) return out;
  for (double k = std::ceil(lo / step); k * step <= hi && out.size() < 64; ++k) {
    out.push_back(k * step);
  }
  return out;
}

constexpr int kMaxTimeTicks = 14, kMaxVelocityTicks = 6;
// Strip pixels per tick at least (a narrow or short strip gets fewer ticks, none below two).
constexpr int kTimeTickSpacingPixels = 45, kVelocityTickSpacingPixels = 35;
constexpr int kTickPixels = 6;  // tick length in strip pixels

// One axis: the tick spacing and the tick values, in seconds or in the velocity unit.
struct Axis {
  double step = 0;
  std::vector<double> ticks;
};

// The strip's time axis (seconds on the clip's time base, the one release_s and the reflux onset
// use) and velocity axis (the scale from the bottom row to the top one, whichever way up).
Axis TimeAxis(const StripFrame& f, int cols) {
  const int max_ticks = std::min(kMaxTimeTicks, cols / kTimeTickSpacingPixels);
  if (!f.HasTime() || max_ticks < 2) return {};
  const double t1 = f.t0_s + cols * f.seconds_per_column;
  const double step = TickStep(t1 - f.t0_s, max_ticks);
  return {step, Ticks(f.t0_s, t1, step)};
}

Axis VelocityAxis(const StripFrame& f, int rows) {
  const int max_ticks = std::min(kMaxVelocityTicks, rows / kVelocityTickSpacingPixels);
  if (!f.HasVelocity() || max_ticks < 2) return {};
  const double v_top = f.velocity_top, v_bottom = f.velocity_top - rows * f.step_per_row;
  const double lo = std::min(v_top, v_bottom), hi = std::max(v_top, v_bottom);
  const double step = TickStep(hi - lo, max_ticks);
  return {step, Ticks(lo, hi, step)};
}

// The strip's axes as SVG tick marks: time along its bottom edge, velocity along its left edge,
// so a reader can check an interval or a velocity against the image (tester, stop 35: a 486 ms
// "no reflux" against 500 ms could not be checked by eye). The labels are HTML (AxisLabels).
std::string AxisTicks(const StripFrame& f, int cols, int rows) {
  std::string out;
  for (const double t : TimeAxis(f, cols).ticks) {
    const std::string x = Num(f.X(t));
    out += "<line class=\"tick\" x1=\"" + x + "\" y1=\"" + std::to_string(rows - kTickPixels) +
           "\" x2=\"" + x + "\" y2=\"" + std::to_string(rows) + "\"/>";
  }
  for (const double v : VelocityAxis(f, rows).ticks) {
    const std::string y = Num(f.Row(v));
    out += "<line class=\"tick\" x1=\"0\" y1=\"" + y + "\" x2=\"" + std::to_string(kTickPixels) +
           "\" y2=\"" + y + "\"/>";
  }
  return out;
}

// A tick value as text: no trailing zeros ("0.5", "2", "-20").
std::string TickText(double v, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return Fixed(std::abs(v) < 1e-9 ? 0.0 : v, decimals);
}

// The tick labels, positioned in percent over the strip like the band labels; a label at the very
// edge would be cut off. The unit on the last time label and the top-most velocity label.
std::string AxisLabels(const StripFrame& f, int cols, int rows, std::string_view unit) {
  std::string out;
  if (cols <= 0 || rows <= 0) return out;
  const Axis time = TimeAxis(f, cols);
  std::vector<std::pair<double, double>> shown;  // (percent from the left, time)
  for (const double t : time.ticks) {
    const double pct = 100.0 * f.X(t) / cols;
    if (pct >= 2 && pct <= 97) shown.emplace_back(pct, t);
  }
  for (size_t i = 0; i < shown.size(); ++i) {
    out += "<span class=\"tick-label t\" style=\"left:" + Num(shown[i].first) + "%\">" +
           TickText(shown[i].second, time.step) + (i + 1 == shown.size() ? " s" : "") + "</span>";
  }
  const Axis velocity = VelocityAxis(f, rows);
  shown.clear();  // (percent from the top, value)
  for (const double v : velocity.ticks) {
    const double pct = 100.0 * f.Row(v) / rows;
    if (pct >= 3 && pct <= 94) shown.emplace_back(pct, v);
  }
  std::sort(shown.begin(), shown.end());
  for (size_t i = 0; i < shown.size(); ++i) {
    out += "<span class=\"tick-label v\" style=\"top:" + Num(shown[i].first) + "%\">" +
           TickText(shown[i].second, velocity.step) + (i == 0 ? " " + std::string(unit) : "") +
           "</span>";
  }
  return out;
}

std::string StripOverlay(const ClipResult& clip) {
  const cv::Mat& strip = clip.strip_bgr;
  const StripFrame f = FrameOf(clip);
  std::string svg = "<svg class=\"overlay\" viewBox=\"0 0 " + std::to_string(strip.cols) + " " +
                    std::to_string(strip.rows) +
                    "\" preserveAspectRatio=\"none\" "
                    "xmlns=\"http://www.w3.org/2000/svg\" aria-hidden=\"true\">";
  const bool up = !clip.measurement || clip.measurement->antegrade == AntegradeDirection::kUp;
  if (clip.envelope && MeasuredOnStrip(clip)) {
    svg += MaskedColumns(*clip.envelope, strip.rows);
    svg += AliasedColumns(*clip.envelope, strip.rows);
  }
  if (clip.measurement && f.HasTime()) {
    svg += ArterialBeats(*clip.measurement, f, strip.rows);
    svg += ManeuverMarks(*clip.measurement, f, strip.rows);
  }
  if (MeasuredOnStrip(clip)) svg += AxisTicks(f, strip.cols, strip.rows);
  if (f.HasVelocity()) {
    const double base = f.Row(0);
    svg += "<line class=\"baseline\" x1=\"0\" y1=\"" + Num(base) + "\" x2=\"" +
           std::to_string(strip.cols) + "\" y2=\"" + Num(base) + "\"/>";
    if (clip.envelope) {
      const Envelope& env = *clip.envelope;
      svg += EnvelopeLines(env, f, strip.rows, 1.0, env.max_forward,
                           up ? "env antegrade" : "env retrograde");
      svg += EnvelopeLines(env, f, strip.rows, -1.0, env.max_reverse,
                           up ? "env retrograde" : "env antegrade");
    }
  }
  return svg + "</svg>";
}

// Appends the strip figure to `out`: the data URI (most of the page's bytes) is written into the
// page in place, not built apart and copied.
void AppendStripFigure(std::string& out, const ClipResult& clip) {
  const size_t start = out.size();
  // Retrograde intervals of a clip that is not `reflux` (a valve closing, a reflux under the
  // threshold) are drawn grey: red on the strip reads as pathology.
  const bool reflux = clip.finding.classification == Classification::kReflux;
  out += reflux ? "<figure class=\"strip\">" : "<figure class=\"strip not-reflux\">";
  out +=
      "<div class=\"strip-box\"><img alt=\"spectral "
      "Doppler strip\" src=\"";
  if (!AppendImageDataUri(out, clip.strip_bgr)) {
    out.resize(start);
    out += "<div class=\"strip-missing\">No spectral strip image available.</div>";
    return;
  }
  out += "\" width=\"" + std::to_string(clip.strip_bgr.cols) + "\" height=\"" +
         std::to_string(clip.strip_bgr.rows) + "\">" + StripOverlay(clip);
  if (clip.measurement && FrameOf(clip).HasTime()) {
    out += BandLabels(*clip.measurement, FrameOf(clip), clip.strip_bgr.cols);
  }
  if (MeasuredOnStrip(clip)) {
    const std::string_view unit =
        clip.calibration ? VelocityUnitName(clip.calibration->unit) : std::string_view("cm/s");
    out += AxisLabels(FrameOf(clip), clip.strip_bgr.cols, clip.strip_bgr.rows, unit);
  }
  if (!MeasuredOnStrip(clip)) {
    out +=
        "</div><figcaption>The strip as displayed. The measurement used the raw Doppler "
        "signal recorded beside this file (" +
        std::string(SpectrogramSourceName(clip.calibration->source)) +
        "), whose envelopes and timing are not drawn over the display.</figcaption></figure>";
    return;
  }
  out +=
      "</div><figcaption><span class=\"key k-ante\"></span>antegrade envelope "
      "<span class=\"key k-retro\"></span>retrograde envelope <span class=\"key k-base\"></span>"
      "baseline <span class=\"key k-release\"></span>release <span class=\"key k-band\"></span>" +
      std::string(reflux ? "measured reflux"
                         : "measured retrograde flow (not reflux by the criterion)") +
      (HasFlaggedColumns(clip, kColumnMasked)
           ? " <span class=\"key k-masked\"></span>not read (erase bar, "
             "previous sweep, blank or label columns)"
           : "") +
      (HasFlaggedColumns(clip, kColumnAliased)
           ? " <span class=\"key k-aliased\"></span>aliased: the flow passed "
             "the scale and wrapped round (dashed: the wrap as displayed, "
             "read unwrapped)"
           : "") +
      (clip.measurement && !clip.measurement->cardiac_pulses_s.empty()
           ? " <span class=\"key k-beat\"></span>pulse at the heart's rhythm (an artery in "
             "the beam, or pulsatile venous flow): not read as venous flow"
           : "") +
      "</figcaption></figure>";
}

std::string Row(std::string_view name, const std::string& value_html) {
  if (value_html.empty()) return "";
  return "<tr><th>" + std::string(name) + "</th><td>" + value_html + "</td></tr>";
}

std::string WithUnit(const std::string& number, std::string_view unit) {
  return number.empty() ? "&mdash;" : number + " " + std::string(unit);
}

std::string Badge(Classification c) {
  const std::string key(ClassificationName(c));
  static constexpr const char* kText[] = {"Reflux", "No reflux", "Indeterminate"};
  return "<span class=\"badge " + key + "\">" + kText[static_cast<int>(c)] + "</span>";
}

std::string FindingRows(const ClipResult& clip) {
  const ClassifiedFinding& f = clip.finding;
  std::string reason = Esc(f.reason);
  const std::string_view described = ReasonDescription(f.reason);
  // The words; the code (report.json's `reason`) as the tooltip.
  if (!described.empty()) {
    reason = "<span title=\"" + reason + "\">" + std::string(described) + "</span>";
  }
  std::string rows = Row("Classification", Badge(f.classification));
  if (!f.reason.empty()) rows += Row("Reason", reason);
  rows += Row("Reflux time", "<b>" + std::string(RefluxIsLowerBound(clip) ? "\u2265 " : "") +
                                 WithUnit(Fixed(LongestRefluxMs(clip), 0), "ms") + "</b>");
  rows += Row("Reflux when", WithUnit(Esc(ThresholdCondition(f)), "ms"));
  // No reflux time, no margin to show (margin_ms is null then in every format).
  const std::optional<double> none;
  rows += Row("Margin", WithUnit(SignedFixed(LongestRefluxMs(clip) ? f.margin_ms : none, 0), "ms"));
  rows += Row("Peak reflux velocity", WithUnit(Fixed(PeakRefluxCmS(clip), 1), "cm/s"));
  rows += Row("Peak antegrade velocity", WithUnit(Fixed(PeakAntegradeCmS(clip), 1), "cm/s"));
  if (!f.criterion_source.empty()) rows += Row("Criterion", Esc(f.criterion_source));
  return rows;
}

std::string ManeuverTable(const RefluxMeasurement& m) {
  if (m.maneuvers.empty()) return "<p class=\"muted\">No maneuver detected.</p>";
  std::string t =
      "<table class=\"maneuvers\"><thead><tr><th>#</th><th>release s</th><th>onset s"
      "</th><th>offset s</th><th>reflux ms</th><th>peak cm/s</th><th>to peak ms</th>"
      "<th>VTI cm</th><th>notes</th></tr></thead><tbody>";
  int n = 1;
  for (const Maneuver& man : m.maneuvers) {
    std::string notes = man.kind == ManeuverKind::kValsalva
                            ? "Valsalva: released where the resting flow stopped "
                            : "";
    if (man.truncated) {
      notes += man.has_reflux ? "clip ends during reflux (at least this long) "
                              : "clip ends under 0.25 s after the release ";
    }
    if (man.aliased) notes += "aliased";
    auto opt = [&](double v) { return man.has_reflux ? std::optional<double>(v) : std::nullopt; };
    t += "<tr><td>" + std::to_string(n++) + "</td><td>" + Fixed(man.release_s, 2) + "</td><td>" +
         Fixed(man.has_reflux ? man.reflux_onset_s : std::nullopt, 2) + "</td><td>" +
         Fixed(man.has_reflux ? man.reflux_offset_s : std::nullopt, 2) + "</td><td>" +
         Fixed(opt(man.reflux_duration_ms), 0) + "</td><td>" +
         Fixed(opt(man.peak_reflux_velocity_cm_s), 1) + "</td><td>" +
         Fixed(opt(man.time_to_peak_ms), 0) + "</td><td>" + Fixed(opt(man.reflux_vti_cm), 2) +
         "</td><td>" + notes + "</td></tr>";
  }
  return t + "</tbody></table>";
}

// "scale 16.0 (top) to -14.7 (bottom) cm/s": the ends as the strip shows them, so an inverted
// display (velocity growing downward) does not read upside down.
std::string ScaleText(const ClipResult& clip, const std::string& unit) {
  const CalibrationSummary& c = *clip.calibration;
  double top = c.velocity_top, bottom = c.velocity_bottom;
  const bool shown = MeasuredOnStrip(clip) && !clip.strip_bgr.empty() &&
                     std::isfinite(clip.strip_velocity_step_per_row) &&
                     clip.strip_velocity_step_per_row != 0;
  if (shown) {
    top = clip.strip_velocity_top;
    bottom = top - clip.strip_velocity_step_per_row * (clip.strip_bgr.rows - 1);
  }
  std::string s = "scale " + Fixed(top, 1) + " (top) to " + Fixed(bottom, 1) + " (bottom) " + unit;
  if (shown && clip.strip_velocity_step_per_row < 0) s += ", display inverted";
  return s;
}

std::string CalibrationText(const ClipResult& clip) {
  const CalibrationSummary& c = *clip.calibration;
  const std::string unit(VelocityUnitName(c.unit));
  std::string s = std::string(c.region_data_type == 4 ? "CW" : "PW") + " Doppler";
  s += c.source == SpectrogramSource::kDisplay
           ? "; "
           : " measured from the raw signal (" + std::string(SpectrogramSourceName(c.source)) +
                 "); ";
  s += Fixed(c.seconds_per_column * 1000.0, 2) + " ms/column, " +
       Fixed(c.velocity_step_per_row, 3) + " " + unit + "/row; " + ScaleText(clip, unit);
  s +=
      "; angle " + (c.doppler_angle_deg ? Fixed(c.doppler_angle_deg, 0) + "&deg;" : "not recorded");
  if (c.prf_hz) s += "; PRF " + Fixed(*c.prf_hz / 1000.0, 2) + " kHz";
  if (c.transducer_frequency_hz) s += "; f0 " + Fixed(*c.transducer_frequency_hz / 1e6, 2) + " MHz";
  s += "; frame " + std::to_string(c.frame_index + 1) + " of " + std::to_string(c.frames_total);
  for (const std::string& w : c.warnings) s += "<br><span class=\"warn\">" + Esc(w) + "</span>";
  for (const std::string& n : c.notes) s += "<br><span class=\"note\">" + Esc(n) + "</span>";
  return s;
}

std::string QualityChips(const std::vector<std::string>& flags) {
  std::string out;
  for (const std::string& flag : flags) {
    const std::string_view text = QualityFlagDescription(flag);
    // Words, not the code (snake_case read as jargon to a sonographer); the code stays in the
    // element for a search and beside the explanation in the QA section.
    out += "<span class=\"chip\" data-flag=\"" + Esc(flag) + "\" title=\"" + Esc(text) + "\">" +
           Esc(FlagWords(flag)) + "</span> ";
  }
  return out;
}

std::string SourceRows(const ClipResult& clip) {
  const SegmentId& id = clip.identity;
  std::string how = std::string(IdentitySourceName(id.source));
  if (!id.source_detail.empty()) how += " (" + Esc(id.source_detail) + ")";
  std::string rows = Row("File", "<code>" + Esc(clip.file) + "</code>");
  rows += Row("SOP Instance UID", Esc(clip.sop_instance_uid));
  rows +=
      Row("Label text", id.label_text.empty() ? "" : "&ldquo;" + Esc(id.label_text) + "&rdquo;");
  rows += Row("Segment identified from", how);
  return rows;
}

std::string ClipTitle(const ClipResult& clip, size_t index) {
  const SegmentId& id = clip.identity;
  std::string title = "Clip " + std::to_string(index) + " &middot; ";
  title += id.laterality ? std::string(LateralityCode(*id.laterality)) + " " : "? ";
  title += Esc(SegmentLabelOf(id));
  // The file's own name, which carries the scanner's image number a sonographer looks for (the
  // clip number is the report's id, the same in report.json and report.csv).
  const size_t slash = clip.file.find_last_of("/\\");
  const std::string name = slash == std::string::npos ? clip.file : clip.file.substr(slash + 1);
  if (!name.empty()) title += " <span class=\"clip-file\">" + Esc(name) + "</span>";
  return title;
}

std::string FailedClipBody(const ClipResult& clip) {
  std::string body = "<table class=\"kv\">";
  body += Row("Status", "<span class=\"badge " + std::string(ClipStatusName(clip.status)) + "\">" +
                            std::string(ClipStatusName(clip.status)) + "</span>");
  if (clip.error) {
    body += Row("Error", "<code>" + std::string(ErrorCodeName(clip.error->code)) + "</code> " +
                             Esc(clip.error->message));
  }
  body += Row("QA flags", QualityChips(clip.quality));
  return body + SourceRows(clip) + "</table>";
}

// Where antegrade flow sits on this display (a negative row step puts positive velocities below).
std::string AntegradeText(const ClipResult& clip) {
  const bool positive_above = clip.strip_velocity_step_per_row >= 0;
  const bool up = clip.measurement->antegrade == AntegradeDirection::kUp;
  std::string text = up == positive_above ? "above the baseline" : "below the baseline";
  switch (clip.measurement->antegrade_source) {
    case AntegradeSource::kOverride:
      text += " (set by override)";
      break;
    case AntegradeSource::kRestingFlow:
      text +=
          std::ranges::any_of(clip.measurement->maneuvers,
                              [](const Maneuver& m) { return m.kind == ManeuverKind::kValsalva; })
              ? " (the side carrying the resting flow before the Valsalva)"
              : " (no augmentation: the side carrying the resting flow)";
      break;
    case AntegradeSource::kAugmentation:
      break;
  }
  return text;
}

}  // namespace

void AppendClipCardHtml(std::string& out, const StudyReport& report, size_t clip_index) {
  const ClipResult& clip = report.clips[clip_index];
  const std::string status(ClipStatusName(clip.status));
  out += "<article class=\"clip status-" + status + "\" id=\"clip-" + std::to_string(clip_index) +
         "\" data-classification=\"" +
         std::string(ClassificationName(clip.finding.classification)) + "\">";
  out += "<h3>" + ClipTitle(clip, clip_index);
  if (clip.status != ClipStatus::kOk) {
    out += " <span class=\"badge " + status + "\">" + status + "</span></h3>" +
           FailedClipBody(clip) + "</article>";
    return;
  }
  out += " " + Badge(clip.finding.classification);
  const std::string reflux = Fixed(LongestRefluxMs(clip), 0);
  const bool lower_bound = RefluxIsLowerBound(clip);
  if (!reflux.empty()) {
    out += " <span class=\"title-value\">" + std::string(lower_bound ? "\u2265 " : "") + reflux +
           " ms</span>";
  }
  out += "</h3>";
  AppendStripFigure(out, clip);
  out += "<div class=\"clip-facts\"><table class=\"kv\">" + FindingRows(clip);
  out += Row("QA flags", QualityChips(clip.quality));
  if (clip.measurement) out += Row("Antegrade flow", AntegradeText(clip));
  if (clip.calibration) out += Row("Calibration", CalibrationText(clip));
  out += SourceRows(clip) + "</table>";
  if (clip.measurement) out += ManeuverTable(*clip.measurement);
  out += "</div></article>";
}

std::string ClipCardHtml(const StudyReport& report, size_t clip_index) {
  std::string out;
  AppendClipCardHtml(out, report, clip_index);
  return out;
}

}  // namespace refluxscan::report::detail
