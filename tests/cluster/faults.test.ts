/**
 * Faults with real processes: kill -9 of the worker that trains (another resumes from the last checkpoint it
 * uploaded, keeping the step count), a cancel that must reach the worker, a Redis stop and restart (its append-only
 * file keeps the queue), a server restart (the worker goes on; the new server picks the run up), and a bad
 * parameter (not retried).
 *
 *   LoadModel ──────────────────────────┐
 *   LoadImages → Caption → Resize → TrainLoRA
 */
import fs from 'node:fs';
import path from 'node:path';
import { readLora } from '../../ml/lora/file';
import { SHIPPED_WEIGHTS } from '../../nodes/model/model-value';
import type { LoraValue } from '../../nodes/lora/lora-value';
import type { RunDetail, ServerMessage } from '../../protocol/messages';
import type { WorkersResponse } from '../../protocol/api';
import { get, post, startServer, tempDir, WsRecorder, type ServerProcess } from '../server/harness';
import {
  freePort,
  startRedis,
  startWorkerProcess,
  trainWorkflow,
  writeDataset,
  type RedisProcess,
  type WorkerProcess,
} from './harness';

jest.setTimeout(240_000);

let redis: RedisProcess;
let server: ServerProcess;
let port: number;
let workers: WorkerProcess[] = [];
let dataDir: string;

const serverArgs = () => ['--redis', redis.url, '--port', String(port)];

beforeAll(async () => {
  dataDir = tempDir('loraflow-faults-');
  await writeDataset(dataDir);
  redis = await startRedis();
  port = await freePort();
  server = await startServer(dataDir, serverArgs());
  workers = await Promise.all(
    [0, 1].map((i) => startWorkerProcess(server.url, redis.url, path.join(dataDir, `worker-${i}`))),
  );
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await server?.stop();
  await redis?.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(redis.dir, { recursive: true, force: true });
});

async function submit(
  seed: number,
  train: Record<string, number | string>,
  files: { model?: string } = {},
): Promise<string> {
  const res = await post(`${server.url}/api/runs`, { workflow: trainWorkflow(`run ${seed}`, train, seed, files) });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function detail(id: string): Promise<RunDetail> {
  return (await get(`${server.url}/api/runs/${id}`)).body as RunDetail;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves at the first progress of the run's training; a failure says why, with the processes' last words. */
async function trainingStarted(ws: WsRecorder, id: string): Promise<void> {
  const failed = ws
    .waitFor('node.failed', (m) => m.runId === id, 150_000)
    .then((m) => {
      const tails = [server.output(), ...workers.map((w) => w.output())].map((t) => t.slice(-1500)).join('\n---\n');
      throw new Error(`node ${m.nodeId} failed: ${JSON.stringify(m.error)}\n${tails}`);
    });
  await Promise.race([ws.waitFor('node.progress', (m) => m.runId === id && m.nodeId === 'train', 120_000), failed]);
  failed.catch(() => undefined);
}

const checkpointsOnServer = () => {
  const root = path.join(dataDir, 'work', 'state', 'TrainLoRA');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .flatMap((d) => fs.readdirSync(path.join(root, d)).filter((f) => /^step-\d+\.safetensors$/.test(f)));
};

it('kill -9 of the training worker: another worker resumes from the last uploaded checkpoint, step count kept', async () => {
  const ws = await WsRecorder.connect(server.url);
  const id = await submit(10, { steps: 40, checkpointEvery: 5 });
  await until('a checkpoint uploaded to the server', () => (checkpointsOnServer().length > 0 ? true : undefined));
  const busy = await until('the worker running the job', async () => {
    const { workers: list } = (await get(`${server.url}/api/workers`)).body as WorkersResponse;
    return list.find((w) => w.job?.runId === id);
  });
  const victim = workers.find((w) => w.proc.pid === busy.pid)!;
  await victim.kill();
  const killedAt = Date.now();
  const tookOver = await ws.waitFor('node.log', (m) => m.runId === id && /took over the job/.test(m.message), 60_000);
  const resumedAfterMs = Date.now() - killedAt;
  await ws.waitFor('run.finished', (m) => m.run.id === id, 180_000);

  const logs = ws.ofRun(id).filter((m): m is Extract<ServerMessage, { type: 'node.log' }> => m.type === 'node.log');
  const resumedAt = Number(
    /resumed from the checkpoint at step (\d+) of 40/.exec(logs.map((l) => l.message).join('\n'))?.[1],
  );
  expect(resumedAt).toBeGreaterThanOrEqual(5);
  // By the other worker (its id carries its pid).
  const survivor = workers.find((w) => w !== victim)!;
  expect(tookOver.message).toContain(`-${survivor.proc.pid}-`);
  const lora = (await detail(id)).nodes.train!.outputs!.lora as unknown as LoraValue;
  expect(lora.step).toBe(40);
  // The steps up to the checkpoint were not trained again: after the take-over the metrics go on from it.
  const afterTakeOver = ws.ofRun(id).slice(ws.ofRun(id).indexOf(tookOver));
  const firstResumed = afterTakeOver.find((m) => m.type === 'node.metrics');
  expect(firstResumed?.type === 'node.metrics' && firstResumed.step).toBe(resumedAt + 1);
  const metrics = await get(`${server.url}/api/runs/${id}/metrics?node=train`);
  const steps = (metrics.body as { step: number }[]).map((m) => m.step);
  expect(steps.filter((s) => s === 1)).toHaveLength(1);
  expect(Math.max(...steps)).toBe(40);
  // A valid LoRA file, read back by the loader SaveCheckpoint uses.
  const bytes = Buffer.from(
    await (await fetch(`${server.url}/api/artifacts/${lora.artifact.$artifact}`)).arrayBuffer(),
  );
  const file = path.join(dataDir, 'downloaded.safetensors');
  fs.writeFileSync(file, bytes);
  const set = await readLora(file);
  expect(set.adapters.length).toBeGreaterThan(0);
  process.stderr.write(`kill -9 → job running again on the other worker after ${resumedAfterMs} ms (lock 4 s)\n`);
  workers = [
    ...workers.filter((w) => w !== victim),
    await startWorkerProcess(server.url, redis.url, path.join(dataDir, 'worker-2')),
  ];
  ws.close();
});

it('a cancelled run stops on its worker within a few seconds', async () => {
  const ws = await WsRecorder.connect(server.url);
  const id = await submit(20, { steps: 5000 });
  await trainingStarted(ws, id);
  const asked = Date.now();
  expect((await post(`${server.url}/api/runs/${id}/cancel`, {})).status).toBe(200);
  await ws.waitFor('run.cancelled', (m) => m.run.id === id, 10_000);
  expect(Date.now() - asked).toBeLessThan(5000);
  expect((await detail(id)).nodes.train!.status).toBe('cancelled');
  // The worker is free again: it lists no job.
  await until(
    'the workers to be idle',
    async () => {
      const { workers: list } = (await get(`${server.url}/api/workers`)).body as WorkersResponse;
      return list.every((w) => !w.job) ? true : undefined;
    },
    10_000,
  );
  ws.close();
});

it("a job naming a file outside the worker's allowed folders is refused once, by name, and not retried", async () => {
  const ws = await WsRecorder.connect(server.url);
  // The server may read its data folder; the worker only its own (--data): a model path there is refused.
  fs.copyFileSync(SHIPPED_WEIGHTS, path.join(dataDir, 'copied.safetensors'));
  const id = await submit(30, {}, { model: 'copied.safetensors' });
  const failed = await ws.waitFor('node.failed', (m) => m.runId === id && m.nodeId === 'train', 120_000);
  expect(failed.error.message).toContain('node "train": this worker refuses');
  expect(failed.error.message).toContain('copied.safetensors');
  expect(failed.error.param).toBe('model');
  const attempts = workers.map((w) => (w.output().match(new RegExp(`of run ${id} \\(attempt`, 'g')) ?? []).length);
  expect(attempts.reduce((a, b) => a + b, 0)).toBe(1);
  ws.close();
});

it('Redis stopped and restarted mid-run: the running run and the queued one both finish', async () => {
  const ws = await WsRecorder.connect(server.url);
  const ids = [await submit(40, { steps: 30 }), await submit(41, { steps: 10 }), await submit(42, { steps: 10 })];
  await trainingStarted(ws, ids[0]!);
  await redis.stop();
  await new Promise((r) => setTimeout(r, 1000));
  await redis.restart();
  for (const id of ids) await ws.waitFor('run.finished', (m) => m.run.id === id, 180_000);
  for (const id of ids) expect((await detail(id)).status).toBe('succeeded');
  ws.close();
});

it('the server restarted mid-run: the worker goes on and the new server finishes the run from its events', async () => {
  let ws = await WsRecorder.connect(server.url);
  const id = await submit(50, { steps: 60 });
  await trainingStarted(ws, id);
  ws.close();
  await server.stop();
  server = await startServer(dataDir, serverArgs());
  ws = await WsRecorder.connect(server.url);
  await ws
    .waitFor('node.metrics', (m) => m.runId === id && m.nodeId === 'train', 60_000)
    .catch((e: Error) => {
      const tails = [server.output(), ...workers.map((w) => w.output())].map((t) => t.slice(-1500)).join('\n---\n');
      throw new Error(`${e.message}\n${tails}`);
    });
  await until(
    'the run to succeed',
    async () => ((await detail(id)).status === 'succeeded' ? true : undefined),
    180_000,
  );
  const lora = (await detail(id)).nodes.train!.outputs!.lora as unknown as LoraValue;
  expect(lora.step).toBe(60);
  // Trained once: no worker started the job again.
  const starts = workers.map((w) => (w.output().match(new RegExp(`of run ${id} \\(attempt`, 'g')) ?? []).length);
  expect(starts.reduce((a, b) => a + b, 0)).toBe(1);
  ws.close();
});

it('a server stopped right after cancelling a run whose worker was killed stops at once, and the run stays stopped', async () => {
  const ws = await WsRecorder.connect(server.url);
  const id = await submit(60, { steps: 5000 });
  await trainingStarted(ws, id);
  const busy = await until('the worker running the job', async () => {
    const { workers: list } = (await get(`${server.url}/api/workers`)).body as WorkersResponse;
    return list.find((w) => w.job?.runId === id);
  });
  const victim = workers.find((w) => w.proc.pid === busy.pid)!;
  await victim.kill();
  workers = workers.filter((w) => w !== victim);
  expect((await post(`${server.url}/api/runs/${id}/cancel`, {})).status).toBe(200);
  ws.close();
  // The cancel waits for a worker's answer that will never come from the dead one; stopping must not wait for it.
  const stopped = await Promise.race([
    server.stop().then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
  ]);
  expect(stopped).toBe(true);
  server = await startServer(dataDir, serverArgs());
  await new Promise((r) => setTimeout(r, 3000));
  // Not taken back as a run to finish: it was cancelled, not cut off by the stop.
  expect(['interrupted', 'cancelled']).toContain((await detail(id)).status);
});
