// `check`: every selected invariant evaluated plainly on the current state, what the monitors of
// the execution (end-to-end, agreement) found so far, and with the chain the clauses of H, G and F
// evaluated on the current pairs of states.
import type { Action } from '../../automata/actions.ts';
import { formatFinding, InvariantChecker } from '../../invariants/check.ts';
import { fClauses } from '../../proofs/f.ts';
import { gClauses } from '../../proofs/g.ts';
import { hClauses } from '../../proofs/h.ts';
import { failingClauses, type Clause } from '../../proofs/relation.ts';
import type { Session } from './session.ts';

/** A placeholder for the report's "at step" line, which a check of the state now does not have. */
const NO_ACTION: Action = { kind: 'REPLICA-FAILURE', i: 0 };

export function checkNow(session: Session): string {
  const { u, s, cursor } = session;
  const plain = new InvariantChecker(u, { invariants: session.invariants, incremental: false, endToEnd: false, agreement: false });
  const violations = plain.checkNow(s);
  const lines = [`check at step ${cursor}: ${plain.active.length} invariant conjuncts of ${u.config.variant === 'Agc' ? 'A_gc' : 'A'} evaluated on the current state`];
  if (violations.length === 0) lines.push('  all hold');
  const faulty = s.replicas.filter((r) => r.faulty).length;
  if (faulty > u.f) lines.push(`  (${faulty} replicas are faulty, more than f = ${u.f}: the hypothesis n-faulty ≤ f is false, so they hold vacuously)`);
  for (const v of violations)
    lines.push(
      formatFinding(u, { ...v, step: -1, action: NO_ACTION }, plain.active)
        .split('\n')
        .filter((l) => !l.startsWith('  at step -1'))
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  const monitored = session.allFindings().filter((f) => f.id === 'E2E' || f.id === 'AGREEMENT');
  lines.push(`end-to-end property and agreement, monitored over the ${cursor} step(s) so far: ${monitored.length === 0 ? 'no violation' : `${monitored.length} violation(s)`}`);
  for (const f of monitored) lines.push(f.report.replace(/^/gm, '  '));
  lines.push(...relationsNow(session));
  return lines.join('\n');
}

function relationsNow(session: Session): string[] {
  const chain = session.chain;
  if (chain === null) return ['relations: the chain of simulations is off (start the REPL with --chain)'];
  if (session.chainStopped !== null) return [`relations: the chain stopped following ${session.chainStopped}`];
  const keep = <X, Y>(cs: Clause<X, Y>[]) => cs.filter((c) => chain.wanted(c.id));
  const ua = chain.h?.uy ?? session.u;
  const a = chain.h?.y ?? session.s;
  const r = ua.config.readings;
  const lines: string[] = [];
  const report = (name: string, clauses: Clause<never, never>[], x: unknown, y: unknown, undefinedFrom: number | null) => {
    if (clauses.length === 0) return;
    if (undefinedFrom !== null) {
      lines.push(`  ${name}: need not hold (more than f faulty replicas since step ${undefinedFrom})`);
      return;
    }
    const failing = failingClauses(clauses, x as never, y as never);
    lines.push(`  ${name}: ${clauses.length} clause(s), ${failing.length === 0 ? 'all hold' : `${failing.length} fail`}`);
    for (const f of failing) lines.push(`    ${f.id} does not hold: ${f.message}`);
  };
  lines.push(`relations on the current states (${chain.abstractSteps} abstract steps taken so far)`);
  if (chain.h !== null) report('H (A_gc to A)', keep(hClauses(chain.h.hc)) as never, session.s, chain.h.y, chain.h.undefinedFrom);
  report("G (A to S')", keep(gClauses(ua, r.literalG ?? false)) as never, a, chain.g.y, chain.g.undefinedFrom);
  report("F (S' to S)", keep(fClauses(ua, r.literalF)) as never, chain.g.y, chain.f.y, chain.g.undefinedFrom);
  const found = session.allFindings().filter((f) => /^([FGH]\(|enabled$|trace$|chain$)/.test(f.id));
  lines.push(`simulation failures over the execution so far: ${found.length === 0 ? 'none' : found.length}`);
  for (const f of found) lines.push(f.report.replace(/^/gm, '  '));
  return lines;
}
