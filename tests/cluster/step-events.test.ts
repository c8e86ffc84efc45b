/**
 * Checkpoint and sample events of a training node are structured messages all the way to the editor, in the server
 * and through a worker: on the WebSocket, in the editor's runs store (live, and replayed from SQLite as a reloaded
 * editor gets them) and as the loss chart's markers.
 *
 *   LoadModel ─────────────────────────┐
 *   LoadImages → Caption → Resize → TrainLoRA      (10 steps; a checkpoint and a sample grid every 5)
 */
import fs from 'node:fs';
import path from 'node:path';
import { produce } from 'immer';
import { splitSeries } from '../../client/src/panels/chartMath';
import { applyServerMessage, loadMetrics, runsStore, type RunsState } from '../../client/src/store/runs';
import type { MetricPoint } from '../../protocol/api';
import type { ServerMessage } from '../../protocol/messages';
import { get, post, startServer, tempDir, WsRecorder, type ServerProcess } from '../server/harness';
import { startRedis, startWorkerProcess, trainWorkflow, writeDataset, type RedisProcess } from './harness';

jest.setTimeout(180_000);

const STEPS = [5, 10];

const events = <T extends 'node.checkpoint' | 'node.sample'>(messages: ServerMessage[], type: T) =>
  messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type && m.nodeId === 'train');

/** Trains once on `server` and checks every place the checkpoint and sample events must reach. */
async function trainAndCheck(server: ServerProcess, seed: number): Promise<string> {
  const ws = await WsRecorder.connect(server.url);
  const res = await post(`${server.url}/api/runs`, {
    workflow: trainWorkflow('step events', { steps: 10, checkpointEvery: 5, sampleEvery: 5 }, seed),
  });
  expect(res.status).toBe(201);
  const id = res.body.id as string;
  await ws.waitFor('run.finished', (m) => m.run.id === id, 150_000);
  const messages = ws.ofRun(id);
  ws.close();

  // On the WebSocket: each checkpoint with its file and validation loss, each sample grid as stored images.
  const checkpoints = events(messages, 'node.checkpoint').map((m) => m.checkpoint);
  expect(checkpoints.map((c) => c.step)).toEqual(STEPS);
  expect(checkpoints.map((c) => c.file)).toEqual(['step-000005.safetensors', 'step-000010.safetensors']);
  for (const c of checkpoints) expect(c.loss).toBeGreaterThan(0);
  const samples = events(messages, 'node.sample').map((m) => m.sample);
  expect(samples.map((s) => s.step)).toEqual(STEPS);
  for (const image of samples.flatMap((s) => s.images)) {
    const file = await fetch(`${server.url}/api/artifacts/${image.$artifact}`);
    expect(file.status).toBe(200);
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  }

  // The editor's store, live: the chart's markers are the checkpoints, at their steps, among the loss points.
  const fresh: RunsState = { runs: {}, queue: [], history: [], connected: true };
  const live = messages.reduce((state, m) => produce(state, (d) => applyServerMessage(d, m)), fresh);
  const liveSeries = live.runs[id]!.metrics.train!;
  expect(splitSeries(liveSeries).checkpoints).toEqual(checkpoints);
  expect(liveSeries.map((p) => p.step)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));

  // SQLite: the stored points carry the same events, and a reloaded editor draws the same markers from them.
  const stored = (await get(`${server.url}/api/runs/${id}/metrics?node=train`)).body as MetricPoint[];
  expect(stored.filter((p) => p.checkpoint).map((p) => p.checkpoint)).toEqual(checkpoints);
  expect(stored.filter((p) => p.sample).map((p) => p.sample)).toEqual(samples);
  runsStore.replace(fresh);
  loadMetrics(id, stored);
  const replayed = runsStore.get().runs[id]!.metrics.train!;
  expect(splitSeries(replayed).checkpoints).toEqual(checkpoints);
  expect(replayed.filter((p) => p.sample).map((p) => p.sample)).toEqual(samples);
  expect(replayed).toEqual(liveSeries);
  return id;
}

describe('checkpoint and sample events reach the editor and SQLite', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir('loraflow-step-events-');
    await writeDataset(path.join(dataDir, 'local'));
    await writeDataset(path.join(dataDir, 'cluster'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('when the server trains', async () => {
    const server = await startServer(path.join(dataDir, 'local'));
    try {
      await trainAndCheck(server, 1);
    } finally {
      await server.stop();
    }
  });

  it('when a worker trains', async () => {
    const redis: RedisProcess = await startRedis();
    const server = await startServer(path.join(dataDir, 'cluster'), ['--redis', redis.url]);
    const worker = await startWorkerProcess(server.url, redis.url, path.join(dataDir, 'worker'));
    try {
      const id = await trainAndCheck(server, 2);
      expect(worker.output()).toContain(`of run ${id}`);
    } finally {
      await worker.kill();
      await server.stop();
      await redis.kill();
      fs.rmSync(redis.dir, { recursive: true, force: true });
    }
  });
});
