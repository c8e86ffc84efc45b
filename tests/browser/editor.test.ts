/**
 * The editor in Chromium against a real server (test nodes from test-nodes.ts):
 *
 *   ft: FakeTrain --images--> show: ShowImages        old: FromTheFuture (unknown type, kept and marked)
 */
import type { Browser, Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  buildClientIfStale,
  launchBrowser,
  putWorkflow,
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
    description: 'browser test',
    madeBy: { tool: 'test' },
    nodes: [
      {
        id: 'ft',
        type: 'FakeTrain',
        params: { steps, delay_ms: delayMs, lr: 0.0001, seed: 42 },
        position: { x: 0, y: 0 },
      },
      { id: 'show', type: 'ShowImages', params: {}, position: { x: 420, y: 0 } },
      { id: 'old', type: 'FromTheFuture', params: { x: 1 }, position: { x: 420, y: 300 }, extra: 'kept' },
    ],
    edges: [{ id: 'e1', from: { node: 'ft', socket: 'images' }, to: { node: 'show', socket: 'images' } }],
    groups: [],
    notes: [],
  };
}

const getWorkflowText = async (name: string): Promise<string> =>
  (await fetch(`${server.url}/api/workflows/${name}`)).text();

/** Opens the editor with a clean slate and loads a library workflow into the active tab. */
async function openFromLibrary(name: string): Promise<void> {
  await page.goto(server.url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.click('[data-testid=side-library]');
  await page.click(`[data-testid=library-${name}]`);
  await page.waitForSelector('[data-testid=node-ft]');
}

const status = (nodeId: string) => page.getAttribute(`[data-testid=status-${nodeId}]`, 'data-status');

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
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(20000);
});

afterEach(async () => {
  await page.close();
});

test('load a workflow, change a parameter, run: progress, a loss chart, images and the report appear', async () => {
  await withScreenshot(page, 'run', async () => {
    await openFromLibrary('quick');
    expect(await page.isVisible('[data-testid=unknown-old]')).toBe(true);
    await page.fill('[data-testid=param-ft-steps]', '40');
    await page.click('[data-testid=node-show]');
    // The unknown node cannot run: delete it first (Delete key on the selection).
    await page.click('[data-testid=node-old] .wf-node-header');
    await page.keyboard.press('Delete');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=progress-ft]');
    await page.waitForSelector('[data-testid=node-ft] [data-testid=chart-loss]');
    await page.waitForSelector('[data-testid=node-ft] [data-series=val_loss]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-show]')?.getAttribute('data-status') === 'succeeded',
    );
    expect(await page.locator('[data-testid=node-show] img').count()).toBe(5);
    await page.click('[data-testid=node-ft] .wf-node-header');
    await page.click('[data-testid=side-node]');
    await page.waitForSelector('[data-testid=panel-output-report] [data-testid=report]');
    expect(await page.textContent('[data-testid=panel-output-report]')).toContain('Loss went down');
    await page.click('[data-testid=node-show] img >> nth=0');
    await page.waitForSelector('[data-testid=image-viewer]');
  });
});

test('undo and redo a parameter change from the keyboard', async () => {
  await withScreenshot(page, 'undo', async () => {
    await openFromLibrary('quick');
    await page.fill('[data-testid=param-ft-delay_ms]', '77');
    await page.click('.react-flow__pane', { position: { x: 50, y: 600 } });
    await page.keyboard.press('Control+z');
    expect(await page.inputValue('[data-testid=param-ft-delay_ms]')).toBe('40');
    await page.keyboard.press('Control+Shift+z');
    expect(await page.inputValue('[data-testid=param-ft-delay_ms]')).toBe('77');
  });
});

test('an incompatible wire is refused with the reason', async () => {
  await withScreenshot(page, 'wire', async () => {
    await openFromLibrary('quick');
    const from = await page.locator('[data-testid=node-ft] [data-testid=handle-output-report]').boundingBox();
    const to = await page.locator('[data-testid=node-show] [data-testid=handle-input-images]').boundingBox();
    if (!from || !to) throw new Error('handles not found');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid=toast]:has-text("expects IMAGES")');
    expect(await page.locator('.react-flow__edge').count()).toBe(1);
  });
});

test('a wire dropped on empty canvas opens the search with the nodes that fit, and connects the pick', async () => {
  await withScreenshot(page, 'drop-wire', async () => {
    await openFromLibrary('quick');
    const from = await page.locator('[data-testid=node-ft] [data-testid=handle-output-images]').boundingBox();
    if (!from) throw new Error('handle not found');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + 150, from.y + 330, { steps: 10 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid=palette]');
    expect(await page.isVisible('[data-testid=palette-item-ShowImages]')).toBe(true);
    expect(await page.locator('[data-testid=palette-item-FakeTrain]').count()).toBe(0);
    await page.fill('[data-testid=palette-search]', 'show');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=node-showimages1]');
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
  });
});

test('save a workflow and it is unchanged on disk, unknown node and fields included', async () => {
  await withScreenshot(page, 'save', async () => {
    const before = await getWorkflowText('quick');
    await openFromLibrary('quick');
    await page.fill('[data-testid=param-ft-steps]', '31');
    await page.waitForSelector('[data-testid=unsaved-marker]');
    await page.fill('[data-testid=param-ft-steps]', '30');
    await page.click('[data-testid=save]');
    await page.waitForSelector('[data-testid=toast]:has-text("Saved quick.json")');
    expect(JSON.parse(await getWorkflowText('quick'))).toEqual(JSON.parse(before));
    expect(await page.locator('[data-testid=unsaved-marker]').count()).toBe(0);
  });
});

test('cancel a running run', async () => {
  await withScreenshot(page, 'cancel', async () => {
    await openFromLibrary('long');
    await page.click('[data-testid=node-old] .wf-node-header');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-ft]')?.getAttribute('data-status') === 'running',
    );
    await page.click('[data-testid=cancel]');
    await page.waitForSelector('[data-testid=run-status]:has-text("cancelled")');
  });
});

test('reloading the page during a run shows it continue live', async () => {
  await withScreenshot(page, 'reload', async () => {
    await openFromLibrary('long');
    await page.click('[data-testid=node-old] .wf-node-header');
    await page.keyboard.press('Delete');
    await page.fill('[data-testid=param-ft-steps]', '80');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=node-ft] [data-testid=chart-loss]');
    await page.reload();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-ft]')?.getAttribute('data-status') === 'running',
    );
    const first = await page.textContent('[data-testid=progress-text-ft]');
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid=progress-text-ft]')?.textContent !== t,
      first,
    );
    await page.waitForSelector('[data-testid=node-ft] [data-testid=chart-loss]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-ft]')?.getAttribute('data-status') === 'succeeded',
      undefined,
      { timeout: 30000 },
    );
    // The downstream node runs after the training node: on a loaded machine it may still be running here.
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=status-show]')?.getAttribute('data-status') ?? '').match(
          /succeeded|failed|cancelled|cached|skipped/,
        ),
      undefined,
      { timeout: 30000 },
    );
    expect(await status('show')).toBe('succeeded');
  });
});

test('images dropped on LoadImages are uploaded into its list; the folder picker sets its path', async () => {
  await withScreenshot(page, 'upload', async () => {
    await page.goto(server.url);
    await page.click('[data-testid=add-node]');
    await page.fill('[data-testid=palette-search]', 'load images');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=node-loadimages1]');
    const png = (await import('sharp'))
      .default({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const base64 = (await png).toString('base64');
    const dataTransfer = await page.evaluateHandle(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'red.png', { type: 'image/png' }));
      return dt;
    }, base64);
    await page.dispatchEvent('[data-testid=node-loadimages1]', 'dragover', { dataTransfer });
    await page.dispatchEvent('[data-testid=node-loadimages1]', 'drop', { dataTransfer });
    await page.waitForFunction(() =>
      (
        (document.querySelector('[data-testid=param-loadimages1-uploads]') as HTMLTextAreaElement | null)?.value ?? ''
      ).includes('red'),
    );
    await page.click('[data-testid=param-loadimages1-folder-browse]');
    await page.waitForSelector('[data-testid=picker-entry-uploads]');
    await page.click('[data-testid=picker-entry-uploads]');
    await page.click('[data-testid=picker-choose]');
    expect(await page.inputValue('[data-testid=param-loadimages1-folder]')).toMatch(/uploads$/);
  });
});

test('a first visit opens the quick start example, ready to run, instead of an empty canvas', async () => {
  // A new browser context has empty storage: a true first visit. (Clearing storage and reloading is not one: the
  // page saves its open tabs again as it unloads, and brings them back.)
  const first = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await first.goto(server.url);
    await first.waitForSelector('[data-testid=node-train]');
    for (const id of ['images', 'caption', 'resize', 'report', 'sample', 'save'])
      expect(await first.$(`[data-testid=node-${id}]`)).not.toBeNull();
    expect(await first.textContent('[data-testid=tabbar]')).not.toContain('Untitled');
  } finally {
    await first.close();
  }
});
