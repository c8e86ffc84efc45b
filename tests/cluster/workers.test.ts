/**
 * Several machines, on loopback: a server with --redis and two `loraflow worker` processes. Device nodes
 * (TrainLoRA) run on the workers, CPU nodes in the server, and everything the editor shows arrives as usual.
 *
 *   LoadModel ──────────────────────────┐
 *   LoadImages → Caption → Resize → TrainLoRA      (x3 runs, queued at once)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LoraValue } from '../../nodes/lora/lora-value';
import type { RunDetail } from '../../protocol/messages';
import type { MetricPoint, WorkersResponse } from '../../protocol/api';
import { get, post, startServer, tempDir, WsRecorder, type ServerProcess } from '../server/harness';
import {
  startRedis,
  startWorkerProcess,
  trainWorkflow,
  writeDataset,
  type RedisProcess,
  type WorkerProcess,
} from './harness';

jest.setTimeout(180_000);

let redis: RedisProcess;
let server: ServerProcess;
let workers: WorkerProcess[] = [];
let dataDir: string;
// The server's token: the workers send it with every transfer, as the editor and this test do with their calls.
const TOKEN = 'worker-test-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  dataDir = tempDir('loraflow-cluster-');
  await writeDataset(dataDir);
  redis = await startRedis('s3cret pass');
  server = await startServer(dataDir, ['--redis', redis.url, '--token', TOKEN]);
  workers = await Promise.all(
    [0, 1].map((i) => startWorkerProcess(server.url, redis.url, path.join(dataDir, `worker-${i}`), ['--token', TOKEN])),
  );
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await server?.stop();
  await redis?.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(redis.dir, { recursive: true, force: true });
});

it('three runs queued at once all train on the workers, both of them, with every event in the editor and in SQLite', async () => {
  const ws = await WsRecorder.connect(server.url, auth);
  const ids: string[] = [];
  for (const seed of [1, 2, 3]) {
    const res = await post(
      `${server.url}/api/runs`,
      { workflow: trainWorkflow(`run ${seed}`, {}, seed) },
      { headers: auth },
    );
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  expect((await get(`${server.url}/api/workers`)).status).toBe(401);
  const listed = await get(`${server.url}/api/workers`, auth);
  expect((listed.body as WorkersResponse).cluster).toBe(true);
  expect((listed.body as WorkersResponse).workers).toHaveLength(2);

  for (const id of ids) await ws.waitFor('run.finished', (m) => m.run.id === id, 150_000);
  // Two runs trained at the same time: the second started before the first finished.
  const started = ids.map((id) =>
    ws.messages.findIndex((m) => m.type === 'node.started' && m.runId === id && m.nodeId === 'train'),
  );
  const firstFinished = Math.min(
    ...ids.map((id) =>
      ws.messages.findIndex((m) => m.type === 'node.finished' && m.runId === id && m.nodeId === 'train'),
    ),
  );
  expect(started.filter((i) => i < firstFinished).length).toBeGreaterThanOrEqual(2);

  const ranOn = new Set<string>();
  for (const id of ids) {
    const detail = (await get(`${server.url}/api/runs/${id}`, auth)).body as RunDetail;
    expect(detail.status).toBe('succeeded');
    expect(detail.nodes.train!.status).toBe('succeeded');
    const lora = detail.nodes.train!.outputs!.lora as unknown as LoraValue;
    expect(lora.step).toBe(20);
    // The LoRA file came back to the server's own artifact store.
    const file = await fetch(`${server.url}/api/artifacts/${lora.artifact.$artifact}`, { headers: auth });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).byteLength).toBe(lora.artifact.bytes);
    // Progress metrics of every step reached SQLite and the WebSocket.
    const points = (await get(`${server.url}/api/runs/${id}/metrics?node=train`, auth)).body as MetricPoint[];
    const steps = points.filter((p) => !p.checkpoint && !p.sample).map((p) => p.step);
    expect(steps).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(points.filter((p) => p.checkpoint).map((p) => p.step)).toEqual([5, 10, 15, 20]);
    const wsSteps = ws.ofRun(id).filter((m) => m.type === 'node.metrics' && m.nodeId === 'train');
    expect(wsSteps).toHaveLength(20);
    const logs = (await get(`${server.url}/api/runs/${id}/logs?node=train`, auth)).body as { message: string }[];
    expect(logs.some((l) => /adapted layers/.test(l.message))).toBe(true);
    for (const w of workers) if (w.output().includes(`of run ${id}`)) ranOn.add(w.output().slice(0, 60));
  }
  expect(ranOn.size).toBe(2);
  // Neither the Redis password nor the token reaches a log.
  for (const text of [server.output(), ...workers.map((w) => w.output())]) {
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain(TOKEN);
  }
  ws.close();
});
