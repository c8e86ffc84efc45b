/**
 * Editor benchmark (not a test): a 200-node graph loads and pans in headless Chromium against a real server.
 * Prints load time and requestAnimationFrame deltas while panning, next to the same pan over an empty canvas
 * measured in the same run as the reference; then the same pan while a run of the graph streams node states and
 * progress to the page (each node waits 40 ms in 20 progress steps).   npm run bench:editor
 */
import type { Page } from 'playwright-core';
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

/** Drags the pane for `ms` and returns the frame deltas seen meanwhile. */
async function panFrames(page: Page, ms: number): Promise<number[]> {
  // A string, not a function: tsx's name helpers do not exist inside the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const box = await page.locator('.react-flow__pane').boundingBox();
  if (!box) throw new Error('no canvas');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const start = Date.now();
  for (let i = 0; Date.now() - start < ms; i++)
    await page.mouse.move(cx + 200 * Math.sin(i / 10), cy + 120 * Math.cos(i / 13));
  await page.mouse.up();
  return page.evaluate<number[]>('(window.__stop = true, window.__frames.slice(2))');
}

function describe(label: string, frames: number[]): string {
  const s = [...frames].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `${label.padEnd(22)} frames ${String(s.length).padStart(4)}  mean ${mean.toFixed(1)} ms  median ${q(0.5).toFixed(1)}  p95 ${q(0.95).toFixed(1)}  max ${(s[s.length - 1] ?? NaN).toFixed(1)}  (~${(1000 / mean).toFixed(0)} fps)`;
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
    await page.goto(server.url);
    await page.waitForSelector('.react-flow__pane');
    const empty = await panFrames(page, 2000);
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
    const full = await panFrames(page, 3000);
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=run-status].status-running', { timeout: 30_000 });
    const streaming = await panFrames(page, 3000);
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
