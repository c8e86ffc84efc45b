/**
 * The loss chart marks every checkpoint a training node wrote, from its checkpoint events: live, and after a
 * reload mid-run (the checkpoints written before the reload come back from SQLite).
 *
 *   ft: FakeTrain (60 steps, a checkpoint every 10)
 */
import type { Browser, Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { startEditorSession, withScreenshot, type EditorSession, type RunningServer } from './harness';

let session: EditorSession | undefined;
let server: RunningServer;
let browser: Browser;
let page: Page;

const wf: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Markers',
  nodes: [
    { id: 'ft', type: 'FakeTrain', params: { steps: 60, delay_ms: 60, lr: 0.0001, seed: 7 }, position: { x: 0, y: 0 } },
  ],
  edges: [],
  groups: [],
  notes: [],
};

beforeAll(async () => {
  session = await startEditorSession({ markers: wf });
  ({ server, browser } = session);
}, 120_000);

afterAll(() => session?.close());

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30_000);
});

afterEach(async () => page.close());

/** The steps of the checkpoint markers on the node's loss chart. */
const markerSteps = (): Promise<number[]> =>
  page.$$eval('[data-testid=node-ft] [data-testid=checkpoint-marker]', (els) =>
    els.map((e) => Number(e.getAttribute('data-step'))),
  );

test('checkpoint markers appear as checkpoints are written, and come back after a reload', async () => {
  await withScreenshot(page, 'chart-markers', async () => {
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-markers]');
    await page.waitForSelector('[data-testid=node-ft]');
    await page.click('[data-testid=run]');
    // A vertical line has no width, so Playwright never calls it visible: attached is what can be waited for.
    await page.waitForSelector('[data-testid=node-ft] [data-testid=checkpoint-marker][data-step="10"]', {
      state: 'attached',
    });
    expect(await page.textContent('[data-testid=node-ft] [data-testid=checkpoint-marker] title')).toBe(
      'checkpoint at step 10: step-10.ckpt, loss 0.0728',
    );
    // Reloaded mid-run: the markers already written come from the stored metrics, the later ones live.
    await page.reload();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-ft]')?.getAttribute('data-status') === 'succeeded',
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=node-ft] [data-testid=checkpoint-marker]').length === 6,
    );
    expect(await markerSteps()).toEqual([10, 20, 30, 40, 50, 60]);
  });
});
