/**
 * QA finding F11: a run interrupted by a server restart, resumed from the Runs panel or from the button beside the
 * tab's "interrupted" badge, shows on the tab live (status, node badges, progress), as Run does. In Chromium
 * against a real server that is stopped mid-run (its shutdown records the run as interrupted) and started again.
 *
 *   ft: FakeTrain --images--> show: ShowImages
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  buildClientIfStale,
  launchBrowser,
  openFromLibrary,
  putWorkflow,
  startServer,
  withScreenshot,
  type RunningServer,
} from './harness';

let browser: Browser;
let page: Page;

const workflow: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Resumable',
  nodes: [
    {
      id: 'ft',
      type: 'FakeTrain',
      params: { steps: 400, delay_ms: 50, lr: 0.0001, seed: 7 },
      position: { x: 0, y: 0 },
    },
    { id: 'show', type: 'ShowImages', params: {}, position: { x: 420, y: 0 } },
  ],
  edges: [{ id: 'e1', from: { node: 'ft', socket: 'images' }, to: { node: 'show', socket: 'images' } }],
  groups: [],
  notes: [],
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const runStatus = (p: Page, status: string, timeout = 30000) =>
  p.waitForFunction((s) => document.querySelector('[data-testid=run-status]')?.textContent === s, status, {
    timeout,
  });

/** Waits until FakeTrain's node on the canvas is running with a step count of the live run shown. */
const nodeShowsProgress = (p: Page) =>
  p.waitForFunction(
    () =>
      document.querySelector('[data-testid=status-ft]')?.getAttribute('data-status') === 'running' &&
      /\d+\s*\/\s*400/.test(document.querySelector('[data-testid=status-ft]')?.textContent ?? ''),
    undefined,
    { timeout: 30000 },
  );

beforeAll(async () => {
  buildClientIfStale();
  browser = await launchBrowser();
}, 120000);

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
});

test('an interrupted run resumed from the Runs panel, then from the badge, is followed live by its tab', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-browser-resume-'));
  const port = await freePort();
  let server: RunningServer = await startServer(dir, port);
  /** Stops the server mid-run (the run is recorded as interrupted) and brings it back on the same port. */
  const interrupt = async (): Promise<void> => {
    await server.stop();
    server = await startServer(dir, port);
    await page.waitForSelector('[data-testid=disconnected-banner]', { state: 'detached', timeout: 30000 });
    await runStatus(page, 'interrupted');
  };
  try {
    await withScreenshot(page, 'resume-run', async () => {
      const put = await fetch(`${server.url}/api/workflows/resumable`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(workflow),
      });
      expect(put.ok).toBe(true);
      await page.goto(server.url);
      await page.click('[data-testid=side-library]');
      await page.click('[data-testid=library-resumable]');
      await page.waitForSelector('[data-testid=node-ft]');
      await page.click('[data-testid=run]');
      await nodeShowsProgress(page);
      await interrupt();
      const runId = await page.getAttribute('[data-testid=run-status]', 'data-run');
      expect(runId).toBeTruthy();
      expect(await page.getAttribute('[data-testid=status-ft]', 'data-status')).not.toBe('running');
      await page.screenshot({ path: path.join(os.tmpdir(), 'loraflow-resume-badge.png') });

      // From the Runs panel of an editor opened afresh (its tab shows the welcome workflow, not the run): the
      // editor switches to the resumed run and shows it live.
      const fresh = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      await withScreenshot(fresh, 'resume-run-fresh', async () => {
        await fresh.goto(server.url);
        await fresh.click('[data-testid=side-runs]');
        await fresh.click(`[data-testid=run-${runId}] button:has-text("resume")`);
        await runStatus(fresh, 'running');
        expect(await fresh.getAttribute('[data-testid=run-status]', 'data-run')).toBe(runId);
        await nodeShowsProgress(fresh);
        await fresh.screenshot({ path: path.join(os.tmpdir(), 'loraflow-resume-runs-panel.png') });
      });
      await fresh.context().close();
      // The tab that showed the run follows it too.
      await runStatus(page, 'running');
      await nodeShowsProgress(page);

      // From the tab: a Resume button beside the "interrupted" badge does the same.
      await interrupt();
      await page.click('[data-testid=resume]');
      await runStatus(page, 'running');
      expect(await page.getAttribute('[data-testid=run-status]', 'data-run')).toBe(runId);
      await nodeShowsProgress(page);
      await page.waitForSelector('[data-testid=resume]', { state: 'detached' });
      await page.screenshot({ path: path.join(os.tmpdir(), 'loraflow-resume-resumed.png') });
    });
  } finally {
    await server.stop();
  }
}, 180000);

/**
 * QA S8-F12: a training the user cancelled could only be rerun from the Runs panel, although the server resumes
 * cancelled (and failed) runs; resume goes on with the same run, shown live.
 */
test('a cancelled run is resumed from the Runs panel and followed live', async () => {
  const server = await startServer();
  try {
    await withScreenshot(page, 'resume-cancelled', async () => {
      await putWorkflow(server, 'resumable', workflow);
      await openFromLibrary(page, server, 'resumable', 'ft');
      await page.click('[data-testid=run]');
      await nodeShowsProgress(page);
      await page.click('[data-testid=cancel]');
      await runStatus(page, 'cancelled');
      const runId = await page.getAttribute('[data-testid=run-status]', 'data-run');
      await page.click('[data-testid=side-runs]');
      await page.click(`[data-testid=run-${runId}] button:has-text("resume")`);
      await runStatus(page, 'running');
      expect(await page.getAttribute('[data-testid=run-status]', 'data-run')).toBe(runId);
      await nodeShowsProgress(page);
    });
  } finally {
    await server.stop();
  }
}, 120000);
