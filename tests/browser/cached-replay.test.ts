/**
 * A rerun serves unchanged nodes from the cache; they run nothing, yet the editor still shows what they said when
 * they were computed: the skipped files (as a warning badge and in the panel) and the info lines of their log. In
 * Chromium against a real server:
 *
 *   LoadImages (imgs/: two PNGs and a text file named bad.png)      run, then run again (cached)
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { openFromLibrary, startEditorSession, withScreenshot, type EditorSession, type RunningServer } from './harness';

let session: EditorSession;
let server: RunningServer;
let browser: Browser;

const wf: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Cached replay',
  nodes: [{ id: 'images', type: 'LoadImages', params: { folder: 'imgs' }, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
  notes: [],
};

beforeAll(async () => {
  session = await startEditorSession({ 'cached-replay': wf });
  ({ server, browser } = session);
  const dir = path.join(server.dataDir, 'imgs');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, colour] of [
    ['a.png', '#d33'],
    ['b.png', '#33d'],
  ])
    await sharp({ create: { width: 32, height: 32, channels: 3, background: colour! } })
      .png()
      .toFile(path.join(dir, name!));
  fs.writeFileSync(path.join(dir, 'bad.png'), 'not an image');
}, 120000);

afterAll(() => session?.close());

const statusOf = (page: Page) => page.getAttribute('[data-testid=status-images]', 'data-status');

it('a cached node shows the warnings and log lines of the run that computed it', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await withScreenshot(page, 'cached-replay', async () => {
    await openFromLibrary(page, server, 'cached-replay', 'images');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=status-images][data-status=succeeded]');
    await page.waitForSelector('[data-testid=warnings-images]');

    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=status-images][data-status=cached]');
    expect(await statusOf(page)).toBe('cached');
    // The warning badge on the node, and in its panel the skipped file and the info line, as on the first run.
    await page.waitForSelector('[data-testid=warnings-images]');
    await page.click('[data-testid=node-images] .wf-node-header');
    await page.waitForSelector('[data-testid=panel-warnings]:has-text("bad.png")');
    // The replayed lines arrive in their order, the warning before the summary line: wait for the last one.
    await page.waitForSelector('[data-testid=node-panel] pre.log:has-text("loaded 2 image(s)")', { state: 'attached' });
    const log = await page.textContent('[data-testid=node-panel] pre.log');
    expect(log).toContain('loaded 2 image(s)');
    expect(log).toContain('bad.png');
  });
  await page.close();
});
