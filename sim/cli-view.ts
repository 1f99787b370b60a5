// pbft-check view <trace>: writes the trace viewer's page (sim/view/) for a trace file and prints
// its path; --open opens it in the system's browser.
import { spawn } from 'node:child_process';
import { UsageError, parseOptions } from './cli-usage.ts';
import { inFile, loadTrace, TraceError, type TraceFile } from './trace-file.ts';
import { buildView } from './view/model.ts';
import { renderPage } from './view/page.ts';
import { exitAfterWrite, OutputFile } from './output.ts';

export const VIEW_HELP = `Usage: pbft-check view <trace.json> [options]

Writes one self-contained HTML page of a trace file (nothing is fetched when it is opened) and
prints its path: a space-time diagram with a lane per replica, per client proxy and for the
network, an arrow from each SEND to each RECEIVE of its message (lost, duplicated and replayed
deliveries drawn as such), views and stable checkpoints as bands, faulty nodes marked from the
step they fail. Click a step (or an arrow) for the state after it: each replica's variables and
log by view and sequence number, the proxies, the wire, and with the chain A's copy, S' and S,
with what the step changed highlighted. A violation is selected first, its report shown and the
steps that send or deliver its witnesses' messages emphasised. The trace is replayed with the
checks it records, as 'pbft-check replay' does (every invariant when it records none); the steps
after a violation are shown unchecked.

Options:
  --out FILE           where to write the page [the trace's path with .html for .json]
  --open               open the page in the system's browser when it is written
  --chain, --no-chain  check (and show) the chain of simulations, or not [as the trace records]
  -h, --help           show this help

Exit codes: 0 the page was written; 2 a usage error, a bad or mismatched trace file, or a page
that could not be written (nothing is left half-written).
`;

export function viewCommand(args: string[], out: (s: string) => void, err: (s: string) => void): number {
  const parsed = parseOptions({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      open: { type: 'boolean' },
      chain: { type: 'boolean' },
      'no-chain': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const o = parsed.values;
  if (o.help) {
    out(VIEW_HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError(`view needs exactly one trace file, got ${parsed.positionals.length} (see pbft-check view --help)`);
  if (o.chain && o['no-chain']) throw new UsageError('--chain and --no-chain contradict each other');
  const path = parsed.positionals[0]!;
  const target = o.out ?? (path.endsWith('.json') ? `${path.slice(0, -5)}.html` : `${path}.html`);
  const file = OutputFile.check(target, o.out === undefined ? 'view' : '--out');
  const page = viewPage(path, o.chain ? true : o['no-chain'] ? false : undefined);
  const failed = file.write(page.html);
  if (failed !== null) return exitAfterWrite(failed, err, 0);
  out(`${target}\n`);
  if (page.violation !== null) out(`  shows the violation of ${page.violation}\n`);
  if (o.open) openInBrowser(target, err);
  return 0;
}

/** The page of the trace at path (its TraceErrors as one-line usage errors). */
export function viewPage(path: string, chain: boolean | undefined, trace?: TraceFile): { html: string; violation: string | null } {
  try {
    const t = trace ?? loadTrace(path);
    const data = buildView(t, { path, chain });
    return { html: renderPage(data), violation: data.violation === null ? null : `${data.violation.id} at step ${data.violation.step}` };
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(inFile(path, e));
    throw e;
  }
}

function openInBrowser(target: string, err: (s: string) => void): void {
  const [cmd, ...args] = process.platform === 'darwin' ? ['open', target] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', target] : ['xdg-open', target];
  try {
    const child = spawn(cmd!, args, { detached: true, stdio: 'ignore' });
    child.on('error', (e) => err(`pbft-check: could not open ${target} (${cmd}: ${e.message}); open it yourself\n`));
    child.unref();
  } catch (e) {
    err(`pbft-check: could not open ${target} (${(e as Error).message}); open it yourself\n`);
  }
}
