/**
 * A run streams its nodes' progress far faster than anyone reads it; the editor applies it in batches, so the page
 * is laid out a few times a second rather than once per message (which took frames from a pan of the same graph:
 * `npm run bench:editor`). In Chromium against a real server:
 *
 *   d0 -> d1 -> ... -> d59   (Delay nodes, 40 ms in 20 progress steps each: ~100 messages a second)
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { WorkflowFile } from '../../protocol/workflow';
import { startEditorSession, withScreenshot, type EditorSession, type RunningServer } from './harness';

const NODES = 60;
jest.setTimeout(120_000);
let session: EditorSession | undefined;
let server: RunningServer;
let browser: Browser;

const chain: WorkflowFile = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.1.0',
  name: 'Chain',
  nodes: Array.from({ length: NODES }, (_, i) => ({
    id: `d${i}`,
    type: 'Delay',
    params: { ms: 40, steps: 20 },
    position: { x: (i % 10) * 280, y: Math.floor(i / 10) * 220 },
  })),
  edges: Array.from({ length: NODES - 1 }, (_, i) => ({
    id: `e${i}`,
    from: { node: `d${i}`, socket: 'value' },
    to: { node: `d${i + 1}`, socket: 'value' },
  })),
  groups: [],
  notes: [],
};

beforeAll(async () => {
  session = await startEditorSession({ chain });
  ({ server, browser } = session);
}, 120_000);

afterAll(() => session?.close());

async function layoutCount(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'LayoutCount')?.value ?? NaN;
}

it('lays the page out a few times a second while a run streams a hundred messages a second, and shows every end', async () => {
  const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await withScreenshot(page, 'streaming-batches', async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('Network.enable');
    let messages = 0;
    cdp.on('Network.webSocketFrameReceived', () => messages++);
    await page.goto(server.url);
    await page.click('[data-testid=side-library]');
    await page.click('[data-testid=library-chain]');
    await page.waitForSelector(`[data-testid=node-d${NODES - 1}]`);
    await page.click('[data-testid=run]');
    // Any node running means the stream has begun (one node of 40 ms may start and end between two batches, so
    // waiting for a particular one missed it on a busy machine).
    await page.waitForSelector('[data-testid^=status-d][data-status=running]', { timeout: 30_000 });

    const layoutsBefore = await layoutCount(cdp);
    const messagesBefore = messages;
    const started = Date.now();
    await page.waitForTimeout(1500);
    const seconds = (Date.now() - started) / 1000;
    const layoutsPerSecond = ((await layoutCount(cdp)) - layoutsBefore) / seconds;
    const messagesPerSecond = (messages - messagesBefore) / seconds;

    // The premise: the run streams faster than the page should be laid out (one layout per message before; ~80
    // messages a second on an idle machine, fewer when the machine is busy).
    expect(messagesPerSecond).toBeGreaterThan(20);
    expect(layoutsPerSecond).toBeLessThan(15);
    // Batching loses nothing: every node ends succeeded with its full progress.
    await page.waitForSelector(`[data-testid=status-d${NODES - 1}][data-status=succeeded]`, { timeout: 60_000 });
    for (const id of ['d0', 'd30', `d${NODES - 1}`])
      expect(await page.getAttribute(`[data-testid=progress-${id}] > div`, 'data-fraction')).toBe('1.000');
  });
  await page.close();
});
