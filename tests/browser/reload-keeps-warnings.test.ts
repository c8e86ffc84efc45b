/**
 * QA S6-F20 in Chromium against a real server: reloading the page during a run brought back the running node's
 * progress and chart but not the warnings already shown (they come from the logs, which the snapshot of a running
 * run does not carry). After a reload the warning badge is back while the run still runs.
 *
 *   warn: ListFiles (matches nothing: logs a warning)      slow: FakeTrain (still running when the page reloads)
 */
import type { Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { openFromLibrary, startEditorSession, withScreenshot, type EditorSession } from './harness';

let session: EditorSession;

const workflow: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'reload warnings',
  nodes: [
    { id: 'warn', type: 'ListFiles', params: { folder: '.', extensions: 'nomatch' }, position: { x: 0, y: 0 } },
    { id: 'slow', type: 'FakeTrain', params: { steps: 400, delay_ms: 100 }, position: { x: 0, y: 300 } },
  ],
  edges: [],
  groups: [],
  notes: [],
};

beforeAll(async () => {
  session = await startEditorSession({ 'reload-warnings': workflow });
}, 120_000);

afterAll(() => session?.close());

const status = (page: Page, id: string) => page.getAttribute(`[data-testid=status-${id}]`, 'data-status');

test('a reload during a run keeps the warning badge of a node that warned', async () => {
  const page = await session.browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30_000);
  await withScreenshot(page, 'reload-keeps-warnings', async () => {
    await openFromLibrary(page, session.server, 'reload-warnings', 'warn');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=warnings-warn]');
    await page.waitForSelector('[data-testid=status-slow][data-status=running]');
    await page.reload();
    await page.waitForSelector('[data-testid=status-slow][data-status=running]');
    expect(await page.textContent('[data-testid=warnings-warn]', { timeout: 10_000 })).toMatch(/1 warning/);
    expect(await status(page, 'slow')).toBe('running'); // the badge came back while the run still runs
  });
  await page.close();
}, 90_000);
