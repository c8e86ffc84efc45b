/**
 * The day-one defects of issue 15, in Chromium against a real server (test nodes from test-nodes.ts, plus the real
 * LoadImages for the dataset checks):
 *
 *   ft: FakeTrain --images--> show: ShowImages        old: FromTheFuture (unknown type, deleted before running)
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  buildClientIfStale,
  launchBrowser,
  newEditorPage,
  putWorkflow,
  REPO,
  startServer,
  withScreenshot,
  type RunningServer,
} from './harness';

let server: RunningServer;
let browser: Browser;
let page: Page;

function workflow(name: string, steps: number, delayMs: number): WorkflowFile {
  return {
    format: 'loraflow.workflow',
    formatVersion: 1,
    appVersion: '0.1.0',
    name,
    nodes: [
      {
        id: 'ft',
        type: 'FakeTrain',
        params: { steps, delay_ms: delayMs, lr: 0.0001, seed: 42 },
        position: { x: 0, y: 0 },
      },
      { id: 'show', type: 'ShowImages', params: {}, position: { x: 420, y: 0 } },
    ],
    edges: [{ id: 'e1', from: { node: 'ft', socket: 'images' }, to: { node: 'show', socket: 'images' } }],
    groups: [],
    notes: [],
  };
}

async function openFromLibrary(name: string, url = server.url): Promise<void> {
  await page.goto(url);
  await page.click('[data-testid=side-library]');
  await page.click(`[data-testid=library-${name}]`);
  await page.waitForSelector('[data-testid=node-ft]');
}

const statusOf = (p: Page, id: string) => p.getAttribute(`[data-testid=status-${id}]`, 'data-status');
const waitStatus = (id: string, status: string, timeout = 30000) =>
  page.waitForFunction(
    ([n, s]) => document.querySelector(`[data-testid=status-${n}]`)?.getAttribute('data-status') === s,
    [id, status] as const,
    { timeout },
  );
const shot = (name: string) => page.screenshot({ path: path.join(os.tmpdir(), `loraflow-${name}.png`) });

beforeAll(async () => {
  buildClientIfStale();
  server = await startServer();
  browser = await launchBrowser();
  await putWorkflow(server, 'quick', workflow('Quick', 30, 40));
  await putWorkflow(server, 'long', workflow('Long', 150, 60));
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

test('examples are read-only: Save on one asks for a name; the library renames, deletes and restores examples', async () => {
  await withScreenshot(page, 'examples', async () => {
    const shipped = fs.readFileSync(path.join(REPO, 'workflows/quickstart-style-lora.json'), 'utf8');
    const userDir = path.join(server.dataDir, 'workflows');
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=node-train]'); // the welcome example
    page.once('dialog', (d) => void d.accept('My style LoRA'));
    await page.click('.react-flow__pane', { position: { x: 30, y: 500 } });
    await page.keyboard.press('Control+s');
    await page.waitForSelector('[data-testid=toast]:has-text("Saved my-style-lora.json")');
    expect(fs.existsSync(path.join(userDir, 'quickstart-style-lora.json'))).toBe(false);
    expect(fs.readFileSync(path.join(REPO, 'workflows/quickstart-style-lora.json'), 'utf8')).toBe(shipped);
    expect(await page.inputValue('[data-testid=workflow-name]')).toBe('My style LoRA');
    // Saving again goes to the copy, without asking.
    await page.fill('[data-testid=workflow-name]', 'My style LoRA v2');
    // The first save's toast may still be up (4 s): wait for the second save's own.
    await page.waitForSelector('[data-testid=toast]:has-text("Saved my-style-lora.json")', { state: 'detached' });
    await page.click('[data-testid=save]');
    await page.waitForSelector('[data-testid=toast]:has-text("Saved my-style-lora.json")');
    expect(JSON.parse(fs.readFileSync(path.join(userDir, 'my-style-lora.json'), 'utf8')).name).toBe('My style LoRA v2');

    await page.click('[data-testid=side-library]');
    expect(await page.locator('[data-testid=rename-quickstart-style-lora]').count()).toBe(0); // examples: no rename
    page.once('dialog', (d) => void d.accept('renamed style'));
    await page.click('[data-testid=rename-my-style-lora]');
    await page.waitForSelector('[data-testid=library-renamed-style]');
    expect(fs.existsSync(path.join(userDir, 'renamed-style.json'))).toBe(true);
    await shot('library');
    page.once('dialog', (d) => void d.accept());
    await page.click('[data-testid=delete-renamed-style]');
    await page.waitForSelector('[data-testid=library-renamed-style]', { state: 'detached' });

    // A copy saved over an example by an older version: "Restore examples" removes it.
    fs.writeFileSync(
      path.join(userDir, 'quickstart-style-lora.json'),
      shipped.replace(/"name": "[^"]*"/, '"name": "Old copy"'),
    );
    await page.click('[data-testid=restore-examples]');
    await page.waitForSelector('[data-testid=toast]:has-text("Restored quickstart-style-lora")');
    expect(fs.existsSync(path.join(userDir, 'quickstart-style-lora.json'))).toBe(false);
  });
});

test('Esc deselects without cancelling the run; a second Run queues without hiding the live run', async () => {
  await withScreenshot(page, 'esc-run-twice', async () => {
    await openFromLibrary('long');
    await page.click('[data-testid=run]');
    await waitStatus('ft', 'running');
    await page.click('[data-testid=node-ft] .wf-node-header');
    expect(await page.getAttribute('[data-testid=node-ft]', 'class')).toContain('selected');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(800);
    expect(await page.getAttribute('[data-testid=node-ft]', 'class')).not.toContain('selected');
    expect(await page.textContent('[data-testid=run-status]')).toBe('running');
    const before = await page.textContent('[data-testid=progress-text-ft]');
    const first = await page.getAttribute('[data-testid=run-status]', 'data-run');

    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=toast]:has-text("Queued behind")');
    await page.waitForTimeout(600);
    expect(await page.getAttribute('[data-testid=run-status]', 'data-run')).toBe(first);
    expect(await page.textContent('[data-testid=run-status]')).toBe('running');
    const step = (t: string | null) => Number((t ?? '').split('/')[0]);
    expect(step(await page.textContent('[data-testid=progress-text-ft]'))).toBeGreaterThan(step(before));
    await shot('run-twice');

    // The live one ends (its button cancels at once, no question); the tab then shows the queued one.
    await page.click('[data-testid=cancel]');
    await page.waitForFunction(
      (id) => {
        const el = document.querySelector('[data-testid=run-status]');
        return el?.getAttribute('data-run') !== id && el?.textContent === 'running';
      },
      first,
      { timeout: 30000 },
    );
    await page.click('[data-testid=cancel]');
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'cancelled');
  });
});

test('a reload brings back the results of the run a tab shows; opening a run twice focuses its tab', async () => {
  await withScreenshot(page, 'reload-results', async () => {
    await openFromLibrary('quick');
    await page.click('[data-testid=run]');
    await waitStatus('show', 'succeeded');
    const images = await page.locator('[data-testid=node-show] img').count();
    expect(images).toBeGreaterThan(0);
    await page.reload();
    await waitStatus('show', 'succeeded');
    await page.waitForSelector('[data-testid=node-ft] [data-testid=chart-loss]');
    expect(await page.locator('[data-testid=node-show] img').count()).toBe(images);
    await shot('after-reload');
    const tabs = await page.locator('[data-testid^=tab-tab]').count();
    await page.click('[data-testid=side-runs]');
    await page.click('.run-row >> nth=0 >> button:has-text("open")');
    await page.click('.run-row >> nth=0 >> button:has-text("open")');
    await page.waitForTimeout(500);
    expect(await page.locator('[data-testid^=tab-tab]').count()).toBe(tabs);
  });
});

test('dataset warnings show on the node and in its panel; a missing folder is reported before running', async () => {
  await withScreenshot(page, 'dataset-warnings', async () => {
    const folder = path.join(server.dataDir, 'shots');
    fs.mkdirSync(folder, { recursive: true });
    for (const [i, color] of ['#f00', '#0f0'].entries())
      await sharp({ create: { width: 64, height: 64, channels: 3, background: color } })
        .png()
        .toFile(path.join(folder, `good-${i}.png`));
    fs.writeFileSync(path.join(folder, 'broken.png'), 'this is not a PNG');
    await page.goto(server.url);
    await page.click('[data-testid=new-tab]');
    await page.click('[data-testid=add-node]');
    await page.fill('[data-testid=palette-search]', 'load images');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=node-loadimages1]');
    await page.fill('[data-testid=param-loadimages1-folder]', 'no-such-folder');
    await page.waitForSelector('[data-testid=path-error-loadimages1-folder]:has-text("does not exist")');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=toast]:has-text("Cannot run")');
    expect(await page.locator('[data-testid=status-loadimages1]').count()).toBe(0);

    await page.fill('[data-testid=param-loadimages1-folder]', 'shots');
    await page.waitForSelector('[data-testid=path-error-loadimages1-folder]', { state: 'detached' });
    await page.click('[data-testid=run]');
    await waitStatus('loadimages1', 'succeeded');
    await page.waitForSelector('[data-testid=warnings-loadimages1]:has-text("1 warning")');
    await page.click('[data-testid=node-loadimages1] .wf-node-header');
    await page.click('[data-testid=side-node]');
    expect(await page.textContent('[data-testid=panel-warnings]')).toContain('broken.png');
    await shot('dataset-warnings');
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test('while the server is away a banner says so; back, the tab shows the run as the server has it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-browser-away-'));
  const port = await freePort();
  let own = await startServer(dir, port);
  try {
    await withScreenshot(page, 'disconnect', async () => {
      await putWorkflow(own, 'long', workflow('Long', 150, 60));
      await openFromLibrary('long', own.url);
      await page.click('[data-testid=run]');
      await waitStatus('ft', 'running');
      await own.stop();
      await page.waitForSelector('[data-testid=disconnected-banner]');
      await page.click('[data-testid=run]');
      await page.waitForSelector('[data-testid=toast]:has-text("Cannot reach the loraflow server")');
      await shot('disconnected');
      own = await startServer(dir, port);
      await page.waitForSelector('[data-testid=disconnected-banner]', { state: 'detached', timeout: 30000 });
      const runs = (await (await fetch(`${own.url}/api/runs`)).json()) as { status: string }[];
      const truth = runs[0]!.status;
      expect(truth).not.toBe('running');
      await page.waitForFunction((t) => document.querySelector('[data-testid=run-status]')?.textContent === t, truth);
      expect(await statusOf(page, 'ft')).not.toBe('running');
    });
  } finally {
    await own.stop();
  }
});

test('compare: each run titled by name, time and id, every metric overlaid with a colour key per run', async () => {
  await withScreenshot(page, 'compare', async () => {
    await openFromLibrary('quick');
    // Step counts no other test runs, so that neither run is served from the cache (a cached node has no curve).
    await page.fill('[data-testid=param-ft-steps]', '25');
    await page.click('[data-testid=run]');
    await waitStatus('show', 'succeeded');
    await page.fill('[data-testid=param-ft-steps]', '21');
    await page.click('[data-testid=run]');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=status-ft]')?.getAttribute('data-status') === 'succeeded' &&
        document.querySelector('[data-testid=progress-text-ft]') === null,
    );
    await waitStatus('show', 'succeeded');
    await page.click('[data-testid=side-runs]');
    const ticks = page.locator('[data-testid^=compare-]');
    await ticks.nth(0).check();
    await ticks.nth(1).check();
    await page.click('[data-testid=open-compare]');
    await page.waitForSelector('[data-testid=compare-panel]');
    const a = (await page.textContent('[data-testid=compare-title-a]')) ?? '';
    const b = (await page.textContent('[data-testid=compare-title-b]')) ?? '';
    expect(a).toMatch(/A: Quick · .+ · \S{4,8}$/);
    expect(b).toMatch(/B: Quick · .+ · \S{4,8}$/);
    expect(a).not.toBe(b);
    // The panel fetches both runs' stored metrics as it opens: each chart gains B's curve when its reply lands.
    for (const metric of ['loss', 'val_loss']) {
      const legend = `[data-testid="compare-chart-ft · ${metric}"] [data-testid=chart-legend] li`;
      await page
        .waitForFunction((sel) => document.querySelectorAll(sel).length === 2, legend, { timeout: 10_000 })
        .catch(() => undefined);
      expect(await page.locator(legend).count()).toBe(2);
    }
    // Legends are laid out by the browser: no two labels overlap.
    const boxes = await page.$$eval('[data-testid=chart-legend] li', (els) =>
      els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height })),
    );
    for (const [i, p] of boxes.entries())
      for (const q of boxes.slice(i + 1))
        expect(p.x + p.w <= q.x || q.x + q.w <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y).toBe(true);
    await page
      .locator('[data-testid=compare-panel]')
      .screenshot({ path: path.join(os.tmpdir(), 'loraflow-compare.png') });
  });
});

test('a failed node keeps its width: a long error wraps inside it instead of spreading over its neighbour', async () => {
  await withScreenshot(page, 'long-error', async () => {
    const name = `${'not_a_model_'.repeat(14)}x.safetensors`; // no place to break a line
    fs.writeFileSync(path.join(server.dataDir, name), 'these bytes are not a model');
    await page.goto(server.url);
    await page.click('[data-testid=new-tab]');
    await page.click('[data-testid=add-node]');
    await page.fill('[data-testid=palette-search]', 'load model');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=node-loadmodel1]');
    const before = await page.locator('[data-testid=node-loadmodel1]').boundingBox();
    await page.fill('[data-testid=param-loadmodel1-file]', name);
    await page.click('[data-testid=run]');
    await waitStatus('loadmodel1', 'failed');
    expect(await page.textContent('[data-testid=node-error-loadmodel1]')).toContain('not_a_model_not_a_model');
    const after = await page.locator('[data-testid=node-loadmodel1]').boundingBox();
    expect(after!.width).toBeLessThanOrEqual(Math.max(before!.width, 345));
    const spill = await page.$eval('[data-testid=node-error-loadmodel1]', (e) => e.scrollWidth - e.clientWidth);
    expect(spill).toBeLessThanOrEqual(1);
    await shot('long-error');
  });
});

test('selecting the dataset report after a run shows its table, advice and warnings (the page stays up)', async () => {
  await withScreenshot(page, 'dataset-report', async () => {
    const folder = path.join(server.dataDir, 'report-shots');
    fs.mkdirSync(folder, { recursive: true });
    for (const [i, color] of ['#f00', '#0f0', '#00f'].entries())
      await sharp({ create: { width: 64, height: 64, channels: 3, background: color } })
        .png()
        .toFile(path.join(folder, `img-${i}.png`));
    fs.writeFileSync(path.join(folder, 'broken.png'), 'not an image');
    const wf: WorkflowFile = {
      ...workflow('Report', 1, 0),
      nodes: [
        { id: 'images', type: 'LoadImages', params: { folder: 'report-shots' }, position: { x: 0, y: 0 } },
        { id: 'report', type: 'DatasetReport', params: { loraType: 'style' }, position: { x: 400, y: 0 } },
      ],
      edges: [{ id: 'e1', from: { node: 'images', socket: 'dataset' }, to: { node: 'report', socket: 'dataset' } }],
    };
    await putWorkflow(server, 'report', wf);
    await page.goto(server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-report]');
    await page.waitForSelector('[data-testid=node-report]');
    await page.click('[data-testid=run]');
    await waitStatus('report', 'succeeded');
    await page.click('[data-testid=node-report] .wf-node-header .title');
    await page.click('[data-testid=side-node]');
    await page.waitForSelector('[data-testid=panel-output-report] [data-testid=report]');
    expect(await page.textContent('[data-testid=report-advice]')).toMatch(/style LoRA|images/i);
    expect(await page.textContent('[data-testid=report-warnings]')).toContain('broken.png');
    expect(await page.locator('[data-testid=panel-output-report] tbody tr').count()).toBe(3);
    expect(await page.isVisible('[data-testid=node-images]')).toBe(true); // the canvas is still there
    // Parameters left out of the file show the defaults they run with, not empty boxes.
    expect(await page.inputValue('[data-testid=param-images-captionExtension]')).toBe('.txt');
    const row = await page.locator('[data-testid=panel-output-report] tbody tr').first().boundingBox();
    expect(row!.height).toBeLessThan(60); // one line per image, scrolled sideways, not a column of wrapped words
    await shot('dataset-report');
  });
});
