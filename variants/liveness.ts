// Variants that should stall the protocol, not break its safety (issue 16): each asks for more
// than the faulty replicas may withhold, so a faulty replica that stays silent stops the requests
// (or the view change) for good. The kill matrix checks them with the liveness properties alone.
import { defineVariants } from './api.ts';

export const LIVENESS_VARIANTS = defineVariants([
  {
    name: 'reply-quorum-f-plus-2',
    description:
      'The proxy waits for f + 2 matching replies instead of f + 1. A certified result still has a correct replica behind it, so nothing unsafe follows. Expected harmless at first (the 2f + 1 correct replicas still reply); the liveness search showed why f + 1 is the most a client may ask for: a correct replica can be left behind in a later view (its view change found no quorum) while the other correct ones and a faulty one go on without it, and then only f + 1 replies come.',
    changes: 'Fig 2-7 REPLY(r)_c, "∃ R : (|R| > f ∧ …)" (line 569)',
    expectation: 'breaks liveness',
    patch: { quorums: (q) => ({ ...q, reply: q.reply + 1 }) },
  },
  {
    name: 'prepare-quorum-all',
    description:
      'prepared asks for prepares from all 3f backups instead of 2f. Every prepared certificate still intersects every other in a correct replica, so nothing unsafe follows; but a faulty backup that withholds its prepare leaves no request prepared, in any view.',
    changes: 'Fig 2-9 prepared, "∃ R : (|R| ≥ 2f ∧ …)" (line 635)',
    expectation: 'breaks liveness',
    patch: { quorums: (q, u) => ({ ...q, prepare: u.n - 1 }) },
  },
  {
    name: 'reply-quorum-all',
    description:
      'The proxy waits for matching replies from all 3f + 1 replicas instead of f + 1. A result all replicas sent is certified at least as well, so nothing unsafe follows; but a faulty replica that does not reply keeps every request of the client outstanding.',
    changes: 'Fig 2-7 REPLY(r)_c, "∃ R : (|R| > f ∧ …)" (line 569)',
    expectation: 'breaks liveness',
    patch: { quorums: (q, u) => ({ ...q, reply: u.n }) },
  },
  {
    name: 'new-view-quorum-all',
    description:
      'A new-view needs view-changes from all 3f + 1 replicas instead of 2f + 1 (SEND-NEW-VIEW and correct-new-view). A larger certificate intersects every commit quorum all the more, so nothing unsafe follows; but with a faulty replica that sends no view-change, no view change completes, and a faulty (or silent) primary stops the service.',
    changes: 'Fig 2-9 correct-new-view, "|V| = |R| = 2f + 1" (line 649); Fig 2-13 SEND-NEW-VIEW (line 779)',
    expectation: 'breaks liveness',
    patch: { quorums: (q, u) => ({ ...q, newView: u.n }) },
  },
  {
    name: 'stable-checkpoint-all',
    description:
      'A checkpoint is stable only with checkpoint messages from all 3f + 1 replicas instead of f + 1 (garbage collection, and a view-change\'s certificate C). Garbage collection only waits longer, so nothing unsafe follows; but with a faulty replica that withholds its checkpoints no checkpoint becomes stable, the log window h + L fills, and the primary can assign no further sequence number.',
    changes: 'Fig 2-9 correct-view-change, "∃ R : (|R| > f ∧ …)" (line 643); Fig 2-11 COLLECT-GARBAGE (line 695)',
    expectation: 'breaks liveness',
    appliesTo: ['Agc'],
    patch: { quorums: (q, u) => ({ ...q, stableCheckpoint: u.n }) },
  },
]);
