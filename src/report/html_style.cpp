// The inline stylesheet of report.html (kept apart from the markup code; no external resources).
#include "report/internal.h"

namespace refluxscan::report::detail {

std::string_view HtmlStyle() {
  return R"css(
:root{--reflux:#c62828;--noreflux:#2e7d32;--indet:#e09a00;--nm:#b9c0c8;--ink:#1f2933;
--muted:#5f6b7a;--line:#dde2e8;--bg:#f5f7fa;--card:#fff;--accent:#1d4e89}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 "Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
header.top{background:linear-gradient(90deg,#14325a,#1d4e89);color:#fff;padding:18px 0 16px}
header.top .inner{max-width:1180px;margin:0 auto;padding:0 20px;display:flex;flex-wrap:wrap;
gap:12px 40px;align-items:flex-end;justify-content:space-between}
header.top h1{margin:0;font-size:22px;font-weight:600;letter-spacing:.2px}
header.top .sub{opacity:.85;font-size:13px}
header.top dl{display:grid;grid-template-columns:auto auto;gap:2px 12px;margin:0;font-size:13px}
header.top dt{opacity:.75}header.top dd{margin:0;font-weight:500}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:18px 0;
padding:16px 20px}
h2{font-size:17px;margin:0 0 12px;color:var(--accent);font-weight:600}
h3{font-size:15px;margin:0 0 10px}
.summary{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 4px}
.stat{border:1px solid var(--line);border-radius:6px;padding:8px 12px;flex:1 1 0;min-width:100px;
background:#fbfcfd}
.stat b{display:block;font-size:20px}.stat span{color:var(--muted);font-size:12px}
.stat.reflux b{color:var(--reflux)}.stat.no_reflux b{color:var(--noreflux)}
.stat.indeterminate b{color:var(--indet)}.stat.error b{color:var(--reflux)}
.criteria{font-size:13px;color:var(--muted);margin-top:10px}
.criteria td,.criteria th{padding:2px 10px 2px 0}
.mapwrap{display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start}
.mapwrap figure{margin:0;flex:1 1 640px;max-width:800px}
.legmap{width:100%;height:auto;display:block}
.legmap .body{fill:#f3eee8;stroke:#b8aea3;stroke-width:1.4}
.legmap .patella{fill:none;stroke:#d6ccc1;stroke-width:1.2}
.legmap .side{font-size:26px;font-weight:700;fill:#33475b;text-anchor:middle}
.legmap .side-sub{font-size:11px;fill:var(--muted);text-anchor:middle}
.legmap .vein{fill:none;stroke-linecap:round;stroke-linejoin:round;stroke:var(--nm)}
.legmap .halo{fill:none;stroke:#fff;stroke-linecap:round;stroke-linejoin:round}
.legmap .sup .vein{stroke-width:3}.legmap .sup .halo{stroke-width:9}
.legmap .sup.measured .vein{stroke-width:6}
.legmap .deep .vein{stroke-width:2;stroke:#cfd5dc}.legmap .deep .halo{stroke-width:7}
.legmap .deep.measured .vein{stroke-width:4.5}
.legmap .perf .vein{stroke-width:2.2}.legmap .perf.measured .vein{stroke-width:3.5}
.legmap .perf .halo{stroke-width:7}
.legmap .post .vein{stroke-dasharray:7 4}
.legmap .node{fill:var(--nm);stroke:#fff;stroke-width:1.2}
.legmap [data-classification=reflux] .vein{stroke:var(--reflux)}
.legmap [data-classification=no_reflux] .vein{stroke:var(--noreflux)}
.legmap [data-classification=indeterminate] .vein{stroke:var(--indet)}
.legmap [data-classification=reflux] .node{fill:var(--reflux)}
.legmap [data-classification=no_reflux] .node{fill:var(--noreflux)}
.legmap [data-classification=indeterminate] .node{fill:var(--indet)}
.legmap .leader{fill:none;stroke:#9aa5b1;stroke-width:.8}
.legmap .dot{fill:#66727f}
.legmap text{font-size:12px}.legmap .name{fill:#33404d}.legmap .value{font-weight:700}
.legmap .label[data-classification=reflux] .value{fill:var(--reflux)}
.legmap .label[data-classification=no_reflux] .value{fill:var(--noreflux)}
.legmap .label[data-classification=indeterminate] .value{fill:#b27700}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);margin-top:6px}
.legend i{display:inline-block;width:22px;height:0;border-top:5px solid;vertical-align:middle;
margin-right:6px;border-radius:2px}
.legend i.dash{border-top-style:dashed;border-top-width:4px}
.legend i.thin{border-top-width:2px}
.convention{font-size:12px;color:var(--muted);margin:4px 0 0}
.limbs{flex:1 1 300px;display:flex;flex-direction:column;gap:12px}
.limb{border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.limb h3{margin-bottom:6px}
.limb dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 12px;margin:0;font-size:13px}
.limb dt{color:var(--muted)}.limb dd{margin:0}
.bad{color:var(--reflux);font-weight:600}.good{color:var(--noreflux);font-weight:600}
.unk{color:var(--muted)}
table.findings{border-collapse:collapse;width:100%;font-size:13px;margin-bottom:14px}
table.findings th,table.findings td{border-bottom:1px solid var(--line);padding:5px 8px;
text-align:left}
table.findings th{background:#f0f3f7;font-weight:600;font-size:12px;color:#394756}
table.findings td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
color:#fff;background:var(--nm);white-space:nowrap}
.badge.reflux{background:var(--reflux)}.badge.no_reflux{background:var(--noreflux)}
.badge.indeterminate{background:var(--indet)}.badge.error{background:#6b1f1f}
.badge.skipped{background:#7a8794}
.chip{display:inline-block;padding:0 7px;border-radius:4px;font-size:12px;background:#fff4d6;
border:1px solid #f0d58a;color:#6b4e00;margin:1px 0}
article.clip{border-top:1px solid var(--line);padding:16px 0}
article.clip:first-of-type{border-top:none}
article.clip h3{display:flex;gap:10px;align-items:center}
figure.strip{margin:0 0 10px}
.strip-box{position:relative;display:inline-block;max-width:100%;line-height:0;
border-radius:4px;overflow:hidden;background:#000}
.strip-box img{display:block;max-width:100%;height:auto}
.strip-box .overlay{position:absolute;left:0;top:0;width:100%;height:100%}
.overlay .env{fill:none;stroke-width:1.8;vector-effect:non-scaling-stroke}
.overlay .antegrade{stroke:#39d0ff}.overlay .retrograde{stroke:#ff8a3d}
.overlay .baseline{stroke:#fff;stroke-opacity:.7;stroke-width:1;vector-effect:non-scaling-stroke}
.overlay .release{stroke:#ffe14d;stroke-width:1.5;stroke-dasharray:5 4;
vector-effect:non-scaling-stroke}
.overlay .reflux-band{fill:#ff3b3b;fill-opacity:.2;stroke:#ff6b6b;stroke-opacity:.8;
stroke-width:1;vector-effect:non-scaling-stroke}
.band-label{position:absolute;top:4px;transform:translateX(-50%);line-height:1.3;
background:rgba(198,40,40,.9);color:#fff;font-size:12px;font-weight:600;padding:1px 6px;
border-radius:3px;white-space:nowrap}
.overlay .tick{stroke:#fff;stroke-opacity:.8;stroke-width:1;vector-effect:non-scaling-stroke}
.tick-label{position:absolute;line-height:1.2;font-size:10px;color:#fff;
background:rgba(0,0,0,.55);padding:0 3px;border-radius:2px;white-space:nowrap;pointer-events:none}
.tick-label.t{bottom:7px;transform:translateX(-50%)}
.tick-label.v{left:8px;transform:translateY(-50%)}
.clip-file{font-weight:400;font-size:13px;color:var(--muted)}
figcaption{font-size:12px;color:var(--muted);margin-top:4px}
.key{display:inline-block;width:16px;height:3px;vertical-align:middle;margin:0 4px 0 10px}
.key.k-ante{background:#39d0ff}.key.k-retro{background:#ff8a3d}.key.k-base{background:#777}
.key.k-release{background:repeating-linear-gradient(90deg,#e0b800 0 4px,transparent 4px 7px)}
.key.k-band{background:#ff3b3b;opacity:.4;height:10px}
.borderline{font-size:11px;font-weight:600;color:#8a5a00;border:1px solid #d9a441;
border-radius:3px;padding:0 4px}
.overlay .masked{fill:#6b6b6b;fill-opacity:.6}.key.k-masked{background:#6b6b6b;height:10px}
.overlay .env.wrapped{stroke-dasharray:4 3}
.overlay .aliased{fill:#e0a800}.key.k-aliased{background:#e0a800;height:4px}
.overlay .beat{fill:#c040c0;fill-opacity:.18}.key.k-beat{background:#c040c0;opacity:.4;height:10px}
.not-reflux .overlay .reflux-band{fill:#c8c8c8;stroke:#e0e0e0}
.not-reflux .band-label{background:rgba(80,80,80,.9)}.not-reflux .key.k-band{background:#9a9a9a}
.clip-facts{display:flex;flex-wrap:wrap;gap:10px 24px}
table.kv{border-collapse:collapse;font-size:13px;flex:1 1 420px}
table.kv th{text-align:left;font-weight:500;color:var(--muted);padding:2px 14px 2px 0;
vertical-align:top;white-space:nowrap}
table.kv td{padding:2px 0}
table.maneuvers{border-collapse:collapse;font-size:12px;flex:1 1 420px;align-self:flex-start}
table.maneuvers th,table.maneuvers td{border:1px solid var(--line);padding:2px 6px;text-align:right}
table.maneuvers th{background:#f0f3f7;font-weight:600}
.warn{color:#8a5a00}.note,.muted{color:var(--muted)}
code{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
.strip-missing{padding:20px;background:#eef1f4;color:var(--muted);border-radius:4px;margin-bottom:10px}
table.qa{border-collapse:collapse;width:100%;font-size:13px}
table.qa th,table.qa td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;
vertical-align:top}
table.qa th{background:#f0f3f7;font-size:12px}
.qa-desc{color:var(--muted);font-size:12px}
table.qa td:first-child,table.qa td:nth-child(2){white-space:nowrap}
#qa h3{margin-top:18px}.title-value{font-weight:600;color:#394756}
.protocol{display:flex;flex-wrap:wrap;gap:16px}
.protocol .leg{flex:1 1 300px}
.level{display:inline-block;margin:2px 4px 2px 0;padding:1px 8px;border-radius:4px;font-size:12px;
border:1px solid}
.level.measured{border-color:#9ccc9f;background:#eef8ef;color:#1e5b22}
.level.missing{border-color:#e6a3a3;background:#fdeeee;color:#8e1c1c}
.level.unmeasurable{border-color:#efcf7a;background:#fff7e0;color:#7a5500}
details{font-size:13px;margin-top:8px}summary{cursor:pointer;color:var(--accent)}
footer{color:var(--muted);font-size:12px;text-align:center;margin:20px 0}
@media print{body{background:#fff}section{break-inside:avoid-page;border:none}
article.clip{break-inside:avoid}}
)css";
}

}  // namespace refluxscan::report::detail
