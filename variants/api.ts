// The API for writing protocol variants: what the catalog (variants/*.ts) and users' own files
// (`--mutant-file my-variant.ts`) import. A file's default export (or its export `variants`) is a
// list of variants; `pbft-check mutants --list` shows the loaded ones. See examples/my-variant.ts.
//
// A variant is { name, description, changes, expectation, patch }. Each entry of `patch` receives
// the protocol's current form of that part and returns the new one:
//
//   patch: { quorums: (q) => ({ ...q, commit: q.commit - 1 }) }                 // a smaller quorum
//   patch: { prepared: (base) => (u, m, v, n, M) => base(u, m, v, n, M) && … }    // a predicate
//   patch: { actions: { EXECUTE: { eff: (base) => (u, st, a) => { …; base(u, st, a); } } } }
//   patch: { receive: { 'PRE-PREPARE': (base) => (u, st, m) => { … } } }         // an input
//
// The parts (automata/protocol.ts): quorums, prepared, lastPrepared, committed, correctViewChange,
// correctNewView, computeON, inW, takeChkpt, certifiedResults, proxyReceive, proxyReply, mayForge, and each
// replica action's pre/eff (SEND-PRE-PREPARE, SEND-COMMIT, EXECUTE, SEND-VIEW-CHANGE, SEND-NEW-VIEW,
// COLLECT-GARBAGE) and receive by message tag. A variant applies to A_gc and to A alike (the chain's
// copy of A, or `--variant a`) unless `appliesTo` says otherwise. The invariants and relations
// never see it: they judge with their own definitions (invariants/reference/).
export { defineVariants, type ActionEff, type ActionPre, type Expectation, type Patch, type Receive, type VariantDef } from '../automata/variant.ts';
export type { Protocol, Quorums } from '../automata/protocol.ts';
export type { Universe } from '../automata/universe.ts';
export type { ReplicaState } from '../automata/replica-state.ts';
export type { ProxyState } from '../automata/proxy.ts';
export type { Message, Payload, PrePrepare, Prepare, Commit, Checkpoint, ViewChange, NewView, Request, Reply } from '../automata/messages.ts';
export { signerOf } from '../automata/messages.ts';
export { h, primaryOf, stableChkpt } from '../automata/replica-state.ts';
export { hasNewView, prepareFor } from '../automata/aux-functions.ts';
export { noConflictingPrepare } from '../automata/replica-common.ts';
