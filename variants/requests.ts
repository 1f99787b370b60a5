// Variants of request handling and exactly-once execution (Fig 2-12: RECEIVE(REQUEST), EXECUTE).
import { defineVariants, type Request } from './api.ts';

export const REQUEST_VARIANTS = defineVariants([
  {
    name: 'execute-duplicates',
    description:
      'EXECUTE applies the operation again when the request was already executed (t = last-rep-t_i(c)): the "if t > last-rep-t_i(c)" guard of exactly-once execution is dropped. A faulty primary that assigns one request two sequence numbers makes correct replicas apply it twice, which no linearizable history of S explains.',
    changes: 'Fig 2-12 EXECUTE, "if t > last-rep-t_i(c) then" (castro-thesis-2000.txt line 746)',
    expectation: 'breaks safety',
    patch: {
      actions: {
        EXECUTE: {
          eff: (base) => (u, st, a) => {
            const m = a.m;
            // Lower the cached timestamp so that the thesis's effect runs g again for t = last-rep-t.
            if (m !== null && m.tag === 'REQUEST' && m.t === st.lastRepT[m.c]) st.lastRepT[m.c] = m.t - 1;
            base(u, st, a);
          },
        },
      },
    },
  },
  {
    name: 'log-stale-requests',
    description:
      'RECEIVE(REQUEST) logs a request whose timestamp is below last-rep-t_i(c) (an old, already answered request) instead of dropping it. EXECUTE does nothing for t < last-rep-t_i(c), so clients see no difference; but once garbage collection has discarded the request\'s old pre-prepare, A_gc\'s primary may pre-prepare it again where A (which keeps every pre-prepare) may not, so relation H fails (found by the kill matrix: at first this variant was expected harmless).',
    changes: 'Fig 2-12 RECEIVE(⟨REQUEST, o, t, c⟩σc), "else if t > last-rep-t_i(c)" (line 711)',
    expectation: 'breaks refinement',
    patch: {
      receive: {
        REQUEST: (base) => (u, st, m) => {
          if (m.c >= 0 && m.c < u.clients && m.t < st.lastRepT[m.c]!) {
            st.in.add(m);
            return;
          }
          base(u, st, m);
        },
      },
    },
  },
  {
    name: 'no-reply-retransmission',
    description:
      'RECEIVE(REQUEST) for the last executed request (t = last-rep-t_i(c)) no longer sends the reply again. A client whose replies were lost then waits forever: a liveness loss, not a safety one. Expected harmless while the matrix judged safety alone; its liveness search found that stall (L1) in every seed, so it is expected to break liveness now.',
    changes: 'Fig 2-12 RECEIVE(⟨REQUEST, o, t, c⟩σc), "if t = last-rep-t_i(c) then out_i := out_i ∪ {⟨REPLY …⟩}" (line 709)',
    expectation: 'breaks liveness',
    patch: {
      receive: {
        REQUEST: (base) => (u, st, m: Request) => {
          if (m.c >= 0 && m.c < u.clients && m.t === st.lastRepT[m.c]) return;
          base(u, st, m);
        },
      },
    },
  },
  {
    name: 'execute-removes-first',
    description:
      'EXECUTE removes the request from in_i before it applies the operation instead of after. Nothing in between reads in_i, so the order cannot matter: a control for false alarms.',
    changes: 'Fig 2-12 EXECUTE, "in_i := in_i − {m}" (line 750) moved before line 742',
    expectation: 'harmless',
    patch: {
      actions: {
        EXECUTE: {
          eff: (base) => (u, st, a) => {
            if (a.m !== null && a.m.tag === 'REQUEST') st.in.delete(a.m);
            base(u, st, a);
          },
        },
      },
    },
  },
]);
