// The commands that look at the state: show, check, coverage, config.
import { formatAction } from '../../automata/format.ts';
import { formatCoverage } from '../coverage.ts';
import { describePlan } from '../strategies.ts';
import { checkNow } from './check-now.ts';
import { CommandError, type Command } from './context.ts';
import { showReplica } from './show-replica.ts';
import { showOverview, showProxy, showSpec, showSpecHist, showWire } from './show-system.ts';

export const SHOW_TARGETS = ['replica', 'proxy', 'wire', 'spec', 'S', "S'"];

export const showCommand: Command = {
  name: 'show',
  usage: "show [replica I | rI | proxy C | cC | wire [all] | S | S' | spec]",
  summary: 'show the state, or a part of it, with what the last step changed marked',
  help: `show alone gives one line per replica and proxy and the wire's size. Parts:
  show replica I (or rI)  its variables, and its log in_i grouped by kind, view and sequence number
  show proxy C (or cC)    the proxy's variables and reply certificates
  show wire [all]         the elements (m, X) of MC's wire in flight (all: the delivered ones too)
  show S, show S'         the spec automata, when the chain is on (--chain); show spec: both
Marks: * a variable the last step changed, + a message or element it added, - one it removed.`,
  run(ctx, arg) {
    const { session } = ctx;
    const { u, s } = session;
    const words = arg.trim().split(/\s+/).filter((w) => w !== '');
    const prev = session.previous();
    const last = session.cursor === 0 ? null : formatAction(u, session.timeline[session.cursor - 1]!.action);
    if (words.length === 0) return showOverview(u, s, prev, session.cursor, session.timeline.length, last);
    const what = words[0]!.toLowerCase();
    const short = /^([rc])(\d+)$/.exec(what);
    const target = short !== null ? (short[1] === 'r' ? 'replica' : 'proxy') : what;
    const index = () => {
      const t = short !== null ? short[2]! : words[1];
      if (t === undefined || !/^\d+$/.test(t)) throw new CommandError(`show ${target} needs a number, e.g. show ${target} 1`);
      return Number(t);
    };
    const standIn = (node: number) => s.standIns[node]?.name ?? null;
    switch (target) {
      case 'replica': {
        const i = index();
        if (i >= u.n) throw new CommandError(`there is no replica ${i} (replicas 0..${u.n - 1})`);
        return showReplica(u, s.replicas[i]!, prev?.replicas[i] ?? null, standIn(i));
      }
      case 'proxy':
      case 'client': {
        const c = index();
        if (c >= u.clients) throw new CommandError(`there is no client ${c} (clients 0..${u.clients - 1})`);
        return showProxy(u, s.proxies[c]!, prev?.proxies[c] ?? null, standIn(u.n + c));
      }
      case 'wire':
        return showWire(u, s, prev, words[1]?.toLowerCase() === 'all');
      case 's':
      case "s'":
      case 'spec': {
        const chain = session.chain;
        if (chain === null) throw new CommandError('S and S\' run only with the chain of simulations: start the REPL with --chain');
        const before = session.cursor === 0 ? null : session.specBefore;
        const ua = chain.h?.uy ?? u;
        const parts = [];
        if (words[0] === "S'" || what === 'spec') parts.push(showSpecHist(ua, chain.g.y, before?.Sp ?? null));
        if (words[0] === 'S' || what === 'spec') parts.push(showSpec(ua, chain.f.y, before?.S ?? null));
        if (parts.length === 0) throw new CommandError("write S or S' (capital S)");
        return parts.join('\n');
      }
      default:
        throw new CommandError(`show what? '${words[0]}' is not a part of the state; show replica I, proxy C, wire, S, S' or spec`);
    }
  },
};

export const checkCommand: Command = {
  name: 'check',
  usage: 'check',
  summary: 'evaluate every invariant (and relation, with --chain) on the current state, with the full report',
  help: `check evaluates every selected invariant of Appendix A on the current state (not
incrementally), reports what the end-to-end and agreement monitors found over the execution so far,
and with the chain on evaluates the clauses of H, G and F on the current pairs of states.`,
  run: (ctx) => checkNow(ctx.session),
};

export const coverageCommand: Command = {
  name: 'coverage',
  usage: 'coverage',
  summary: 'which actions, branches and milestones the execution so far reached',
  help: 'coverage prints the coverage report (sim/coverage.ts) of the steps taken so far.',
  run: (ctx) => formatCoverage(ctx.session.coverage.report()),
};

export const configCommand: Command = {
  name: 'config',
  usage: 'config',
  summary: 'the configuration, seed, strategy and checks of this session',
  help: 'config prints the configuration the session runs, its seed, strategy and what is checked.',
  run(ctx) {
    const { setup, u } = ctx.session;
    const c = u.config;
    const lines = [
      `${c.variant === 'Agc' ? 'A_gc (Figs 2-8..2-13)' : 'A (Appendix A.1)'}, f = ${c.f} (${u.n} replicas), ${c.clients} clients, ${c.service} service, ops ${u.ops.join(',')}`,
      `  seed ${setup.seed}${setup.source === undefined ? '' : `; loaded from ${setup.source}`}`,
      `  configured failures: replicas ${c.faultyReplicas.join(',') || 'none'}, clients ${c.faultyClients.join(',') || 'none'}`,
      `  max-view ${c.maxView}${c.variant === 'Agc' ? `, chkpt-int ${c.chkptInt}, L ${c.L}` : ''}; network: loss ${c.network.loss}, duplicate ${c.network.duplicate}, replay ${c.network.replay}`,
      `  ${setup.plan === null ? 'no strategy (faulty nodes stop)' : describePlan(setup.plan)}`,
      `  invariants: ${ctx.session.checker.active.length} conjuncts, the end-to-end property and agreement, after every step`,
      `  chain of simulations: ${setup.chain === null ? 'off (--chain turns it on)' : c.variant === 'Agc' ? 'H, G and F' : 'G and F'}`,
    ];
    const literal = Object.entries(c.readings).filter(([, v]) => v === true).map(([k]) => k);
    if (literal.length > 0) lines.push(`  literal readings: ${literal.join(', ')}`);
    return lines.join('\n');
  },
};
