// out_i (Fig 2-8, A.1): a set of messages that also remembers every addition, in order, so that
// checkers can learn what was added since they last looked without copying the set each step
// (A's replicas keep prepares in out_i that are never sent, so out_i grows over a run).
import type { Message } from './messages.ts';

export class OutSet extends Set<Message> {
  private readonly additions: Message[] = [];
  /** Changes on every effective add or delete. */
  version = 0;

  constructor(items: Iterable<Message> = []) {
    super();
    for (const m of items) this.add(m);
  }

  override add(m: Message): this {
    if (!this.has(m)) {
      super.add(m);
      this.additions.push(m);
      this.version++;
    }
    return this;
  }

  override delete(m: Message): boolean {
    const done = super.delete(m);
    if (done) this.version++;
    return done;
  }

  override clear(): void {
    if (this.size > 0) this.version++;
    super.clear();
  }

  /** Number of additions so far (a position for addedSince). */
  get additionCount(): number {
    return this.additions.length;
  }

  /** The messages added from position k on that are still in the set. */
  addedSince(k: number): Message[] {
    return this.additions.slice(k).filter((m) => this.has(m));
  }
}
