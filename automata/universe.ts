// Everything fixed for one configuration: sizes, the service, the message interner, and caches
// of predicates that depend only on a message (correct-view-change, correct-new-view).
import { makeConfig, type Config, type ConfigInput, type Variant } from './config.ts';
import { Interner } from './messages.ts';
import { serviceByName, type StateMachine } from './services.ts';
import type { Protocol } from './protocol.ts';
import { thesisProtocol } from './protocol-base.ts';
import { applyVariants, resolveVariants, type VariantDef } from './variant.ts';

export class Universe {
  readonly config: Config;
  /** |R| = 3f + 1 */
  readonly n: number;
  readonly f: number;
  readonly clients: number;
  readonly service: StateMachine;
  readonly ops: readonly string[];
  readonly interner: Interner;
  /** Memo of message-only predicates, keyed by message id. */
  readonly correctViewChangeMemo = new Map<number, boolean>();
  readonly correctNewViewMemo = new Map<number, boolean>();
  /** The protocol variants config.mutants names (automata/variant.ts), in order. */
  readonly variants: readonly VariantDef[];
  /** The protocol the automata run: the thesis's, with the variants applied (automata/protocol.ts). */
  proto: Protocol;
  /** How often each variant's code ran in this universe (a test's proof that it was reached). */
  readonly variantCalls = new Map<string, number>();

  /** `interner`: share another universe's messages (see withVariant). */
  constructor(config: ConfigInput = {}, interner?: Interner) {
    this.config = makeConfig(config);
    this.f = this.config.f;
    this.n = 3 * this.f + 1;
    this.clients = this.config.clients;
    this.service = serviceByName(this.config.service);
    this.ops = this.config.ops ?? this.service.ops;
    this.interner = interner ?? new Interner(this.service);
    this.variants = resolveVariants(this.config.mutants);
    // Set before the variants see it: a patch may read u.proto's thesis entries while being applied.
    this.proto = thesisProtocol(this);
    if (this.variants.length > 0) this.proto = applyVariants(this, this.proto, this.variants);
  }

  /**
   * The same configuration for the other replica kind, over the same messages (one interner), so
   * that a message of one automaton is the very same object in the other: the A copy that a paired
   * simulation of A_gc drives (relation H, proofs/paired-h.ts).
   */
  withVariant(variant: Variant): Universe {
    return new Universe({ ...this.config, variant }, this.interner);
  }

  /** primary(v) ≡ v mod |R| (Fig 2-9) */
  primary(v: number): number {
    return v % this.n;
  }
  /** Bit of replica i in a destination set X ⊆ 𝒳. */
  replicaBit(i: number): number {
    return 1 << i;
  }
  /** Bit of client c in a destination set X ⊆ 𝒳 (clients follow the replicas). */
  clientBit(c: number): number {
    return 1 << (this.n + c);
  }
  /** ℛ as a destination set. */
  get allReplicas(): number {
    return (1 << this.n) - 1;
  }
  /** All of 𝒳 = 𝒞 ∪ ℛ. */
  get allNodes(): number {
    return (1 << (this.n + this.clients)) - 1;
  }
}
