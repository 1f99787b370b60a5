// The default protocol table: the thesis's text for one replica kind (automata/protocol.ts).
import { thesisCommitted, thesisComputeON, thesisCorrectNewView, thesisCorrectViewChange, thesisLastPrepared, thesisPrepared } from './aux-functions.ts';
import { thesisReplicaModule } from './compose.ts';
import { thesisQuorums, type Protocol } from './protocol.ts';
import { receive as thesisReceive, reply as thesisReply, thesisCertifiedResults } from './proxy.ts';
import { thesisInW, thesisTakeChkpt } from './replica-gc.ts';
import type { Universe } from './universe.ts';

export function thesisProtocol(u: Universe): Protocol {
  const module = thesisReplicaModule(u.config.variant);
  return {
    quorums: thesisQuorums(u.f),
    prepared: thesisPrepared,
    lastPrepared: thesisLastPrepared,
    committed: thesisCommitted,
    correctViewChange: thesisCorrectViewChange,
    correctNewView: thesisCorrectNewView,
    computeON: thesisComputeON,
    inW: thesisInW,
    takeChkpt: thesisTakeChkpt,
    certifiedResults: thesisCertifiedResults,
    proxyReceive: (_u, p, m) => thesisReceive(p, m),
    proxyReply: (_u, p, r) => thesisReply(p, r),
    mayForge: () => false,
    pre: module.pre,
    eff: module.eff,
    receive: module.receive,
  };
}
