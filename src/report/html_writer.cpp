// report.html: one self-contained page (inline CSS, SVG and PNG data URIs; a Content Security
// Policy forbids every external fetch). All DICOM and file-name text goes through EscapeHtml.
#include <map>
#include <set>
#include <tuple>

#include "refluxscan/core/text.h"
#include "refluxscan/report/report.h"
#include "report/internal.h"

namespace refluxscan::report {
namespace {

using detail::Fixed;
using detail::ThresholdCondition;

std::string Esc(std::string_view s) { return EscapeHtml(s); }

// Marks the page as rendered once the vein map has laid out (checked by the browser test). Its
// SHA-256 is pinned in the CSP below, so an injected script could not run even if escaping failed.
constexpr std::string_view kCheckScript =
    "(function(){var b=document.body;var m=document.getElementById('legmap');"
    "var n=document.querySelectorAll('#legmap .seg').length;"
    "var ok=m&&n>0&&m.getBBox().width>0;b.dataset.rendered=ok?'ok':'error';})();";
constexpr std::string_view kCheckScriptSha256 = "DjrHo4Zh6v9yZzD+xYA/lUrDbXm3f9pAR7EExY2OURQ=";

// "20240315" -> "2024-03-15"; anything else is shown as stored.
std::string DicomDate(std::string_view da) {
  const bool digits = da.size() == 8 && da.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return std::string(da);
  return std::string(da.substr(0, 4)) + "-" + std::string(da.substr(4, 2)) + "-" +
         std::string(da.substr(6, 2));
}

std::string Head() {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
       "style-src 'unsafe-inline'; script-src 'sha256-" +
       std::string(kCheckScriptSha256) + "'\">";
  h += "<meta name=\"referrer\" content=\"no-referrer\">";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  h += "<title>Venous reflux report</title><style>" + std::string(detail::HtmlStyle()) +
       "</style></head>";
  return h;
}

std::string TopBanner(const StudyReport& r) {
  const StudyInfo& s = r.study;
  std::string out =
      "<header class=\"top\"><div class=\"inner\"><div><h1>Venous reflux study</h1>"
      "<div class=\"sub\">";
  out += s.study_description.empty() ? "Study description not recorded" : Esc(s.study_description);
  out += "</div></div><dl>";
  out += "<dt>Study date</dt><dd>" +
         (s.study_date.empty() ? "&mdash;" : Esc(DicomDate(s.study_date))) + "</dd>";
  out +=
      "<dt>Patient ID</dt><dd>" + (s.patient_id.empty() ? "&mdash;" : Esc(s.patient_id)) + "</dd>";
  if (!s.accession_number.empty())
    out += "<dt>Accession</dt><dd>" + Esc(s.accession_number) + "</dd>";
  out += "</dl><dl><dt>Tool</dt><dd>refluxscan " + Esc(r.tool_version) + "</dd>";
  // The analyzer leaves the time out so a re-run writes identical bytes: no empty row then.
  if (!r.generated_at_utc.empty())
    out += "<dt>Generated</dt><dd>" + Esc(r.generated_at_utc) + "</dd>";
  out += "</dl></div></header>";
  return out;
}

std::string Stat(std::string_view css, size_t count, std::string_view label) {
  return "<div class=\"stat " + std::string(css) + "\"><b>" + std::to_string(count) + "</b><span>" +
         std::string(label) + "</span></div>";
}

std::string SummaryCounts(const StudyReport& r) {
  std::map<Classification, size_t> by_class;
  for (const SegmentFinding& s : r.segments) ++by_class[s.finding.classification];
  size_t ok = 0, failed = 0, skipped = 0;
  for (const ClipResult& c : r.clips) {
    ok += c.status == ClipStatus::kOk;
    failed += c.status == ClipStatus::kError;
    skipped += c.status == ClipStatus::kSkipped;
  }
  std::string out = "<div class=\"summary\">";
  out += Stat("reflux", by_class[Classification::kReflux], "segments with reflux");
  // Refluxing clips the map cannot show: a level not identified (listed on their leg's card,
  // LimbSummary::unplaced_reflux_clips) or a side not identified (in the clip list only).
  const auto off_map = std::count_if(r.clips.begin(), r.clips.end(), [](const ClipResult& c) {
    return c.status == ClipStatus::kOk && c.finding.classification == Classification::kReflux &&
           (!c.identity.segment || !c.identity.laterality);
  });
  if (off_map > 0) {
    out += Stat("reflux", static_cast<size_t>(off_map),
                "refluxing clips not on the map (level or side not identified)");
  }
  out += Stat("no_reflux", by_class[Classification::kNoReflux], "segments without reflux");
  out += Stat("indeterminate", by_class[Classification::kIndeterminate], "indeterminate segments");
  out += Stat("", ok, "clips analysed");
  if (failed > 0) out += Stat("error", failed, "clips failed");
  if (skipped > 0) out += Stat("", skipped, "clips skipped");
  if (detail::ProtocolAssessed(r)) {
    out += Stat(detail::ProtocolComplete(r.protocol) ? "no_reflux" : "indeterminate",
                r.protocol.missing.size() + r.protocol.unmeasurable.size(),
                "protocol levels missing or unmeasurable");
  }
  return out + "</div>";
}

// The thresholds actually applied, read back from the findings (independent of option names).
std::string CriteriaTable(const StudyReport& r) {
  std::set<std::tuple<std::string, double, std::string, std::string>> used;
  auto note = [&](std::optional<VeinClass> vein_class, const ClassifiedFinding& f) {
    if (!vein_class || !f.threshold_ms) return;
    used.insert({std::string(VeinClassName(*vein_class)), *f.threshold_ms, ThresholdCondition(f),
                 f.criterion_source});
  };
  for (const SegmentFinding& s : r.segments) note(Info(s.segment).vein_class, s.finding);
  for (const ClipResult& c : r.clips) note(c.identity.vein_class, c.finding);
  std::string out =
      "<div class=\"criteria\"><b>Reflux criteria applied</b> (reflux when the reflux "
      "time meets the condition):<table>";
  for (const auto& [vein_class, threshold, condition, source] : used) {
    out += "<tr><td>" + Esc(vein_class) + "</td><td>" + Esc(condition) + " ms</td><td>" +
           Esc(source) + "</td></tr>";
  }
  if (used.empty()) out += "<tr><td>no threshold was applied</td></tr>";
  out += "</table>";
  for (const auto& [name, value] : r.options) {
    if (name == "criteria_file" && !value.empty()) {
      out += "<p class=\"note\">Thresholds from the user's criteria file " + Esc(value) +
             ", not the built-in defaults.</p>";
    }
  }
  if (!r.options.empty()) {
    out += "<details><summary>Analysis options</summary><table>";
    for (const auto& [name, value] : r.options) {
      out += "<tr><th>" + Esc(name) + "</th><td>" + Esc(value) + "</td></tr>";
    }
    out += "</table></details>";
  }
  return out + "</div>";
}

std::string CompetenceText(const std::optional<bool>& competent) {
  if (!competent) return "<span class=\"unk\">not assessed</span>";
  return *competent ? "<span class=\"good\">competent</span>"
                    : "<span class=\"bad\">incompetent</span>";
}

std::string SegmentList(const std::vector<Segment>& segments) {
  if (segments.empty()) return "<span class=\"unk\">none</span>";
  std::string out;
  for (Segment s : segments) out += (out.empty() ? "" : ", ") + Esc(detail::ShortSegmentLabel(s));
  return "<span class=\"bad\">" + out + "</span>";
}

// "GSV_SFJ to GSV_KNEE; GSV_PROX_CALF" -> "GSV SFJ to GSV knee; GSV prox calf": canonical names
// read as on the map.
std::string ExtentText(const std::string& extent) {
  if (extent.empty()) return "<span class=\"unk\">none</span>";
  std::string out, word;
  auto flush = [&] {
    const std::optional<Segment> seg = SegmentFromName(word);
    out += seg ? detail::ShortSegmentLabel(*seg) : word;
    word.clear();
  };
  for (char c : extent) {
    if (c != ' ' && c != ';') {
      word.push_back(c);
      continue;
    }
    flush();
    out.push_back(c);
  }
  flush();
  return "<span class=\"bad\">" + Esc(out) + "</span>";
}

// Whether any segment of this leg that `counts` was decided (reflux or no reflux): "none" is a
// finding only then; otherwise nothing was assessed (no clip of it could be analysed).
template <class Counts>
bool Decided(const StudyReport& r, Laterality side, Counts counts) {
  return std::any_of(r.segments.begin(), r.segments.end(), [&](const SegmentFinding& s) {
    return s.laterality == side && s.finding.classification != Classification::kIndeterminate &&
           counts(Info(s.segment));
  });
}

std::string NotAssessed() { return "<span class=\"unk\">not assessed</span>"; }

// What an answer for one vein (or group) of one leg cannot vouch for: its segments measured but
// indeterminate, and its protocol levels not measured ("none" over a leg half unread is no
// "none"). Empty when there is nothing to add.
template <class Counts>
std::string Gaps(const StudyReport& r, Laterality side, Counts counts) {
  int indeterminate = 0, missing = 0;
  for (const SegmentFinding& s : r.segments) {
    indeterminate += s.laterality == side &&
                     s.finding.classification == Classification::kIndeterminate &&
                     counts(Info(s.segment));
  }
  for (const auto& [level_side, segment] : r.protocol.missing) {
    missing += level_side == side && counts(Info(segment));
  }
  if (indeterminate + missing == 0) return {};
  std::string parts;
  if (indeterminate > 0) parts = std::to_string(indeterminate) + " indeterminate";
  if (missing > 0) {
    parts += (parts.empty() ? "" : ", ") + std::to_string(missing) + " not measured";
  }
  return " <span class=\"unk\">(incomplete: " + parts + ")</span>";
}

// The leg's refluxing clips whose label named no level of the map, each with its reflux time and
// a link: the segment lists and the map cannot show them, and a reader must not miss them (a
// "GSV thigh" clip of 2234 ms was in no summary: tester, stop 35).
std::string UnplacedClips(const StudyReport& r, const LimbSummary& limb) {
  std::string out;
  for (size_t i : limb.unplaced_reflux_clips) {
    if (i >= r.clips.size()) continue;
    const ClipResult& c = r.clips[i];
    const std::string ms = Fixed(detail::LongestRefluxMs(c), 0);
    const char* at_least = detail::RefluxIsLowerBound(c) ? "\u2265 " : "";
    out += std::string(out.empty() ? "" : "; ") + "<a href=\"#clip-" + std::to_string(i) +
           "\">clip " + std::to_string(i) + "</a> " +
           (c.identity.label_text.empty() ? Esc(detail::SegmentLabelOf(c.identity))
                                          : "&ldquo;" + Esc(c.identity.label_text) + "&rdquo;") +
           (ms.empty() ? "" : " " + std::string(at_least) + ms + " ms");
  }
  return "<span class=\"bad\">" + out + "</span>";
}

// The leg's segments whose answer is within reading error of the threshold, either way, with
// their classification and time: the extent above shows only the refluxing ones, and a
// borderline "no reflux" beside it is the one a physician must look at (tester, stop 35).
std::string BorderlineSegments(const StudyReport& r, Laterality side) {
  std::string out;
  for (const SegmentFinding* s : detail::SegmentsInOrder(r, side)) {
    if (!detail::IsBorderline(r, *s)) continue;
    const std::string ms = Fixed(s->reflux_duration_ms, 0);
    const char* at_least = detail::RefluxIsLowerBound(r, *s) ? "\u2265 " : "";
    out += std::string(out.empty() ? "" : "; ") + Esc(detail::ShortSegmentLabel(s->segment)) + " " +
           (s->finding.classification == Classification::kReflux ? "reflux" : "no reflux") +
           (ms.empty() ? "" : " " + std::string(at_least) + ms + " ms");
  }
  return out;
}

std::string LimbCard(const StudyReport& r, const LimbSummary& limb) {
  const bool right = limb.laterality == Laterality::kRight;
  const Laterality side = limb.laterality;
  const auto is_gsv = [](const SegmentInfo& i) { return i.vein == "GSV"; };
  const auto is_ssv = [](const SegmentInfo& i) { return i.vein == "SSV"; };
  const auto is_deep = [](const SegmentInfo& i) {
    return i.vein_class == VeinClass::kDeepProximal || i.vein_class == VeinClass::kDeepDistal;
  };
  const auto is_any = [](const SegmentInfo&) { return true; };
  const bool gsv = Decided(r, side, is_gsv), ssv = Decided(r, side, is_ssv);
  const bool deep = Decided(r, side, is_deep), any = Decided(r, side, is_any);
  std::string out = "<div class=\"limb\" id=\"limb-" +
                    std::string(LateralityCode(limb.laterality)) + "\"><h3>" +
                    (right ? "Right leg (R)" : "Left leg (L)") + "</h3><dl>";
  out += "<dt>GSV axial reflux</dt><dd>" +
         (gsv || !limb.gsv_reflux_extent.empty()
              ? ExtentText(limb.gsv_reflux_extent) + Gaps(r, side, is_gsv)
              : NotAssessed()) +
         "</dd>";
  out += "<dt>SSV axial reflux</dt><dd>" +
         (ssv || !limb.ssv_reflux_extent.empty()
              ? ExtentText(limb.ssv_reflux_extent) + Gaps(r, side, is_ssv)
              : NotAssessed()) +
         "</dd>";
  out += "<dt>Sapheno-femoral junction</dt><dd>" + CompetenceText(limb.sfj_competent) + "</dd>";
  out += "<dt>Sapheno-popliteal junction</dt><dd>" + CompetenceText(limb.spj_competent) + "</dd>";
  out += "<dt>Deep venous reflux</dt><dd>" +
         (deep || !limb.deep_reflux.empty() ? SegmentList(limb.deep_reflux) + Gaps(r, side, is_deep)
                                            : NotAssessed()) +
         "</dd>";
  out += "<dt>All refluxing segments</dt><dd>" +
         (any || !limb.refluxing.empty() ? SegmentList(limb.refluxing) + Gaps(r, side, is_any)
                                         : NotAssessed()) +
         "</dd>";
  if (!limb.unplaced_reflux_clips.empty()) {
    out += "<dt>Reflux at a level not identified</dt><dd>" + UnplacedClips(r, limb) + "</dd>";
  }
  if (const std::string borderline = BorderlineSegments(r, side); !borderline.empty()) {
    out += "<dt>Borderline (check the interval)</dt><dd>" + borderline + "</dd>";
  }
  return out + "</dl></div>";
}

std::string Legend() {
  return "<div class=\"legend\"><span><i style=\"border-color:var(--reflux)\"></i>reflux</span>"
         "<span><i style=\"border-color:var(--noreflux)\"></i>no reflux</span>"
         "<span><i style=\"border-color:var(--indet)\"></i>indeterminate</span>"
         "<span><i style=\"border-color:var(--nm)\"></i>not measured</span>"
         "<span><i class=\"dash\" style=\"border-color:#66727f\"></i>posterior vein (SSV, PASV, "
         "muscular)</span><span><i class=\"thin\" style=\"border-color:#66727f\"></i>deep vein "
         "(thin)</span></div>";
}

std::string MapSection(const StudyReport& r) {
  std::string out = "<section id=\"map\"><h2>Vein map</h2><div class=\"mapwrap\"><figure>";
  out += detail::LegMapSvg(r) + Legend();
  out +=
      "<p class=\"convention\">Anterior view, as when facing the patient: the patient's right "
      "leg (R) is on the viewer's left. Labels give the reflux time of each measured segment; "
      "&ge; marks a lower bound (the clip ended during reflux), &asymp; a borderline time "
      "(within reading error of the threshold). Positions are schematic.</p>";
  out += "</figure><div class=\"limbs\">";
  for (Laterality side : {Laterality::kRight, Laterality::kLeft}) {
    for (const LimbSummary& limb : r.limbs) {
      if (limb.laterality == side) out += LimbCard(r, limb);
    }
  }
  return out + "</div></div></section>";
}

std::string Badge(Classification c) {
  static constexpr const char* kText[] = {"Reflux", "No reflux", "Indeterminate"};
  return "<span class=\"badge " + std::string(ClassificationName(c)) + "\">" +
         kText[static_cast<int>(c)] + "</span>";
}

std::string Cell(const std::string& text, std::string_view unit) {
  return "<td class=\"num\">" + (text.empty() ? "&mdash;" : text + " " + std::string(unit)) +
         "</td>";
}

std::string FindingRow(const StudyReport& r, const SegmentFinding& s) {
  const SegmentInfo& info = Info(s.segment);
  std::string row = "<tr id=\"finding-" + std::string(LateralityCode(s.laterality)) + "-" +
                    std::string(info.name) + "\"><td title=\"" + Esc(info.description) + "\">" +
                    Esc(detail::ShortSegmentLabel(s.segment)) + "</td><td>" +
                    Badge(s.finding.classification);
  if (detail::IsBorderline(r, s)) {
    row +=
        " <span class=\"borderline\" title=\"the reflux time is within reading error of the "
        "threshold: a repeat measurement may classify it otherwise\">borderline</span>";
  }
  if (!s.finding.reason.empty()) {  // the sentence, with the code as its tooltip
    const std::string_view text = detail::ReasonDescription(s.finding.reason);
    row += " <span class=\"qa-desc\" title=\"" + Esc(s.finding.reason) + "\">" +
           Esc(text.empty() ? std::string_view(s.finding.reason) : text) + "</span>";
  }
  // An indeterminate segment with no reflux seen (a clip too short to tell, no augmentation) has
  // no reflux time: "0 ms" and a margin of -threshold would read as measurements.
  const bool timed =
      s.reflux_duration_ms &&
      (*s.reflux_duration_ms > 0 || s.finding.classification != Classification::kIndeterminate);
  const std::optional<double> none;
  const std::string at_least = timed && detail::RefluxIsLowerBound(r, s) ? "\u2265 " : "";
  row += "</td>" + Cell(at_least + Fixed(timed ? s.reflux_duration_ms : none, 0), "ms") +
         Cell(Fixed(s.finding.threshold_ms, 0), "ms") +
         Cell(detail::SignedFixed(timed ? s.finding.margin_ms : none, 0), "ms") +
         Cell(Fixed(timed ? s.peak_reflux_velocity_cm_s : none, 1), "cm/s") + "<td>";
  if (s.decisive_clip && *s.decisive_clip < r.clips.size()) {
    row += "<a href=\"#clip-" + std::to_string(*s.decisive_clip) + "\">clip " +
           std::to_string(*s.decisive_clip) + "</a>";
  } else {
    row += "&mdash;";
  }
  return row + "</td></tr>";
}

std::string FindingsSection(const StudyReport& r) {
  std::string out = "<section id=\"findings\"><h2>Findings by segment</h2>";
  for (Laterality side : {Laterality::kRight, Laterality::kLeft}) {
    const auto segments = detail::SegmentsInOrder(r, side);
    out += std::string("<h3>") + (side == Laterality::kRight ? "Right leg" : "Left leg") + "</h3>";
    if (segments.empty()) {
      out += "<p class=\"muted\">No segment measured.</p>";
      continue;
    }
    out +=
        "<table class=\"findings\"><thead><tr><th>Segment</th><th>Classification</th>"
        "<th>Reflux time</th><th>Threshold</th><th>Margin</th><th>Peak reflux velocity</th>"
        "<th>Decisive clip</th></tr></thead><tbody>";
    for (const SegmentFinding* s : segments) out += FindingRow(r, *s);
    out += "</tbody></table>";
  }
  return out + "</section>";
}

// Appended to the page in place: the clip cards hold the strips' data URIs, most of its bytes.
void AppendClipsSection(std::string& out, const StudyReport& r) {
  out += "<section id=\"clips\"><h2>Clips and measurements</h2>";
  if (r.clips.empty()) out += "<p class=\"muted\">No clips.</p>";
  for (size_t i : detail::ClipDisplayOrder(r)) detail::AppendClipCardHtml(out, r, i);
  out += "</section>";
}

std::string FlagList(const std::vector<std::string>& flags) {
  std::string out;
  for (const std::string& f : flags) {
    const std::string_view text = detail::QualityFlagDescription(f);
    out += "<div><span class=\"chip\" data-flag=\"" + Esc(f) + "\">" + Esc(detail::FlagWords(f)) +
           "</span> <span class=\"qa-desc\">" + (text.empty() ? "" : Esc(text)) + "</span></div>";
  }
  return out;
}

std::string QaClipTable(const StudyReport& r) {
  std::string rows;
  for (size_t i : detail::ClipDisplayOrder(r)) {
    const ClipResult& c = r.clips[i];
    if (c.quality.empty() && c.status == ClipStatus::kOk) continue;
    std::string where =
        c.identity.laterality ? std::string(LateralityCode(*c.identity.laterality)) : "?";
    where += " " + detail::SegmentLabelOf(c.identity);
    rows += "<tr><td><a href=\"#clip-" + std::to_string(i) + "\">clip " + std::to_string(i) +
            "</a></td><td>" + Esc(where) + "</td><td><code>" + Esc(c.file) + "</code></td><td>" +
            std::string(ClipStatusName(c.status));
    if (c.error) rows += ": " + Esc(c.error->message);
    rows += "</td><td>" + FlagList(c.quality) + "</td></tr>";
  }
  if (rows.empty()) return "<p class=\"muted\">No quality flags raised.</p>";
  return "<table class=\"qa\"><thead><tr><th>Clip</th><th>Segment</th><th>File</th><th>Status</th>"
         "<th>Flags</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

using Level = std::pair<Laterality, Segment>;

std::string LevelChips(const ProtocolCompleteness& p, Laterality side) {
  const std::set<Level> missing(p.missing.begin(), p.missing.end());
  const std::set<Level> unmeasurable(p.unmeasurable.begin(), p.unmeasurable.end());
  std::string out;
  for (const Level& level : p.required) {
    if (level.first != side) continue;
    const char* state = missing.contains(level)        ? "missing"
                        : unmeasurable.contains(level) ? "unmeasurable"
                                                       : "measured";
    out += "<span class=\"level " + std::string(state) + "\" title=\"" + state + "\">" +
           Esc(detail::ShortSegmentLabel(level.second)) + "</span>";
  }
  return out.empty() ? "<span class=\"muted\">no level required</span>" : out;
}

std::string ProtocolBlock(const ProtocolCompleteness& p) {
  std::string out = "<h3>Protocol completeness";
  if (!p.protocol_name.empty()) out += " &middot; " + Esc(p.protocol_name);
  out += "</h3><p>";
  out += detail::ProtocolComplete(p)
             ? "<span class=\"good\">Complete:</span> every required level is measured."
             : "<span class=\"bad\">Incomplete:</span> " + std::to_string(p.missing.size()) +
                   " required level(s) missing, " + std::to_string(p.unmeasurable.size()) +
                   " unmeasurable.";
  out += "</p><div class=\"protocol\">";
  for (Laterality side : {Laterality::kRight, Laterality::kLeft}) {
    out += std::string("<div class=\"leg\"><b>") + (side == Laterality::kRight ? "Right" : "Left") +
           "</b><div>" + LevelChips(p, side) + "</div></div>";
  }
  return out +
         "</div><div class=\"legend\"><span class=\"level measured\">measured</span>"
         "<span class=\"level missing\">missing</span><span class=\"level unmeasurable\">"
         "unmeasurable (indeterminate)</span></div>";
}

std::string QaSection(const StudyReport& r) {
  const std::string protocol =
      detail::ProtocolAssessed(r)
          ? ProtocolBlock(r.protocol)
          : "<h3>Protocol completeness</h3><p class=\"muted\">Not assessed: this "
            "study holds no spectral Doppler clip (every image was skipped).</p>";
  return "<section id=\"qa\"><h2>Quality assurance</h2><h3>Clip quality flags</h3>" +
         QaClipTable(r) + protocol + "</section>";
}

}  // namespace

std::string ToHtml(const StudyReport& report) {
  std::string html = Head();
  html += "<body>" + TopBanner(report) + "<main>";
  html += "<section id=\"summary\"><h2>Summary</h2>" + SummaryCounts(report) +
          CriteriaTable(report) + "</section>";
  html += MapSection(report) + FindingsSection(report);
  AppendClipsSection(html, report);
  html += QaSection(report);
  html += "<footer>Generated by refluxscan " + Esc(report.tool_version) +
          ". Automated measurements must be reviewed against the images by a qualified "
          "clinician.</footer></main><script>" +
          std::string(kCheckScript) + "</script></body></html>\n";
  return html;
}

}  // namespace refluxscan::report
