// The minimizer's renaming (sim/minimize-rename.ts): later actions follow a message that a replica
// now builds differently, and a delivery follows its element once an earlier delivery is gone.
import { describe, expect, it } from 'vitest';
import type { Action } from '../automata/actions.ts';
import { initialSystem, step } from '../automata/compose.ts';
import { Universe } from '../automata/universe.ts';
import { OutWatch, redirectDelivery, Renaming } from '../sim/minimize-rename.ts';

describe('redirectDelivery', () => {
  it('takes the element of m that still holds the receiver when the recorded one is gone', () => {
    const u = new Universe({});
    const s = initialSystem(u);
    const m = u.interner.prePrepare(0, 1, null, 0);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 0 });
    const X = u.replicaBit(1) | u.replicaBit(2);
    step(u, s, { kind: 'SEND', x: 0, m, X });
    // Recorded after r2's delivery, which the candidate dropped: (m, {r1}) is not on the wire.
    const a: Action = { kind: 'RECEIVE', x: 1, m, X: u.replicaBit(1) };
    expect(redirectDelivery(u, s, a)).toEqual({ ...a, X });
    // An element that is there is left alone, and so is a delivery no element holds.
    expect(redirectDelivery(u, s, { ...a, X })).toEqual({ ...a, X });
    const none: Action = { kind: 'RECEIVE', x: 3, m, X: u.replicaBit(3) };
    expect(redirectDelivery(u, s, none)).toBe(none);
  });
});

describe('Renaming', () => {
  const u = new Universe({});
  const I = u.interner;
  const d = I.digest(null);

  it('renames a message built anew, and every message and action that names it', () => {
    const r = new Renaming(u);
    const pp1 = I.prePrepare(0, 1, null, 0);
    const oldVc = I.viewChange(1, null, [pp1], 2);
    const newVc = I.viewChange(1, null, [], 2);
    const other = I.prepare(0, 1, d, 3);
    expect(r.empty).toBe(true);
    r.learn([oldVc, other], [newVc, other]);
    expect(r.empty).toBe(false);
    expect(r.message(oldVc)).toBe(newVc);
    expect(r.message(other)).toBe(other);
    const nv = I.newView(1, [oldVc], [], [], 1);
    expect(r.message(nv)).toBe(I.newView(1, [newVc], [], [], 1));
    expect(r.action({ kind: 'SEND', x: 2, m: oldVc, X: 3 })).toEqual({ kind: 'SEND', x: 2, m: newVc, X: 3 });
    expect(r.action({ kind: 'SEND-NEW-VIEW', v: 1, V: [oldVc], i: 1 })).toEqual({ kind: 'SEND-NEW-VIEW', v: 1, V: [newVc], i: 1 });
  });

  it('pairs messages only by the same role, once each: a new view-change of another view is not a rename', () => {
    const r = new Renaming(u);
    r.learn([I.viewChange(1, null, [], 2)], [I.viewChange(2, null, [], 2)]);
    expect(r.empty).toBe(true);
    // Two messages of one role on a side: ambiguous, left alone.
    r.learn([I.prepare(0, 1, d, 2), I.prepare(0, 1, I.digest(I.request('a', 1, 0)), 2)], [I.prepare(0, 1, I.digest(I.request('b', 1, 0)), 2)]);
    expect(r.empty).toBe(true);
  });

  it("follows a checkpoint's new digest into COLLECT-GARBAGE and a reply's new result into REPLY", () => {
    const r = new Renaming(u);
    r.learn([I.checkpoint(0, 2, 'd-old', 1), I.reply(0, 1, 0, 1, 'r-old')], [I.checkpoint(0, 2, 'd-new', 1), I.reply(0, 1, 0, 1, 'r-new')]);
    expect(r.action({ kind: 'COLLECT-GARBAGE', i: 1, n: 2, d: 'd-old' })).toEqual({ kind: 'COLLECT-GARBAGE', i: 1, n: 2, d: 'd-new' });
    expect(r.action({ kind: 'REPLY', r: 'r-old', c: 0 })).toEqual({ kind: 'REPLY', r: 'r-new', c: 0 });
    expect(r.message(I.checkpoint(0, 2, 'd-old', 3))).toBe(I.checkpoint(0, 2, 'd-new', 3));
  });
});

describe('OutWatch', () => {
  it("lists what a step added to the replicas' out sets", () => {
    const u = new Universe({});
    const s = initialSystem(u);
    const w = new OutWatch();
    w.before(s);
    step(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 });
    const added = w.after(s);
    expect(added.map((m) => m.tag)).toEqual(['VIEW-CHANGE']);
    w.before(s);
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
    expect(w.after(s)).toEqual([]);
  });
});
