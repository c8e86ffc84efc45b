/**
 * Converting a parameter to an input (ComfyUI's "convert widget to input"), in Chromium against a real server:
 * right-click a node, convert its steps to an input, wire a Number into it, run, and see the number drive the run;
 * a wired value out of range fails the node naming the parameter; converting back removes the wire.
 *
 *   n: Number{7} --value--> ft: FakeTrain.param:steps --images--> show: ShowImages
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunDetail, RunSummary } from '../../protocol/messages';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  buildClientIfStale,
  launchBrowser,
  newEditorPage,
  startServer,
  withScreenshot,
  type RunningServer,
} from './harness';

let server: RunningServer;
let browser: Browser;
let page: Page;

const wf: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Driven',
  nodes: [
    { id: 'n', type: 'Number', params: { value: 7 }, position: { x: -320, y: 40 } },
    { id: 'ft', type: 'FakeTrain', params: { steps: 20, delay_ms: 5, lr: 0.0001, seed: 42 }, position: { x: 0, y: 0 } },
    { id: 'show', type: 'ShowImages', params: {}, position: { x: 420, y: 0 } },
  ],
  edges: [{ id: 'e1', from: { node: 'ft', socket: 'images' }, to: { node: 'show', socket: 'images' } }],
  groups: [],
  notes: [],
};

/** A folder read through a wire: the typed folder does not exist, and must not stop the run. */
const listing: WorkflowFile = {
  ...wf,
  name: 'Listing',
  nodes: [
    { id: 't', type: 'Text', params: { text: 'pics' }, position: { x: -320, y: 40 } },
    { id: 'l', type: 'ListFiles', params: { folder: 'not-there' }, position: { x: 0, y: 0 } },
  ],
  edges: [],
};

const SHOT = path.join(os.tmpdir(), 'loraflow-param-input.png');
const stepsHandle = '[data-testid=node-ft] [data-testid="handle-input-param:steps"]';

beforeAll(async () => {
  buildClientIfStale();
  server = await startServer();
  browser = await launchBrowser();
  for (const [name, file] of [
    ['driven', wf],
    ['listing', listing],
  ] as const) {
    const res = await fetch(`${server.url}/api/workflows/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(file),
    });
    expect(res.ok).toBe(true);
  }
  fs.mkdirSync(path.join(server.dataDir, 'pics'));
  fs.writeFileSync(path.join(server.dataDir, 'pics', 'a.png'), 'not really a png');
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

async function dragWire(fromSelector: string, toSelector: string): Promise<void> {
  const from = await page.locator(fromSelector).boundingBox();
  const to = await page.locator(toSelector).boundingBox();
  if (!from || !to) throw new Error('handles not found');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
  await page.mouse.up();
}

/** Runs the tab's workflow and waits until `node` is done either way; returns the server's view of the run. */
async function runAndWait(status: 'succeeded' | 'failed', node = 'ft'): Promise<RunDetail> {
  await page.click('[data-testid=run]');
  await page.waitForFunction(
    ([id, s]) => document.querySelector(`[data-testid=status-${id}]`)?.getAttribute('data-status') === s,
    [node, status] as const,
  );
  const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as RunSummary[];
  return (await (await fetch(`${server.url}/api/runs/${runs[0]!.id}`)).json()) as RunDetail;
}

test('convert steps to an input, wire a Number into it, run; out of range fails on the parameter; convert back', async () => {
  await withScreenshot(page, 'param-input', async () => {
    await page.goto(server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-driven]');
    await page.waitForSelector('[data-testid=node-ft]');
    expect(await page.locator(stepsHandle).count()).toBe(0);

    await page.click('[data-testid=node-ft] .wf-node-header .title', { button: 'right' });
    await page.click('[data-testid=menu-convert-params]');
    await page.screenshot({ path: path.join(os.tmpdir(), 'loraflow-param-input-menu.png') });
    await page.click('[data-testid=menu-convert-steps]');
    // The widget gives way to a socket, and the field says it waits for a wire (an error until one comes).
    await page.waitForSelector(stepsHandle);
    expect(await page.locator('[data-testid=param-ft-steps]').count()).toBe(0);
    expect(await page.textContent('[data-testid=wired-ft-steps]')).toContain('connect a wire');
    await page.waitForSelector('[data-testid=param-error-ft-steps]:has-text("a connection of type NUMBER")');

    await dragWire('[data-testid=node-n] [data-testid=handle-output-value]', stepsHandle);
    await page.waitForSelector('[data-testid=wired-ft-steps]:has-text("n.value")');
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    expect(await page.locator('[data-testid=param-error-ft-steps]').count()).toBe(0);

    const run = await runAndWait('succeeded');
    // The Number's 7, not the widget's 20, is how many steps FakeTrain took.
    expect(run.nodes.ft?.progress).toMatchObject({ value: 7, max: 7 });
    expect(await page.getAttribute('[data-testid=progress-ft] > div', 'data-fraction')).toBe('1.000');
    expect(run.workflow.nodes.find((n) => n.id === 'ft')?.paramInputs).toEqual(['steps']);
    await page.screenshot({ path: SHOT });

    // A wired 0 is below steps' minimum of 1: the node fails before it runs, naming the parameter.
    await page.fill('[data-testid=param-n-value]', '0');
    await runAndWait('failed');
    await page.waitForSelector(
      '[data-testid=node-error-ft]:has-text(\'parameter "steps" (from its input): expected between 1 and 10000, received 0\')',
    );

    await page.click('[data-testid=node-ft] .wf-node-header .title', { button: 'right' });
    await page.click('[data-testid=menu-unconvert-steps]');
    await page.waitForSelector('[data-testid=param-ft-steps]');
    expect(await page.inputValue('[data-testid=param-ft-steps]')).toBe('20');
    expect(await page.locator(stepsHandle).count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBe(1); // the wire into steps went with it
  });
}, 90000);

test('a Text drives ListFiles.folder: the typed folder, missing, does not stop the run; the wired one is listed', async () => {
  await withScreenshot(page, 'param-input-folder', async () => {
    await page.goto(server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-listing]');
    await page.waitForSelector('[data-testid=node-l]');
    await page.click('[data-testid=node-l] .wf-node-header .title', { button: 'right' });
    await page.click('[data-testid=menu-convert-params]');
    await page.click('[data-testid=menu-convert-folder]');
    await dragWire(
      '[data-testid=node-t] [data-testid=handle-output-text]',
      '[data-testid=node-l] [data-testid="handle-input-param:folder"]',
    );
    await page.waitForSelector('[data-testid=wired-l-folder]:has-text("t.text")');
    const run = await runAndWait('succeeded', 'l');
    expect(run.nodes.l?.outputs).toMatchObject({ count: 1 });
  });
}, 60000);
