/**
 * One queue per device kind (cuda, webgpu, cpu): each worker takes jobs from its own kind's queue, and the server
 * puts a device job where a worker is free, preferring cuda, then webgpu, then cpu; a job left waiting behind a
 * busy worker moves to a kind whose worker comes free, and one whose worker died, the last of its kind, to a kind
 * that has a worker. On loopback, with a real Redis and worker processes.
 *
 *   job: TestDeviceEcho (sleeps, outputs the device it ran on)
 */
import fs from 'node:fs';
import path from 'node:path';
import { chooseDeviceKind, deviceQueueName, planMoves } from '../../server/cluster/job-protocol';
import type { WorkerInfo } from '../../protocol/api';
import type { RunDetail } from '../../protocol/messages';
import { get, post, startServer, tempDir, workflow, type ServerProcess } from '../server/harness';
import { startRedis, startWorkerProcess, type RedisProcess, type WorkerProcess } from './harness';

jest.setTimeout(120_000);

const NODES = path.join(__dirname, 'device-nodes.ts');
const busy = (device: string) => ({ device, job: { id: 'j', runId: 'r', nodeId: 'n', type: 'T', startedAt: 0 } });

describe('which queue a device job goes to', () => {
  it('names one queue per kind, and one per kind of a named pool', () => {
    expect(deviceQueueName('cuda')).toBe('device-cuda');
    expect(deviceQueueName('cpu', 'lab')).toBe('device-lab-cpu');
  });

  it('prefers an idle worker, cuda first; with every worker busy, the best kind there is; with none, cpu', () => {
    expect(chooseDeviceKind([{ device: 'cpu' }, { device: 'webgpu:0' }, { device: 'cuda:1' }])).toBe('cuda');
    expect(chooseDeviceKind([{ device: 'cpu' }, busy('cuda:0')])).toBe('cpu');
    expect(chooseDeviceKind([busy('cpu'), busy('webgpu:0')])).toBe('webgpu');
    expect(chooseDeviceKind([])).toBe('cpu');
  });

  it("moves a waiting job that its queue's idle workers will not take to a kind with an idle worker to spare", () => {
    const waiting = [
      { id: 'a', kind: 'cpu' as const },
      { id: 'b', kind: 'cpu' as const },
      { id: 'c', kind: 'cpu' as const },
    ];
    // One idle cpu worker takes a; one idle cuda worker can take b; c waits for whichever comes free first.
    expect(planMoves(waiting, [{ device: 'cpu' }, { device: 'cuda:0' }])).toEqual(new Map([['b', 'cuda']]));
    // No cpu worker is left at all: they go where there is a worker, even a busy one.
    expect(planMoves(waiting.slice(0, 1), [busy('webgpu:0')])).toEqual(new Map([['a', 'webgpu']]));
    expect(planMoves(waiting.slice(0, 1), [busy('cpu')])).toEqual(new Map());
  });
});

describe('workers of different kinds on one server', () => {
  let redis: RedisProcess;
  let server: ServerProcess;
  let dataDir: string;
  const workers: WorkerProcess[] = [];
  const startWorker = async (device: string) => {
    const dir = path.join(dataDir, device.replace(':', '-'));
    const w = await startWorkerProcess(server.url, redis.url, dir, ['--gpu', device], { LORAFLOW_EXTRA_NODES: NODES });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    dataDir = tempDir('loraflow-device-queues-');
    redis = await startRedis();
    server = await startServer(dataDir, ['--redis', redis.url], { LORAFLOW_EXTRA_NODES: NODES });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await server?.stop();
    await redis?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });

  /** Submits a run of one TestDeviceEcho; resolves with the device it ran on. */
  const echo = async (ms: number, seed: number): Promise<string> => {
    const res = await post(`${server.url}/api/runs`, {
      workflow: workflow(`echo ${seed}`, [['job', 'TestDeviceEcho', { ms, seed }]]),
    });
    expect(res.status).toBe(201);
    for (let i = 0; i < 600; i++) {
      const run = (await get(`${server.url}/api/runs/${res.body.id}`)).body as RunDetail;
      if (run.status === 'succeeded') return String(run.nodes.job!.outputs!.device);
      if (run.status !== 'queued' && run.status !== 'running') throw new Error(`run ${run.status}: ${run.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the run did not finish');
  };
  const workersSeen = async (n: number) => {
    for (let i = 0; i < 100; i++) {
      if ((await get(`${server.url}/api/workers`)).body.workers.length === n) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server never saw ${n} workers`);
  };

  const workerJobs = async () =>
    ((await get(`${server.url}/api/workers`)).body.workers as WorkerInfo[]).map((w) => [w.device, w.job?.runId]);
  const workersIdle = async () => {
    for (let i = 0; i < 300; i++) {
      if ((await workerJobs()).every(([, job]) => job === undefined)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the workers never came idle: ${JSON.stringify(await workerJobs())}`);
  };

  it('each worker takes from its own kind’s queue; jobs go to a free worker, cuda first', async () => {
    const cuda = await startWorker('cuda:0');
    const cpu = await startWorker('cpu');
    expect(cuda.output()).toContain('queue device-cuda');
    expect(cpu.output()).toContain('queue device-cpu');
    await workersSeen(2);
    await new Promise((r) => setTimeout(r, 2500)); // the server's scan of the workers, every second or two
    expect(await echo(100, 1)).toBe('cuda:0');
    // Two at once: the cuda worker takes one, the other goes to (or moves to) the free cpu worker.
    expect((await Promise.all([echo(2500, 2), echo(2500, 3)])).sort()).toEqual(['cpu', 'cuda:0']);
  });

  it('the job of a killed cuda worker, the last of its kind, finishes on the cpu worker', async () => {
    // The server places a job by its last scan of the workers (every second or so): until that scan has seen the
    // cuda worker finish the previous test's job, a new one goes to the idle cpu worker instead (CI, under load).
    await workersIdle();
    await new Promise((r) => setTimeout(r, 2500));
    const res = await post(`${server.url}/api/runs`, {
      workflow: workflow('echo killed', [['job', 'TestDeviceEcho', { ms: 8000, seed: 9 }]]),
    });
    let onCuda = false;
    for (let i = 0; i < 300 && !onCuda; i++) {
      const listed = (await get(`${server.url}/api/workers`)).body.workers as WorkerInfo[];
      onCuda = listed.some((w) => w.device === 'cuda:0' && w.job?.runId === res.body.id);
      if (!onCuda) await new Promise((r) => setTimeout(r, 100));
    }
    if (!onCuda) throw new Error(`the cuda worker never took the job: ${JSON.stringify(await workerJobs())}`);
    await workers.shift()!.kill();
    // The cpu worker's check of the cuda queue finds the job stalled; the server moves it to the cpu queue.
    for (let i = 0; i < 600; i++) {
      const run = (await get(`${server.url}/api/runs/${res.body.id}`)).body as RunDetail;
      if (run.status === 'succeeded') {
        expect(run.nodes.job!.outputs!.device).toBe('cpu');
        expect(server.output()).toMatch(/moved from the cuda to the cpu queue/);
        return;
      }
      expect(['queued', 'running']).toContain(run.status);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the run did not finish');
  });
});
