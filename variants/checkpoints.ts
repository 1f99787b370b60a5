// Variants of checkpoints, garbage collection and the log window (Figs 2-9, 2-11, 2-12).
import { defineVariants, h } from './api.ts';

export const CHECKPOINT_VARIANTS = defineVariants([
  {
    name: 'stable-checkpoint-f',
    description:
      'A checkpoint is stable with f checkpoint messages instead of f + 1 ("|R| > f" becomes "|R| ≥ f"), for garbage collection and in a view-change\'s certificate C. With f faulty replicas a certificate may hold no correct replica\'s checkpoint, so a faulty replica\'s made-up state can be adopted through update-state-nv.',
    changes: 'Fig 2-9 correct-view-change, "∃ R : (|R| > f ∧ …)" (line 643); Fig 2-11 COLLECT-GARBAGE (line 695)',
    expectation: 'breaks safety',
    appliesTo: ['Agc'],
    patch: { quorums: (q) => ({ ...q, stableCheckpoint: q.stableCheckpoint - 1 }) },
  },
  {
    name: 'checkpoint-every-request',
    description:
      'take-chkpt(n) holds for every n: replicas checkpoint after each execution instead of every chkpt-int requests. More checkpoints and earlier garbage collection, but each is taken and certified by the same rules.',
    changes: 'Fig 2-9 take-chkpt, "(n mod chkpt-int) = 0" (line 667)',
    expectation: 'harmless',
    appliesTo: ['Agc'],
    patch: { takeChkpt: () => () => true },
  },
  {
    name: 'window-one-larger',
    description:
      'in-w(n, i) admits n − h_i ≤ L + 1: one sequence number beyond the log\'s high water mark. A_gc then logs messages that relation H expects only A to log (cf. ERRATA E16), so the refinement to A is broken although no invariant of the protocol need be.',
    changes: 'Fig 2-9 in-w, "0 < n − h_i ≤ L" (line 676)',
    expectation: 'breaks refinement',
    appliesTo: ['Agc'],
    patch: { inW: () => (u, st, n) => 0 < n - h(st) && n - h(st) <= u.config.L + 1 },
  },
  {
    name: 'gc-discards-certificate',
    description:
      'COLLECT-GARBAGE also discards the checkpoint messages at n ("n\' ≤ n" where the text has "n\' < n"), so the replica throws away the stable certificate it just used. Its later view-changes carry an empty C and are rejected as incorrect, until its next stable checkpoint: view changes stall, nothing unsafe follows (a correct replica\'s state and the messages it accepts are unchanged; only its own view-changes are lost). Expected to break safety at first; the matrix found H(3) alone, and the reason above is why (ERRATA R20 e). A liveness property would catch it.',
    changes: 'Fig 2-11 COLLECT-GARBAGE, "in_i := in_i − {⟨CHECKPOINT, v\', n\', d\', j⟩ | n\' < n}" (line 695)',
    expectation: 'breaks refinement',
    appliesTo: ['Agc'],
    patch: {
      actions: {
        'COLLECT-GARBAGE': {
          eff: (base) => (u, st, a) => {
            base(u, st, a);
            for (const c of [...(st.in.checkpointsByN.get(a.n) ?? [])]) st.in.delete(c);
          },
        },
      },
    },
  },
]);
