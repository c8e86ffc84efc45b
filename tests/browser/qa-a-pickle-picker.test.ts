/**
 * A .ckpt in the checkpoint folder (QA-SD, helper A): LoadModel's Checkpoint picker left it out with no word why,
 * so a user with v1-5-pruned.ckpt thought the folder was not read. loraflow refuses pickles on purpose (unpickling
 * runs code); the field now says which files it does not offer and why, and the folder browser shows them greyed
 * with the reason, not choosable (a real server with --models on a ComfyUI folder, and Chromium).
 *
 *   [LoadModel family=sd15 checkpoint=""]      <ComfyUI>/models/checkpoints: sd15.safetensors, v1-5-pruned.ckpt
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  ARTIFACTS,
  buildClientIfStale,
  launchBrowser,
  putWorkflow,
  startServer,
  withScreenshot,
  type RunningServer,
} from './harness';

jest.setTimeout(120_000);

let server: RunningServer;
let browser: Browser;
let checkpoints: string;

const workflow = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  name: 'pickle picker',
  nodes: [{ id: 'model', type: 'LoadModel', params: { family: 'sd15', checkpoint: '' }, position: { x: 0, y: 0 } }],
  edges: [],
} as unknown as WorkflowFile;

const REASON = '.ckpt (pickle) files are not loaded because they can run code: convert to .safetensors';

beforeAll(async () => {
  buildClientIfStale();
  const comfy = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'loraflow-comfy-'));
  checkpoints = path.join(comfy, 'models/checkpoints');
  fs.mkdirSync(checkpoints, { recursive: true });
  fs.writeFileSync(path.join(checkpoints, 'sd15.safetensors'), Buffer.alloc(16));
  fs.writeFileSync(path.join(checkpoints, 'v1-5-pruned.ckpt'), Buffer.alloc(16));
  server = await startServer(undefined, 0, { args: ['--models', comfy] });
  browser = await launchBrowser();
  await putWorkflow(server, 'pickle-picker', workflow);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('the Checkpoint field says a .ckpt is not offered and why; the browser shows it greyed, not choosable', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await withScreenshot(page, 'qa-a-pickle-picker', async () => {
    await page.goto(server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-pickle-picker]');
    const id = 'param-model-checkpoint';
    const field = `[data-testid=${id}]`;
    await page.waitForSelector(field);
    await page.focus(field);
    const choices = await page.$$eval(`[data-testid=${id}-choices] option`, (o) =>
      o.map((x) => (x as HTMLOptionElement).value),
    );
    expect(choices.map((c) => path.basename(c))).toEqual(['sd15.safetensors']);
    const note = await page.waitForSelector(`[data-testid=${id}-refused]`);
    expect(await note.textContent()).toBe(`Not offered: v1-5-pruned.ckpt — ${REASON}.`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('[data-testid=node-model]').screenshot({ path: path.join(ARTIFACTS, 'qa-a-pickle-field.png') });

    // Once a safetensors file is chosen, the note goes (the node does not keep saying it).
    await page.fill(field, path.join(checkpoints, 'sd15.safetensors'));
    await page.locator('[data-testid=side-library]').focus();
    await page.waitForSelector(`[data-testid=${id}-refused]`, { state: 'detached' });

    await page.fill(field, '');
    await page.click('[data-testid=param-model-checkpoint-browse]');
    await page.waitForSelector('[data-testid=path-picker]');
    const roots = page.locator('.picker-roots button', { hasText: checkpoints });
    await roots.first().click();
    const entry = page.locator('[data-testid="picker-entry-v1-5-pruned.ckpt"]');
    await entry.waitFor();
    expect(await page.textContent('[data-testid="picker-refused-v1-5-pruned.ckpt"]')).toContain(REASON);
    await page
      .locator('[data-testid=path-picker]')
      .screenshot({ path: path.join(ARTIFACTS, 'qa-a-pickle-picker.png') });
    await entry.click();
    // Not chosen: the picker stays open and the field stays empty.
    expect(await page.isVisible('[data-testid=path-picker]')).toBe(true);
    expect(await page.inputValue(field)).toBe('');
    await page.click('[data-testid="picker-entry-sd15.safetensors"]');
    await page.waitForSelector('[data-testid=path-picker]', { state: 'detached' });
    expect(path.basename(await page.inputValue(field))).toBe('sd15.safetensors');
  });
  await page.close();
});
