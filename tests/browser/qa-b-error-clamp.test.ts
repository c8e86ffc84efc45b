/**
 * QA (helper B): a failed node's error text grew the node by up to 12 lines (a long path, a hint), over the node
 * below it on the canvas. The error now shows its first lines; "show all" unfolds it (and folds it back), and the
 * whole text is the error's tooltip. With the quickstart's layout, the failed LoadModel no longer reaches LoadImages.
 *
 *   model (LoadModel, file = a long name of a file that is not a model)   at (0, 0)
 *   text (Text)                                                            at (0, 238), as the quickstart's images
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { newEditorPage, openFromLibrary, putWorkflow, useServerAndBrowser, withScreenshot } from './harness';

jest.setTimeout(120_000);

const env = useServerAndBrowser();
let page: Page;
beforeEach(async () => {
  page = await newEditorPage(env.browser);
});
afterEach(async () => {
  await page.context().close();
});

const LONG = `${'not-a-model-'.repeat(20)}.safetensors`;

const wf: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Long error',
  nodes: [
    { id: 'model', type: 'LoadModel', params: { file: LONG }, position: { x: 0, y: 0 } },
    { id: 'text', type: 'Text', params: { text: 'below' }, position: { x: 0, y: 238 } },
  ],
  edges: [],
  groups: [],
  notes: [],
};

test('a long error stays a few lines, does not reach the node below, and unfolds on "show all"', async () => {
  await withScreenshot(page, 'error-clamp', async () => {
    fs.writeFileSync(path.join(env.server.dataDir, LONG), 'these bytes are not a model');
    await putWorkflow(env.server, 'long-error', wf);
    await openFromLibrary(page, env.server, 'long-error', 'model');
    await page.click('[data-testid=run]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-model]')?.getAttribute('data-status') === 'failed',
      undefined,
      { timeout: 60_000 },
    );
    const error = page.locator('[data-testid=node-error-model]');
    await page.screenshot({ path: path.join(os.tmpdir(), `loraflow-error-clamp-${process.env.SHOT ?? 'after'}.png`) });
    const model = (await page.locator('[data-testid=node-model]').boundingBox())!;
    const below = (await page.locator('[data-testid=node-text]').boundingBox())!;
    expect(model.y + model.height).toBeLessThanOrEqual(below.y);
    const full = (await error.getAttribute('title')) ?? '';
    expect(full).toContain(LONG);

    await page.click('[data-testid=node-error-more-model]');
    expect(await error.innerText()).toContain(LONG);
    await page.screenshot({ path: path.join(os.tmpdir(), 'loraflow-error-clamp-open.png') });
    const open = (await page.locator('[data-testid=node-model]').boundingBox())!;
    expect(open.height).toBeGreaterThan(model.height);
    await page.click('[data-testid=node-error-more-model]');
    expect((await page.locator('[data-testid=node-model]').boundingBox())!.height).toBe(model.height);
  });
});
