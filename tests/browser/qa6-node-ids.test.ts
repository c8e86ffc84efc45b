/**
 * QA (session 6): a workflow whose node ids are names of Object.prototype members ("constructor", "toString",
 * "hasOwnProperty") is valid and runs on the server, but the editor's run store kept nodes, logs and metrics in
 * plain `{}` records: `logs["constructor"]` was Object's constructor, so the first streamed log line threw and the
 * canvas showed "Canvas could not be shown".
 *
 *   constructor: ListFiles (matches nothing: logs a warning)      toString: FakeTrain --images--> hasOwnProperty: ShowImages
 */
import type { Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { putWorkflow, useServerAndBrowser, withScreenshot } from './harness';

const editor = useServerAndBrowser();
let page: Page;

const workflow: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'prototype ids',
  nodes: [
    {
      id: 'constructor',
      type: 'ListFiles',
      params: { folder: '.', extensions: 'nomatch', recursive: false },
      position: { x: 0, y: 0 },
    },
    { id: 'toString', type: 'FakeTrain', params: { steps: 10, delay_ms: 20 }, position: { x: 0, y: 300 } },
    { id: 'hasOwnProperty', type: 'ShowImages', params: {}, position: { x: 420, y: 300 } },
  ],
  edges: [{ id: 'e1', from: { node: 'toString', socket: 'images' }, to: { node: 'hasOwnProperty', socket: 'images' } }],
  groups: [],
  notes: [],
};

const status = (id: string) => page.getAttribute(`[data-testid=status-${id}]`, 'data-status');

test('nodes named constructor, toString and hasOwnProperty run from the editor with their status, warning and outputs', async () => {
  await putWorkflow(editor.server, 'prototype-ids', workflow);
  page = await (await editor.browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.setDefaultTimeout(20000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await withScreenshot(page, 'prototype-node-ids', async () => {
    await page.goto(editor.server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-prototype-ids]');
    await page.waitForSelector('[data-testid=node-constructor]');
    await page.click('[data-testid=run]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=run-status]')?.textContent?.includes('succeeded') === true,
    );
    for (const id of ['constructor', 'toString', 'hasOwnProperty']) expect(await status(id)).toBe('succeeded');
    expect(await page.textContent('[data-testid=warnings-constructor]')).toMatch(/1 warning/);
    expect(await page.locator('text=Canvas could not be shown').count()).toBe(0);
    // After a reload the run comes back from GET /api/runs/:id and its stored logs, through the same records.
    await page.reload();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-constructor]')?.getAttribute('data-status') === 'succeeded',
    );
    expect(await page.textContent('[data-testid=warnings-constructor]')).toMatch(/1 warning/);
    expect(await page.locator('text=Canvas could not be shown').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
  await page.context().close();
}, 90000);

/**
 * The canvas's own records were plain `{}` too (applyNodeChanges' moves and sizes, uiStore's `measured`): a drag
 * of a node called "__proto__" set the record's prototype instead of an entry, so the node snapped back, and the
 * group it sits in read Object.prototype as the node's size (NaN bounds).
 */
test('nodes called __proto__ and constructor move, and their group grows around them', async () => {
  const grouped: WorkflowFile = {
    ...workflow,
    name: 'prototype ids grouped',
    nodes: [
      { id: '__proto__', type: 'ShowImages', params: {}, position: { x: 40, y: 60 }, group: 'g1' },
      { id: 'constructor', type: 'ShowImages', params: {}, position: { x: 40, y: 360 }, group: 'g1' },
    ],
    edges: [],
    groups: [{ id: 'g1', title: 'frame', bounds: { x: 0, y: 0, width: 400, height: 700 } }],
  };
  await putWorkflow(editor.server, 'prototype-ids-grouped', grouped);
  page = await (await editor.browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.setDefaultTimeout(20000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await withScreenshot(page, 'prototype-node-ids-move', async () => {
    await page.goto(editor.server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-prototype-ids-grouped]');
    const frame = page.locator('[data-testid="group-g1"]');
    for (const id of ['__proto__', 'constructor']) {
      const node = page.locator(`[data-testid="node-${id}"]`);
      const before = (await node.boundingBox())!;
      const frameBefore = (await frame.boundingBox())!;
      await page.mouse.move(before.x + 30, before.y + 12);
      await page.mouse.down();
      // To just inside the frame's right edge: the node stays in the group, which must grow to hold it.
      const dx = frameBefore.x + frameBefore.width - before.x - 20;
      await page.mouse.move(before.x + 30 + dx, before.y + 12, { steps: 12 });
      await page.mouse.up();
      await page.waitForTimeout(300);
      const after = (await node.boundingBox())!;
      expect(after.x - before.x).toBeGreaterThan(dx / 2);
      const frameAfter = (await frame.boundingBox())!;
      // The frame grew to hold the node's measured width, not a NaN or Function-sized one.
      expect(frameAfter.x + frameAfter.width).toBeGreaterThanOrEqual(after.x + after.width);
    }
    expect(pageErrors).toEqual([]);
  });
  await page.context().close();
}, 90000);
