// Helpers shared by the report writers: number formatting, clip summaries, ordering, QA texts.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

#include "report/internal.h"

namespace refluxscan::report::detail {

std::optional<double> Finite(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<double> Finite(const std::optional<double>& value) {
  if (!value) return std::nullopt;
  return Finite(*value);
}

// The digits come from the integer nearest to v x 100, computed in double as t = fl(v x 100):
// the exact product lies within half an ulp of t, so when t is at most 2^40 (ulp <= 2^-12) and
// its fraction is more than 2^-10 away from one half, the exact product rounds to the same
// integer as t, and printf's correctly rounded digits are that integer's. Anything else (ties,
// near-ties, large or non-finite values) goes to std::to_chars, whose digits are the reference
// (a test compares the two on random and tie values). std::to_chars with a precision takes
// ~600 instructions a number, this path ~40.
void AppendFixed2(std::string& out, double v) {
  constexpr double kMaxScaled = 1099511627776.0;  // 2^40
  constexpr double kTieMargin = 1.0 / 1024;
  const double t = v * 100.0;
  const double whole = std::floor(t);
  const double fraction = t - whole;  // exact: |t| < 2^40
  if (!(std::abs(t) < kMaxScaled) || std::abs(fraction - 0.5) <= kTieMargin) {
    char buf[400];  // fits any double in fixed notation with 2 decimals
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 2);
    out.append(buf, ec == std::errc{} ? end : buf);
    return;
  }
  const auto n = static_cast<long long>(whole) + (fraction > 0.5 ? 1 : 0);
  const unsigned long long magnitude =
      n < 0 ? 0ull - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
  char buf[24];
  char* at = buf;
  if (std::signbit(v)) *at++ = '-';  // printf keeps the sign of a value that rounds to 0
  at = std::to_chars(at, buf + sizeof buf, magnitude / 100).ptr;
  const auto cents = static_cast<int>(magnitude % 100);
  *at++ = '.';
  *at++ = static_cast<char>('0' + cents / 10);
  *at++ = static_cast<char>('0' + cents % 10);
  out.append(buf, at);
}

std::optional<double> Rounded(const std::optional<double>& value, double step) {
  const std::optional<double> v = Finite(value);
  if (!v) return std::nullopt;
  const double r = std::round(*v / step) * step;
  // Re-derive from the decimal count so 0.1 steps print as 12.3, not 12.300000000000001.
  const double decimals = std::round(-std::log10(step));
  const double scale = std::pow(10.0, decimals);
  const double out = std::round(r * scale) / scale;
  return out == 0.0 ? 0.0 : out;  // no negative zero
}

std::string Fixed(const std::optional<double>& value, int decimals) {
  const std::optional<double> v = Rounded(value, std::pow(10.0, -decimals));
  if (!v) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
  return buf;
}

std::string ThresholdCondition(const ClassifiedFinding& f) {
  if (!f.threshold_ms) return "";
  return std::string(f.threshold_inclusive ? "\u2265 " : "> ") + Fixed(f.threshold_ms, 0);
}

std::string SignedFixed(const std::optional<double>& value, int decimals) {
  std::string text = Fixed(value, decimals);
  if (!text.empty() && text.front() != '-') text.insert(text.begin(), '+');
  return text;
}

namespace {

// Folds `pick` over the maneuvers that pass `use`, keeping the largest finite value.
template <class Use, class Pick>
std::optional<double> MaxOver(const ClipResult& clip, Use use, Pick pick) {
  if (!clip.measurement) return std::nullopt;
  std::optional<double> best;
  for (const Maneuver& m : clip.measurement->maneuvers) {
    if (!use(m)) continue;
    const std::optional<double> v = Finite(pick(m));
    if (v && (!best || *v > *best)) best = v;
  }
  return best;
}

}  // namespace

std::optional<double> LongestRefluxMs(const ClipResult& clip) {
  return MaxOver(
      clip, [](const Maneuver& m) { return m.has_reflux; },
      [](const Maneuver& m) { return m.reflux_duration_ms; });
}

// The decisive maneuver (the longest reflux, the one the classification reads) ran into the end.
bool RefluxIsLowerBound(const ClipResult& clip) {
  const RefluxMeasurement* m = clip.measurement ? &*clip.measurement : nullptr;
  if (m == nullptr || !m->decisive || *m->decisive >= m->maneuvers.size()) return false;
  const Maneuver& decisive = m->maneuvers[*m->decisive];
  return decisive.has_reflux && decisive.truncated;
}

bool RefluxIsLowerBound(const StudyReport& r, const SegmentFinding& s) {
  return s.decisive_clip && *s.decisive_clip < r.clips.size() &&
         RefluxIsLowerBound(r.clips[*s.decisive_clip]);
}

bool IsBorderline(const StudyReport& r, const SegmentFinding& s) {
  if (!s.decisive_clip || *s.decisive_clip >= r.clips.size()) return false;
  const std::vector<std::string>& q = r.clips[*s.decisive_clip].quality;
  return std::find(q.begin(), q.end(), "near_threshold") != q.end();
}

std::optional<double> PeakRefluxCmS(const ClipResult& clip) {
  return MaxOver(
      clip, [](const Maneuver& m) { return m.has_reflux; },
      [](const Maneuver& m) { return m.peak_reflux_velocity_cm_s; });
}

std::optional<double> PeakAntegradeCmS(const ClipResult& clip) {
  return MaxOver(
      clip, [](const Maneuver&) { return true; },
      [](const Maneuver& m) { return m.peak_antegrade_velocity_cm_s; });
}

std::optional<std::string_view> SegmentName(const ClipResult& clip) {
  if (!clip.identity.segment) return std::nullopt;
  return Info(*clip.identity.segment).name;
}

std::optional<std::string_view> VeinClassOf(const ClipResult& clip) {
  if (!clip.identity.vein_class) return std::nullopt;
  return VeinClassName(*clip.identity.vein_class);
}

std::string SegmentLabelOf(const SegmentId& id) {
  if (id.segment) return ShortSegmentLabel(*id.segment);
  if (!id.vein_class) return "unknown segment";
  std::string words(VeinClassName(*id.vein_class));  // "deep_proximal" -> "deep proximal"
  std::replace(words.begin(), words.end(), '_', ' ');
  return "unknown segment (" + words + " vein)";
}

std::string ShortSegmentLabel(Segment segment) {
  // "GSV_PROX_THIGH" -> "GSV prox thigh": vein in capitals, level in lower case.
  const std::string_view name = Info(segment).name;
  std::string out;
  bool first_word = true;
  for (char c : name) {
    if (c == '_') {
      out.push_back(' ');
      first_word = false;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    out.push_back(first_word ? c : static_cast<char>(std::tolower(u)));
  }
  // Junction abbreviations stay in capitals.
  for (std::string_view junction : {"sfj", "spj"}) {
    const size_t at = out.find(junction);
    if (at != std::string::npos) {
      for (size_t k = at; k < at + junction.size(); ++k) {
        out[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[k])));
      }
    }
  }
  return out;
}

namespace {

// Sort key: right leg, left leg, then unknown; within a leg anatomical order, unknown last.
std::pair<int, int> DisplayKey(const ClipResult& clip) {
  const SegmentId& id = clip.identity;
  if (!id.laterality || !id.segment) return {2, 0};
  const int side = *id.laterality == Laterality::kRight ? 0 : 1;
  return {side, Info(*id.segment).anatomical_order};
}

}  // namespace

std::vector<size_t> ClipDisplayOrder(const StudyReport& report) {
  std::vector<size_t> order(report.clips.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return DisplayKey(report.clips[a]) < DisplayKey(report.clips[b]);
  });
  return order;
}

std::vector<const SegmentFinding*> SegmentsInOrder(const StudyReport& report, Laterality side) {
  std::vector<const SegmentFinding*> out;
  for (const SegmentFinding& s : report.segments) {
    if (s.laterality == side) out.push_back(&s);
  }
  std::stable_sort(out.begin(), out.end(), [](const SegmentFinding* a, const SegmentFinding* b) {
    return Info(a->segment).anatomical_order < Info(b->segment).anatomical_order;
  });
  return out;
}

std::string FlagWords(std::string_view flag) {
  std::string words(flag);
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

namespace {

struct Described {
  std::string_view key, text;
};

// QA flags (docs/qa-flags.md) as a sonographer would want them explained.
constexpr std::array kQualityFlags = {
    Described{"near_threshold",
              "Reflux time within 50 ms (or 3 display columns) of its threshold: the "
              "classification can turn on the timing; check the measured interval."},
    Described{"scale_too_high",
              "Velocity scale too high for the flow: the trace uses a small part "
              "of the display; lower the scale (PRF)."},
    Described{"aliasing",
              "Aliasing: velocities exceed the scale and wrap to the other side; raise "
              "the scale or move the baseline."},
    Described{"aliased", "Aliasing within the reflux interval: the trace wraps around the scale."},
    Described{"saturated", "Doppler gain too high: the spectrum is saturated."},
    Described{"weak_signal", "Doppler signal too weak: raise the gain or improve the angle."},
    Described{"faint_tail",
              "The reflux fades slowly into the noise: its true end is probably later than "
              "measured, so its time is a lower estimate. Check the interval, especially "
              "below the threshold."},
    Described{"weak_augmentation",
              "The augmentation response is barely above the noise floor: it was measured, but "
              "raise the gain or improve the angle for a clearer trace."},
    Described{"no_augmentation", "No augmentation response: no antegrade burst after compression."},
    Described{"truncated", "The clip ends while reflux continues: record a longer clip."},
    Described{"short_after_release",
              "The clip ends less than 0.25 s after a release: too soon to see whether reflux "
              "follows. Record longer after releasing."},
    Described{"pulsatile_signal",
              "Pulses at the heart's rhythm in the trace: an artery beside the vein in the "
              "Doppler beam (CW, or a PW gate beside the artery), or pulsatile venous flow "
              "(right heart failure, tricuspid regurgitation). They were not read as venous "
              "flow: check the strip; move the sample volume off an artery."},
    Described{"angle_missing", "Doppler correction angle not recorded."},
    Described{"angle_large", "Doppler angle above 60 degrees: velocities are unreliable."},
    Described{"calibration_missing",
              "No velocity/time calibration in the DICOM header: the clip "
              "cannot be measured."},
    Described{"calibration_inconsistent", "Calibration inconsistent with the displayed scale."},
    Described{"unknown_segment",
              "Segment label not recognised: add it to the manifest or the "
              "image annotation."},
    Described{"unknown_laterality", "Laterality (left/right) not recorded."},
    Described{"label_mismatch",
              "The manifest names another side or segment than the image's own label: the "
              "manifest was used; check which is right."},
    Described{"decode_error", "The image could not be decoded."},
    Described{"not_spectral", "Not a spectral Doppler image (no spectral region)."},
    Described{"duplicate",
              "Another file holds the same image (same SOP Instance UID): analysed once."},
};

constexpr std::array kReasons = {
    Described{"truncated_below_threshold",
              "the clip ends during reflux, or too soon after the release to tell, below the "
              "threshold"},
    Described{"no_augmentation", "no augmentation response visible"},
    Described{"weak_signal", "signal too weak to trace"},
    Described{"aliased", "aliasing hides the trace"},
    Described{"unknown_segment", "segment unknown, so no threshold applies"},
    Described{"no_calibration", "no velocity/time calibration"},
    Described{"not_spectral", "not a spectral Doppler clip (skipped)"},
    Described{"analysis_error", "the clip could not be analysed"},
};

template <size_t N>
std::string_view Lookup(const std::array<Described, N>& table, std::string_view key) {
  for (const Described& d : table) {
    if (d.key == key) return d.text;
  }
  return "";
}

}  // namespace

std::string_view QualityFlagDescription(std::string_view flag) {
  return Lookup(kQualityFlags, flag);
}

std::string_view ReasonDescription(std::string_view reason) { return Lookup(kReasons, reason); }

bool ProtocolComplete(const ProtocolCompleteness& protocol) {
  return protocol.missing.empty() && protocol.unmeasurable.empty();
}

bool ProtocolAssessed(const StudyReport& report) {
  return std::any_of(report.clips.begin(), report.clips.end(),
                     [](const ClipResult& c) { return c.status != ClipStatus::kSkipped; });
}

}  // namespace refluxscan::report::detail
