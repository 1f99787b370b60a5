// Variants of the view change: view-change and new-view messages and their validation
// (Figs 2-9, 2-13).
import { defineVariants, type Message, type PrePrepare, type ViewChange } from './api.ts';

export const VIEW_CHANGE_VARIANTS = defineVariants([
  {
    name: 'view-change-without-p',
    description:
      'SEND-VIEW-CHANGE sends P = {}: the replica leaves out its prepared certificates. A request committed in the old view then reaches no new primary, which gives its sequence number to another request.',
    changes: 'Fig 2-13 SEND-VIEW-CHANGE, "let P\' = …, P = …" (lines 768-769)',
    expectation: 'breaks safety',
    patch: {
      actions: {
        'SEND-VIEW-CHANGE': {
          eff: (base) => (u, st, a) => {
            base(u, st, a);
            // Replace the view-change just built by the same message with an empty P.
            const sent = [...(st.in.viewChangesByV.get(a.v) ?? [])].find((m: ViewChange) => m.j === st.i && st.out.has(m));
            if (sent === undefined) return;
            const empty = u.interner.viewChange(sent.v, sent.gc, [], st.i);
            st.out.delete(sent);
            st.in.delete(sent);
            st.out.add(empty);
            st.in.add(empty);
          },
        },
      },
    },
  },
  {
    name: 'new-view-quorum-2f',
    description:
      'A new-view needs 2f view-changes instead of 2f + 1 (in SEND-NEW-VIEW and in correct-new-view). The view-change quorum then need not intersect a committed certificate\'s quorum in a correct replica.',
    changes: 'Fig 2-9 correct-new-view, "|V| = |R| = 2f + 1" (line 649); Fig 2-13 SEND-NEW-VIEW (line 779)',
    expectation: 'breaks safety',
    patch: { quorums: (q) => ({ ...q, newView: q.newView - 1 }) },
  },
  {
    name: 'new-view-unchecked-o',
    description:
      'correct-new-view no longer checks that O and N are the sets computed from V. A faulty new primary may leave a committed request out of O (or put a null request in its place) and correct backups accept it.',
    changes: 'Fig 2-9 correct-new-view, "∧ O = … ∧ N = …" (lines 649-653)',
    expectation: 'breaks safety',
    patch: {
      correctNewView: () => (u, m) => {
        const q = u.proto.quorums.newView;
        if (m.signer !== u.primary(m.v) || m.V.length !== q) return false;
        const R = new Set<number>();
        for (const vc of m.V) if (vc.tag === 'VIEW-CHANGE' && vc.v === m.v && u.proto.correctViewChange(u, vc)) R.add(vc.j);
        return R.size === q;
      },
    },
  },
  {
    name: 'last-prepared-lowest-view',
    description:
      'last-prepared chooses, for each sequence number, the prepared certificate with the lowest view instead of the highest. A new primary then revives a request that a later view replaced, although the later one may have committed.',
    changes: 'Fig 2-9 last-prepared, "∄ m\', v\' : (prepared(m\', v\', n, M) ∧ v\' > v) ∨ …" (line 638)',
    expectation: 'breaks safety',
    patch: {
      lastPrepared: () => (u, m, v, n, M) => {
        if (!u.proto.prepared(u, m, v, n, M)) return false;
        for (const pp of M.prePreparesAt(n)) {
          if (pp.signer !== u.primary(pp.v) || !u.proto.prepared(u, pp.m, pp.v, n, M)) continue;
          if (pp.v < v || (pp.v === v && pp.m !== m)) return false;
        }
        return true;
      },
    },
  },
  {
    name: 'new-view-without-null-requests',
    description:
      'The new primary leaves N empty, and correct-new-view asks for N = {}: gaps between prepared certificates get no null request (as ERRATA E1\'s literal text has it). Replicas cannot execute past the gap, a liveness loss, and nothing unsafe is executed; but the judge keeps the thesis\'s correct-new-view, so Invariant A.1.2(4) (a pre-prepare of view v > 0 only with a correct new-view for v) fails on the first new view with a gap. With `--literal-errata E1` instead the judge reads the text the same way and nothing fails.',
    changes: 'Fig 2-13 SEND-NEW-VIEW and Fig 2-9 correct-new-view, "N = {⟨PRE-PREPARE, v, n, null⟩ | …}" (line 783)',
    expectation: 'breaks safety',
    patch: { computeON: (base) => (u, v, V, signer) => ({ O: base(u, v, V, signer).O, N: [] as PrePrepare[] }) },
  },
  {
    name: 'view-change-accepts-stale',
    description:
      'A replica also logs correct view-changes for views below its own (the "v ≥ view_i" conjunct is dropped). They only take space: SEND-NEW-VIEW is for views at or above the replica\'s, and has-new-view looks at new-views only.',
    changes: 'Fig 2-13 RECEIVE(⟨VIEW-CHANGE, v, n, s, C, P, j⟩σj), "if v ≥ view_i ∧ …" (line 776)',
    expectation: 'harmless',
    patch: {
      receive: {
        'VIEW-CHANGE': (base) => (u, st, m) => {
          const ownForm = (m.gc === null) === (u.config.variant === 'A');
          if (ownForm && m.j !== st.i && m.v < st.view && u.proto.correctViewChange(u, m)) st.in.add(m as Message);
          else base(u, st, m);
        },
      },
    },
  },
]);
