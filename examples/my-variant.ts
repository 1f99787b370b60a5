// A user's own protocol variants: "is f + 1 commits enough?" and "must a replica check a commit's
// view?". Run them with
//   npx pbft-check search --mutant-file examples/my-variant.ts --mutant commit-quorum-f-plus-1
//   npx pbft-check mutants --mutant-file examples/my-variant.ts --only commits-from-any-view
// A file exports a list of variants (its default export, or `variants`); each entry of `patch`
// receives the protocol's current form of that part and returns the one to use (variants/api.ts).
import { defineVariants, h } from '../variants/api.ts';

export default defineVariants([
  {
    name: 'commit-quorum-f-plus-1',
    description:
      'A replica executes once f + 1 replicas have committed, instead of 2f + 1: one correct replica among them would seem enough to vouch for the request.',
    changes: 'Fig 2-9 committed, "∃ R : (|R| ≥ 2f + 1 ∧ …)" (castro-thesis-2000.txt line 641)',
    expectation: 'breaks safety',
    patch: { quorums: (q, u) => ({ ...q, commit: u.f + 1 }) },
  },
  {
    name: 'commits-from-any-view',
    description:
      'A replica logs commits of views above its own (the "view_i ≥ v" test of RECEIVE(COMMIT) is dropped): it will need them once it moves to that view anyway.',
    changes: 'Fig 2-12 RECEIVE(⟨COMMIT, v, n, d, j⟩σj), "if view_i ≥ v ∧ in-w(n, i)" (line 738)',
    expectation: 'harmless',
    patch: {
      receive: {
        COMMIT: (base) => (u, st, m) => {
          const inWindow = u.config.variant === 'A' || (0 < m.n - h(st) && m.n - h(st) <= u.config.L);
          if (m.j !== st.i && m.v > st.view && inWindow) st.in.add(m);
          else base(u, st, m);
        },
      },
    },
  },
]);
