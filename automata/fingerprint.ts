// The fingerprint of a global state: the state hash of automata/state-hash.ts (built from digests,
// not interning ids, so that the same state reached in two universes or by two paths has the same
// fingerprint). One mechanism serves the tests, trace files, replay and explore.
export { stateHash as fingerprint } from './state-hash.ts';
