/**
 * A diffusers folder as LoadModel's Checkpoint in the editor (QA-SD S8), as README documents it ("a single
 * .safetensors checkpoint … or a diffusers folder"): the field said '"…/tiny-diffusers" is a folder, not a file' and
 * Run was refused, while `loraflow run` took the same workflow; the Checkpoint picker offered the folder's three
 * weight files (unet/…, text_encoder/…, vae/…), each refused as a part. Now the folder is offered as one choice and
 * the field takes it; LoadModel opens it (tiny SD 1.5 diffusers folder, real server and Chromium).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { writeTinySd15 } from '../../ml/sd/tiny';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  buildClientIfStale,
  launchBrowser,
  putWorkflow,
  startServer,
  withScreenshot,
  type RunningServer,
} from './harness';

jest.setTimeout(180_000);

let server: RunningServer;
let browser: Browser;
let comfy: string;
let folder: string;

const workflow: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  name: 'diffusers folder',
  nodes: [{ id: 'model', type: 'LoadModel', params: { family: 'sd15', checkpoint: '' }, position: { x: 0, y: 0 } }],
  edges: [],
} as unknown as WorkflowFile;

beforeAll(async () => {
  buildClientIfStale();
  comfy = fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'loraflow-comfy-'));
  fs.mkdirSync(path.join(comfy, 'models/checkpoints'), { recursive: true });
  fs.mkdirSync(path.join(comfy, 'models/loras'), { recursive: true });
  folder = await writeTinySd15(path.join(comfy, 'models/checkpoints/tiny-diffusers'), {
    layout: 'diffusers',
    dtype: 'F16',
  });
  server = await startServer(undefined, 0, { args: ['--models', comfy] });
  browser = await launchBrowser();
  await putWorkflow(server, 'diffusers-folder', workflow);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('the picker offers a diffusers folder as one checkpoint, the field takes it and LoadModel runs', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await withScreenshot(page, 'qa-sd-diffusers-folder', async () => {
    await page.goto(server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-diffusers-folder]');
    await page.waitForSelector('[data-testid=param-model-checkpoint]');
    await page.click('[data-testid=param-model-checkpoint]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=param-model-checkpoint-choices] option').length > 0,
    );
    const choices = await page.$$eval('[data-testid=param-model-checkpoint-choices] option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    expect(choices).toEqual([folder]);
    await page.fill('[data-testid=param-model-checkpoint]', folder);
    await page.waitForTimeout(1200); // the field's path check
    expect(await page.locator('[data-testid=path-error-model-checkpoint]').count()).toBe(0);
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=run-status]:has-text("succeeded")', { timeout: 120_000 });
  });
  const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as { id: string }[];
  const run = (await (await fetch(`${server.url}/api/runs/${runs[0]!.id}`)).json()) as {
    nodes: Record<string, { status: string; outputs?: { model?: { layout?: string } } }>;
  };
  expect(run.nodes.model?.status).toBe('succeeded');
  expect(run.nodes.model?.outputs?.model?.layout).toBe('diffusers');
});
