// Variants of the network's limits: what faulty nodes may send (Sections 2.1, 2.4.2, Fig 2-5).
import { defineVariants, signerOf } from './api.ts';

export const NETWORK_VARIANTS = defineVariants([
  {
    name: 'forgeable-replica-signatures',
    description:
      "Faulty replicas can forge other replicas' signatures (the signature scheme is broken). A faulty replica then makes up prepares and commits of correct replicas, so certificates prove nothing. The search's stand-ins try forged messages only when a variant allows them.",
    changes: 'Section 2.1, "the adversary is unable to generate a valid signature ⟨m⟩σx" (line 229); the unforgeability of Section 2.4.2',
    expectation: 'breaks safety',
    patch: { mayForge: () => (_u, _s, _x, m) => signerOf(m).kind === 'replica' },
  },
  {
    name: 'forgeable-client-signatures',
    description:
      "Faulty replicas can forge clients' signatures on requests. A faulty primary then orders an operation that no client issued, and correct replicas execute it: no linearizable history of the clients' requests explains the result.",
    changes: 'Section 2.1, line 229, for client signatures; Section 2.3.2 ("requests are signed")',
    expectation: 'breaks safety',
    patch: { mayForge: () => (_u, _s, _x, m) => m.tag === 'REQUEST' },
  },
]);
