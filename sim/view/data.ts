// What a trace viewer page holds: written by sim/view/model.ts from a replayed trace, read by the
// page's script (sim/view/browser/). No imports, so that the browser code can share these types.
//
// The state after each step is not stored whole: the page holds the initial state as a list of
// entries and, per step, the entries the step changed, and rebuilds any state from those.

export interface ViewData {
  /** The trace file's path, as given. */
  title: string;
  /** The configuration in a line: automaton, f, replicas, clients, service, variants, readings. */
  summary: string;
  /** What was checked on the way, as `replay` says it. */
  checks: string;
  /** Lanes: the replicas, the client proxies, then the network (MC, where MISBEHAVE happens). */
  lanes: ViewLane[];
  messages: ViewMessage[];
  sections: ViewSection[];
  groups: ViewGroup[];
  /** The state's entries: a key is a group and an item in it. */
  keys: ViewKey[];
  /** The initial state. */
  init: ViewChange[];
  steps: ViewStep[];
  /** Per replica lane: the views it was in and its stable checkpoints, as spans of steps. */
  bands: ViewBand[];
  violation: ViewViolation | null;
  /** The commands that reach step N (0-based; `{N}` stands for the number of steps to take). */
  commands: { replay: string; repl: string };
  /** Anything the reader should know about what the page shows (e.g. steps left out). */
  notes: string[];
}

export interface ViewLane {
  name: string;
  kind: 'replica' | 'client' | 'network';
  /** The step at which the node fails (-1: faulty from the start), or null. */
  faultyFrom: number | null;
}

export interface ViewMessage {
  /** In the thesis's notation (automata/format.ts). */
  text: string;
  tag: string;
  /** The lane of the node that signed it. */
  signer: number;
}

export interface ViewSection {
  /** E.g. 'r0', 'c1', 'wire', "A's copy r0", "S'", 'S'. */
  id: string;
  title: string;
  /** Which part of the proof it belongs to: the concrete automaton run, or an abstract one. */
  side: 'concrete' | 'abstract';
}

export interface ViewGroup {
  section: number;
  title: string;
  /** How its items read: variables (name = value), messages (a set of them), or wire elements. */
  kind: 'variables' | 'messages' | 'wire';
  /** Sort key within its section (lexicographic over the numbers). */
  order: number[];
}

/**
 * One entry of the state: a variable of a group (its name), a message of a set (its index in
 * `messages`), or a wire element (`"m X"`: message index and destination mask).
 */
export type ViewKey = [group: number, item: string | number];

/** An entry set to a value (messages and wire elements have one too: '' or the destinations), or removed. */
export type ViewChange = [key: number, value: string] | [key: number];

export interface ViewStep {
  /** The action, as `replay` prints it. */
  text: string;
  kind: string;
  /** The message's tag, for SEND, RECEIVE and MISBEHAVE. */
  tag: string | null;
  /** The lane of the node that takes it (the network's for MISBEHAVE). */
  lane: number;
  /** Whether that node was faulty when it took the step. */
  faulty: boolean;
  /** The message sent, delivered or misdelivered (index in `messages`). */
  m: number | null;
  /** For RECEIVE: where the delivered copy came from. */
  arrow: ViewArrow | null;
  /** For MISBEHAVE: the lanes whose delivery it dropped, and the lanes it added a delivery for. */
  lost: number[];
  added: number[];
  /** What the step did that the chart marks: 'view 2', 'stable checkpoint 4', 'fails'. */
  events: string[];
  /** The entries of the state it changed. */
  d: ViewChange[];
}

export interface ViewArrow {
  /** The step that put this copy on the wire: its SEND, or the MISBEHAVE that added the receiver. */
  from: number;
  /** The lane of that step. */
  lane: number;
  how: 'send' | 'duplicate' | 'replay';
}

export interface ViewBand {
  lane: number;
  kind: 'view' | 'checkpoint';
  /** The first and last step of the span (-1: the initial state). */
  from: number;
  to: number;
  label: string;
}

export interface ViewViolation {
  id: string;
  /** The step after which it was found (-1: the start). */
  step: number;
  report: string;
  /** Steps that send or deliver its witnesses' messages, and the violation's step. */
  steps: number[];
  /** Lanes of its witness replicas and clients. */
  lanes: number[];
  /** What the file records, and whether the replay found it again. */
  recorded: string | null;
  reproduced: boolean | null;
}
