/**
 * What a ComfyUI user expects of the canvas, in Chromium against a real server (test nodes from test-nodes.ts):
 * right-click menus, collapse, bypass and mute, running one node, nodes landing where the user clicked, Ctrl+A,
 * and groups dragged by their title that grow with their members.
 *
 *   ft: FakeTrain --images--> show: ShowImages
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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

const quick: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Quick',
  nodes: [
    {
      id: 'ft',
      type: 'FakeTrain',
      params: { steps: 20, delay_ms: 20, lr: 0.0001, seed: 42 },
      position: { x: 0, y: 0 },
    },
    { id: 'show', type: 'ShowImages', params: {}, position: { x: 420, y: 0 } },
  ],
  edges: [{ id: 'e1', from: { node: 'ft', socket: 'images' }, to: { node: 'show', socket: 'images' } }],
  groups: [],
  notes: [],
};

const shot = (name: string) => page.screenshot({ path: path.join(os.tmpdir(), `loraflow-${name}.png`) });
const modeOf = (id: string) => page.getAttribute(`[data-testid=node-${id}]`, 'data-mode');
const rightClick = (selector: string) => page.click(selector, { button: 'right' });

async function openQuick(): Promise<void> {
  await page.goto(server.url);
  await page.click('[data-testid=side-library]');
  await page.click('[data-testid=library-quick]');
  await page.waitForSelector('[data-testid=node-ft]');
}

/** A ComfyUI install the server is started with (LORAFLOW_MODELS, as `--models`). */
const comfy = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-comfyui-'));

beforeAll(async () => {
  buildClientIfStale();
  for (const [dir, file] of [
    ['models/checkpoints', 'v1-5-pruned.safetensors'],
    ['models/loras/styles', 'ink.safetensors'],
  ] as const) {
    fs.mkdirSync(path.join(comfy, dir), { recursive: true });
    fs.writeFileSync(path.join(comfy, dir, file), 'not really weights');
  }
  process.env.LORAFLOW_MODELS = comfy;
  server = await startServer();
  delete process.env.LORAFLOW_MODELS;
  browser = await launchBrowser();
  const res = await fetch(`${server.url}/api/workflows/quick`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(quick),
  });
  expect(res.ok).toBe(true);
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

test('node menu: collapse, bypass and mute (and Ctrl+B / Ctrl+M), colour; run just this node', async () => {
  await withScreenshot(page, 'node-menu', async () => {
    await openQuick();
    await rightClick('[data-testid=node-ft] .wf-node-header .title');
    await page.waitForSelector('[data-testid=context-menu-node]');
    await shot('node-menu');
    await page.click('[data-testid=menu-collapse]');
    expect(await page.getAttribute('[data-testid=node-ft]', 'data-collapsed')).toBe('true');
    expect(await page.locator('[data-testid=param-ft-steps]').count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBe(1); // its wire still ends at it
    const collapsed = await page.locator('[data-testid=node-ft]').boundingBox();
    expect(collapsed!.height).toBeLessThan(80);
    await shot('collapsed');
    await page.click('[data-testid=collapse-ft]');
    expect(await page.getAttribute('[data-testid=node-ft]', 'data-collapsed')).toBe('false');

    await page.click('[data-testid=node-show] .wf-node-header .title');
    await page.keyboard.press('Control+b');
    expect(await modeOf('show')).toBe('bypass');
    await page.keyboard.press('Control+b');
    expect(await modeOf('show')).toBeNull();
    await page.keyboard.press('Control+m');
    expect(await modeOf('show')).toBe('mute');
    await page.waitForSelector('[data-testid=mode-show]:has-text("muted")');
    await rightClick('[data-testid=node-show] .wf-node-header .title');
    await page.click('[data-testid=menu-mute]');
    expect(await modeOf('show')).toBeNull();

    await rightClick('[data-testid=node-ft] .wf-node-header .title');
    await page.click('[data-testid=menu-colour-red]');
    expect(await page.getAttribute('[data-testid=node-ft] .wf-node-header', 'data-color')).toBe('#a33');

    // Run just the training node: the node after it is not part of the run.
    await rightClick('[data-testid=node-ft] .wf-node-header .title');
    await page.click('[data-testid=menu-run-node]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-ft]')?.getAttribute('data-status') === 'succeeded',
    );
    expect(await page.locator('[data-testid=status-show]').count()).toBe(0);
    const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as { id: string }[];
    const detail = (await (await fetch(`${server.url}/api/runs/${runs[0]!.id}`)).json()) as {
      nodes: Record<string, { status: string }>;
    };
    expect(detail.nodes.show?.status ?? 'not planned').not.toBe('succeeded');
    await shot('ran-one');
  });
});

test('nodes land where the user clicked, on an empty canvas too; the canvas menu adds one there', async () => {
  await withScreenshot(page, 'placement', async () => {
    await page.goto(server.url);
    await page.click('[data-testid=new-tab]');
    await page.mouse.dblclick(260, 260);
    await page.fill('[data-testid=palette-search]', 'show');
    await page.keyboard.press('Enter');
    const first = await page.locator('[data-testid=node-showimages1]').boundingBox();
    expect(Math.abs(first!.x - 260)).toBeLessThan(30);
    expect(Math.abs(first!.y - 260)).toBeLessThan(30);
    await page.waitForTimeout(300); // no fit-view afterwards either
    const still = await page.locator('[data-testid=node-showimages1]').boundingBox();
    expect(Math.round(still!.x)).toBe(Math.round(first!.x));

    await rightClick('.react-flow__pane');
    await page.mouse.click(10, 10); // closes the menu
    await page.mouse.click(600, 600, { button: 'right' });
    await page.click('[data-testid=menu-add-node]');
    await page.fill('[data-testid=palette-search]', 'fake');
    await page.keyboard.press('Enter');
    const second = await page.locator('[data-testid=node-faketrain1]').boundingBox();
    expect(Math.abs(second!.x - 600)).toBeLessThan(30);
    expect(Math.abs(second!.y - 600)).toBeLessThan(30);
  });
});

test('Ctrl+A selects everything; a group is dragged by its title and grows with its members', async () => {
  await withScreenshot(page, 'groups', async () => {
    await openQuick();
    await page.click('.react-flow__pane', { position: { x: 30, y: 600 } });
    await page.keyboard.press('Control+a');
    expect(await page.locator('.react-flow__node.selected').count()).toBe(2);
    await page.keyboard.press('Control+g');
    const title = page.locator('[data-testid^=group-title-]');
    await title.waitFor();
    const ftBefore = await page.locator('[data-testid=node-ft]').boundingBox();
    const bar = await title.boundingBox();
    await page.mouse.move(bar!.x + 40, bar!.y + bar!.height / 2);
    await page.mouse.down();
    await page.mouse.move(bar!.x + 120, bar!.y + bar!.height / 2 + 60, { steps: 8 });
    await page.mouse.up();
    const ftAfter = await page.locator('[data-testid=node-ft]').boundingBox();
    expect(ftAfter!.x - ftBefore!.x).toBeGreaterThan(40);
    expect(ftAfter!.y - ftBefore!.y).toBeGreaterThan(30);

    // Drag a member to the frame's right edge: the frame grows to keep it inside.
    await page.click('.react-flow__pane', { position: { x: 30, y: 700 } });
    const frame = page.locator('[data-testid^=group-g]').first();
    const frameBefore = await frame.boundingBox();
    const show = await page.locator('[data-testid=node-show] .wf-node-header .title').boundingBox();
    await page.mouse.move(show!.x + 5, show!.y + 5);
    await page.mouse.down();
    await page.mouse.move(show!.x + 105, show!.y + 5, { steps: 8 });
    await page.mouse.up();
    const frameAfter = await frame.boundingBox();
    expect(frameAfter!.width).toBeGreaterThan(frameBefore!.width + 60);
    await shot('group-grown');
  });
});

test('a first visit shows the template gallery; a template opens as a new, ready workflow', async () => {
  await withScreenshot(page, 'templates', async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=node-train]'); // the quick start, under the gallery's side panel
    await page.waitForSelector('[data-testid=template-gallery] [data-testid=template-character-lora]');
    const cards = await page
      .locator('[data-testid^=template-]')
      .filter({ hasNot: page.locator('ul') })
      .count();
    expect(cards).toBeGreaterThanOrEqual(7);
    expect(await page.textContent('[data-testid=template-stack-two-loras]')).toContain('0.7 and 0.5');
    await shot('templates');
    await page.click('[data-testid=template-character-lora]');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=workflow-name]') as HTMLInputElement)?.value === 'Character LoRA',
    );
    await page.waitForSelector('[data-testid=node-train]');
    expect(await page.inputValue('[data-testid=param-train-loraType]')).toBe('character');
    expect(await page.inputValue('[data-testid=param-images-folder]')).toBe('my-character');
  });
});

test('template cards show a picture of what the template makes, and the graph where it needs your own images', async () => {
  await withScreenshot(page, 'template-pictures', async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=template-gallery] [data-testid=template-character-lora]');
    // The quick start and the checkpoint × strength grid ship a result the built-in model drew: a loaded image.
    for (const name of ['quickstart-style-lora', 'checkpoint-strength-grid']) {
      const picture = page.locator(`[data-testid=template-${name}] img[data-testid=result-picture-${name}]`);
      await picture.waitFor();
      await page.waitForFunction((n) => {
        const img = document.querySelector(`[data-testid=result-picture-${n}]`) as HTMLImageElement | null;
        return img !== null && img.complete && img.naturalWidth > 100;
      }, name);
    }
    // A character LoRA has no result before the user's images: its card draws the graph instead.
    expect(await page.locator('[data-testid=template-character-lora] img').count()).toBe(0);
    expect(await page.locator('[data-testid=template-character-lora] svg.template-picture rect').count()).toBe(8);
    await shot('template-pictures');
  });
});

test('a sample PNG or a LoRA dropped on the canvas opens the workflow that made it; a ComfyUI PNG says what it is', async () => {
  await withScreenshot(page, 'drop-files', async () => {
    await openQuick();
    const { withWorkflowChunk } = await import('../../nodes/model/png-workflow');
    const sharp = (await import('sharp')).default;
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0af' } })
      .png()
      .toBuffer();
    const sample = withWorkflowChunk(plain, { ...quick, name: 'Made this sample' });
    const comfy = withWorkflowChunk(plain, { last_node_id: 9, nodes: [{}, {}] } as never);
    const header = JSON.stringify({
      __metadata__: { 'loraflow.workflow': JSON.stringify({ ...quick, name: 'Made this LoRA' }) },
    });
    const lora = Buffer.concat([Buffer.alloc(8), Buffer.from(header)]);
    lora.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
    const drop = async (name: string, bytes: Buffer, type: string) => {
      const dataTransfer = await page.evaluateHandle(
        ([b64, n, t]) => {
          const dt = new DataTransfer();
          dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], n, { type: t }));
          return dt;
        },
        [bytes.toString('base64'), name, type] as const,
      );
      await page.dispatchEvent('[data-testid=canvas]', 'dragover', { dataTransfer });
      await page.dispatchEvent('[data-testid=canvas]', 'drop', { dataTransfer });
    };
    const name = () => page.inputValue('[data-testid=workflow-name]');
    await drop('sample-0.png', sample, 'image/png');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=workflow-name]') as HTMLInputElement).value === 'Made this sample',
    );
    await drop('style.safetensors', lora, 'application/octet-stream');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=workflow-name]') as HTMLInputElement).value === 'Made this LoRA',
    );
    await drop('ComfyUI_00001_.png', comfy, 'image/png');
    await page.waitForSelector('[data-testid=toast]:has-text("ComfyUI image")');
    expect(await name()).toBe('Made this LoRA');
  });
});

test('model pickers offer the checkpoints and LoRAs of a ComfyUI install; Save LoRA can write into its loras folder', async () => {
  await withScreenshot(page, 'model-pickers', async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=node-model]'); // the quick start's base model
    const options = (list: string) =>
      page.$$eval(`[data-testid=${list}] option`, (os) => os.map((o) => (o as HTMLOptionElement).value));
    await page.click('[data-testid=param-model-file]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=param-model-file-choices] option').length > 0,
    );
    expect(await options('param-model-file-choices')).toContain(
      path.join(comfy, 'models/checkpoints/v1-5-pruned.safetensors'),
    );
    expect(await options('param-save-folder-choices')).toEqual(['loras', path.join(comfy, 'models/loras')]);
    await page.fill('[data-testid=param-save-folder]', path.join(comfy, 'models/loras'));
    await page.fill('[data-testid=param-model-file]', path.join(comfy, 'models/checkpoints/v1-5-pruned.safetensors'));
    await page.waitForTimeout(600); // the path check: an allowed, existing file
    expect(await page.locator('[data-testid=path-error-model-file]').count()).toBe(0);
  });
});

test('double-clicking a wire puts a reroute dot on it; the run goes through the dot', async () => {
  await withScreenshot(page, 'reroute', async () => {
    await openQuick();
    const wire = await page.locator('.react-flow__edge path.react-flow__edge-path').first().boundingBox();
    await page.mouse.dblclick(wire!.x + wire!.width / 2, wire!.y + wire!.height / 2);
    await page.waitForSelector('[data-testid=node-reroute1]');
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    const dot = await page.locator('[data-testid=node-reroute1]').boundingBox();
    expect(Math.abs(dot!.x + dot!.width / 2 - (wire!.x + wire!.width / 2))).toBeLessThan(20);
    await shot('reroute');
    await page.click('[data-testid=run]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-show]')?.getAttribute('data-status') === 'succeeded',
    );
    expect(await page.locator('[data-testid=node-show] img').count()).toBeGreaterThan(0);
  });
});
