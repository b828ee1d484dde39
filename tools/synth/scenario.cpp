#include "synth/scenario.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "refluxscan/spectral/signal.h"
#include "synth/labels.h"

namespace refluxscan::synth {
namespace {

constexpr double kMinSecondsPerColumn = 0.002, kMaxSecondsPerColumn = 0.015;
constexpr int kScaleBandPx = 56;  // room for tick labels beside the strip

bool Decide(const std::optional<bool>& forced, double probability, Rng& rng) {
  return forced.has_value() ? *forced : rng.Chance(probability);
}

double Round(double x, double step) { return std::round(x / step) * step; }

// --- Flow --------------------------------------------------------------------------------------

struct RefluxPlan {
  bool has_reflux = false;
  double duration_s = 0, visible_s = 0, peak_cm_s = 0;
  bool truncated = false;
  std::string tag;
};

double RefluxPeak(VeinClass c, Rng& rng) {
  switch (c) {
    case VeinClass::kPerforator:
      return rng.Uniform(5, 30);
    case VeinClass::kDeepProximal:
      return rng.Uniform(8, 45);
    default:
      return rng.Uniform(8, 60);
  }
}

// Reflux duration by case; `max_s` is what the strip can hold after the burst.
RefluxPlan PlanReflux(CaseKind kind, double threshold_s, VeinClass c, double max_s, Rng& rng) {
  RefluxPlan p;
  p.has_reflux = true;
  p.peak_cm_s = RefluxPeak(c, rng);
  switch (kind) {
    case CaseKind::kBriefReflux:
      p.duration_s = rng.Uniform(0.06, std::min(0.6 * threshold_s, 0.3));
      p.peak_cm_s = rng.Uniform(3, 12);
      break;
    case CaseKind::kReflux:
      p.duration_s = rng.Uniform(threshold_s + 0.08, std::min({threshold_s + 2.5, 5.0, max_s}));
      break;
    case CaseKind::kNearAbove:
    case CaseKind::kNearBelow:
      p.duration_s =
          threshold_s + (kind == CaseKind::kNearAbove ? 1 : -1) * rng.Uniform(0.015, 0.06);
      p.peak_cm_s = rng.Uniform(8, 35);
      p.tag = "near_threshold";
      break;
    case CaseKind::kTruncatedAbove:
    case CaseKind::kTruncatedBelow:
      p.truncated = true;
      p.visible_s = kind == CaseKind::kTruncatedAbove
                        ? rng.Uniform(threshold_s + 0.06, std::min(threshold_s + 1.5, max_s))
                        : rng.Uniform(0.12, threshold_s - 0.06);
      p.duration_s = p.visible_s + rng.Uniform(0.3, 1.5);
      break;
    default:
      p.has_reflux = false;
  }
  return p;
}

ManeuverSpec RandomManeuver(VeinClass c, Rng& rng) {
  ManeuverSpec m;
  m.burst_duration_s = rng.Uniform(0.25, 1.4);
  m.burst_rise_fraction = rng.Uniform(0.22, 0.5);
  m.peak_antegrade_cm_s = c == VeinClass::kDeepProximal ? rng.Uniform(20, 100)
                          : c == VeinClass::kPerforator ? rng.Uniform(10, 40)
                                                        : rng.Uniform(12, 75);
  m.closure_delay_s = rng.Uniform(0, 0.06);
  m.reflux_rise_s = rng.Uniform(0.03, 0.15);
  m.shape = static_cast<RefluxShape>(rng.Int(0, 3));
  m.shape_parameter =
      m.shape == RefluxShape::kPlateau ? rng.Uniform(0.3, 0.6) : rng.Uniform(0.4, 0.8);
  m.pause_s = rng.Uniform(0.2, 0.6);
  m.recovery_s = rng.Uniform(0.3, 0.8);
  return m;
}

void ApplyReflux(ManeuverSpec& m, const RefluxPlan& p) {
  m.has_reflux = p.has_reflux;
  m.reflux_duration_s = p.duration_s;
  m.peak_reflux_cm_s = p.peak_cm_s;
}

// A second, later maneuver whose reflux is shorter than the first's and never near threshold.
std::optional<ManeuverSpec> SecondManeuver(const ManeuverSpec& first, double threshold_s,
                                           VeinClass c, Rng& rng) {
  ManeuverSpec m = RandomManeuver(c, rng);
  m.augmentation_start_s =
      first.FlowEndS() + first.pause_s + first.recovery_s + rng.Uniform(0.4, 1.0);
  if (first.has_reflux && rng.Chance(0.7)) {
    m.has_reflux = true;
    m.reflux_duration_s = first.reflux_duration_s * rng.Uniform(0.3, 0.8);
    if (std::abs(m.reflux_duration_s - threshold_s) < 0.02)
      m.reflux_duration_s = threshold_s - 0.06;
    m.peak_reflux_cm_s = first.peak_reflux_cm_s * rng.Uniform(0.6, 1.1);
  }
  return m;
}

// A cuff instead of a squeeze: the hold between the inflation's burst and the deflation of each
// maneuver, and the deflation's delay before reflux can start (the cuff frees the veins over
// 0.05-0.35 s). Drawn from a stream of its own (keyed by the clip's display seed), so the clips
// without a cuff are unchanged.
struct CuffChoice {
  double hold_s[2] = {0, 0};  // first and second maneuver
  double delay_s[2] = {0, 0};
};

std::optional<CuffChoice> ChooseCuff(const PresetStyle& st, uint64_t display_seed) {
  constexpr uint64_t kCuffStream = 0xC0FFull;
  Rng own(display_seed ^ kCuffStream);
  if (!(st.cuff > 0) || !own.Chance(st.cuff)) return std::nullopt;
  CuffChoice c;
  for (int k = 0; k < 2; ++k) {
    c.hold_s[k] = own.Uniform(1.0, 3.0);
    c.delay_s[k] = own.Uniform(0.05, 0.35);
  }
  return c;
}

void ApplyCuff(const std::optional<CuffChoice>& cuff, int k, ManeuverSpec& m) {
  if (!cuff) return;
  m.cuff_hold_s = cuff->hold_s[k];
  m.closure_delay_s = cuff->delay_s[k];
}

struct FlowPlan {
  FlowSpec flow;
  double seconds_per_column = 0.008;
  std::vector<std::string> tags;
};

QuietFlow RandomQuiet(VeinClass c, Rng& rng) {
  QuietFlow q;
  q.mean_cm_s = c == VeinClass::kDeepProximal ? rng.Uniform(3, 9) : rng.Uniform(0.5, 5);
  q.modulation = rng.Uniform(0.3, 1.4);
  q.period_s = rng.Uniform(3, 6);
  q.phase_rad = rng.Uniform(0, 2 * std::numbers::pi);
  return q;
}

double SecondsPerColumn(double needed_s, int columns, Rng& rng) {
  const double spc = needed_s / (columns - 1) * rng.Uniform(1.0, 1.2);
  return Round(std::clamp(spc, kMinSecondsPerColumn, kMaxSecondsPerColumn), 1e-5);
}

// The levels where a Valsalva is the usual test (the junctions and the proximal deep veins).
bool ValsalvaLevel(const std::optional<Segment>& s) {
  return s && (*s == Segment::kGsvSfj || *s == Segment::kSsvSpj || *s == Segment::kCfv ||
               *s == Segment::kFvProx);
}

// A Valsalva instead of a squeeze for the complete (not truncated) cases: resting flow for
// 1.3-2.2 s, the strain (resting flow stops; reflux, if any, after a 0.05-0.3 s closure delay),
// the surge 0.3-1.5 s after the reflux's end (or 1.5-3.5 s into a strain without reflux), then
// resting flow again. Resting flow is strong enough to be seen (>= 2 cm/s mean).
FlowPlan PlanValsalva(CaseKind kind, VeinClass c, int columns, Rng& rng) {
  FlowPlan out;
  out.flow.quiet = RandomQuiet(c, rng);
  out.flow.quiet.mean_cm_s = std::max(out.flow.quiet.mean_cm_s, rng.Uniform(2, 6));
  out.flow.quiet.modulation = std::min(out.flow.quiet.modulation, 0.9);
  const double threshold_s = DefaultThresholdMs(c) / 1000.0;
  ManeuverSpec m = RandomManeuver(c, rng);
  m.valsalva = true;
  m.augmentation_start_s = rng.Uniform(1.3, 2.2);
  m.closure_delay_s = rng.Uniform(0.05, 0.3);
  m.burst_duration_s = rng.Uniform(0.4, 1.0);
  const RefluxPlan reflux = PlanReflux(kind, threshold_s, c, 5.0, rng);
  ApplyReflux(m, reflux);
  if (!reflux.tag.empty()) out.tags.push_back(reflux.tag);
  out.tags.push_back("valsalva");
  m.strain_s = m.has_reflux ? m.closure_delay_s + m.reflux_duration_s + rng.Uniform(0.3, 1.5)
                            : rng.Uniform(1.5, 3.5);
  out.flow.maneuvers.push_back(m);
  out.seconds_per_column = SecondsPerColumn(m.FlowEndS() + rng.Uniform(0.5, 1.5), columns, rng);
  return out;
}

FlowPlan PlanFlow(const ClipPlan& plan, VeinClass c, int columns, bool two, bool valsalva,
                  const std::optional<CuffChoice>& cuff, Rng& rng) {
  const bool complete = plan.kind == CaseKind::kCompetent || plan.kind == CaseKind::kBriefReflux ||
                        plan.kind == CaseKind::kReflux || plan.kind == CaseKind::kNearAbove ||
                        plan.kind == CaseKind::kNearBelow;
  if (valsalva && complete) return PlanValsalva(plan.kind, c, columns, rng);
  FlowPlan out;
  out.flow.quiet = RandomQuiet(c, rng);
  if (plan.kind == CaseKind::kNoAugmentation) {
    out.seconds_per_column = SecondsPerColumn(rng.Uniform(3, 8), columns, rng);
    return out;
  }
  const double threshold_s = DefaultThresholdMs(c) / 1000.0;
  const double max_strip_s = (columns - 1) * kMaxSecondsPerColumn * 0.98;
  ManeuverSpec m = RandomManeuver(c, rng);
  ApplyCuff(cuff, 0, m);
  const double pre_s = rng.Uniform(0.5, 1.6), post_s = rng.Uniform(0.5, 1.5);
  // Sums in this order: a squeeze's hold of 0 leaves them (and the presets' sets) bit for bit.
  const double fixed_s = pre_s + m.burst_duration_s + m.cuff_hold_s + m.closure_delay_s + post_s;
  CaseKind kind = plan.kind;
  if (kind == CaseKind::kWeakSignal)
    kind = rng.Chance(0.5) ? CaseKind::kReflux : CaseKind::kCompetent;
  const RefluxPlan reflux = PlanReflux(kind, threshold_s, c, max_strip_s - fixed_s, rng);
  ApplyReflux(m, reflux);
  if (!reflux.tag.empty()) out.tags.push_back(reflux.tag);
  if (reflux.truncated) {
    // The strip ends `visible_s` after onset: place the burst backwards from the end.
    const double needed_s =
        pre_s + m.burst_duration_s + m.cuff_hold_s + m.closure_delay_s + reflux.visible_s;
    out.seconds_per_column =
        std::clamp(needed_s / (columns - 1), kMinSecondsPerColumn, kMaxSecondsPerColumn);
    const double end_s = (columns - 1) * out.seconds_per_column;
    m.augmentation_start_s =
        end_s - reflux.visible_s - m.closure_delay_s - m.cuff_hold_s - m.burst_duration_s;
    out.flow.maneuvers.push_back(m);
    if (cuff) out.tags.push_back("cuff");
    return out;
  }
  m.augmentation_start_s = pre_s;
  out.flow.maneuvers.push_back(m);
  double needed_s = m.FlowEndS() + post_s;
  if (two && out.tags.empty()) {
    auto second = SecondManeuver(m, threshold_s, c, rng);
    if (second) ApplyCuff(cuff, 1, *second);
    const double needed2_s = second ? second->FlowEndS() + post_s : 0;
    if (second && needed2_s < max_strip_s) {
      out.flow.maneuvers.push_back(*second);
      needed_s = needed2_s;
    }
  }
  out.seconds_per_column = SecondsPerColumn(needed_s, columns, rng);
  if (cuff) out.tags.push_back("cuff");
  return out;
}

// --- Signal and scale ----------------------------------------------------------------------------

SignalSpec RandomSignal(const ClipPlan& plan, const PresetStyle& style, bool inverted_flow,
                        Rng& rng) {
  SignalSpec s;
  s.transducer_hz = std::round(rng.Uniform(25, 70)) * 1e5;  // whole 100 kHz (DICOM stores kHz)
  const double a = rng.Uniform();
  s.angle_deg = std::round(a < 0.7    ? rng.Uniform(45, 60)
                           : a < 0.95 ? rng.Uniform(20, 45)
                                      : rng.Uniform(0, 20));
  if (plan.kind == CaseKind::kWeakSignal) {
    s.snr_db = Round(rng.Uniform(-30, -22), 0.1);
  } else if (Decide(plan.low_snr, style.low_snr, rng)) {
    s.snr_db = Round(rng.Uniform(kVisibleMinSnrDb + 0.5, 10), 0.1);
  } else {
    s.snr_db = Round(rng.Uniform(14, 35), 0.1);
  }
  s.profile = rng.Chance(style.blunt) ? Profile::kBlunt : Profile::kParabolic;
  s.blunt_order = rng.Uniform(4, 10);
  s.scatterers = rng.Int(24, 36);
  s.gate_length_cm = rng.Uniform(0.25, 0.6);  // venous sample volumes are large
  s.antegrade_toward_probe = inverted_flow ? -1 : 1;
  s.seed = rng.Next();
  return s;
}

double PeakAntegrade(const FlowSpec& f) {
  double peak = f.quiet.mean_cm_s * (1 + f.quiet.modulation);
  for (const auto& m : f.maneuvers) peak = std::max(peak, m.peak_antegrade_cm_s);
  return peak;
}

double PeakReflux(const FlowSpec& f) {
  double peak = 0;
  for (const auto& m : f.maneuvers) peak = std::max(peak, m.has_reflux ? m.peak_reflux_cm_s : 0.0);
  return peak;
}

// PRF from the velocity span the flow needs (or less, to alias the burst); baseline row so
// that each side holds its flow.
void ChooseScale(const FlowSpec& f, bool aliasing, bool shifted, SignalSpec& s, DisplaySpec& d,
                 Rng& rng) {
  const double ant = PeakAntegrade(f) * (aliasing ? rng.Uniform(0.5, 0.8) : rng.Uniform(1.12, 1.4));
  const double ref = std::max(PeakReflux(f) * rng.Uniform(1.12, 1.4), rng.Uniform(6, 20));
  const double span_cm_s = shifted ? ant + ref : 2 * std::max(ant, ref);
  s.prf_hz = std::clamp(Round(DopplerShiftHz(s, span_cm_s), 100), 1000.0, 12000.0);
  const int rows = d.strip.height;
  if (!shifted) {
    d.baseline_row = rows / 2;
    return;
  }
  const double ant_fraction = std::clamp(ant / (ant + ref), 0.15, 0.85);
  const bool antegrade_up = (s.antegrade_toward_probe > 0) != d.inverted_display;
  const int ant_rows = static_cast<int>(std::lround(rows * ant_fraction));
  d.baseline_row = antegrade_up ? ant_rows : rows - 1 - ant_rows;
  if (std::abs(d.baseline_row - rows / 2) <= 2) d.baseline_row = rows / 2;
}

}  // namespace

namespace {

// --- Layout and display --------------------------------------------------------------------------

void ChooseLayout(cv::Size size, bool scale_on_right, DisplaySpec& d, Rng& rng) {
  d.image_width = size.width;
  d.image_height = size.height;
  const int header = rng.Int(18, 34);
  const int bmode_w = static_cast<int>(size.width * rng.Uniform(0.5, 0.85));
  const int bmode_h = static_cast<int>(size.height * rng.Uniform(0.34, 0.46));
  const int bmode_x = (size.width - bmode_w) / 2 + rng.Int(-40, 40);
  d.bmode = cv::Rect(std::clamp(bmode_x, 0, size.width - bmode_w), header, bmode_w, bmode_h);
  const int strip_y = header + bmode_h + rng.Int(16, 36);
  const int strip_h = size.height - strip_y - rng.Int(14, 40);
  const int left = rng.Int(6, 40) + (scale_on_right ? 0 : kScaleBandPx);
  const int right = rng.Int(4, 20) + (scale_on_right ? kScaleBandPx : 0);
  d.strip = cv::Rect(left, strip_y, size.width - left - right, strip_h);
  d.scale_on_right = scale_on_right;
}

Tint RandomTint(const PresetStyle& style, Rng& rng) {
  if (!rng.Chance(style.tinted)) return Tint::kGray;
  return static_cast<Tint>(rng.Int(1, std::clamp(style.tint_maps, 2, kTintCount) - 1));
}

void ChooseLook(DisplaySpec& d, Rng& rng) {
  d.gamma = rng.Uniform(0.75, 1.35);
  d.dynamic_range_db = std::round(rng.Uniform(30, 60));
  d.black_level = rng.Uniform(-0.12, 0.06);  // median noise at or below black, as scanners do
  d.window_ms = std::round(rng.Uniform(10, 30));
  d.draw_baseline = rng.Chance(0.85);
  static const cv::Scalar kLineColours[] = {
      {200, 200, 200}, {255, 255, 255}, {230, 230, 80}, {80, 230, 230}};
  static const cv::Scalar kTextColours[] = {
      {235, 235, 235}, {200, 200, 200}, {120, 230, 240}, {240, 220, 130}, {150, 240, 150}};
  d.baseline_bgr = kLineColours[rng.Int(0, 3)];
  d.text_bgr = kTextColours[rng.Int(0, 4)];
  static const int kFonts[] = {0, 1, 2, 5, 0};
  static const double kScales[] = {0.45, 0.95, 0.42, 0.7, 0.5};
  const int f = rng.Int(0, 4);
  d.font_face = kFonts[f];
  d.font_scale = kScales[f] * rng.Uniform(0.9, 1.1);
  d.seed = rng.Next();
}

// Decorations added after the sets of docs/accuracy.md were generated draw from a stream of
// their own (seeded by the clip's display seed), so a clip without them is unchanged.
void ChooseDecorations(const PresetStyle& st, DisplaySpec& d) {
  constexpr uint64_t kDecorationStream = 0xDEC0A7E5ull;
  Rng own(d.seed ^ kDecorationStream);
  d.auto_trace = own.Chance(st.auto_trace);
  static const cv::Scalar kTraceColours[] = {{80, 230, 230}, {240, 240, 240}, {90, 230, 90}};
  d.auto_trace_bgr = kTraceColours[own.Int(0, 2)];
  d.grid = own.Chance(st.grid);
}

// Signal artifacts, from a stream of their own (as the decorations): a clip without them is
// unchanged.
void ChooseArtifacts(const PresetStyle& st, const DisplaySpec& d, SignalSpec& s) {
  constexpr uint64_t kArtifactStream = 0xA27E7AC7ull;
  Rng own(d.seed ^ kArtifactStream);
  if (own.Chance(st.mirror)) s.mirror_db = std::round(own.Uniform(20, 30));
  if (own.Chance(st.thump)) {
    s.thump_db = std::round(own.Uniform(10, 25));
    s.thump_cm_s = (own.Chance(0.5) ? 1 : -1) * own.Uniform(1, 3);
    s.thump_s = own.Uniform(0.04, 0.08);
  }
}

// A scale whose reflux side holds 55-85% of the peak reflux: the reflux leaves through its edge
// and re-enters from the antegrade side's (which still holds the burst). Baseline shifted so
// that the antegrade side is the larger one; the PRF is kept when its clamp would undo the wrap.
void AliasTheReflux(const FlowSpec& f, SignalSpec& s, DisplaySpec& d, Rng& own) {
  const double reflux_side = PeakReflux(f) * own.Uniform(0.55, 0.85);
  const double ant = PeakAntegrade(f) * own.Uniform(1.12, 1.4);
  const double prf_hz = Round(DopplerShiftHz(s, ant + reflux_side), 100);
  if (prf_hz < 1000 || prf_hz > 12000) return;
  s.prf_hz = prf_hz;
  const int rows = d.strip.height;
  const int ant_rows = static_cast<int>(std::lround(rows * ant / (ant + reflux_side)));
  const bool antegrade_up = (s.antegrade_toward_probe > 0) != d.inverted_display;
  d.baseline_row = antegrade_up ? ant_rows : rows - 1 - ant_rows;
}

// Sample-volume and scale variations added after the sets of docs/accuracy.md were generated,
// from a stream of their own (as the decorations): a clip without them is unchanged.
void ChooseGateAndWrap(const PresetStyle& st, const FlowSpec& f, DisplaySpec& d, SignalSpec& s) {
  constexpr uint64_t kGateStream = 0x6A7EC0DEull;
  Rng own(d.seed ^ kGateStream);
  if (own.Chance(st.core_gate)) s.gate_radius = own.Uniform(0.4, 0.7);
  if (own.Chance(st.aliased_reflux) && PeakReflux(f) > 0) AliasTheReflux(f, s, d, own);
}

// Arterial crosstalk, from a stream of its own (as the decorations): CW insonates whatever
// artery runs beside the vein; a PW gate at a deep vein may catch the one beside it. Its
// systolic peak stays on the retrograde side's scale (35-90% of it): a sonographer sets the scale
// for the vein, and the artery's speed along the beam varies with where it lies in it.
void ChooseArtery(const PresetStyle& st, VeinClass vein_class, const DisplaySpec& d,
                  SignalSpec& s) {
  constexpr uint64_t kArteryChoiceStream = 0xA27E5Eull;  // not the scatterers' (doppler.cpp)
  Rng own(d.seed ^ kArteryChoiceStream);
  const bool deep = vein_class != VeinClass::kSuperficial && vein_class != VeinClass::kPerforator;
  const double share = d.continuous_wave ? st.artery_cw : deep ? st.artery_pw_deep : 0.0;
  if (!(share > 0) || !own.Chance(share)) return;
  const StripScale scale = ScaleOf(d, s);
  // The fastest retrograde speed the scale shows: retrograde is -antegrade_toward_probe in the
  // probe's sense, so max over the edge rows of -a * v(row) = -min(a * v(row)).
  const int a = s.antegrade_toward_probe;
  const double retrograde_limit_cm_s =
      -std::min(a * scale.VelocityAtRow(d, 0), a * scale.VelocityAtRow(d, d.strip.height - 1));
  if (!(retrograde_limit_cm_s > 0)) return;
  s.artery_db = std::round(own.Uniform(8, 24));
  s.artery_peak_cm_s = retrograde_limit_cm_s * own.Uniform(0.35, 0.9);
  s.heart_rate_bpm = own.Uniform(50, 100);
  s.artery_phase_s = own.Uniform(0, 60.0 / s.heart_rate_bpm);
}

// A sonographer freezes a sweep after the maneuver's reflux: a cuff's hold makes its maneuver
// long, so an erase bar drawn where it would cut the maneuver moves to just after its flow has
// ended (the maneuvers' end plus 0.3 s) when that fits (at most 95% of the width). Otherwise it
// stays where it cuts a reflux after the last deflation (a truncated clip, as for a squeeze), and
// goes where it would cut the hold: a clip frozen before the deflation shows a burst and silence,
// which nothing on the display tells from a competent squeeze. Squeezes keep their draw (their
// sets stay as they were).
void KeepCuffBeforeTheBar(const FlowSpec& f, const std::vector<std::string>& tags, DisplaySpec& d) {
  if (d.erase_bar_column < 0 || f.maneuvers.empty() ||
      std::find(tags.begin(), tags.end(), "cuff") == tags.end()) {
    return;
  }
  double end_s = 0, release_s = 0;
  for (const ManeuverSpec& m : f.maneuvers) {
    end_s = std::max(end_s, m.FlowEndS());
    release_s = std::max(release_s, m.ReleaseS());
  }
  const auto column = [&](double t_s) {
    return static_cast<int>(std::ceil(t_s / d.seconds_per_column));
  };
  if (d.erase_bar_column >= column(end_s + 0.3)) return;
  if (column(end_s + 0.3) <= static_cast<int>(0.95 * d.strip.width)) {
    d.erase_bar_column = column(end_s + 0.3);
  } else if (d.erase_bar_column < column(release_s + 0.3)) {
    d.erase_bar_column = -1;
  }
}

// Tissue clutter, from a stream of its own and only when the style asks (the presets' sets stay as
// they were): the tissue's respiratory motion peaks at 0.3-1.0 x the wall filter's cut-off
// velocity, 20-40 dB above the blood, so the filter leaves a residue at each breath's fastest
// part (the sixth independent renderer's clutter: 30 dB at 0.55 x its cut-off).
void ChooseClutter(const PresetStyle& st, const DisplaySpec& d, SignalSpec& s) {
  if (!(st.clutter > 0)) return;
  constexpr uint64_t kClutterChoiceStream = 0xC1077ECull;
  Rng own(d.seed ^ kClutterChoiceStream);
  if (!own.Chance(st.clutter)) return;
  const double wall_cm_s =
      spectral::VelocityCmSFromDopplerShift(d.wall_filter_hz, s.transducer_hz, s.angle_deg);
  s.clutter_db = std::round(own.Uniform(20, 40));
  s.clutter_cm_s = wall_cm_s * own.Uniform(0.3, 1.0);
  s.clutter_period_s = own.Uniform(3, 6);
  s.clutter_phase_rad = own.Uniform(0, 2 * std::numbers::pi);
}

void ChooseExtras(const ClipPlan& p, const PresetStyle& st, DisplaySpec& d, Rng& rng) {
  d.overlay_text = Decide(p.overlay_text, st.overlay_text, rng);
  d.ecg = Decide(p.ecg, st.ecg, rng);
  if (Decide(p.erase_bar, st.erase_bar, rng)) {
    d.erase_bar_width = rng.Int(5, 14);
    // Frozen late in a sweep (after the maneuver): the current sweep fills 40-90% of the strip.
    d.erase_bar_column = static_cast<int>(d.strip.width * rng.Uniform(0.4, 0.9));
  }
  d.frames = Decide(p.multiframe, st.multiframe, rng) ? rng.Int(3, std::max(3, st.max_frames)) : 1;
  d.hz_units = Decide(p.hz_units, st.hz_units, rng);
  d.continuous_wave = Decide(p.cw, st.cw, rng);
}

// The label text. Classic labels draw from the clip's stream as they always did (sample_data);
// varied labels draw from a stream of their own, so adding spellings later changes only labels.
std::string ChooseLabel(const ClipPlan& p, LabelStyle style, Rng& rng) {
  const auto make = [&](Rng& r) {
    return p.segment ? MakeLabel(p.laterality, *p.segment, r, style)
                     : MakeUnknownLabel(p.laterality, r, style);
  };
  if (style == LabelStyle::kClassic) return make(rng);
  constexpr uint64_t kLabelStream = 0x1abe1;
  Rng own = rng.Fork(kLabelStream);
  return make(own);
}

void ChooseIdentity(const ClipPlan& p, LabelStyle style, ClipSpec& c, Rng& rng) {
  c.laterality = p.laterality;
  c.segment = p.segment;
  c.vein_class = p.segment ? Info(*p.segment).vein_class : VeinClass::kSuperficial;
  c.label_text = ChooseLabel(p, style, rng);
  c.label_in_comments = rng.Chance(0.75);
  c.label_in_series = !c.label_in_comments || rng.Chance(0.4);
  c.laterality_tag = rng.Chance(0.4);
  c.image_laterality_tag = rng.Chance(0.3);
}

}  // namespace

PresetStyle SampleStyle() {
  PresetStyle s;
  s.sizes = {{640, 480}, {720, 540}, {800, 600}};
  s.multiframe = 0.05;
  s.max_frames = 3;
  s.labels = LabelStyle::kClassic;
  s.tint_maps = 5;  // gray, blue, sepia, green, hot: sample_data/ as bundled
  return s;
}

PresetStyle EdgeStyle() {
  PresetStyle s = SampleStyle();
  s.labels = LabelStyle::kVaried;
  return s;
}

PresetStyle StressStyle() {
  PresetStyle s;
  s.sizes = {{1024, 768}, {1024, 768}, {960, 720}, {800, 600}};
  s.region_margin = 0.2;
  s.auto_trace = 0.2;
  s.grid = 0.2;
  s.mirror = 0.15;
  s.thump = 0.15;
  s.core_gate = 0.1;
  s.aliased_reflux = 0.08;
  s.artery_cw = 0.6;
  s.artery_pw_deep = 0.08;
  s.cuff = 0.1;
  return s;
}

ClipSpec BuildClipSpec(const ClipPlan& plan, const PresetStyle& style, Rng& rng) {
  ClipSpec c;
  ChooseIdentity(plan, style.labels, c, rng);
  DisplaySpec& d = c.display;
  const cv::Size size =
      plan.size
          ? *plan.size
          : style.sizes[static_cast<size_t>(rng.Int(0, static_cast<int>(style.sizes.size()) - 1))];
  ChooseLayout(size, rng.Chance(0.65), d, rng);
  ChooseLook(d, rng);
  d.tint = plan.tint ? *plan.tint : RandomTint(style, rng);
  d.inverted_display = Decide(plan.inverted_display, style.inverted_display, rng);
  const bool inverted_flow = Decide(plan.inverted_flow, style.inverted_flow, rng);
  const bool two = Decide(plan.two_maneuvers, style.two_maneuvers, rng);
  // Drawn only when the style asks for Valsalvas: the presets' random streams stay as they were.
  const bool valsalva =
      style.valsalva > 0 && ValsalvaLevel(plan.segment) && rng.Chance(style.valsalva);
  FlowPlan flow =
      PlanFlow(plan, c.vein_class, d.strip.width, two, valsalva, ChooseCuff(style, d.seed), rng);
  c.flow = flow.flow;
  c.tags = flow.tags;
  d.seconds_per_column = flow.seconds_per_column;
  c.signal = RandomSignal(plan, style, inverted_flow, rng);
  ChooseScale(c.flow, Decide(plan.aliasing, style.aliasing, rng),
              Decide(plan.shifted_baseline, style.shifted_baseline, rng), c.signal, d, rng);
  ChooseGateAndWrap(style, c.flow, d, c.signal);
  // At least 48 samples per window: shorter windows smear every line over +/- PRF/N (the Hann
  // main lobe), which at a low PRF would widen the trace by several cm/s.
  d.window_ms = std::max(d.window_ms, std::ceil(48000.0 / c.signal.prf_hz));
  d.wall_filter_hz = std::max(25.0, Round(c.signal.prf_hz * rng.Uniform(0.008, 0.025), 5));
  ChooseExtras(plan, style, d, rng);
  KeepCuffBeforeTheBar(c.flow, c.tags, d);
  ChooseDecorations(style, d);
  ChooseArtifacts(style, d, c.signal);
  ChooseArtery(style, c.vein_class, d, c.signal);
  ChooseClutter(style, d, c.signal);
  d.label_text = c.label_text;
  if (style.region_margin > 0 && rng.Chance(style.region_margin)) {  // each side on its own
    d.margin_left = rng.Int(0, 16), d.margin_top = rng.Int(0, 16);
    d.margin_right = rng.Int(0, 16), d.margin_bottom = rng.Int(0, 16);
  }
  return c;
}

namespace {

ClipPlan Plan(Laterality l, std::optional<Segment> s, CaseKind k) {
  ClipPlan p;
  p.laterality = l;
  p.segment = s;
  p.kind = k;
  return p;
}

}  // namespace

std::vector<ClipPlan> SampleStudyPlans() {
  using enum Segment;
  using enum CaseKind;
  constexpr Laterality L = Laterality::kLeft, R = Laterality::kRight;
  std::vector<ClipPlan> plans = {
      Plan(R, kCfv, kReflux),
      Plan(R, kGsvSfj, kCompetent),
      Plan(R, kGsvProxThigh, kBriefReflux),
      Plan(R, kGsvMidThigh, kTruncatedBelow),
      Plan(R, kGsvDistThigh, kNearBelow),
      Plan(R, kGsvProxCalf, kNoAugmentation),
      Plan(R, kFvProx, kCompetent),
      Plan(R, kPopv, kCompetent),
      Plan(R, kSsvSpj, kReflux),
      Plan(R, kSsvProxCalf, kWeakSignal),
      Plan(L, kCfv, kCompetent),
      Plan(L, kGsvSfj, kReflux),
      Plan(L, kGsvProxThigh, kTruncatedAbove),
      Plan(L, kGsvMidThigh, kNearAbove),
      Plan(L, kGsvKnee, kBriefReflux),
      Plan(L, kFvMid, kCompetent),
      Plan(L, kPopv, kNearBelow),
      Plan(L, kSsvSpj, kCompetent),
      Plan(L, kPerfCalf, kReflux),
      Plan(L, std::nullopt, kBriefReflux),
  };
  plans[0].aliasing = true;  // a few guaranteed hard conditions in the small sample
  plans[8].inverted_display = true;
  plans[11].multiframe = true;
  plans[18].erase_bar = true;
  return plans;
}

std::vector<ClipPlan> StressStudyPlans(Rng& rng) {
  using enum Segment;
  static constexpr Segment kProtocol[] = {kCfv,          kGsvSfj,  kGsvProxThigh, kGsvMidThigh,
                                          kGsvDistThigh, kGsvKnee, kGsvProxCalf,  kSsvSpj,
                                          kSsvMidCalf,   kPopv};
  std::vector<ClipPlan> plans;
  for (Laterality l : {Laterality::kRight, Laterality::kLeft}) {
    for (Segment s : kProtocol) {
      const double u = rng.Uniform();
      const CaseKind kind = u < 0.35   ? CaseKind::kCompetent
                            : u < 0.50 ? CaseKind::kBriefReflux
                            : u < 0.80 ? CaseKind::kReflux
                            : u < 0.83 ? CaseKind::kNearAbove
                            : u < 0.86 ? CaseKind::kNearBelow
                            : u < 0.89 ? CaseKind::kTruncatedAbove
                            : u < 0.92 ? CaseKind::kTruncatedBelow
                            : u < 0.96 ? CaseKind::kNoAugmentation
                                       : CaseKind::kWeakSignal;
      const bool unknown = rng.Chance(0.02);
      plans.push_back(Plan(l, unknown ? std::nullopt : std::optional<Segment>(s), kind));
    }
  }
  return plans;
}

std::vector<ClipPlan> EdgeStudyPlans() {
  using enum Segment;
  using enum CaseKind;
  constexpr Laterality L = Laterality::kLeft, R = Laterality::kRight;
  std::vector<ClipPlan> plans;
  // One clip per hard condition: everything else plain (gray, centred, no extras).
  auto plain = [](Laterality l, Segment s, CaseKind k) {
    ClipPlan p = Plan(l, s, k);
    p.tint = Tint::kGray;
    p.inverted_flow = p.inverted_display = p.shifted_baseline = p.aliasing = p.overlay_text =
        p.erase_bar = p.ecg = p.multiframe = p.hz_units = p.cw = p.low_snr = p.two_maneuvers =
            false;
    return p;
  };
  ClipPlan p = plain(R, kGsvSfj, kReflux);
  p.aliasing = true;
  plans.push_back(p);
  p = plain(R, kGsvProxThigh, kReflux);
  p.low_snr = true;
  plans.push_back(p);
  plans.push_back(plain(R, kGsvMidThigh, kWeakSignal));
  p = plain(R, kGsvKnee, kReflux);
  p.inverted_flow = true;
  plans.push_back(p);
  p = plain(R, kSsvSpj, kReflux);
  p.inverted_display = true;
  plans.push_back(p);
  p = plain(R, kSsvMidCalf, kCompetent);
  p.inverted_flow = p.inverted_display = true;
  plans.push_back(p);
  p = plain(R, kCfv, kReflux);
  p.shifted_baseline = true;
  plans.push_back(p);
  for (Tint t : {Tint::kBlue, Tint::kSepia, Tint::kGreen, Tint::kHot}) {
    p = plain(R, kGsvProxCalf, kBriefReflux);
    p.tint = t;
    plans.push_back(p);
  }
  p = plain(L, kGsvSfj, kReflux);
  p.overlay_text = true;
  plans.push_back(p);
  p = plain(L, kGsvProxThigh, kReflux);
  p.erase_bar = true;
  plans.push_back(p);
  p = plain(L, kGsvMidThigh, kCompetent);
  p.ecg = true;
  plans.push_back(p);
  plans.push_back(plain(L, kGsvDistThigh, kTruncatedAbove));
  plans.push_back(plain(L, kGsvKnee, kTruncatedBelow));
  p = plain(L, kSsvSpj, kReflux);
  p.multiframe = true;
  plans.push_back(p);
  p = plain(L, kSsvProxCalf, kReflux);
  p.hz_units = true;
  plans.push_back(p);
  plans.push_back(plain(L, kPopv, kNoAugmentation));
  p = plain(L, kFvMid, kReflux);
  p.cw = true;
  plans.push_back(p);
  plans.push_back(plain(L, kGsvMidCalf, kNearAbove));
  plans.push_back(plain(L, kGsvDistCalf, kNearBelow));
  p = plain(L, kPerfCalf, kReflux);
  p.two_maneuvers = true;
  plans.push_back(p);
  // Combinations.
  p = plain(R, kPopv, kReflux);
  p.aliasing = p.inverted_flow = true;
  p.tint = Tint::kBlue;
  plans.push_back(p);
  p = plain(R, kFvProx, kReflux);
  p.erase_bar = p.overlay_text = p.ecg = true;
  p.tint = Tint::kHot;
  plans.push_back(p);
  p = plain(L, kCfv, kReflux);
  p.hz_units = p.inverted_display = p.shifted_baseline = true;
  plans.push_back(p);
  p = plain(L, kGsvSfj, kTruncatedAbove);
  p.multiframe = p.low_snr = true;
  p.tint = Tint::kSepia;
  plans.push_back(p);
  // The later maps, appended so that the clips above keep their index (and their bytes).
  for (Tint t : {Tint::kRose, Tint::kIce, Tint::kAmber, Tint::kBone, Tint::kCopper, Tint::kPurple,
                 Tint::kNavyFloor, Tint::kSlateFloor}) {
    p = plain(R, kGsvProxCalf, kBriefReflux);
    p.tint = t;
    plans.push_back(p);
  }
  return plans;
}

}  // namespace refluxscan::synth
