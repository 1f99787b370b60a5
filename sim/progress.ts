// The progress of a long search on stderr: on a terminal one line rewritten in place (runs,
// steps/s, elapsed, violations); otherwise a plain line every PLAIN_EVERY seconds.
import type { Progress } from './search-driver.ts';

const TTY_EVERY = 0.2;
const PLAIN_EVERY = 10;

export function progressLine(label: string, p: Progress): string {
  const rate = Math.round(p.steps / Math.max(p.seconds, 1e-9));
  return `${label}: ${p.runs} runs, ${rate.toLocaleString('en-US')} steps/s, ${p.seconds.toFixed(0)} s, ${p.violations} violation${p.violations === 1 ? '' : 's'}`;
}

export class ProgressReporter {
  private last = 0;
  private shown = false;

  constructor(
    private readonly label: string,
    private readonly err: (s: string) => void,
    private readonly tty: boolean,
  ) {}

  update(p: Progress): void {
    if (p.seconds - this.last < (this.tty ? TTY_EVERY : PLAIN_EVERY)) return;
    this.last = p.seconds;
    if (this.tty) {
      this.err(`\r\x1b[K${progressLine(this.label, p)}`);
      this.shown = true;
    } else this.err(progressLine(this.label, p) + '\n');
  }

  /** Clears the terminal line before the result is printed. */
  done(): void {
    if (this.shown) this.err('\r\x1b[K');
    this.shown = false;
  }
}
