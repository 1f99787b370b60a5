// The state panel: the state after the selected step, section by section (each replica's
// variables and its log grouped by view and sequence number, the proxies, the wire, and with the
// chain A's copy, S' and S), with what the step changed highlighted and what it removed struck out.
import type { ViewData, ViewGroup } from '../data.ts';
import { esc } from './chart.ts';
import { apply, type State, type States } from './states.ts';

export interface PanelOptions {
  /** Show only the entries the step changed (and the sections holding them). */
  changedOnly: boolean;
}

export function renderState(data: ViewData, states: States, k: number, o: PanelOptions): string {
  const before: State = k < 0 ? new Map() : states.at(k - 1);
  const after: State = new Map(before);
  const d = k < 0 ? data.init : data.steps[k]!.d;
  apply(after, d);
  const changed = new Set(k < 0 ? [] : d.map((c) => c[0]));
  // Keys by group: those in the state after the step, and those the step removed.
  const byGroup = new Map<number, number[]>();
  const add = (key: number) => {
    const g = data.keys[key]![0];
    let ks = byGroup.get(g);
    if (ks === undefined) byGroup.set(g, (ks = []));
    ks.push(key);
  };
  for (const key of after.keys()) if (!o.changedOnly || changed.has(key)) add(key);
  for (const key of changed) if (!after.has(key)) add(key);
  const groupsBySection = new Map<number, number[]>();
  for (const g of byGroup.keys()) {
    const s = data.groups[g]!.section;
    let gs = groupsBySection.get(s);
    if (gs === undefined) groupsBySection.set(s, (gs = []));
    gs.push(g);
  }
  const html: string[] = [];
  let side = '';
  data.sections.forEach((sec, si) => {
    const gs = groupsBySection.get(si);
    if (gs === undefined) return;
    if (sec.side !== side) {
      side = sec.side;
      html.push(`<h3 class="side">${side === 'concrete' ? 'the run' : 'the abstract side (the chain of simulations)'}</h3>`);
    }
    gs.sort((a, b) => compareOrder(data.groups[a]!, data.groups[b]!));
    const touched = gs.some((g) => byGroup.get(g)!.some((key) => changed.has(key)));
    const body = gs.map((g) => renderGroup(data, data.groups[g]!, byGroup.get(g)!, before, after, changed)).join('');
    html.push(`<details class="section${touched ? ' touched' : ''}" open data-section="${esc(sec.id)}"><summary>${esc(sec.title)}${touched ? ' <span class="dot">●</span>' : ''}</summary>${body}</details>`);
  });
  if (html.length === 0) html.push('<p class="empty">nothing changed</p>');
  return html.join('');
}

function compareOrder(a: ViewGroup, b: ViewGroup): number {
  for (let x = 0; x < Math.max(a.order.length, b.order.length); x++) {
    const d = (a.order[x] ?? -1) - (b.order[x] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function renderGroup(data: ViewData, g: ViewGroup, keys: number[], before: State, after: State, changed: Set<number>): string {
  keys.sort((a, b) => itemOrder(data, a) - itemOrder(data, b) || a - b);
  const lines = keys.map((key) => {
    const item = data.keys[key]![1];
    const gone = !after.has(key);
    const cls = gone ? 'rm' : changed.has(key) ? (before.has(key) ? 'chg' : 'add') : '';
    const value = gone ? before.get(key) ?? '' : after.get(key)!;
    if (g.kind === 'variables') {
      const was = cls === 'chg' ? ` <span class="was">was ${esc(before.get(key)!)}</span>` : '';
      return `<tr class="${cls}"><td class="name">${esc(String(item))}</td><td class="value">${esc(value)}${was}</td></tr>`;
    }
    if (g.kind === 'wire') {
      const [m] = String(item).split(' ');
      return `<tr class="${cls}"><td class="msg" colspan="2">(${esc(data.messages[Number(m)]!.text)}, ${esc(value)})</td></tr>`;
    }
    return `<tr class="${cls}"><td class="msg" colspan="2">${esc(data.messages[item as number]!.text)}</td></tr>`;
  });
  return `<div class="group"><div class="group-title">${esc(g.title)} <span class="count">(${keys.filter((k) => after.has(k)).length})</span></div><table>${lines.join('')}</table></div>`;
}

/** Messages in the order of their tags, then first seen; variables in the order they were first set. */
function itemOrder(data: ViewData, key: number): number {
  const item = data.keys[key]![1];
  if (typeof item !== 'number') return 0;
  return TAGS.indexOf(data.messages[item]!.tag);
}

const TAGS = ['REQUEST', 'REPLY', 'PRE-PREPARE', 'PREPARE', 'COMMIT', 'CHECKPOINT', 'VIEW-CHANGE', 'NEW-VIEW'];
