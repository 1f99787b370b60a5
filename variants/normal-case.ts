// Variants of the normal-case protocol: the three phases and their quorums (Figs 2-9, 2-12).
import { defineVariants, hasNewView, noConflictingPrepare, prepareFor, primaryOf, type Receive } from './api.ts';

/**
 * Fig 2-12 RECEIVE(⟨PRE-PREPARE, v, n, m⟩σj)_i (j ≠ i) with one conjunct of its condition dropped:
 *   if j = primary(i) ∧ in-wv(v, n, i) ∧ has-new-view(v, i) ∧ ∄ d : (d ≠ D(m) ∧ ⟨PREPARE, v, n, d, i⟩σi ∈ in_i) then
 *     in_i := in_i ∪ {⟨PRE-PREPARE, v, n, m⟩σj, p}; out_i := out_i ∪ {p}   (p = ⟨PREPARE, v, n, D(m), i⟩σi)
 * Otherwise the thesis's effect (in A: a request alone may still be logged).
 */
function acceptPrePrepareWithout(dropped: 'has-new-view' | 'no-conflicting-prepare'): (base: Receive<'PRE-PREPARE'>) => Receive<'PRE-PREPARE'> {
  return (base) => (u, st, pp) => {
    const inWindow = u.config.variant === 'A' || u.proto.inW(u, st, pp.n);
    const accept =
      pp.signer !== st.i &&
      pp.signer === primaryOf(u, st) &&
      st.view === pp.v &&
      inWindow &&
      (dropped === 'has-new-view' || hasNewView(u, pp.v, st.in)) &&
      (dropped === 'no-conflicting-prepare' || noConflictingPrepare(u, st, pp.v, pp.n, pp.m));
    if (!accept) return base(u, st, pp);
    const p = prepareFor(u, pp, st.i);
    st.in.add(pp);
    st.in.add(p);
    st.out.add(p);
  };
}

export const NORMAL_CASE_VARIANTS = defineVariants([
  {
    name: 'commit-logged-first',
    description:
      'SEND-COMMIT adds its commit to in_i before out_i instead of after. Both happen in the same step and nothing reads either in between, so the order cannot matter: a control for false alarms of safety and of liveness.',
    changes: 'Fig 2-12 SEND-COMMIT, "out_i := out_i ∪ {c}; in_i := in_i ∪ {c}" (lines 736-737) in the other order',
    expectation: 'harmless',
    patch: {
      actions: {
        'SEND-COMMIT': {
          eff: () => (u, st, a) => {
            const c = u.interner.commit(a.v, a.n, u.interner.digest(a.m), st.i);
            st.in.add(c);
            st.out.add(c);
          },
        },
      },
    },
  },
  {
    name: 'prepare-quorum-2f-1',
    description:
      'prepared(m, v, n, M) asks for 2f − 1 prepares from backups instead of 2f. Two prepared certificates for different requests at one view and sequence number then need not intersect in a correct replica, so a faulty primary can get both committed.',
    changes: 'Fig 2-9 prepared, "∃ R : (|R| ≥ 2f ∧ …)" (line 635)',
    expectation: 'breaks safety',
    patch: { quorums: (q) => ({ ...q, prepare: q.prepare - 1 }) },
  },
  {
    name: 'commit-quorum-2f',
    description:
      'committed(m, v, n, i) asks for 2f commits instead of 2f + 1. A committed certificate then need not intersect every view-change quorum in a correct replica that prepared the request, so a new view can assign its sequence number to another request.',
    changes: 'Fig 2-9 committed, "∃ R : (|R| ≥ 2f + 1 ∧ …)" (line 641)',
    expectation: 'breaks safety',
    patch: { quorums: (q) => ({ ...q, commit: q.commit - 1 }) },
  },
  {
    name: 'prepared-counts-primary',
    description:
      "prepared counts the primary's own prepare among the 2f: the text asks for prepares from replicas other than primary(v) (the pre-prepare stands for the primary's). A faulty primary that also sends prepares completes certificates with one correct backup fewer.",
    changes: 'Fig 2-9 prepared, "∀ k ∈ R : (k ≠ primary(v) ∧ …)" (line 635)',
    expectation: 'breaks safety',
    patch: {
      prepared: () => (u, m, v, n, M) => {
        if (!M.hasPrePrepare(v, n, m, u.primary(v))) return false;
        return M.prepareSignersOf(v, n, u.interner.digest(m)).size >= u.proto.quorums.prepare;
      },
    },
  },
  {
    name: 'backup-prepares-conflicting',
    description:
      'A backup accepts a pre-prepare even when it already sent a prepare for another request at the same view and sequence number (the "∄ d : d ≠ D(m) ∧ ⟨PREPARE, v, n, d, i⟩σi ∈ in_i" check is dropped). An equivocating primary gets correct backups to prepare both requests.',
    changes: 'Fig 2-12 RECEIVE(⟨PRE-PREPARE, v, n, m⟩σj), line 725',
    expectation: 'breaks safety',
    patch: {
      receive: {
        'PRE-PREPARE': acceptPrePrepareWithout('no-conflicting-prepare'),
      },
    },
  },
  {
    name: 'pre-prepare-without-new-view',
    description:
      'A backup accepts pre-prepares for its view before it holds the view\'s new-view message (the has-new-view(v, i) conjunct is dropped). A faulty new primary can then assign sequence numbers that a committed request of an earlier view already holds; the new-view message is what prevents that.',
    changes: 'Fig 2-12 RECEIVE(⟨PRE-PREPARE, v, n, m⟩σj), "∧ has-new-view(v, i)" (line 724)',
    expectation: 'breaks safety',
    patch: {
      receive: {
        'PRE-PREPARE': acceptPrePrepareWithout('has-new-view'),
      },
    },
  },
  {
    name: 'execute-when-prepared',
    description:
      'committed(m, v, n, i) holds as soon as the request is prepared at i: a replica executes without waiting for 2f + 1 commits. A request prepared at one replica need not survive a view change, so replicas can execute different requests at one sequence number.',
    changes: 'Fig 2-9 committed (line 641), Fig 2-12 EXECUTE\'s precondition (line 741)',
    expectation: 'breaks safety',
    patch: { committed: (base) => (u, m, v, n, inI) => base(u, m, v, n, inI) || u.proto.prepared(u, m, v, n, inI) },
  },
  {
    name: 'commit-quorum-all',
    description:
      'committed asks for commits from all 3f + 1 replicas instead of 2f + 1: a stricter check than needed. A faulty replica that withholds its commit stalls execution, but nothing unsafe can follow. Expected harmless at first; the kill matrix found relation H\'s step correspondence failing (an EXECUTE that A′ cannot take), with nothing found without the chain. The cause: when a replica adopts a state from a new-view (update-state-nv), the proof of Theorem A.2.5 catches A′ up with 2f + 1 commits per sequence number, the thesis\'s quorum, and A′ under this variant needs 3f + 1: the proof\'s correspondence does not carry over to the variant.',
    changes: 'Fig 2-9 committed, "|R| ≥ 2f + 1" (line 641)',
    expectation: 'breaks refinement',
    patch: { quorums: (q, u) => ({ ...q, commit: u.n }) },
  },
]);
