// The set of fingerprints explore has seen, as two lanes in open-addressed typed arrays: no
// string per state (16 hex digits each, and a Set<string> entry) and nothing for the garbage
// collector to trace. Membership does not depend on insertion order.
export class FingerprintSet {
  private lo = new Int32Array(1 << 12);
  private hi = new Int32Array(1 << 12);
  /** Which slots hold a fingerprint (the pair 0, 0 is a fingerprint too). */
  private used = new Uint8Array(1 << 12);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the fingerprint (lo, hi); returns false if it was already there. */
  add(lo: number, hi: number): boolean {
    if (2 * (this.count + 1) > this.used.length) this.grow();
    const slot = this.find(lo | 0, hi | 0);
    if (this.used[slot] === 1) return false;
    this.used[slot] = 1;
    this.lo[slot] = lo;
    this.hi[slot] = hi;
    this.count++;
    return true;
  }

  has(lo: number, hi: number): boolean {
    return this.used[this.find(lo | 0, hi | 0)] === 1;
  }

  /** The slot of (lo, hi), or the empty slot where it would go (linear probing; lo is already mixed). */
  private find(lo: number, hi: number): number {
    const mask = this.used.length - 1;
    let k = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.used[k] === 1 && (this.lo[k] !== lo || this.hi[k] !== hi)) k = (k + 1) & mask;
    return k;
  }

  private grow(): void {
    const { lo, hi, used } = this;
    this.lo = new Int32Array(used.length * 2);
    this.hi = new Int32Array(used.length * 2);
    this.used = new Uint8Array(used.length * 2);
    for (let k = 0; k < used.length; k++)
      if (used[k] === 1) {
        const slot = this.find(lo[k]!, hi[k]!);
        this.used[slot] = 1;
        this.lo[slot] = lo[k]!;
        this.hi[slot] = hi[k]!;
      }
  }
}
