// The vein map: both legs in anterior view (patient's right on the viewer's left), every segment
// at its anatomical position, coloured by classification and labelled with its reflux time.
// Geometry is stylised, in "leg coordinates": x grows medially (toward the midline), y grows
// distally from the groin crease (0) to the ankle (~555). Each leg maps them mirror-wise.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "refluxscan/core/text.h"
#include "report/internal.h"

namespace refluxscan::report::detail {
namespace {

struct Pt {
  double x, y;
};

enum class Style { kSuperficial, kPosterior, kDeep, kDeepPosterior, kPerforator };

struct SegmentShape {
  Segment segment;
  Style style;
  std::vector<Pt> path;
  bool only_if_measured;  // level-unspecified segments would clutter the map when gray
};

// Stylised anatomy (see the file comment for the coordinate frame). Junction segments start at
// the deep vein they join. Posterior veins (SSV, PASV, muscular veins) are dashed.
const std::vector<SegmentShape>& Shapes() {
  using enum Segment;
  using enum Style;
  static const std::vector<SegmentShape> kShapes = {
      // Deep system first so superficial veins draw on top.
      {kCfv, kDeep, {{2, -12}, {4, 30}, {5, 72}}, false},
      {kDfv, kDeep, {{4, 76}, {-10, 112}, {-17, 160}}, false},
      {kFvProx, kDeep, {{5, 72}, {4, 135}}, false},
      {kFvMid, kDeep, {{4, 135}, {5, 200}}, false},
      {kFvDist, kDeep, {{5, 200}, {6, 265}}, false},
      {kFv, kDeep, {{9, 74}, {8, 135}, {9, 200}, {10, 262}}, true},
      {kPopv, kDeep, {{6, 265}, {3, 300}, {1, 340}}, false},
      {kPtv, kDeep, {{3, 342}, {16, 440}, {13, 535}}, false},
      {kPerv, kDeep, {{1, 342}, {2, 440}, {-2, 530}}, false},
      {kAtv, kDeep, {{-1, 342}, {-28, 440}, {-25, 530}}, false},
      {kGastroc, kDeepPosterior, {{2, 328}, {20, 352}, {27, 395}}, false},
      {kSoleal, kDeepPosterior, {{0, 352}, {-16, 388}, {-20, 425}}, false},
      // Great saphenous system (medial, anterior view).
      {kGsvSfj, kSuperficial, {{4, 42}, {18, 58}}, false},
      {kGsvProxThigh, kSuperficial, {{18, 58}, {26, 96}, {30, 140}}, false},
      {kGsvMidThigh, kSuperficial, {{30, 140}, {33, 200}}, false},
      {kGsvDistThigh, kSuperficial, {{33, 200}, {35, 255}}, false},
      {kGsvKnee, kSuperficial, {{35, 255}, {35, 310}}, false},
      {kGsvProxCalf, kSuperficial, {{35, 310}, {37, 380}}, false},
      {kGsvMidCalf, kSuperficial, {{37, 380}, {31, 450}}, false},
      {kGsvDistCalf, kSuperficial, {{31, 450}, {17, 545}}, false},
      {kGsvCalf, kSuperficial, {{41, 312}, {43, 380}, {37, 450}, {23, 545}}, true},
      {kAasv, kSuperficial, {{12, 58}, {-4, 100}, {-18, 160}, {-27, 222}}, false},
      {kPasv, kPosterior, {{22, 72}, {40, 140}, {43, 212}}, false},
      // Small saphenous system (posterior calf: dashed).
      {kSsvSpj, kPosterior, {{3, 300}, {-7, 318}}, false},
      {kSsvProxCalf, kPosterior, {{-7, 318}, {-10, 385}}, false},
      {kSsvMidCalf, kPosterior, {{-10, 385}, {-13, 455}}, false},
      {kSsvDistCalf, kPosterior, {{-13, 455}, {-22, 545}}, false},
      // A tributary, level unspecified: drawn (only when measured) as the anterior arch vein,
      // the GSV's tributary across the front of the calf; its label names it wherever it lies.
      {kTributary, kSuperficial, {{36, 362}, {8, 372}, {-22, 392}}, true},
      // Perforators: short connectors from the superficial to the deep vein.
      {kPerfThigh, kPerforator, {{33, 188}, {8, 196}}, false},
      {kPerfKnee, kPerforator, {{36, 330}, {8, 346}}, false},
      {kPerfCalf, kPerforator, {{30, 468}, {14, 478}}, false},
      {kPerf, kPerforator, {{-44, 410}, {-24, 418}}, true},
  };
  return kShapes;
}

// Leg silhouette, one leg, from the lateral hip down and around the foot up to the crotch.
constexpr std::array<Pt, 29> kOutline = {{
    {-64, -40}, {-68, 20},  {-66, 90},  {-60, 170}, {-52, 250}, {-47, 295}, {-50, 335}, {-54, 380},
    {-48, 440}, {-36, 505}, {-26, 555}, {-28, 585}, {-32, 604}, {-20, 618}, {0, 622},   {18, 618},
    {28, 602},  {26, 580},  {24, 555},  {32, 505},  {44, 440},  {50, 380},  {46, 335},  {42, 295},
    {44, 250},  {48, 170},  {52, 90},   {52, 40},   {48, 14},
}};

constexpr double kTopY = 96;           // screen y of leg-coordinate y = 0
constexpr double kRightCenterX = 318;  // patient's right leg, viewer's left
constexpr double kLeftCenterX = 482;   // patient's left leg, viewer's right
constexpr double kRightLabelX = 214;   // labels right-aligned here (right leg)
constexpr double kLeftLabelX = 586;    // labels left-aligned here (left leg)
constexpr double kLabelSpacing = 17;
constexpr int kWidth = 800, kHeight = 740;

struct Leg {
  Laterality side;
  double center_x;
  double medial_sign;  // +1: medial is toward larger screen x
  Pt Map(Pt p) const { return {center_x + medial_sign * p.x, kTopY + p.y}; }
};

Leg LegOf(Laterality side) {
  return side == Laterality::kRight ? Leg{side, kRightCenterX, 1.0} : Leg{side, kLeftCenterX, -1.0};
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string PointText(Pt p) { return Num(p.x) + "," + Num(p.y); }

// A smooth path through the points (Catmull-Rom converted to cubic Beziers).
std::string SmoothPath(const std::vector<Pt>& pts, bool closed) {
  const size_t n = pts.size();
  if (n < 2) return "";
  auto at = [&](long i) {
    if (closed) return pts[static_cast<size_t>((i + static_cast<long>(n)) % static_cast<long>(n))];
    return pts[static_cast<size_t>(std::clamp(i, 0L, static_cast<long>(n) - 1))];
  };
  std::string d = "M" + PointText(pts[0]);
  const long segments = closed ? static_cast<long>(n) : static_cast<long>(n) - 1;
  for (long i = 0; i < segments; ++i) {
    const Pt p0 = at(i - 1), p1 = at(i), p2 = at(i + 1), p3 = at(i + 2);
    const Pt c1{p1.x + (p2.x - p0.x) / 6, p1.y + (p2.y - p0.y) / 6};
    const Pt c2{p2.x - (p3.x - p1.x) / 6, p2.y - (p3.y - p1.y) / 6};
    d += " C" + PointText(c1) + " " + PointText(c2) + " " + PointText(p2);
  }
  return closed ? d + " Z" : d;
}

// Both legs as one silhouette: right leg down and up to the crotch, left leg down and up.
std::string BodyOutline() {
  std::vector<Pt> pts;
  const Leg right = LegOf(Laterality::kRight), left = LegOf(Laterality::kLeft);
  for (const Pt& p : kOutline) pts.push_back(right.Map(p));
  pts.push_back({(kRightCenterX + kLeftCenterX) / 2, kTopY + 2});  // crotch apex
  for (auto it = kOutline.rbegin(); it != kOutline.rend(); ++it) pts.push_back(left.Map(*it));
  pts.push_back({(kRightCenterX + kLeftCenterX) / 2, kTopY - 46});  // waist midline
  return SmoothPath(pts, true);
}

std::string_view ClassificationKey(const SegmentFinding* finding) {
  return finding ? ClassificationName(finding->finding.classification) : "not_measured";
}

std::string_view StyleClass(Style s) {
  switch (s) {
    case Style::kSuperficial:
      return "sup";
    case Style::kPosterior:
      return "sup post";
    case Style::kDeep:
      return "deep";
    case Style::kDeepPosterior:
      return "deep post";
    case Style::kPerforator:
      return "perf";
  }
  return "sup";
}

Pt Midpoint(const std::vector<Pt>& path) {
  if (path.size() % 2 == 1) return path[path.size() / 2];
  const Pt a = path[path.size() / 2 - 1], b = path[path.size() / 2];
  return {(a.x + b.x) / 2, (a.y + b.y) / 2};
}

// "1850 ms", ">= 380 ms" (truncated, lower bound), "~ 486 ms" (borderline: IsBorderline),
// "no reflux", "indeterminate".
std::string MapValueText(const StudyReport& report, const SegmentFinding& s) {
  const bool lower_bound = RefluxIsLowerBound(report, s);
  if (s.reflux_duration_ms && (*s.reflux_duration_ms > 0 || !lower_bound)) {  // not ">= 0 ms"
    const char* mark = lower_bound ? "\u2265 " : IsBorderline(report, s) ? "\u2248 " : "";
    return std::string(mark) + Fixed(s.reflux_duration_ms, 0) + " ms";
  }
  switch (s.finding.classification) {
    case Classification::kNoReflux:
      return "no reflux";
    case Classification::kReflux:
      return "reflux";
    case Classification::kIndeterminate:
      return "indeterminate";
  }
  return "";
}

std::string SegmentTitle(const Leg& leg, Segment segment, const SegmentFinding* finding,
                         bool borderline) {
  std::string title = std::string(LateralityCode(leg.side)) + " " + ShortSegmentLabel(segment) +
                      " (" + std::string(Info(segment).description) + "): ";
  if (!finding) return title + "not measured";
  title += std::string(ClassificationName(finding->finding.classification));
  if (finding->reflux_duration_ms)
    title += ", reflux time " + Fixed(finding->reflux_duration_ms, 0) + " ms";
  if (finding->finding.threshold_ms)
    title += ", reflux when " + ThresholdCondition(finding->finding) + " ms";
  if (borderline) title += " (borderline: within reading error of the threshold)";
  return title;
}

std::string SegmentElement(const Leg& leg, const SegmentShape& shape, const SegmentFinding* finding,
                           bool borderline) {
  std::vector<Pt> screen;
  for (const Pt& p : shape.path) screen.push_back(leg.Map(p));
  const std::string name(Info(shape.segment).name);
  const std::string id = "seg-" + std::string(LateralityCode(leg.side)) + "-" + name;
  const std::string d = SmoothPath(screen, false);
  std::string g = "<g id=\"" + id + "\" class=\"seg " + std::string(StyleClass(shape.style)) +
                  (finding ? " measured" : "") + "\" data-segment=\"" + name +
                  "\" data-laterality=\"" + std::string(LateralityCode(leg.side)) +
                  "\" data-classification=\"" + std::string(ClassificationKey(finding)) + "\">";
  g += "<title>" + EscapeHtml(SegmentTitle(leg, shape.segment, finding, borderline)) + "</title>";
  if (finding) g += "<path class=\"halo\" d=\"" + d + "\"/>";
  g += "<path class=\"vein\" d=\"" + d + "\"/>";
  const bool junction = shape.segment == Segment::kGsvSfj || shape.segment == Segment::kSsvSpj;
  if (junction)
    g += "<circle class=\"node\" cx=\"" + Num(screen.front().x) + "\" cy=\"" +
         Num(screen.front().y) + "\" r=\"4.5\"/>";
  if (shape.style == Style::kPerforator) {
    g += "<circle class=\"node\" cx=\"" + Num(screen.front().x) + "\" cy=\"" +
         Num(screen.front().y) + "\" r=\"3.5\"/>";
  }
  return g + "</g>";
}

struct Label {
  double anchor_y;  // where the segment is
  double y;         // where the text goes after de-overlapping
  Pt target;
  std::string text, value, classification, segment_id;
};

// Spreads labels so none overlap, keeping each as close to its segment as possible.
void Spread(std::vector<Label>& labels) {
  std::sort(labels.begin(), labels.end(),
            [](const Label& a, const Label& b) { return a.anchor_y < b.anchor_y; });
  for (size_t i = 0; i < labels.size(); ++i) {
    labels[i].y = labels[i].anchor_y;
    if (i > 0) labels[i].y = std::max(labels[i].y, labels[i - 1].y + kLabelSpacing);
  }
  const double bottom = kHeight - 12;
  for (size_t i = labels.size(); i-- > 0;) {
    const double limit = i + 1 < labels.size() ? labels[i + 1].y - kLabelSpacing : bottom;
    labels[i].y = std::min(labels[i].y, limit);
  }
}

std::string LabelElements(const Leg& leg, std::vector<Label> labels) {
  Spread(labels);
  const bool right = leg.side == Laterality::kRight;
  const double x = right ? kRightLabelX : kLeftLabelX;
  const double leader_x = right ? x + 6 : x - 6;
  std::string out;
  for (const Label& l : labels) {
    out += "<g class=\"label\" data-for=\"" + l.segment_id + "\" data-classification=\"" +
           l.classification + "\">";
    out += "<polyline class=\"leader\" points=\"" + PointText({leader_x, l.y - 4}) + " " +
           PointText({(leader_x + l.target.x) / 2, l.y - 4}) + " " + PointText(l.target) + "\"/>";
    out += "<circle class=\"dot\" cx=\"" + Num(l.target.x) + "\" cy=\"" + Num(l.target.y) +
           "\" r=\"2.2\"/>";
    out += "<text x=\"" + Num(x) + "\" y=\"" + Num(l.y) + "\" text-anchor=\"" +
           (right ? "end" : "start") + "\"><tspan class=\"name\">" + EscapeHtml(l.text) +
           "</tspan><tspan class=\"value\" dx=\"6\">" + EscapeHtml(l.value) + "</tspan></text>";
    out += "</g>";
  }
  return out;
}

std::string LegElements(const StudyReport& report, Laterality side) {
  const Leg leg = LegOf(side);
  std::map<Segment, const SegmentFinding*> found;
  for (const SegmentFinding& s : report.segments) {
    if (s.laterality == side) found[s.segment] = &s;
  }
  std::string veins;
  std::vector<Label> labels;
  for (const SegmentShape& shape : Shapes()) {
    const auto it = found.find(shape.segment);
    const SegmentFinding* finding = it == found.end() ? nullptr : it->second;
    if (!finding && shape.only_if_measured) continue;
    veins += SegmentElement(leg, shape, finding, finding && IsBorderline(report, *finding));
    if (!finding) continue;
    const Pt target = leg.Map(Midpoint(shape.path));
    labels.push_back(
        {target.y, target.y, target, ShortSegmentLabel(shape.segment),
         MapValueText(report, *finding), std::string(ClassificationKey(finding)),
         "seg-" + std::string(LateralityCode(side)) + "-" + std::string(Info(shape.segment).name)});
  }
  const std::string code(LateralityCode(side));
  return "<g class=\"leg\" id=\"leg-" + code + "\">" + veins + "</g><g class=\"labels\">" +
         LabelElements(leg, std::move(labels)) + "</g>";
}

std::string Decorations() {
  std::string out;
  for (Laterality side : {Laterality::kRight, Laterality::kLeft}) {
    const Leg leg = LegOf(side);
    const Pt patella = leg.Map({-4, 290});
    out += "<ellipse class=\"patella\" cx=\"" + Num(patella.x) + "\" cy=\"" + Num(patella.y) +
           "\" rx=\"13\" ry=\"17\"/>";
    const bool right = side == Laterality::kRight;
    out += "<text class=\"side\" x=\"" + Num(leg.center_x) + "\" y=\"34\">" + (right ? "R" : "L") +
           "</text>";
    out += "<text class=\"side-sub\" x=\"" + Num(leg.center_x) + "\" y=\"52\">" +
           (right ? "patient's right" : "patient's left") + "</text>";
  }
  return out;
}

}  // namespace

std::string LegMapSvg(const StudyReport& report) {
  std::string svg =
      "<svg id=\"legmap\" class=\"legmap\" xmlns=\"http://www.w3.org/2000/svg\" "
      "viewBox=\"0 0 " +
      std::to_string(kWidth) + " " + std::to_string(kHeight) +
      "\" role=\"img\" aria-labelledby=\"legmap-title\">";
  svg +=
      "<title id=\"legmap-title\">Vein map, anterior view: patient's right leg on the "
      "viewer's left</title>";
  svg += "<path class=\"body\" d=\"" + BodyOutline() + "\"/>";
  svg += Decorations();
  svg += LegElements(report, Laterality::kRight);
  svg += LegElements(report, Laterality::kLeft);
  return svg + "</svg>";
}

}  // namespace refluxscan::report::detail
