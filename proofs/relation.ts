// Relations between the states of two automata, as named data: one entry per numbered clause, so
// that a failure names F(3) or G(8). A clause returns null when it holds, or what is false.
export interface Clause<X, Y> {
  /** 'F(1)', 'G(8)', … */
  id: string;
  /** One line, in the thesis's notation (the corrected form where it is corrected). */
  statement: string;
  ref: string;
  check(x: X, y: Y): string | null;
}

export interface ClauseFailure {
  id: string;
  message: string;
}

/** Every clause that does not hold on (x, y). */
export function failingClauses<X, Y>(clauses: readonly Clause<X, Y>[], x: X, y: Y): ClauseFailure[] {
  const out: ClauseFailure[] = [];
  for (const c of clauses) {
    const message = c.check(x, y);
    if (message !== null) out.push({ id: c.id, message });
  }
  return out;
}
