// The trace viewer page's script: reads the data the page embeds (sim/view/data.ts), draws the
// chart and the state panel, and wires the filters, the search and the keyboard. The violation,
// when there is one, is selected first, so it is the first thing one sees.
import type { ViewData } from '../data.ts';
import { Chart, esc } from './chart.ts';
import { renderState } from './panel.ts';
import { States } from './states.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function main(): void {
  const data = JSON.parse($('data').textContent!) as ViewData;
  const states = new States(data);
  const lanesOn = data.lanes.map(() => true);
  const kinds = [...new Set(data.steps.map(kindOf))].sort();
  const kindsOn = new Map(kinds.map((k) => [k, true]));
  let query = '';
  let selected = data.violation !== null ? data.violation.step : -1;
  let changedOnly = false;
  let rows: number[] = [];
  let matches = new Set<number>();

  $('title').textContent = data.title;
  $('summary').textContent = data.summary;
  $('checks').textContent = `checked: ${data.checks}`;
  $('notes').innerHTML = data.notes.map((n) => `<p>${esc(n)}</p>`).join('');
  if (data.violation !== null) {
    const v = data.violation;
    const rec = v.recorded === null ? '' : ` (the file records ${v.recorded}: ${v.reproduced ? 'reproduced' : 'not reproduced'})`;
    $('violation').innerHTML = `<div class="v-head">violation of <b>${esc(v.id)}</b> ${v.step < 0 ? 'at the start' : `at step ${v.step}`}${esc(rec)} <button id="goto-violation">go to it (v)</button></div><pre>${esc(v.report)}</pre>`;
    $('violation').hidden = false;
    $('goto-violation').addEventListener('click', () => select(v.step, true));
  }

  const chart = new Chart(data, $('chart'), (k) => select(k, false));
  $('lane-filter').innerHTML = data.lanes.map((l, i) => `<label><input type="checkbox" data-lane="${i}" checked> ${esc(l.name)}</label>`).join('');
  $('kind-filter').innerHTML = kinds.map((k) => `<label><input type="checkbox" data-kind="${esc(k)}" checked> ${esc(k)}</label>`).join('');
  $('lane-filter').addEventListener('change', (e) => {
    const t = e.target as HTMLInputElement;
    lanesOn[Number(t.dataset.lane)] = t.checked;
    refilter();
  });
  $('kind-filter').addEventListener('change', (e) => {
    const t = e.target as HTMLInputElement;
    kindsOn.set(t.dataset.kind!, t.checked);
    refilter();
  });
  const search = $<HTMLInputElement>('search');
  search.addEventListener('input', () => {
    query = search.value.trim().toLowerCase();
    refilter();
  });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const next = rows.find((k) => k > selected && matches.has(k)) ?? rows.find((k) => matches.has(k));
    if (next !== undefined) select(next, true);
  });
  $<HTMLInputElement>('changed-only').addEventListener('change', (e) => {
    changedOnly = (e.target as HTMLInputElement).checked;
    renderPanel();
  });
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.altKey || e.ctrlKey || e.metaKey) return;
    const r = rows.indexOf(selected);
    const go: Record<string, number> = { ArrowRight: r + 1, ArrowDown: r + 1, ArrowLeft: r - 1, ArrowUp: r - 1, Home: 0, End: rows.length - 1, PageDown: r + 20, PageUp: r - 20 };
    if (e.key === 'v' && data.violation !== null) select(data.violation.step, true);
    else if (e.key === '/') search.focus();
    else if (e.key in go) select(rows[Math.max(0, Math.min(rows.length - 1, go[e.key]!))]!, true);
    else return;
    e.preventDefault();
  });

  /** Whether step k passes the filters (the selected step and the violation's stay in sight). */
  function shown(k: number): boolean {
    const st = data.steps[k]!;
    return lanesOn[st.lane]! && kindsOn.get(kindOf(st))! && (query === '' || matches.has(k));
  }

  function refilter(): void {
    matches = new Set();
    if (query !== '') data.steps.forEach((st, k) => (searchText(data, st).includes(query) ? matches.add(k) : null));
    rows = [-1, ...data.steps.map((_, k) => k).filter(shown)];
    $('count').textContent = `${rows.length - 1} of ${data.steps.length} steps shown${query === '' ? '' : `, ${matches.size} match '${query}'`}`;
    chart.show({ rows, selected, matches }, false);
  }

  function select(k: number, reveal: boolean): void {
    selected = k;
    if (!rows.includes(k)) {
      rows = [...rows, k].sort((a, b) => a - b);
    }
    chart.show({ rows, selected, matches }, reveal);
    renderPanel();
    const st = k < 0 ? null : data.steps[k]!;
    $('step-title').innerHTML = st === null ? 'the initial state' : `after step ${k} of ${data.steps.length}: <code>${esc(st.text)}</code>`;
    const n = String(k + 1);
    $('commands').innerHTML = `<div>replay to here: <code>${esc(data.commands.replay.replace('{N}', n))}</code></div><div>in the REPL: <code>${esc(data.commands.repl.replace('{N}', n))}</code></div>`;
    document.body.dataset.selected = String(k);
    history.replaceState(null, '', `#step=${k}`);
  }

  function renderPanel(): void {
    $('state').innerHTML = renderState(data, states, selected, { changedOnly });
  }

  refilter();
  const fromHash = /^#step=(-?\d+)$/.exec(location.hash);
  if (fromHash !== null && Number(fromHash[1]) < data.steps.length && Number(fromHash[1]) >= -1) selected = Number(fromHash[1]);
  select(selected, true);
  document.body.dataset.ready = 'true';
}

/** What the kind filter calls a step: the tag of the message it sends, delivers or misdelivers, else the action's kind. */
function kindOf(st: ViewData['steps'][number]): string {
  return st.tag ?? st.kind;
}

function searchText(data: ViewData, st: ViewData['steps'][number]): string {
  return `${st.text} ${st.events.join(' ')} ${data.lanes[st.lane]!.name}`.toLowerCase();
}

main();
