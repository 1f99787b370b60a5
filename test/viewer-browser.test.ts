// The trace viewer's page in a real headless browser (Debian's Chromium through playwright-core):
// the f + 1 counterexample and an errata trace render, the violation is the first thing shown,
// clicking a step or an arrow shows the state after it, the keyboard steps, the filters and the
// search narrow the chart. Screenshots go to test-artifacts/.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../sim/trace-file.ts';
import { buildView } from '../sim/view/model.ts';
import { renderPage } from '../sim/view/page.ts';
import { artifactDir, launchChromium } from './browser/chromium.ts';

const tmp = mkdtempSync(join(tmpdir(), 'pbft-viewer-'));
let browser: Browser;

function pageFile(trace: string, chain?: boolean): string {
  const file = join(tmp, `${trace.replace(/\W+/g, '-')}.html`);
  writeFileSync(file, renderPage(buildView(loadTrace(trace), { path: trace, chain })));
  return file;
}

/** Opens a page; fails the test on any script error in it. */
async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  return { page, errors };
}

const selected = (page: Page) => page.getAttribute('body', 'data-selected');

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the page of the f + 1 counterexample', () => {
  const F1 = 'traces/regression/f-plus-1-agreement.json';

  it('opens on the violation: its report, its step selected, its witnesses marked', async () => {
    const { page, errors } = await open(pageFile(F1));
    expect(await page.isVisible('#violation')).toBe(true);
    expect(await page.textContent('#violation .v-head')).toContain('violation of AGREEMENT at step 28');
    expect(await page.textContent('#violation pre')).toContain('replicas 3 and 1 reached last-exec = 1 with different states');
    expect(await selected(page)).toBe('28');
    expect(await page.getAttribute('g.row[data-step="28"]', 'class')).toMatch(/selected.*violation|violation.*selected/);
    expect(await page.locator('.lane-name.witness').allTextContents()).toEqual(['r1', 'r3']);
    expect(await page.locator('.lane-name.faulty').allTextContents()).toEqual(['r0', 'r2']);
    expect(await page.textContent('#step-title')).toContain('after step 28 of 29: EXECUTE');
    await page.screenshot({ path: join(artifactDir(), 'viewer-f-plus-1.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the state after a clicked step, with what it changed, and the commands that reach it', async () => {
    const { page, errors } = await open(pageFile(F1));
    await page.click('g.row[data-step="10"] text.act');
    expect(await selected(page)).toBe('10');
    expect(await page.textContent('#step-title')).toContain('after step 10 of 29: RECEIVE(⟨COMMIT,0,1,');
    // r3 received the faulty primary's commit: it is new in r3's log, highlighted.
    const added = await page.locator('details[data-section="r3"] tr.add').allTextContents();
    expect(added.some((t) => t.startsWith('⟨COMMIT,0,1,'))).toBe(true);
    expect(await page.locator('details[data-section="r1"] tr.add').count()).toBe(0);
    expect(await page.textContent('#commands')).toContain(`pbft-check replay ${F1} --to 11 --verbose`);
    expect(await page.textContent('#commands')).toContain('then: goto 11');
    await page.check('#changed-only');
    expect(await page.locator('details.section').count()).toBeLessThanOrEqual(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('steps with the keyboard: arrows, Home, End, v', async () => {
    const { page, errors } = await open(pageFile(F1));
    const keys: [string, string][] = [['ArrowLeft', '27'], ['ArrowUp', '26'], ['Home', '-1'], ['ArrowRight', '0'], ['ArrowDown', '1'], ['End', '28'], ['Home', '-1'], ['v', '28']];
    for (const [key, want] of keys) {
      await page.keyboard.press(key);
      expect(await selected(page), key).toBe(want);
    }
    await page.keyboard.press('Home');
    expect(await page.textContent('#step-title')).toBe('the initial state');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('selects a delivery by its arrow, filters by node and kind, and searches the steps', async () => {
    const { page, errors } = await open(pageFile(F1));
    const arrow = page.locator('line.arrow').first();
    const target = await arrow.getAttribute('data-step');
    await arrow.dispatchEvent('click');
    expect(await selected(page)).toBe(target);
    expect(await page.textContent('#count')).toBe('29 of 29 steps shown');
    await page.uncheck('input[data-lane="0"]');
    const afterLane = await page.textContent('#count');
    expect(afterLane).toMatch(/^(\d+) of 29 steps shown$/);
    expect(Number(afterLane!.split(' ')[0])).toBeLessThan(29);
    await page.uncheck('input[data-kind="COMMIT"]');
    expect(Number((await page.textContent('#count'))!.split(' ')[0])).toBeLessThan(Number(afterLane!.split(' ')[0]));
    await page.check('input[data-lane="0"]');
    await page.check('input[data-kind="COMMIT"]');
    await page.fill('#search', 'EXECUTE');
    expect(await page.textContent('#count')).toBe("2 of 29 steps shown, 2 match 'execute'");
    await page.keyboard.press('Enter');
    expect(await page.textContent('#step-title')).toMatch(/after step \d+ of 29: EXECUTE/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the page of an errata trace, with the chain', () => {
  it("shows A's copy, S' and S beside the run, and the violation the literal text gives", async () => {
    const { page, errors } = await open(pageFile('traces/errata/E22-execute-removal.json', true));
    expect(await page.textContent('#violation .v-head')).toContain('violation of A.1.1(in) at step 72');
    expect(await page.textContent('#summary')).toContain('literal errata E22');
    expect(await page.locator('h3.side').allTextContents()).toEqual(['the run', 'the abstract side (the chain of simulations)']);
    for (const id of ["A's copy r1", "S'", 'S']) expect(await page.locator(`details[data-section="${id}"]`).count(), id).toBe(1);
    expect(await page.textContent('#notes')).toContain('The steps after the violation (73..118) were taken but not checked');
    await page.screenshot({ path: join(artifactDir(), 'viewer-errata-E22.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
