/**
 * Editor benchmark (not a test): how long a big workflow (default 3000 Delay nodes in a chain, 2999 wires) takes to
 * open from the library in headless Chromium against a real server: click -> the canvas shows its first nodes, and
 * click -> the page is idle again (a 200 ms gap between tasks). `--profile` prints the functions with the most
 * self time during the open (CDP Profiler, minified names from the production build); `--trace` writes a timeline.
 *   npx tsx bench/editor-open.ts [--nodes 3000] [--profile] [--trace]
 */
import os from 'node:os';
import path from 'node:path';
import type { WorkflowFile } from '../protocol/workflow';
import { buildClientIfStale, launchBrowser, startServer } from '../tests/browser/harness';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const NODES = Number(arg('--nodes') ?? 3000);
const PROFILE = process.argv.includes('--profile');
const COLUMNS = 50;
/** `--trace`: a Chromium timeline trace of the open, for chrome://tracing or the Performance panel. */
const TRACE_FILE = path.join(os.tmpdir(), 'loraflow-editor-open-trace.json');

function bigWorkflow(n: number): WorkflowFile {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `d${i}`,
    type: 'Delay',
    params: { ms: 40, steps: 20 },
    position: { x: (i % COLUMNS) * 280, y: Math.floor(i / COLUMNS) * 220 },
  }));
  const edges = nodes.slice(1).map((node, i) => ({
    id: `e${i}`,
    from: { node: `d${i}`, socket: 'value' },
    to: { node: node.id, socket: 'value' },
  }));
  return {
    format: 'loraflow.workflow',
    formatVersion: 1,
    appVersion: '0.1.0',
    name: `bench-${n}`,
    nodes,
    edges,
    groups: [],
    notes: [],
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

async function main(): Promise<void> {
  buildClientIfStale();
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const name = `bench-${NODES}`;
    const res = await fetch(`${server.url}/api/workflows/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bigWorkflow(NODES)),
    });
    if (!res.ok) throw new Error(`cannot store the workflow: ${await res.text()}`);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await page.goto(server.url);
    await page.waitForSelector('.react-flow__pane');
    await page.click('[data-testid=side-library]');
    await page.waitForSelector(`[data-testid=library-${name}]`);
    if (PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const TRACE = process.argv.includes('--trace');
    if (TRACE) await browser.startTracing(page, { path: TRACE_FILE, categories: ['devtools.timeline'] });
    const t0 = Date.now();
    await page.click(`[data-testid=library-${name}]`);
    await page.waitForSelector('.react-flow__node', { timeout: 120_000 });
    const firstMs = Date.now() - t0;
    // Idle: five 100 ms timers in a row each fire within 150 ms (no long task between them).
    await page.evaluate(`new Promise((resolve) => {
      let quiet = 0;
      const tick = () => {
        const t = performance.now();
        setTimeout(() => {
          quiet = performance.now() - t < 150 ? quiet + 1 : 0;
          if (quiet >= 5) resolve(undefined);
          else tick();
        }, 100);
      };
      tick();
    })`);
    const idleMs = Date.now() - t0 - 500;
    if (TRACE) {
      await browser.stopTracing();
      console.log(`trace: ${TRACE_FILE}`);
    }
    const shown = await page.evaluate<number>(`document.querySelectorAll('.react-flow__node').length`);
    console.log(
      `open ${NODES} nodes: first nodes on the canvas ${firstMs} ms, idle ${idleMs} ms (${shown} nodes in the DOM)`,
    );
    if (PROFILE) {
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
        profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
      };
      const self = new Map<string, number>();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      profile.samples.forEach((id, i) => {
        const n = byId.get(id)!;
        const f = n.callFrame;
        const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
        self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
        console.log(`${ms.toFixed(0).padStart(7)} ms  ${k}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
