// Variants of the client proxy's reply rule (Fig 2-7).
import { defineVariants } from './api.ts';

export const CLIENT_VARIANTS = defineVariants([
  {
    name: 'reply-from-one-replica',
    description:
      'The proxy outputs a result on the first reply instead of waiting for f + 1 matching replies (a reply certificate). A faulty replica\'s made-up result reaches the client.',
    changes: 'Fig 2-7 REPLY(r)_c, "∃ R : (|R| > f ∧ …)" (line 569)',
    expectation: 'breaks safety',
    patch: { quorums: (q) => ({ ...q, reply: 1 }) },
  },
  {
    name: 'reply-any-timestamp',
    description:
      "The proxy keeps replies whatever their timestamp and counts them for its current request (the \"last-req_c = t\" tests are dropped). Replies to the client's previous request, replayed or late, certify an old result for the new request.",
    changes: 'Fig 2-7 RECEIVE(⟨REPLY, v, t, c, i, r⟩σi)_c, "if (out_c ≠ {} ∧ last-req_c = t)" (line 564), and REPLY(r)_c\'s "⟨REPLY, v, last-req_c, c, i, r⟩" (line 569)',
    expectation: 'breaks safety',
    patch: {
      proxyReceive: () => (_u, p, m) => {
        if (m.c === p.c && p.out !== null) p.in.add(m);
      },
      certifiedResults: () => (u, p) => {
        if (p.out === null) return [];
        const signers = new Map<string, Set<number>>();
        for (const m of p.in) {
          if (m.c !== p.c) continue;
          const s = signers.get(m.r) ?? new Set<number>();
          s.add(m.i);
          signers.set(m.r, s);
        }
        return [...signers].filter(([, s]) => s.size >= u.proto.quorums.reply).map(([r]) => r).sort();
      },
      // view_c := the highest view of the replies that certify r, whatever their timestamp.
      proxyReply: () => (_u, p, r) => {
        let v = 0;
        for (const m of p.in) if (m.c === p.c && m.r === r) v = Math.max(v, m.v);
        p.view = v;
        p.out = null;
      },
    },
  },
]);
