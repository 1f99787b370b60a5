// pbft-check repl [--trace FILE] [configuration flags]: an interactive session over one execution.
// The configuration flags are those of `pbft-check run` (parsed by its own parser).
import { parseRunArgs, UsageError } from '../cli.ts';
import { describePlan } from '../strategies.ts';
import { execute } from './commands.ts';
import type { Ctx } from './context.ts';
import { startLoop } from './loop.ts';
import { Session } from './session.ts';

export const REPL_HELP = `Usage: pbft-check repl [--trace FILE] [configuration options]

An interactive session over one execution of A or A_gc: list the enabled actions and take them
one by one or at random, look at any part of the state, check the invariants and relations, go
back and forth in time, load and save trace files, inject failures. Every invariant, the
end-to-end property and agreement are checked after every step (only those of --invariants when
given); with --chain the simulations H, G and F too. Input may be piped: each command is then
echoed after the prompt, so a scripted session reads as a transcript. Type 'help' inside.

Options:
  --trace FILE     load this trace file at the start (as the command 'load FILE')
  --keep-going     with piped input, run every command even after one fails (exit code 2 still)
  --variant, --f, --clients, --service, --ops, --faulty, --faulty-clients, --max-view,
  --chkpt-int, --log-size, --no-loss, --no-duplicate, --no-replay, --literal, --literal-errata,
  --strategy, --faults, --fail-at, --seed, --invariants, --chain, --relations
                   as for 'pbft-check run' (see 'pbft-check run --help'); --seed seeds 'run'
  --liveness, --liveness-bounds L, --gst K
                   check the liveness properties L1-L3 from GST on: step K, or where the
                   command 'stabilize' is given; from GST on 'run' takes the stabilized
                   scheduler's steps (type 'help stabilize' inside)
  -h, --help       show this help

Exit codes: 0 at 'exit' or the end of input; 2 for a bad option or an unreadable --trace file, and
with piped input when a command failed (the script stops there unless --keep-going).
`;

/** Takes the REPL's own options off the arguments: --trace FILE (run's --trace means something else) and --keep-going. */
function splitTrace(args: string[]): { trace: string | null; rest: string[]; keepGoing: boolean } {
  const rest: string[] = [];
  let trace: string | null = null;
  let keepGoing = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === '--trace') {
      const v = args[k + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError('--trace needs a trace file');
      trace = v;
      k++;
    } else if (a.startsWith('--trace=')) trace = a.slice('--trace='.length);
    else if (a === '--keep-going') keepGoing = true;
    else rest.push(a);
  }
  return { trace, rest, keepGoing };
}

export async function replCommand(
  args: string[],
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; err: (s: string) => void },
): Promise<number> {
  let session: Session;
  let trace: string | null;
  let keepGoing = false;
  try {
    const split = splitTrace(args);
    trace = split.trace;
    keepGoing = split.keepGoing;
    const p = parseRunArgs(split.rest);
    if (p.help) {
      io.output.write(REPL_HELP);
      return 0;
    }
    session = new Session({
      config: p.config,
      seed: p.seed,
      plan: p.plan,
      chain: p.chain,
      liveness: p.liveness === null ? null : { gst: p.liveness.gst, bounds: p.liveness.check.bounds ?? {} },
      invariantIds: p.check === undefined || !split.rest.some((a) => a.startsWith('--invariants')) ? null : p.check.invariants.map((x) => x.id),
    });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`pbft-check repl: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const ctx: Ctx = { session, history: [], exit: false };
  let banner = `pbft-check repl: ${describeSession(session)}\ntype 'help' for the commands, 'exit' to leave\n`;
  if (trace !== null) {
    const loaded = execute(ctx, `load ${trace}`);
    ctx.history.length = 0;
    if (loaded.startsWith('error: ')) {
      io.err(`pbft-check repl: ${loaded.slice('error: '.length)}\n`);
      return 2;
    }
    banner += `${loaded}\n`;
  }
  return startLoop(ctx, io, banner, keepGoing);
}

function describeSession(s: Session): string {
  const c = s.u.config;
  const parts = [`${c.variant === 'Agc' ? 'A_gc' : 'A'}, f = ${c.f} (${s.u.n} replicas), ${c.clients} clients, ${c.service} service, seed '${s.setup.seed}'`];
  if (s.setup.plan !== null && s.setup.plan.picked.length > 0) parts.push(describePlan(s.setup.plan));
  else if (c.faultyReplicas.length + c.faultyClients.length > 0) parts.push(`faulty replicas ${c.faultyReplicas.join(',') || 'none'}, clients ${c.faultyClients.join(',') || 'none'} (they stop)`);
  if (s.setup.chain !== null) parts.push('chain of simulations on');
  return parts.join('; ');
}
