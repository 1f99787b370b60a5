// load and save of trace files (sim/trace-file.ts, the format `pbft-check replay` reads), and the
// trace viewer's page of the execution so far.
import { makeConfig } from '../../automata/config.ts';
import { describePlan } from '../strategies.ts';
import { viewPage } from '../cli-view.ts';
import { OutputFile } from '../output.ts';
import { UsageError } from '../cli-usage.ts';
import { loadTrace, replayTrace, TraceError, traceJson, traceText, type TraceChecks, type TraceFile } from '../trace-file.ts';
import { ActionDecoder } from '../trace-json.ts';
import { formatLasso } from '../lasso.ts';
import { baseName, CommandError, type Command } from './context.ts';
import type { Entry, Session } from './session.ts';

/** A recorded violation of a simulation: the chain must run to reproduce it (as replay does). */
const SIMULATION_ID = /^([FGH]\(|enabled$|trace$)/;

export const loadCommand: Command = {
  name: 'load',
  usage: 'load FILE',
  summary: 'load a trace file and go to its start (then forward, goto, trace)',
  help: `load FILE reads a trace file (as \`pbft-check run --trace\`, \`simulate\` and \`save\` write
them), validates it, takes its configuration, and puts its actions in the timeline at step 0:
\`forward\`, \`goto N\` and \`trace\` go through it with every check. A file that records a
simulation failure turns the chain on. Failed nodes of a loaded trace stop (its Byzantine sends are
explicit actions in the file).`,
  run(ctx, arg) {
    const path = arg.trim();
    if (path === '') throw new CommandError('load needs a trace file, e.g. load traces/regression/f-plus-1-agreement.json');
    const name = baseName(path);
    let t;
    try {
      t = loadTrace(path);
      replayTrace(t); // every step enabled, or a one-line error naming the step
    } catch (e) {
      if (e instanceof TraceError) throw new CommandError(`cannot load ${name}: ${e.message.replace(`${path}: `, '')}`);
      throw e;
    }
    const { session } = ctx;
    const config = makeConfig(t.config);
    const recorded = t.violation ?? null;
    const chainOn = session.setup.chain !== null || (recorded !== null && SIMULATION_ID.test(recorded.id));
    const relations = session.setup.chain?.relations;
    const keepRelations = relations !== undefined && (config.variant === 'Agc' || !relations.some((r) => r.startsWith('H')));
    session.replaceTimeline(
      {
        config,
        seed: t.seed ?? session.setup.seed,
        plan: null,
        chain: chainOn ? (keepRelations ? { relations } : {}) : null,
        invariantIds: session.setup.invariantIds,
        source: name,
        // A stabilized run's file: liveness from its GST, with its deadlines and scheduling.
        liveness: t.stabilized !== undefined ? { gst: t.stabilized.gst, bounds: t.stabilized.bounds, options: t.stabilized.options } : (session.setup.liveness ?? null),
      },
      (u) => {
        const dec = new ActionDecoder(u);
        return t.actions.map((j): Entry => ({ action: dec.action(j), mode: 'silent' }));
      },
    );
    const c = config;
    const lines = [
      `loaded ${name}: ${t.actions.length} actions; ${c.variant === 'Agc' ? 'A_gc' : 'A'}, f = ${c.f}, ${c.clients} clients, ${c.service} service; faulty replicas ${c.faultyReplicas.join(',') || 'none'}`,
    ];
    if (t.strategy !== undefined) lines.push(`  ${t.strategy}`);
    if (t.description !== undefined) lines.push(`  ${t.description}`);
    if (recorded !== null) lines.push(`  recorded violation: ${recorded.id} at step ${recorded.step}: ${recorded.message}`);
    if (chainOn) lines.push('  the chain of simulations runs');
    if (t.stabilized !== undefined) lines.push(`  stabilized at step ${t.stabilized.gst} (GST): the liveness properties are checked from there`);
    if (t.lasso !== undefined) lines.push(`  ${formatLasso(t.lasso)}`);
    lines.push(`at step 0 of ${t.actions.length}: forward, goto N or trace go through it`);
    return lines.join('\n');
  },
};

/** The execution so far (up to the current step) as a trace file, with the checks the session makes. */
function sessionTrace(session: Session): TraceFile {
  const actions = session.timeline.slice(0, session.cursor).map((e) => e.action);
  const first = session.allFindings()[0];
  const plan = session.setup.plan;
  const stabilized = session.live?.recorded();
  return traceJson(session.u, actions, {
    seed: session.setup.seed,
    description: `saved from the pbft-check REPL at step ${session.cursor}`,
    ...(plan !== null && plan.picked.length > 0 ? { strategy: describePlan(plan) } : {}),
    ...(first === undefined ? {} : { violation: { id: first.id, step: Math.max(0, first.step), message: first.message } }),
    checks: sessionChecks(session),
    ...(stabilized === null || stabilized === undefined ? {} : { stabilized }),
  });
}

/** The checks the session makes, as a trace file records them (replay makes the same). */
function sessionChecks(session: Session): TraceChecks {
  const { chain, invariantIds } = session.setup;
  return {
    chain: chain !== null,
    ...(invariantIds === null ? {} : { invariants: [...invariantIds] }),
    ...(chain?.relations === undefined ? {} : { relations: [...chain.relations] }),
    ...(session.live?.started ? { liveness: true } : {}),
  };
}

/** The destination checked, as the REPL reports it (a command error, one line). */
function destination(path: string, command: string): OutputFile {
  try {
    return OutputFile.check(path, command);
  } catch (e) {
    if (e instanceof UsageError) throw new CommandError(e.message);
    throw e;
  }
}

function write(file: OutputFile, text: string): void {
  const failed = file.write(text);
  if (failed !== null) throw new CommandError(failed);
}

export const saveCommand: Command = {
  name: 'save',
  usage: 'save FILE',
  summary: 'save the execution so far (up to the current step) as a trace file',
  help: `save FILE writes the steps taken up to the current one as a trace file, with the state
fingerprints, the first violation found, the checks the session makes and, when it is stabilized,
its GST and deadlines; \`pbft-check replay FILE\` and \`load FILE\` read it.`,
  run(ctx, arg) {
    const path = arg.trim();
    if (path === '') throw new CommandError('save needs a file name, e.g. save my-run.json');
    const file = destination(path, 'save');
    const t = sessionTrace(ctx.session);
    write(file, traceText(t));
    return `saved ${t.actions.length} actions to ${baseName(path)}`;
  },
};

export const viewCommand: Command = {
  name: 'view',
  usage: 'view [FILE.html]',
  summary: "write the trace viewer's page of the execution so far (see pbft-check view --help)",
  help: `view [FILE.html] writes the page that \`pbft-check view\` makes (a space-time diagram of the
steps taken up to the current one, and the state after each) to FILE.html [pbft-check-repl.html],
and the execution as a trace file beside it (FILE.json), which the page's replay and REPL commands
name. The page shows the chain's abstract side when the session runs the chain.`,
  run(ctx, arg) {
    const page = arg.trim() === '' ? 'pbft-check-repl.html' : arg.trim();
    const trace = page.endsWith('.html') ? `${page.slice(0, -5)}.json` : `${page}.json`;
    const pageFile = destination(page, 'view');
    const traceFile = destination(trace, 'view');
    const t = sessionTrace(ctx.session);
    try {
      const { html, violation } = viewPage(trace, ctx.session.setup.chain !== null, t);
      write(traceFile, traceText(t));
      write(pageFile, html);
      return `wrote ${baseName(page)} (${t.actions.length} steps${violation === null ? '' : `, the violation of ${violation}`}) and its trace ${baseName(trace)}`;
    } catch (e) {
      if (e instanceof UsageError) throw new CommandError(e.message);
      throw e;
    }
  },
};
