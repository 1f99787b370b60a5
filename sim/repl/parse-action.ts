// `do <action>`: a written action as formatAction prints it (so that a line of `enabled` can be
// copied), with < > accepted for ⟨ ⟩; or its JSON form in trace files; or a number of `enabled`.
// A written action is matched against the enabled list first; otherwise it is rebuilt from its
// parts (messages by their printed form among those built so far) so that whyDisabled can say
// why it is not enabled.
import type { Payload } from '../../automata/messages.ts';
import { ACTION_KINDS, type Action } from '../../automata/actions.ts';
import { shortDigest } from '../../automata/digests.ts';
import { formatAction, formatMessage } from '../../automata/format.ts';
import type { Message, Request, ViewChange } from '../../automata/messages.ts';
import type { Universe } from '../../automata/universe.ts';
import type { SystemState } from '../../automata/compose.ts';
import { TRACE_FORMAT, TraceError } from '../trace-file.ts';
import { ActionDecoder } from '../trace-json.ts';
import { validateTrace } from '../trace-validate.ts';

export type Parsed = { ok: true; action: Action; listed: number | null } | { ok: false; error: string };

const fail = (error: string): Parsed => ({ ok: false, error });

/** Whitespace collapsed, ASCII angle brackets read as the thesis's ⟨ ⟩. */
export function normalize(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.includes('⟨') ? t : t.replace(/</g, '⟨').replace(/>/g, '⟩');
}
const squash = (t: string) => normalize(t).replace(/ /g, '');

export function parseAction(u: Universe, s: SystemState, listed: readonly Action[], text: string): Parsed {
  const t = text.trim();
  if (t === '') return fail('do needs an action: a number of `enabled`, a line of it, or JSON');
  if (/^\d+$/.test(t)) {
    const k = Number(t);
    const a = listed[k];
    return a === undefined ? fail(`no enabled action numbered ${k} (there are ${listed.length}: 0..${listed.length - 1})`) : { ok: true, action: a, listed: k };
  }
  if (t.startsWith('{')) return parseJson(u, listed, t);
  const want = squash(t);
  const k = listed.findIndex((a) => squash(formatAction(u, a)) === want);
  if (k >= 0) return { ok: true, action: listed[k]!, listed: k };
  try {
    const a = new Written(u, s).action(normalize(t));
    const shown = formatAction(u, a);
    const j = listed.findIndex((b) => formatAction(u, b) === shown);
    return { ok: true, action: j >= 0 ? listed[j]! : a, listed: j >= 0 ? j : null };
  } catch (e) {
    if (e instanceof Malformed) return fail(e.message);
    throw e;
  }
}

function parseJson(u: Universe, listed: readonly Action[], t: string): Parsed {
  let j: unknown;
  try {
    j = JSON.parse(t);
  } catch (e) {
    return fail(`malformed JSON action: ${(e as Error).message}`);
  }
  try {
    validateTrace({ format: TRACE_FORMAT, version: 1, config: u.config, actions: [j] }, 'action');
  } catch (e) {
    if (e instanceof TraceError) return fail(`malformed JSON action: ${e.message.replace(/^action: step 0(?: \((.*?)\))?: /, (_, k?: string) => (k ? `${k}: ` : ''))}`);
    throw e;
  }
  const a = new ActionDecoder(u).action(j);
  const key = formatAction(u, a);
  const k = listed.findIndex((b) => formatAction(u, b) === key);
  return { ok: true, action: a, listed: k >= 0 ? k : null };
}

class Malformed extends Error {}

const FORMS: Record<string, string> = {
  REQUEST: 'REQUEST(o)_c0',
  'CLIENT-FAILURE': 'CLIENT-FAILURE_c0',
  'REPLICA-FAILURE': 'REPLICA-FAILURE_r0',
  REPLY: 'REPLY(r)_c0',
  SEND: 'SEND(m, {r0})_c0',
  RECEIVE: 'RECEIVE(m)_r0 from (m, {r0,r1})',
  MISBEHAVE: 'MISBEHAVE(m, {r0,r1}, {r1})',
  'SEND-PRE-PREPARE': 'SEND-PRE-PREPARE(⟨REQUEST,a,1,c0⟩σc0, 0, 1)_r0',
  'SEND-COMMIT': 'SEND-COMMIT(m or null, v, n)_r1',
  EXECUTE: 'EXECUTE(m or null, v, n)_r1',
  'SEND-VIEW-CHANGE': 'SEND-VIEW-CHANGE(1)_r0',
  'SEND-NEW-VIEW': 'SEND-NEW-VIEW(1, {#d1,#d2,#d3})_r1',
  'COLLECT-GARBAGE': 'COLLECT-GARBAGE_r0 (n=4, d=1a2b3c4d)',
};

/** Splits "a, ⟨b, c⟩, {d,e}" at top-level commas. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if ('⟨({['.includes(ch)) depth++;
    if ('⟩)}]'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** The text between the opening parenthesis at `open` and its match, and what follows. */
function parenthesized(text: string, open: number): { inner: string; rest: string } | null {
  let depth = 0;
  for (let k = open; k < text.length; k++) {
    const ch = text[k]!;
    if ('⟨({['.includes(ch)) depth++;
    if ('⟩)}]'.includes(ch)) depth--;
    if (depth === 0) return { inner: text.slice(open + 1, k), rest: text.slice(k + 1) };
  }
  return null;
}

/** A written action rebuilt from its parts in universe u and state s. */
class Written {
  constructor(
    private readonly u: Universe,
    private readonly s: SystemState,
  ) {}

  action(t: string): Action {
    const kind = ACTION_KINDS.filter((k) => t.toUpperCase().startsWith(k)).sort((a, b) => b.length - a.length)[0];
    if (kind === undefined)
      throw new Malformed(`malformed action '${t}': it does not begin with an action kind (${ACTION_KINDS.join(', ')})`);
    const form = FORMS[kind]!;
    const bad = (why: string) => new Malformed(`malformed ${kind} action: ${why}; write it as ${form} (as \`enabled\` prints it), or give its number or its JSON`);
    let args: string[] = [];
    let rest = t.slice(kind.length);
    if (rest.startsWith('(')) {
      const p = parenthesized(rest, 0);
      if (p === null) throw bad('unbalanced brackets');
      args = splitTop(p.inner);
      rest = p.rest;
    }
    const sub = /^_([rc])(\d+)(.*)$/.exec(rest.trim());
    const node = sub === null ? null : { kind: sub[1]!, k: Number(sub[2]) };
    const tail = sub === null ? rest.trim() : sub[3]!.trim();
    const need = (n: number) => {
      if (args.length !== n) throw bad(`it takes ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`);
    };
    const replica = () => {
      if (node?.kind !== 'r') throw bad('the subscript must name a replica, as _r1');
      return node.k;
    };
    const client = () => {
      if (node?.kind !== 'c') throw bad('the subscript must name a client, as _c0');
      return node.k;
    };
    const anyNode = () => {
      if (node === null) throw bad('the subscript must name a node, as _r1 or _c0');
      return node.kind === 'r' ? node.k : this.u.n + node.k;
    };
    const nat = (x: string, what: string) => {
      if (!/^\d+$/.test(x)) throw bad(`${what} must be a number, got '${x}'`);
      return Number(x);
    };
    const noTail = () => {
      if (tail !== '') throw bad(`unexpected '${tail}' at the end`);
    };
    switch (kind) {
      case 'REQUEST':
        need(1);
        noTail();
        return { kind, o: args[0]!, c: client() };
      case 'REPLY':
        need(1);
        noTail();
        return { kind, r: args[0]!, c: client() };
      case 'CLIENT-FAILURE':
        noTail();
        return { kind, c: client() };
      case 'REPLICA-FAILURE':
        noTail();
        return { kind, i: replica() };
      case 'SEND': {
        need(2);
        noTail();
        return { kind, x: anyNode(), m: this.message(args[0]!, bad), X: this.set(args[1]!, bad) };
      }
      case 'RECEIVE': {
        need(1);
        const x = anyNode();
        const m = this.message(args[0]!, bad);
        const from = /^from \(m, ?(\{.*\})\)$/.exec(tail);
        if (tail !== '' && from === null) throw bad(`expected 'from (m, X)' after the node, got '${tail}'`);
        // Without "from": the first element (m, X) of wire with x ∈ X.
        const X = from !== null ? this.set(from[1]!, bad) : (this.s.wire.entriesOf(m).find((e) => (e.X & (1 << x)) !== 0)?.X ?? 1 << x);
        return { kind, x, m, X };
      }
      case 'MISBEHAVE':
        need(3);
        if (node !== null || tail !== '') throw bad('MISBEHAVE has no subscript');
        return { kind, m: this.message(args[0]!, bad), X: this.set(args[1]!, bad), X2: this.set(args[2]!, bad) };
      case 'SEND-PRE-PREPARE':
      case 'SEND-COMMIT':
      case 'EXECUTE': {
        need(3);
        noTail();
        const m = args[0] === 'null' ? null : this.message(args[0]!, bad);
        // A correct primary pre-prepares requests only; a commit or execution may be of any payload m ∈ M.
        if (kind === 'SEND-PRE-PREPARE' && m?.tag !== 'REQUEST') throw bad(`its message must be a request, got ${m === null ? 'null' : m.tag}`);
        const [v, n] = [nat(args[1]!, 'v'), nat(args[2]!, 'n')];
        return kind === 'SEND-PRE-PREPARE' ? { kind, m: m as Request, v, n, i: replica() } : { kind, m: m as Payload, v, n, i: replica() };
      }
      case 'SEND-VIEW-CHANGE':
        need(1);
        noTail();
        return { kind, v: nat(args[0]!, 'v'), i: replica() };
      case 'SEND-NEW-VIEW': {
        need(2);
        noTail();
        const V = this.digestSet(args[1]!, bad).map((d) => this.byDigest(d, 'VIEW-CHANGE', bad) as ViewChange);
        return { kind, v: nat(args[0]!, 'v'), V, i: replica() };
      }
      case 'COLLECT-GARBAGE': {
        const m = /^\(n=(\d+), ?d=([0-9a-f]+)\)$/.exec(tail);
        if (m === null) throw bad(`expected '(n=N, d=DIGEST)' after the replica`);
        const i = replica();
        return { kind, i, n: Number(m[1]), d: this.checkpointDigest(i, m[2]!, bad) };
      }
    }
    throw bad('unknown kind');
  }

  /** A message by its printed form among the messages built so far; a request may be new. */
  private message(text: string, bad: (why: string) => Error): Message {
    const want = squash(text);
    const I = this.u.interner;
    for (let id = 0; id < I.size; id++) {
      const m = I.byId(id);
      if (squash(formatMessage(this.u, m)) === want) return m;
    }
    const q = /^⟨REQUEST,(.*),(\d+),c(\d+)⟩σc(\d+)$/.exec(want);
    if (q !== null && q[3] === q[4]) return I.request(q[1]!, Number(q[2]), Number(q[3]));
    if (!want.startsWith('⟨')) throw bad(`'${text}' is not a message (⟨TAG,…⟩σ…)`);
    throw bad(`no message printed as ${text} has been sent or built in this run`);
  }

  /** A destination set {r0,r2,c1} as a bit mask. */
  private set(text: string, bad: (why: string) => Error): number {
    const m = /^\{(.*)\}$/.exec(text.replace(/ /g, ''));
    if (m === null) throw bad(`'${text}' is not a set of nodes like {r0,r1,c0}`);
    let X = 0;
    for (const name of m[1] === '' ? [] : m[1]!.split(',')) {
      const x = /^([rc])(\d+)$/.exec(name);
      if (x === null) throw bad(`'${name}' is not a node (r0..r${this.u.n - 1}, c0..c${this.u.clients - 1})`);
      const k = Number(x[2]);
      if (x[1] === 'r' ? k >= this.u.n : k >= this.u.clients) throw bad(`there is no node ${name}`);
      X |= 1 << (x[1] === 'r' ? k : this.u.n + k);
    }
    return X;
  }

  private digestSet(text: string, bad: (why: string) => Error): string[] {
    const m = /^\{(.*)\}$/.exec(text.replace(/ /g, ''));
    if (m === null) throw bad(`'${text}' is not a set of digests like {#1a2b3c4d,#…}`);
    return m[1] === '' ? [] : m[1]!.split(',').map((d) => d.replace(/^#/, ''));
  }

  private byDigest(short: string, tag: string, bad: (why: string) => Error): Message {
    const I = this.u.interner;
    for (let id = 0; id < I.size; id++) {
      const m = I.byId(id);
      if (m.tag === tag && shortDigest(I.digest(m)) === short) return m;
    }
    throw bad(`no ${tag} message with digest #${short} has been built in this run`);
  }

  /** The full digest of a checkpoint of replica i (or one in its log) with this short form. */
  private checkpointDigest(i: number, short: string, bad: (why: string) => Error): string {
    const r = this.s.replicas[i];
    if (r === undefined) throw bad(`there is no replica ${i}`);
    const I = this.u.interner;
    for (const c of r.chkpts) if (shortDigest(I.valueDigest(c.s)) === short) return I.valueDigest(c.s);
    for (const set of r.in.checkpointsByN.values()) for (const m of set) if (shortDigest(m.d) === short) return m.d;
    throw bad(`no checkpoint of r${i} has digest ${short}`);
  }
}
