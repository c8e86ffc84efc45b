/**
 * `npm run bench:workers`: the cost and the scaling of running device nodes on workers.
 *  1. `--runs` short runs (a small TrainLoRA each, `--steps` steps) in one server without Redis (the reference),
 *     then on 1, 2 and 4 worker processes: runs per minute and the overhead per job (queueing, transfers, events)
 *     = (time on 1 worker - time in the server) / runs. On 2 cores throughput cannot grow past 2 workers.
 *  2. Simulated workers (in this process, each a BullMQ worker with its own device slot) running device nodes
 *     that only sleep `--sim-ms`: jobs per second with 1, 10 and 50 workers against the ideal workers / sleep.
 *  3. kill -9 of the worker that trains: milliseconds until the job runs again on the other worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ServerMessage } from '../protocol/messages';
import type { WorkersResponse } from '../protocol/api';
import { startWorker, type RunningWorker } from '../server/cluster/worker-process';
import {
  startRedis,
  startWorkerProcess,
  trainWorkflow,
  writeDataset,
  type WorkerProcess,
} from '../tests/cluster/harness';
import { get, post, startServer, tempDir, workflow, WsRecorder } from '../tests/server/harness';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    steps: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1,2,4' },
    'sim-jobs': { type: 'string', default: '200' },
    'sim-ms': { type: 'string', default: '200' },
    'sim-workers': { type: 'string', default: '1,10,50' },
    'lock-ms': { type: 'string', default: '4000' },
    parts: { type: 'string', default: 'train,sim,kill' },
  },
});
const RUNS = Number(values.runs);
const STEPS = Number(values.steps);
const SIM_NODES = path.join(__dirname, 'worker-sim-nodes.ts');
const print = (line: string) => process.stdout.write(`${line}\n`);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Submits every workflow at once; resolves with the seconds until the last one finished and what /ws said. */
async function runAll(url: string, workflows: object[]): Promise<{ seconds: number; messages: ServerMessage[] }> {
  const ws = await WsRecorder.connect(url);
  const started = Date.now();
  const ids: string[] = [];
  for (const wf of workflows) ids.push(((await post(`${url}/api/runs`, { workflow: wf })).body as { id: string }).id);
  for (const id of ids) {
    const end = await Promise.race([
      ws.waitFor('run.finished', (m) => m.run.id === id, 600_000),
      ws.waitFor('run.failed', (m) => m.run.id === id, 600_000),
    ]);
    if (end.type === 'run.failed') throw new Error(`run ${id} failed: ${(end as { error: string }).error}`);
  }
  ws.close();
  return { seconds: (Date.now() - started) / 1000, messages: ws.messages };
}

interface Overhead {
  perJobMs: number;
  inputMs: number;
  outputMs: number;
}

/**
 * The cost of running TrainLoRA on a worker rather than in the server: for each run, the node's time as the
 * server saw it (node.started to node.finished) minus the time its execute() took on the worker, as the worker
 * logged it; the worker's own transfer times beside it.
 */
function overheadOf(messages: ServerMessage[], workerLogs: string): Overhead {
  const runOfJob = new Map<string, string>();
  for (const m of workerLogs.matchAll(/job (\w+): TrainLoRA "train" of run (\S+) \(attempt/g))
    runOfJob.set(m[1]!, m[2]!);
  const rows: number[][] = [];
  for (const m of workerLogs.matchAll(/job (\w+): result \(inputs (\d+) ms, execute (\d+) ms, outputs (\d+) ms\)/g)) {
    const runId = runOfJob.get(m[1]!);
    const at = (type: string) =>
      messages.find(
        (x) => x.type === type && 'runId' in x && x.runId === runId && 'nodeId' in x && x.nodeId === 'train',
      );
    const started = at('node.started');
    const finished = at('node.finished');
    if (started?.type !== 'node.started' || finished?.type !== 'node.finished') continue;
    rows.push([finished.at - started.at - Number(m[3]), Number(m[2]), Number(m[4])]);
  }
  const mean = (i: number) => rows.reduce((a, r) => a + r[i]!, 0) / Math.max(1, rows.length);
  return { perJobMs: mean(0), inputMs: mean(1), outputMs: mean(2) };
}

/** The training runs with `workers` worker processes (0: a server without Redis). */
async function trainingRuns(workers: number): Promise<{ seconds: number; overhead?: Overhead }> {
  const dataDir = tempDir('loraflow-bench-');
  await writeDataset(dataDir);
  const redis = workers > 0 ? await startRedis() : undefined;
  const server = await startServer(dataDir, redis ? ['--redis', redis.url] : []);
  const procs: WorkerProcess[] = [];
  try {
    for (let i = 0; i < workers; i++)
      procs.push(await startWorkerProcess(server.url, redis!.url, path.join(dataDir, `w${i}`)));
    // The dataset nodes are the same in every run: one warm-up run caches them, so the runs measure TrainLoRA.
    await runAll(server.url, [trainWorkflow('warm-up', { steps: 1, checkpointEvery: 1 }, 999)]);
    const wfs = Array.from({ length: RUNS }, (_, i) => trainWorkflow(`run ${i}`, { steps: STEPS }, i + 1));
    const { seconds, messages } = await runAll(server.url, wfs);
    if (workers === 0) return { seconds };
    return { seconds, overhead: overheadOf(messages, procs.map((p) => p.output()).join('\n')) };
  } finally {
    await Promise.all(procs.map((p) => p.kill()));
    await server.stop();
    await redis?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Jobs per second of `jobs` sleeping device nodes on `count` in-process workers. */
async function simulated(count: number, jobs: number, ms: number): Promise<number> {
  process.env.LORAFLOW_EXTRA_NODES = SIM_NODES;
  const dataDir = tempDir('loraflow-bench-sim-');
  const redis = await startRedis();
  const server = await startServer(dataDir, ['--redis', redis.url], { LORAFLOW_EXTRA_NODES: SIM_NODES });
  const workers: RunningWorker[] = [];
  try {
    for (let i = 0; i < count; i++) {
      workers.push(
        await startWorker({
          serverUrl: server.url,
          redisUrl: redis.url,
          device: 'cpu',
          dataDir: path.join(dataDir, `w${i}`),
          allow: [],
          lockMs: 30_000,
          log: () => undefined,
        }),
      );
    }
    // The server starts as many runs at once as it sees workers: wait until it sees them all.
    for (;;) {
      const body = (await get(`${server.url}/api/workers`)).body as WorkersResponse;
      if (body.workers.length === count) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const wfs = Array.from({ length: jobs }, (_, i) => workflow(`sim ${i}`, [['job', 'SimDevice', { ms, seed: i }]]));
    return jobs / (await runAll(server.url, wfs)).seconds;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await server.stop();
    await redis.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Milliseconds from kill -9 of the training worker to the job running again on the other one. */
async function killToResume(lockMs: number): Promise<{ takeOver: number; training: number }> {
  const dataDir = tempDir('loraflow-bench-kill-');
  await writeDataset(dataDir);
  const redis = await startRedis();
  const server = await startServer(dataDir, ['--redis', redis.url]);
  const args = ['--lock-ms', String(lockMs)];
  const procs = [
    await startWorkerProcess(server.url, redis.url, path.join(dataDir, 'w0'), args),
    await startWorkerProcess(server.url, redis.url, path.join(dataDir, 'w1'), args),
  ];
  let ws: WsRecorder | undefined;
  try {
    ws = await WsRecorder.connect(server.url);
    const wf = trainWorkflow('kill', { steps: 200, checkpointEvery: 5 }, 7);
    const id = ((await post(`${server.url}/api/runs`, { workflow: wf })).body as { id: string }).id;
    const stateRoot = path.join(dataDir, 'work', 'state', 'TrainLoRA');
    const uploaded = () =>
      fs.existsSync(stateRoot) &&
      fs.readdirSync(stateRoot).some((d) => fs.readdirSync(path.join(stateRoot, d)).some((f) => f.startsWith('step-')));
    while (!uploaded()) await new Promise((r) => setTimeout(r, 50));
    let victim: WorkerProcess | undefined;
    while (!victim) {
      const { workers } = (await get(`${server.url}/api/workers`)).body as WorkersResponse;
      const busy = workers.find((w) => w.job?.runId === id);
      victim = procs.find((p) => p.proc.pid === busy?.pid);
      if (!victim) await new Promise((r) => setTimeout(r, 100));
    }
    const before = ws.messages.length;
    await victim.kill();
    const killed = Date.now();
    const isLog = (m: ServerMessage) => m.type === 'node.log' && /took over the job/.test(m.message);
    await ws.waitFor('node.log', (m) => isLog(m), 120_000);
    const takeOver = Date.now() - killed;
    const seen = ws.messages;
    const after = (m: ServerMessage) => seen.indexOf(m) > before;
    await ws.waitFor('node.metrics', (m) => after(m) && m.runId === id, 120_000);
    const training = Date.now() - killed;
    await post(`${server.url}/api/runs/${id}/cancel`, {});
    return { takeOver, training };
  } finally {
    ws?.close();
    await Promise.all(procs.map((p) => p.kill()));
    await server.stop();
    await redis.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function training(): Promise<void> {
  print(`# ${RUNS} runs of TrainLoRA (${STEPS} steps, rank 4, batch 2, built-in emoji model), submitted at once`);
  const local = (await trainingRuns(0)).seconds;
  print(`server without Redis (reference): ${local.toFixed(1)} s, ${((60 * RUNS) / local).toFixed(1)} runs/min`);
  for (const n of values.workers!.split(',').map(Number)) {
    const { seconds: t, overhead: o } = await trainingRuns(n);
    const overhead =
      n === 1 && o
        ? `; overhead per job ${o.perJobMs.toFixed(0)} ms (inputs ${o.inputMs.toFixed(0)} ms, outputs ${o.outputMs.toFixed(0)} ms)`
        : '';
    const rate = `${((60 * RUNS) / t).toFixed(1)} runs/min, ${(local / t).toFixed(2)}x the server alone`;
    print(`${n} worker process(es): ${t.toFixed(1)} s, ${rate}${overhead}`);
  }
  print('(2 CPU cores: training throughput cannot grow past 2 workers here; the simulation shows the queue itself)');
}

async function simulation(): Promise<void> {
  const jobs = Number(values['sim-jobs']);
  const ms = Number(values['sim-ms']);
  for (const n of values['sim-workers']!.split(',').map(Number)) {
    const rate = await simulated(n, jobs, ms);
    const ideal = (1000 * n) / ms;
    const share = `(ideal ${ideal.toFixed(1)}, ${((100 * rate) / ideal).toFixed(0)}%)`;
    print(`simulated: ${n} worker(s), ${jobs} device jobs of ${ms} ms: ${rate.toFixed(1)} jobs/s ${share}`);
  }
}

async function main(): Promise<void> {
  const parts = new Set(values.parts!.split(','));
  if (parts.has('train')) await training();
  if (parts.has('sim')) await simulation();
  if (parts.has('kill')) {
    const lockMs = Number(values['lock-ms']);
    const k = await killToResume(lockMs);
    print(
      `kill -9 of the training worker (--lock-ms ${lockMs}): job taken over after ${k.takeOver} ms, ` +
        `training again after ${k.training} ms`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
