/**
 * `npm run bench:requests`: the bodies that used to freeze the server, sent to a real `loraflow serve` on loopback
 * while a probe keeps asking /api/health. For each: status, time to answer, and the slowest health answer while it
 * was in flight, next to the idle health latency measured in the same command. The edge-id step is also timed
 * in-process against the quadratic algorithm it replaced (the reference). Aim: every answer within a second.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseWorkflow } from '../protocol/workflow-io';

const REPO = path.resolve(__dirname, '..');

type Edge = { id?: string; from: { node: string; socket: string }; to: { node: string; socket: string } };

function graph(nodes: number, edges: number, withIds: (i: number) => string | undefined): Record<string, unknown> {
  const list: Edge[] = [];
  for (let i = 0; i < edges; i++) {
    const edge: Edge = {
      from: { node: `n${i % nodes}`, socket: 'value' },
      to: { node: `n${(i + 1) % nodes}`, socket: 'x' },
    };
    const id = withIds(i);
    if (id !== undefined) edge.id = id;
    list.push(edge);
  }
  return {
    format: 'loraflow.workflow',
    formatVersion: 1,
    name: 'bench',
    nodes: Array.from({ length: nodes }, (_, i) => ({
      id: `n${i}`,
      type: 'Number',
      params: {},
      position: { x: 0, y: 0 },
    })),
    edges: list,
  };
}

/** The first half named e<half>, e<half+1>, …; the second half without ids, whose generated ids collide with them. */
const colliding = (nodes: number, edges: number) =>
  graph(nodes, edges, (i) => (i < edges / 2 ? `e${Math.floor(edges / 2) + i}` : undefined));

/** The edge-id assignment before this change, kept here as the reference. */
function quadraticEdgeIds(edges: Edge[]): void {
  const used = new Set<string>();
  edges.forEach((edge, i) => {
    let id = edge.id ?? '';
    if (id === '' || used.has(id)) {
      let n = i;
      while (used.has(`e${n}`)) n++;
      id = `e${n}`;
    }
    used.add(id);
  });
}

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-bench-requests-'));
  const proc = spawn(process.execPath, [path.join(REPO, 'bin/loraflow.js'), 'serve', '--port', '0', '--data', data], {
    env: { ...process.env, LORAFLOW_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(output)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) (clearTimeout(timer), resolve(m[1]));
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
  });
  proc.once(
    'exit',
    (code) => code !== null && code !== 0 && process.stderr.write(`server exited ${code}:\n${output.slice(-3000)}\n`),
  );
  return { url, stop: () => (proc.kill('SIGTERM'), fs.rmSync(data, { recursive: true, force: true })) };
}

async function healthMs(url: string): Promise<number> {
  const t = performance.now();
  try {
    await (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(60_000) })).text();
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
    throw new Error(`/api/health got no answer after ${(performance.now() - t).toFixed(0)} ms: ${cause}`);
  }
  return performance.now() - t;
}

async function measure(url: string, body: string): Promise<{ status: number; ms: number; worstHealth: number }> {
  let done = false;
  let worstHealth = 0;
  const probe = (async () => {
    while (!done) worstHealth = Math.max(worstHealth, await healthMs(url));
  })();
  const t = performance.now();
  const res = await fetch(`${url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(120_000),
  });
  await res.text();
  const ms = performance.now() - t;
  done = true;
  await probe;
  return { status: res.status, ms, worstHealth };
}

async function main(): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // In-process, at a size the quadratic reference finishes in seconds (it grows with the square).
  const edges = (colliding(1000, 10000).edges as Edge[]).map((e) => ({ ...e }));
  let t = performance.now();
  quadraticEdgeIds(edges);
  const quadraticMs = performance.now() - t;
  t = performance.now();
  parseWorkflow(colliding(1000, 10000));
  const linearMs = performance.now() - t;
  say(
    `edge ids, 5k named + 5k unnamed, in-process: the whole parse ${linearMs.toFixed(0)} ms; the quadratic reference ${quadraticMs.toFixed(0)} ms for the ids alone`,
  );

  const server = await startServer();
  try {
    const idle: number[] = [];
    for (let i = 0; i < 50; i++) idle.push(await healthMs(server.url));
    idle.sort((a, b) => a - b);
    say(`idle /api/health: median ${idle[25]!.toFixed(1)} ms, worst ${idle[49]!.toFixed(1)} ms (reference)`);
    const wrap = (wf: unknown, targets?: string[]) =>
      JSON.stringify(targets ? { workflow: wf, targets } : { workflow: wf });
    const cases: [string, string][] = [
      ['15k + 15k edges (2.4 MB), colliding ids', wrap(colliding(1000, 30000))],
      ['45k + 45k edges (7 MB): over the edge limit', wrap(colliding(1000, 90000))],
      ['40,000 edges, at the limit', wrap(colliding(10000, 40000))],
      [
        '10,000 targets x 10,000 nodes, at the limits',
        wrap(
          graph(10000, 0, () => undefined),
          Array.from({ length: 10000 }, (_, i) => `n${i}`),
        ),
      ],
      [
        '20,000 targets x 20,000 nodes: over the limits',
        wrap(
          graph(20000, 0, () => undefined),
          Array.from({ length: 20000 }, (_, i) => `n${i}`),
        ),
      ],
      ['4 MB of nested brackets', `{"workflow":${'['.repeat(2_000_000)}${']'.repeat(2_000_000)}}`],
    ];
    for (const [what, body] of cases) {
      const r = await measure(server.url, body);
      say(
        `${what}: ${r.status} in ${r.ms.toFixed(0)} ms; slowest /api/health meanwhile ${r.worstHealth.toFixed(0)} ms`,
      );
    }
  } finally {
    server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:requests: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
