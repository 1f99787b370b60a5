// stabilize and liveness: the liveness properties of Section 2.3.5 in the REPL. `stabilize` makes
// the current step GST (sim/stable-scheduler.ts takes `run`'s steps from there; L1-L3 of
// invariants/liveness.ts are checked after each step); `liveness` shows what is outstanding.
import { isLivenessId, waitingFor } from '../../invariants/liveness.ts';
import { livenessArg, UsageError } from '../cli-usage.ts';
import { CommandError, type Command } from './context.ts';

export const stabilizeCommand: Command = {
  name: 'stabilize',
  usage: 'stabilize [L1=N,L2=N,L3=N | off]',
  summary: 'make the current step GST: check liveness from here, run the stabilized scheduler',
  help: `stabilize makes the current step GST, as \`--liveness\` does at a run's GST: from here on the
liveness properties L1-L3 (invariants/liveness.ts) are checked after every step, and \`run\` and
\`until\` take the stabilized scheduler's steps (sim/stable-scheduler.ts: a reliable network,
prompt correct nodes, timers only when nothing else can happen); a walk that finds nothing left to
do with a request outstanding reports L1. Steps you take yourself (\`step N\`, \`do\`) count as the
stabilized run's. The deadlines are the configuration's (\`pbft-check run --help\`, --liveness) or
the ones given, e.g. stabilize L1=500. The steps before GST are re-checked; \`stabilize off\` turns
the liveness check off. \`repl --liveness --gst K\` stabilizes at step K, and loading a trace file
that records a stabilized run stabilizes at its GST.`,
  run(ctx, arg) {
    const { session } = ctx;
    const a = arg.trim();
    if (a === 'off') {
      session.stabilize(null);
      return 'the liveness check is off; run takes the strategy\'s steps';
    }
    let bounds;
    try {
      bounds = livenessArg({ 'liveness-bounds': a === '' ? undefined : a, liveness: true })!.bounds ?? {};
    } catch (e) {
      if (e instanceof UsageError) throw new CommandError(e.message.replace('--liveness-bounds', 'stabilize'));
      throw e;
    }
    session.stabilize(bounds);
    const m = session.live!.watching!;
    return `stabilized at step ${session.cursor} (GST): L1-L3 are checked from here with B = ${m.bounds.L1}, B' = ${m.bounds.L2}, B'' = ${m.bounds.L3}; run and until take the stabilized scheduler's steps`;
  },
};

export const livenessCommand: Command = {
  name: 'liveness',
  usage: 'liveness',
  summary: 'GST, the deadlines, the outstanding requests and what each correct replica waits for',
  help: `liveness shows the liveness check of a stabilized session: GST and the deadlines B, B', B''
(L1, L2, L3), how long each obligation has been open at most, the requests outstanding (with the
step each became due) and what each correct replica is waiting for (the message or the quorum it
lacks), as a liveness violation reports them.`,
  run(ctx) {
    const { session } = ctx;
    const l = session.setup.liveness ?? null;
    if (l === null) return 'the liveness check is off (repl --liveness, or stabilize at the step GST should be)';
    if (l.gst === null || session.live === null) return `not stabilized yet: \`stabilize\` makes the current step (${session.cursor}) GST`;
    const m = session.live.watching;
    if (m === null) return `GST is step ${l.gst}; now at step ${session.cursor}, before it`;
    const open = m.openRequests();
    const props = session.allFindings().filter((f) => isLivenessId(f.id));
    return [
      `GST step ${m.gst}, now at step ${session.cursor}; deadlines B = ${m.bounds.L1}, B' = ${m.bounds.L2}, B'' = ${m.bounds.L3}`,
      `  longest open so far: L1 ${m.worst.L1}, L2 ${m.worst.L2}, L3 ${m.worst.L3} steps`,
      `  outstanding: ${open.length === 0 ? 'none' : open.map((o) => `c${o.c} (due since step ${o.since})`).join(', ')}`,
      ...waitingFor(session.u, session.s).map((w) => `  ${w}`),
      props.length === 0 ? '  no liveness violation so far' : `  violated: ${props[0]!.id} at step ${props[0]!.step}`,
    ].join('\n');
  },
};
