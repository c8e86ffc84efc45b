/**
 * The Sample panel's grid, in Chromium against a real server: the start every row label shares is a caption on
 * one line above the grid, not a word broken into the narrow column of row labels (QA F8).
 *
 *   grid: FakeGrid (rows xyz_style-step00600@0 / @0.7 / @1, three prompts; or four with a seed each, as the SD
 *         workflows' Sample draws them)
 */
import type { Browser, Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { startEditorSession, withScreenshot, type EditorSession, type RunningServer } from './harness';

let session: EditorSession;
let server: RunningServer;
let browser: Browser;
let page: Page;

const gridWorkflow: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Grid caption',
  nodes: [{ id: 'grid', type: 'FakeGrid', params: {}, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
  notes: [],
};

beforeAll(async () => {
  const four = { ...gridWorkflow, name: 'Grid four', nodes: [{ ...gridWorkflow.nodes[0]!, params: { prompts: 4 } }] };
  session = await startEditorSession({ 'grid-caption': gridWorkflow, 'grid-four': four });
  ({ server, browser } = session);
}, 120000);

const newPage = async (): Promise<Page> =>
  (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();

/** Opens a library workflow, runs it and shows the grid node's outputs. */
async function showGrid(name: string): Promise<void> {
  await page.goto(server.url);
  await page.click('[data-testid=side-library]');
  await page.click(`[data-testid=library-${name}]`);
  await page.waitForSelector('[data-testid=node-grid]');
  await page.click('[data-testid=run]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=status-grid]')?.getAttribute('data-status') === 'succeeded',
  );
  await page.click('[data-testid=node-grid]', { position: { x: 20, y: 8 } });
  await page.click('[data-testid=side-node]');
  await page.waitForSelector('[data-testid=sample-grid]');
}

afterAll(() => session?.close());

test('the shared start of the row labels reads on one line above the grid, whole in its tooltip', async () => {
  page = await newPage();
  await withScreenshot(page, 'sample-grid-caption', async () => {
    await showGrid('grid-caption');
    const shared = page.locator('[data-testid=sample-rows-shared]');
    expect(await shared.textContent()).toBe('xyz_style-step00600@');
    expect(await shared.getAttribute('title')).toContain('xyz_style-step00600@');
    const box = (await shared.boundingBox())!;
    const lineHeight = await shared.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 16);
    expect(box.height).toBeLessThan(lineHeight * 1.5); // one line, not "xyz_sty / le-ste / p00…"
    const grid = (await page.locator('[data-testid=sample-grid]').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(grid.y + 0.5);
    expect(await page.locator('[data-testid=sample-row]').allTextContents()).toEqual(['0', '0.7', '1']);
  });
});

test("with four prompts and a seed each (the SD workflows' grid), every row label stays on one line", async () => {
  page = await newPage();
  await withScreenshot(page, 'sample-grid-four-columns', async () => {
    await showGrid('grid-four');
    expect(await page.locator('[data-testid=sample-column]').count()).toBe(4);
    const rows = page.locator('[data-testid=sample-row]');
    expect(await rows.allTextContents()).toEqual(['0', '0.7', '1']);
    // "0.7" was drawn one character a line ("0 / . / 7") in a column squeezed to its narrowest letter.
    const heights = await rows.evaluateAll((els) =>
      els.map((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return range.getClientRects().length;
      }),
    );
    expect(heights).toEqual([1, 1, 1]);
  });
});
