/**
 * Editor benchmark (not a test): a 200-node graph loads and pans in headless Chromium against a real server.
 * Prints load time and requestAnimationFrame deltas while panning, next to the same pan over an empty canvas
 * measured in the same run as the reference; then the same pan while a run of the graph streams node states and
 * progress to the page (each node waits 40 ms in 20 progress steps).   npm run bench:editor
 */
import type { CDPSession, Page } from 'playwright-core';
import type { WorkflowFile } from '../protocol/workflow';
import { buildClientIfStale, launchBrowser, startServer } from '../tests/browser/harness';

const NODES = 200;
const COLUMNS = 20;

/** A chain of Delay nodes laid out on a grid: 200 nodes, 199 wires. */
function bigWorkflow(): WorkflowFile {
  const nodes = Array.from({ length: NODES }, (_, i) => ({
    id: `d${i}`,
    type: 'Delay',
    params: { ms: 40, steps: 20 },
    position: { x: (i % COLUMNS) * 280, y: Math.floor(i / COLUMNS) * 220 },
  }));
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i}`, from: { node: `d${i}`, socket: 'value' }, to: { node: n.id, socket: 'value' } }));
  return {
    format: 'loraflow.workflow',
    formatVersion: 1,
    appVersion: '0.1.0',
    name: 'bench-200',
    nodes,
    edges,
    groups: [],
    notes: [],
  };
}

interface Pan {
  frames: number[];
  /** CPU seconds of the page's main thread and of its whole renderer process during the pan. */
  threadCpu: number;
  processCpu: number;
}

async function cpuTimes(cdp: CDPSession): Promise<{ thread: number; process: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { thread: get('ThreadTime'), process: get('ProcessTime') };
}

const viewportTransform = (page: Page): Promise<string> =>
  page.evaluate<string>(`document.querySelector('.react-flow__viewport').style.transform`);

/**
 * The point of the pane nearest its centre that no node covers: a drag that starts on a node moves the node
 * instead of the canvas (the graph's nodes grow when a run gives them a progress bar, covering the centre).
 */
async function emptySpotOfPane(page: Page): Promise<{ x: number; y: number }> {
  const box = await page.locator('.react-flow__pane').boundingBox();
  if (!box) throw new Error('no canvas');
  const spot = await page.evaluate<{ x: number; y: number } | null>(`(() => {
    const box = ${JSON.stringify(box)};
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    const points = [];
    for (let x = box.x + 10; x < box.x + box.width - 10; x += 10)
      for (let y = box.y + 10; y < box.y + box.height - 10; y += 10) points.push({ x, y });
    points.sort((a, b) => Math.hypot(a.x - cx, a.y - cy) - Math.hypot(b.x - cx, b.y - cy));
    return points.find((p) => document.elementFromPoint(p.x, p.y)?.classList.contains('react-flow__pane')) ?? null;
  })()`);
  if (!spot) throw new Error('no empty spot on the canvas to start a pan from');
  return spot;
}

/**
 * Drags the pane for `ms` and returns the frame deltas seen meanwhile, with the renderer's CPU time: frame times
 * swing with the load other processes put on the machine, CPU time per frame much less.
 */
async function panFrames(page: Page, cdp: CDPSession, ms: number): Promise<Pan> {
  // A string, not a function: tsx's name helpers do not exist inside the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const { x: cx, y: cy } = await emptySpotOfPane(page);
  const viewportBefore = await viewportTransform(page);
  await page.mouse.move(cx, cy);
  const before = await cpuTimes(cdp);
  await page.mouse.down();
  const start = Date.now();
  for (let i = 0; Date.now() - start < ms; i++)
    await page.mouse.move(cx + 200 * Math.sin(i / 10), cy + 120 * Math.cos(i / 13));
  await page.mouse.up();
  if ((await viewportTransform(page)) === viewportBefore) throw new Error('the drag did not pan the canvas');
  const frames = await page.evaluate<number[]>('(window.__stop = true, window.__frames.slice(2))');
  const after = await cpuTimes(cdp);
  return { frames, threadCpu: after.thread - before.thread, processCpu: after.process - before.process };
}

function describe(label: string, { frames, threadCpu, processCpu }: Pan): string {
  const s = [...frames].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const perFrame = (cpu: number): string => ((cpu * 1000) / s.length).toFixed(1);
  return (
    `${label.padEnd(26)} frames ${String(s.length).padStart(4)}  mean ${mean.toFixed(1)} ms  median ${q(0.5).toFixed(1)}` +
    `  p95 ${q(0.95).toFixed(1)}  max ${(s[s.length - 1] ?? NaN).toFixed(1)}  (~${(1000 / mean).toFixed(0)} fps)` +
    `  CPU/frame: main thread ${perFrame(threadCpu)} ms, renderer ${perFrame(processCpu)} ms`
  );
}

async function main(): Promise<void> {
  buildClientIfStale();
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const res = await fetch(`${server.url}/api/workflows/bench-200`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bigWorkflow()),
    });
    if (!res.ok) throw new Error(`cannot store the workflow: ${await res.text()}`);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(server.url);
    await page.waitForSelector('.react-flow__pane');
    const empty = await panFrames(page, cdp, 2000);
    await page.click('[data-testid=side-library]');
    const t0 = Date.now();
    await page.click('[data-testid=library-bench-200]');
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.react-flow__node').length >= n &&
        document.querySelectorAll('.react-flow__edge').length >= n - 1,
      NODES,
    );
    const loadMs = Date.now() - t0;
    await page.waitForTimeout(500);
    const full = await panFrames(page, cdp, 3000);
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=run-status].status-running', { timeout: 30_000 });
    const streaming = await panFrames(page, cdp, 3000);
    const stillRunning = await page.locator('[data-testid=run-status].status-running').count();
    console.log(`editor benchmark: ${NODES} nodes, ${NODES - 1} wires, headless Chromium (software rendering)`);
    console.log(`load (click -> all nodes and wires in the DOM): ${loadMs} ms`);
    console.log(describe('pan, empty canvas (ref)', empty));
    console.log(describe(`pan, ${NODES} nodes`, full));
    console.log(
      describe(`pan, ${NODES} nodes, run`, streaming) + (stillRunning ? '' : '  (the run ended during the pan)'),
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
