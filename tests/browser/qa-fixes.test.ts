/**
 * Defects a QA engineer found trying the product as a new user, in Chromium against a real server:
 *
 *   grid: FakeGrid (rows xyz_style-step00600@0 / @0.7 / @1, three prompts)
 */
import type { Browser, Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  buildClientIfStale,
  launchBrowser,
  newEditorPage,
  openFromLibrary,
  putWorkflow,
  startServer,
  withScreenshot,
  type RunningServer,
} from './harness';

let server: RunningServer;
let browser: Browser;
let page: Page;

const gridWorkflow: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Grid',
  nodes: [{ id: 'grid', type: 'FakeGrid', params: {}, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
  notes: [],
};

const waitStatus = (id: string, status: string) =>
  page.waitForFunction(
    ([n, s]) => document.querySelector(`[data-testid=status-${n}]`)?.getAttribute('data-status') === s,
    [id, status] as const,
  );

beforeAll(async () => {
  buildClientIfStale();
  server = await startServer();
  browser = await launchBrowser();
  await putWorkflow(server, 'grid', gridWorkflow);
  await putWorkflow(server, 'my-style-lora', { ...gridWorkflow, name: 'My style LoRA' });
}, 120000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

beforeEach(async () => {
  page = await newEditorPage(browser);
});

afterEach(async () => {
  await page.context().close();
});

test('with the Library showing, clicking a node switches the side panel to its Outputs', async () => {
  await withScreenshot(page, 'library-click-node', async () => {
    await openFromLibrary(page, server, 'grid', 'grid');
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=node-grid]', { position: { x: 20, y: 8 } });
    await page.waitForSelector('[data-testid=node-panel]');
  });
});

test('sample grid rows show the strength, the only thing that differs, and all three columns fit the panel', async () => {
  await withScreenshot(page, 'sample-grid-labels', async () => {
    await openFromLibrary(page, server, 'grid', 'grid');
    await page.click('[data-testid=run]');
    await waitStatus('grid', 'succeeded');
    await page.click('[data-testid=node-grid]', { position: { x: 20, y: 8 } });
    await page.click('[data-testid=side-node]');
    await page.waitForSelector('[data-testid=sample-grid]');
    const rows = await page.locator('[data-testid=sample-row]').allTextContents();
    expect(rows).toEqual(['0', '0.7', '1']);
    expect(await page.textContent('[data-testid=sample-rows-shared]')).toBe('xyz_style-step00600@');
    const panel = (await page.locator('.side-body').boundingBox())!;
    const boxes = await page
      .locator('[data-testid=sample-row]')
      .evaluateAll((els) =>
        els.map((el) => ({ clipped: el.scrollWidth > el.clientWidth + 1, right: el.getBoundingClientRect().right })),
      );
    expect(boxes.every((b) => !b.clipped)).toBe(true);
    const images = await page
      .locator('[data-testid=sample-image]')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right));
    expect(images).toHaveLength(9);
    for (const right of images) expect(right).toBeLessThanOrEqual(panel.x + panel.width + 0.5);
  });
});

test('after a rename the open tab and the delete prompt use the new name only', async () => {
  await withScreenshot(page, 'library-rename', async () => {
    await openFromLibrary(page, server, 'my-style-lora', 'grid');
    expect(await page.inputValue('[data-testid=workflow-name]')).toBe('My style LoRA');
    await page.click('[data-testid=side-library]');
    page.once('dialog', (d) => void d.accept('renamed style'));
    await page.click('[data-testid=rename-my-style-lora]');
    await page.waitForSelector('[data-testid=library-renamed-style]:has-text("renamed style")');
    expect(await page.inputValue('[data-testid=workflow-name]')).toBe('renamed style');
    expect(await page.locator('[data-testid=tabbar] .tab.active').textContent()).toContain('renamed style');
    expect(await page.locator('[data-testid=unsaved-marker]').count()).toBe(0);
    const prompt = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.message());
        void d.dismiss();
      }),
    );
    await page.click('[data-testid=delete-renamed-style]');
    expect(await prompt).toBe('Delete "renamed style" (renamed-style.json) from the library?');
  });
});
