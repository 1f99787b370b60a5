// The space-time diagram: one lane per replica, per client proxy and for the network; a row per
// step (the initial state first), a mark on the lane of the node that took it, an arrow from a
// message's SEND to each RECEIVE of it. Only the rows in sight are drawn (a trace may have many
// thousands), into one SVG placed where the scroll position shows them.
import type { ViewData, ViewStep } from '../data.ts';

export const ROW = 22;
const HEAD = 28;
const NUM = 52;
const LANE = 58;
const SVG = 'http://www.w3.org/2000/svg';

/** Which steps are shown (filters), and the selection and emphasis that colour them. */
export interface ChartView {
  /** The steps shown, in order; the initial state's row (-1) is always first. */
  rows: number[];
  selected: number;
  /** Steps matching the text search, drawn with a mark in the margin. */
  matches: Set<number>;
}

export class Chart {
  private readonly spacer: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly header: HTMLDivElement;
  private rowOf = new Int32Array(0);
  private view: ChartView = { rows: [-1], selected: -1, matches: new Set() };
  private readonly emphasis: Set<number>;
  private readonly witnessLanes: Set<number>;
  private readonly bandsByLane: ViewData['bands'][];
  private frame = 0;

  constructor(
    private readonly data: ViewData,
    private readonly scroller: HTMLElement,
    private readonly onSelect: (step: number) => void,
  ) {
    this.emphasis = new Set(data.violation?.steps ?? []);
    this.witnessLanes = new Set(data.violation?.lanes ?? []);
    this.bandsByLane = data.lanes.map((_, l) => data.bands.filter((b) => b.lane === l));
    this.header = document.createElement('div');
    this.header.className = 'lanes-head';
    this.header.style.height = `${HEAD}px`;
    data.lanes.forEach((lane, l) => {
      const d = document.createElement('div');
      d.className = `lane-name ${lane.kind}${lane.faultyFrom !== null ? ' faulty' : ''}${this.witnessLanes.has(l) ? ' witness' : ''}`;
      d.style.left = `${NUM + l * LANE}px`;
      d.style.width = `${LANE}px`;
      d.textContent = lane.name;
      d.title = lane.faultyFrom === null ? lane.name : `${lane.name}: faulty ${lane.faultyFrom < 0 ? 'from the start' : `from step ${lane.faultyFrom}`}`;
      this.header.appendChild(d);
    });
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.classList.add('chart');
    this.svg.innerHTML = `<defs>${['send', 'faulty', 'duplicate', 'replay'].map((k) => `<marker id="head-${k}" class="head ${k}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z"/></marker>`).join('')}<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" class="hatch"/></pattern></defs><g class="layer"></g>`;
    this.spacer.appendChild(this.svg);
    scroller.appendChild(this.header);
    scroller.appendChild(this.spacer);
    scroller.addEventListener('scroll', () => this.schedule());
    window.addEventListener('resize', () => this.schedule());
    this.svg.addEventListener('click', (e) => {
      const t = (e.target as Element).closest('[data-step]');
      if (t !== null) this.onSelect(Number(t.getAttribute('data-step')));
    });
  }

  get width(): number {
    return NUM + this.data.lanes.length * LANE;
  }

  /** Shows these rows with this selection; scrolls the selection into sight when asked. */
  show(view: ChartView, reveal: boolean): void {
    this.view = view;
    this.rowOf = new Int32Array(this.data.steps.length + 1).fill(-1);
    view.rows.forEach((k, r) => (this.rowOf[k + 1] = r));
    this.spacer.style.height = `${view.rows.length * ROW + ROW}px`;
    if (reveal) this.reveal(view.selected);
    this.draw();
  }

  /** The row of step k among those shown, or -1. */
  row(k: number): number {
    return this.rowOf[k + 1] ?? -1;
  }

  private reveal(k: number): void {
    const r = this.row(k);
    if (r < 0) return;
    const top = HEAD + r * ROW;
    const s = this.scroller;
    if (top < s.scrollTop + HEAD) s.scrollTop = top - HEAD - ROW;
    else if (top + ROW > s.scrollTop + s.clientHeight) s.scrollTop = top + 2 * ROW - s.clientHeight;
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws the rows in sight (and a screen's worth around them). */
  draw(): void {
    const s = this.scroller;
    const rows = this.view.rows;
    // The spacer (the rows) starts below the lanes' header, HEAD pixels into the scrolled content.
    const first = Math.max(0, Math.floor((s.scrollTop - HEAD) / ROW) - 20);
    const last = Math.min(rows.length - 1, Math.ceil((s.scrollTop + s.clientHeight) / ROW) + 20);
    const top = first * ROW;
    const height = (last - first + 1) * ROW;
    const width = Math.max(this.width + 900, s.clientWidth);
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.svg.style.top = `${top}px`;
    const y = (r: number) => (r - first) * ROW + ROW / 2;
    const parts: string[] = [];
    this.drawBands(parts, first, last, y);
    for (let r = first; r <= last; r++) parts.push(this.rowMarkup(rows[r]!, y(r), width));
    this.drawArrows(parts, first, last, y);
    this.svg.querySelector('.layer')!.innerHTML = parts.join('');
  }

  private laneX(l: number): number {
    return NUM + l * LANE + LANE / 2;
  }

  /** Views and stable checkpoints behind each replica's lane; faulty spans hatched. */
  private drawBands(parts: string[], first: number, last: number, y: (r: number) => number): void {
    const rows = this.view.rows;
    const firstStep = rows[first]!;
    const lastStep = rows[last]!;
    this.data.lanes.forEach((lane, l) => {
      const x = NUM + l * LANE;
      for (const b of this.bandsByLane[l]!) {
        if (b.to < firstStep || b.from > lastStep) continue;
        const r0 = this.rowAtOrAfter(b.from, first, last);
        const r1 = this.rowAtOrBefore(b.to, first, last);
        if (r0 > r1) continue;
        const y0 = y(r0) - ROW / 2;
        const h = (r1 - r0 + 1) * ROW;
        if (b.kind === 'view') {
          const v = Number(b.label.slice(5));
          parts.push(`<rect class="band view v${v % 4}" x="${x + 2}" y="${y0}" width="${LANE - 4}" height="${h}"><title>${lane.name}: ${b.label}, steps ${b.from}..${b.to}</title></rect>`);
          if (this.row(b.from) === r0 || r0 === first) parts.push(`<text class="band-label" x="${x + 4}" y="${y0 + 9}">${b.label.replace('view ', 'v')}</text>`);
        } else {
          parts.push(`<rect class="band chkpt c${Number(b.label.slice(2)) % 2}" x="${x + LANE - 7}" y="${y0}" width="4" height="${h}"><title>${lane.name}: stable checkpoint ${b.label}, steps ${b.from}..${b.to}</title></rect>`);
          if (this.row(b.from) === r0 && b.from >= 0) parts.push(`<text class="band-label chkpt" x="${x + LANE - 8}" y="${y0 + 9}" text-anchor="end">${b.label}</text>`);
        }
      }
      if (lane.faultyFrom !== null && lane.faultyFrom <= lastStep) {
        const r0 = this.rowAtOrAfter(lane.faultyFrom, first, last);
        if (r0 <= last) parts.push(`<rect class="faulty-span" x="${x + 2}" y="${y(r0) - ROW / 2}" width="${LANE - 4}" height="${(last - r0 + 1) * ROW}" fill="url(#hatch)"><title>${lane.name} is faulty from ${lane.faultyFrom < 0 ? 'the start' : `step ${lane.faultyFrom}`}</title></rect>`);
      }
    });
  }

  private rowAtOrAfter(k: number, first: number, last: number): number {
    const rows = this.view.rows;
    let r = first;
    while (r <= last && rows[r]! < k) r++;
    return r;
  }
  private rowAtOrBefore(k: number, first: number, last: number): number {
    const rows = this.view.rows;
    let r = last;
    while (r >= first && rows[r]! > k) r--;
    return r;
  }

  private rowMarkup(k: number, cy: number, width: number): string {
    const v = this.data.violation;
    const cls = ['row', k === this.view.selected ? 'selected' : '', v !== null && k === v.step ? 'violation' : this.emphasis.has(k) ? 'witness' : ''].join(' ');
    const y0 = cy - ROW / 2;
    const textX = this.width + 8;
    if (k === -1)
      return `<g class="${cls}" data-step="-1"><rect class="row-bg" x="0" y="${y0}" width="${width}" height="${ROW}"/><text class="num" x="${NUM - 6}" y="${cy + 4}" text-anchor="end">init</text><text class="act" x="${textX}" y="${cy + 4}">the initial state</text></g>`;
    const st = this.data.steps[k]!;
    const match = this.view.matches.has(k) ? `<rect class="match" x="0" y="${y0 + 2}" width="4" height="${ROW - 4}"/>` : '';
    const events = st.events.length === 0 ? '' : `<tspan class="event"> ⟵ ${esc(st.events.join('; '))}</tspan>`;
    return `<g class="${cls}" data-step="${k}"><rect class="row-bg" x="0" y="${y0}" width="${width}" height="${ROW}"/>${match}<text class="num" x="${NUM - 6}" y="${cy + 4}" text-anchor="end">${k}</text>${this.mark(st, cy)}<text class="act${st.faulty ? ' by-faulty' : ''}" x="${textX}" y="${cy + 4}">${esc(clip(st.text, 160))}${events}<title>${esc(st.text)}</title></text></g>`;
  }

  /** The step's mark on its lane: its shape says what kind of action it is. */
  private mark(st: ViewStep, cy: number): string {
    const x = this.laneX(st.lane);
    const f = st.faulty ? ' by-faulty' : '';
    const kind = st.kind.toLowerCase();
    switch (st.kind) {
      case 'SEND':
        return `<rect class="mark send${f}" x="${x - 5}" y="${cy - 5}" width="10" height="10"/>`;
      case 'RECEIVE':
        return `<circle class="mark receive${f}" cx="${x}" cy="${cy}" r="4.5"/>`;
      case 'MISBEHAVE': {
        const lost = st.lost.map((l) => `<line class="lost-line" x1="${x}" y1="${cy}" x2="${this.laneX(l)}" y2="${cy}"/><text class="lost" x="${this.laneX(l)}" y="${cy + 4}" text-anchor="middle">✕</text>`);
        const added = st.added.map((l) => `<line class="added-line" x1="${x}" y1="${cy}" x2="${this.laneX(l)}" y2="${cy}"/><circle class="added" cx="${this.laneX(l)}" cy="${cy}" r="3"/>`);
        return `${lost.join('')}${added.join('')}<path class="mark misbehave" d="M${x - 6},${cy} L${x},${cy - 6} L${x + 6},${cy} L${x},${cy + 6} z"/>`;
      }
      case 'REPLICA-FAILURE':
      case 'CLIENT-FAILURE':
        return `<text class="mark failure" x="${x}" y="${cy + 5}" text-anchor="middle">✖</text>`;
      default:
        return `<circle class="mark internal ${kind}${f}" cx="${x}" cy="${cy}" r="5.5"/>`;
    }
  }

  /** Arrows from a copy's origin to its delivery, for the deliveries in sight or passing through. */
  private drawArrows(parts: string[], first: number, last: number, y: (r: number) => number): void {
    const rows = this.view.rows;
    const lo = rows[first]!;
    const hi = rows[last]!;
    // A delivery at or after `lo` may come from far above; scan the deliveries from lo on (the
    // origin is always before the delivery), and those below the window whose origin is above it.
    for (let k = Math.max(0, lo); k < this.data.steps.length; k++) {
      const st = this.data.steps[k]!;
      const a = st.arrow;
      if (a === null) continue;
      if (k > hi && a.from > hi) continue;
      const r1 = this.row(k);
      const r0 = this.row(a.from);
      if (r1 < 0 || r0 < 0) continue;
      if (r0 > last) continue;
      const how = a.how === 'send' && this.data.steps[a.from]!.faulty ? 'faulty' : a.how;
      const x0 = this.laneX(a.lane);
      const x1 = this.laneX(st.lane);
      const dx = x1 > x0 ? -5 : 5;
      parts.push(`<line class="arrow ${how}${this.emphasis.has(k) ? ' witness' : ''}" data-step="${k}" x1="${x0}" y1="${y(r0)}" x2="${x1 + dx}" y2="${y(r1)}" marker-end="url(#head-${how})"><title>${esc(`${how === 'send' ? 'delivery' : how === 'faulty' ? 'delivery of a faulty node\'s send' : how === 'duplicate' ? 'duplicated by the network' : 'replayed by the network'}: step ${a.from} → step ${k}`)}</title></line>`);
    }
  }
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
