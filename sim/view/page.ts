// The trace viewer's page: one self-contained HTML file (its data, style and script inline,
// nothing fetched when it is opened). The script is our typed code in sim/view/browser/,
// bundled here with esbuild (already installed for tsx) into one plain script.
import { buildSync } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ViewData } from './data.ts';

let bundled: string | null = null;

/** The page's script, bundled once per process. */
function script(): string {
  if (bundled === null) {
    // From the sources, main.ts; from a build (npm run build), its compiled main.js.
    const entry = ['main.ts', 'main.js'].map((f) => fileURLToPath(new URL(`./browser/${f}`, import.meta.url))).find((f) => existsSync(f))!;
    const r = buildSync({ entryPoints: [entry], bundle: true, write: false, format: 'iife', target: 'es2020', charset: 'utf8', logLevel: 'silent' });
    bundled = r.outputFiles[0]!.text;
  }
  return bundled;
}

/** JSON that cannot end the script element it sits in. */
function embeddable(data: ViewData): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderPage(data: ViewData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`pbft-check: ${data.title}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <div class="top"><span class="brand">pbft-check view</span> <span id="title"></span></div>
  <div id="summary"></div>
  <div id="checks"></div>
  <div id="notes"></div>
  <div id="violation" hidden></div>
  <div class="controls">
    <span class="ctl"><b>nodes</b> <span id="lane-filter"></span></span>
    <span class="ctl"><b>kinds</b> <span id="kind-filter"></span></span>
    <span class="ctl"><input id="search" type="search" placeholder="search steps (/), Enter: next"> <span id="count"></span></span>
  </div>
</header>
<main>
  <div id="chart"></div>
  <aside>
    <div class="panel-head"><div id="step-title"></div><label><input type="checkbox" id="changed-only"> only what this step changed</label><div id="commands"></div></div>
    <div id="state"></div>
  </aside>
</main>
<footer>keys: ← → or ↑ ↓ step, Home/End first/last, PageUp/PageDown 20 steps, v the violation, / search. Click a row or an arrow to select its step.</footer>
<script id="data" type="application/json">${embeddable(data)}</script>
<script>${script()}</script>
</body>
</html>
`;
}

const STYLE = `
:root { --fg: #1d2330; --muted: #6b7280; --line: #d8dde6; --sel: #ffe9a8; --viol: #ffb3b3; --wit: #fff4d6; --chg: #d9f5dd; --rm: #fde2e2; }
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body { font: 13px/1.4 system-ui, sans-serif; color: var(--fg); display: flex; flex-direction: column; }
header { padding: 6px 10px; border-bottom: 1px solid var(--line); background: #f7f8fa; }
.top { font-size: 15px; } .brand { font-weight: 700; }
#summary, #checks, #notes { color: var(--muted); } #notes p { margin: 2px 0; }
#violation { margin: 6px 0; border: 2px solid #c62828; background: #fff0f0; padding: 4px 8px; }
#violation .v-head { color: #b71c1c; font-size: 14px; }
#violation pre { margin: 4px 0; max-height: 9em; overflow: auto; white-space: pre-wrap; font-size: 12px; }
.controls { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 4px; }
.controls label { margin-right: 6px; white-space: nowrap; }
#search { width: 22em; }
main { flex: 1; display: flex; min-height: 0; }
#chart { flex: 1 1 60%; overflow: auto; position: relative; }
.lanes-head { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line); }
.lane-name { position: absolute; top: 5px; text-align: center; font-weight: 600; }
.lane-name.faulty { color: #c62828; } .lane-name.witness { background: var(--wit); border-radius: 3px; } .lane-name.network { color: var(--muted); }
.spacer { position: relative; }
svg.chart { position: absolute; left: 0; font: 12px ui-monospace, monospace; }
.row-bg { fill: transparent; } .row:hover .row-bg { fill: #eef3ff; }
.row.witness .row-bg { fill: var(--wit); } .row.violation .row-bg { fill: var(--viol); stroke: #c62828; stroke-width: 2; } .row.selected .row-bg { fill: var(--sel); }
.row { cursor: pointer; }
.num { fill: var(--muted); } .act { fill: var(--fg); } .act.by-faulty { fill: #b71c1c; } .event { fill: #1565c0; font-weight: 600; }
.match { fill: #1565c0; }
.band.view.v0 { fill: #eef4fb; } .band.view.v1 { fill: #eef8ee; } .band.view.v2 { fill: #fbf3e8; } .band.view.v3 { fill: #f4eefb; }
.band.chkpt.c0 { fill: #9aa5b8; } .band.chkpt.c1 { fill: #c9d0dc; }
.band-label { fill: #5b6b86; font-size: 9px; } .band-label.chkpt { fill: #7a8496; }
.hatch { fill: rgba(198, 40, 40, 0.16); }
.mark { stroke: #24324a; stroke-width: 1; } .mark.send { fill: #4f7cc9; } .mark.receive { fill: #fff; stroke: #4f7cc9; stroke-width: 2; }
.mark.internal { fill: #2e7d32; } .mark.execute { fill: #6a1b9a; } .mark.send-view-change, .mark.send-new-view { fill: #ef6c00; } .mark.collect-garbage { fill: #607d8b; }
.mark.request, .mark.reply { fill: #00838f; }
.mark.by-faulty { fill: #c62828; stroke: #7f0000; } .mark.receive.by-faulty { fill: #fff; stroke: #c62828; }
.mark.misbehave { fill: #f9a825; } .mark.failure { fill: #c62828; stroke: none; font-size: 14px; }
.lost { fill: #c62828; font-size: 12px; } .lost-line { stroke: #c62828; stroke-dasharray: 2 2; } .added { fill: #f9a825; } .added-line { stroke: #f9a825; stroke-dasharray: 2 2; }
.arrow { stroke: #4f7cc9; stroke-width: 1.2; } .arrow:hover { stroke-width: 3; cursor: pointer; }
.arrow.faulty { stroke: #c62828; stroke-dasharray: 5 3; } .arrow.duplicate { stroke: #f57f17; stroke-dasharray: 3 3; } .arrow.replay { stroke: #8e24aa; stroke-dasharray: 1 3; stroke-width: 1.6; }
.arrow.witness { stroke-width: 2.4; }
.head path { fill: #4f7cc9; } .head.faulty path { fill: #c62828; } .head.duplicate path { fill: #f57f17; } .head.replay path { fill: #8e24aa; }
aside { flex: 1 1 40%; max-width: 48em; border-left: 1px solid var(--line); display: flex; flex-direction: column; min-width: 0; }
.panel-head { padding: 6px 10px; border-bottom: 1px solid var(--line); background: #fafbfc; }
#step-title code { font-size: 12px; word-break: break-all; }
#commands { color: var(--muted); margin-top: 3px; } #commands code { color: var(--fg); user-select: all; word-break: break-all; }
#state { overflow: auto; padding: 4px 10px 40px; flex: 1; }
h3.side { margin: 10px 0 2px; font-size: 12px; text-transform: uppercase; color: var(--muted); letter-spacing: 0.04em; }
details.section { margin: 4px 0; } details.section > summary { font-weight: 600; cursor: pointer; } .dot { color: #2e7d32; }
.group { margin: 2px 0 6px 12px; } .group-title { color: #34495e; font-style: italic; } .count { color: var(--muted); font-style: normal; }
.group table { border-collapse: collapse; font: 12px ui-monospace, monospace; }
.group td { padding: 0 6px 0 4px; vertical-align: top; } td.name { color: var(--muted); white-space: nowrap; } td.msg { word-break: break-all; }
tr.chg { background: var(--chg); } tr.add { background: var(--chg); } tr.rm { background: var(--rm); text-decoration: line-through; }
.was { color: var(--muted); } .empty { color: var(--muted); }
footer { padding: 3px 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
`;
