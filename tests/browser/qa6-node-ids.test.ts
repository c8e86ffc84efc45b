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
