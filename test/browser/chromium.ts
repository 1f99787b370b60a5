// Helper for tests that drive a real headless browser: Debian's Chromium through playwright-core.
// playwright-core never downloads a browser, so the executable must already be on the machine
// (.ci/run installs the `chromium` package when /usr/bin/chromium is missing).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium executable: $CHROMIUM_PATH if set, else the first of CANDIDATES that exists. */
export function chromiumPath(): string | undefined {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return CANDIDATES.find((p) => existsSync(p));
}

const HOW_TO_INSTALL = 'install it with `apt-get install chromium`, or set CHROMIUM_PATH to a Chromium binary';

/** Launch headless Chromium. Throws a one-line Error saying how to get a browser when none is found. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) {
    throw new Error(`No Chromium executable found (looked in ${CANDIDATES.join(', ')}): ${HOW_TO_INSTALL}`);
  }
  if (!existsSync(executablePath)) {
    throw new Error(`CHROMIUM_PATH=${executablePath} does not exist: ${HOW_TO_INSTALL}`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    // playwright-core already passes --no-sandbox itself (chromiumSandbox defaults to false), which
    // Chromium needs when run as root; it is listed here so the harness does not depend on that default.
    // --disable-dev-shm-usage: keep shared memory in /tmp rather than a possibly small /dev/shm.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `test-artifacts/` under the repository root (git-ignored), created if missing: for screenshots. */
export function artifactDir(): string {
  const dir = join(REPO_ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
