/**
 * `loraflow worker`: takes node jobs from the device queue in Redis (BullMQ, concurrency 1: one job per device),
 * runs each with the same node code the server runs, and tells the server about it through Redis (events,
 * results, a heartbeat every two seconds) and HTTP (files). A killed worker's job is found by BullMQ's stalled
 * check once its lock expires (`lockMs`) and goes to another worker.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import type { WorkerInfo } from '../../protocol/api';
import { createArtifactStore } from '../engine/artifacts';
import { createMemoryCache } from '../engine/memory-cache';
import { createPathPolicy } from '../engine/paths';
import { createRegistry } from '../engine/registry';
import type { EngineEnv } from '../engine/types';
import { loadNodeDefinitions } from '../queue/runtime';
import {
  cancelKey,
  DEVICE_KINDS,
  deviceKindOf,
  deviceQueueName,
  REDIS_PREFIX,
  workerKey,
  type JobResult,
  type NodeJobData,
} from './job-protocol';
import { runNodeJob } from './node-job';
import { redisOptions } from './redis-url';
import { createServerClient } from './server-client';

export interface WorkerOptions {
  serverUrl: string;
  token?: string;
  redisUrl: string;
  /** 'cpu', 'cuda:0', 'webgpu:0'. */
  device: string;
  pool?: string;
  dataDir: string;
  /** Folders job paths may name (default: the data folder). */
  allow: string[];
  /** How long a job's lock lasts without renewal: the time to notice a dead worker. */
  lockMs: number;
  log(message: string): void;
}

export interface RunningWorker {
  readonly id: string;
  /** The BullMQ queue it takes jobs from: its device kind's (and pool's). */
  readonly queue: string;
  /** Stops taking jobs; a job in progress is left to BullMQ's stalled check (another worker resumes it). */
  close(): Promise<void>;
}

const HEARTBEAT_MS = 2000;
const HEARTBEAT_TTL_S = 10;
const CANCEL_POLL_MS = 300;

/** Starts a worker and resolves once it is connected and listening for jobs. */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const kind = deviceKindOf(opts.device);
  if (!kind) throw new Error(`--gpu ${opts.device}: not a device a worker runs on (cpu, cuda:N or webgpu:N)`);
  const id = `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const env: EngineEnv = {
    registry: createRegistry(loadNodeDefinitions(process.env.LORAFLOW_EXTRA_NODES)),
    cache: createMemoryCache(),
    artifacts: createArtifactStore(join(opts.dataDir, 'artifacts')),
    paths: createPathPolicy(opts.allow.length > 0 ? opts.allow : [opts.dataDir]),
    workRoot: join(opts.dataDir, 'work'),
    cpuSlots: 1,
    gpuDevices: [opts.device],
  };
  const server = createServerClient(opts.serverUrl, opts.token);
  const redis = new IORedis(redisOptions(opts.redisUrl));
  let lastRedisError = 0;
  const onRedisError = (e: Error) => {
    if (Date.now() - lastRedisError > 5000) opts.log(`redis: ${e.message} (retrying)`);
    lastRedisError = Date.now();
  };
  redis.on('error', onRedisError);
  const info: WorkerInfo = {
    id,
    host: hostname(),
    pid: process.pid,
    device: opts.device,
    startedAt: Date.now(),
    lastHeartbeat: Date.now(),
  };
  if (opts.pool) info.pool = opts.pool;
  const heartbeat = async () => {
    info.lastHeartbeat = Date.now();
    await redis.set(workerKey(id), JSON.stringify(info), 'EX', HEARTBEAT_TTL_S).catch(onRedisError);
  };
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), HEARTBEAT_MS);

  const processJob = async (job: Job): Promise<JobResult> => {
    const data = job.data as NodeJobData;
    const jobId = job.id!;
    const { task } = data;
    info.job = { id: jobId, runId: task.runId, nodeId: task.nodeId, type: task.type, startedAt: Date.now() };
    void heartbeat();
    const controller = new AbortController();
    const poll = setInterval(() => {
      redis.exists(cancelKey(jobId)).then(
        (n) => n > 0 && controller.abort(),
        () => undefined,
      );
    }, CANCEL_POLL_MS);
    // A job taken from a dead worker counts as stalled, not as a failed attempt: both say it ran before.
    const attempt = job.attemptsMade + job.stalledCounter + 1;
    opts.log(`job ${jobId}: ${task.type} "${task.nodeId}" of run ${task.runId} (attempt ${attempt})`);
    try {
      const result = await runNodeJob(
        {
          id: jobId,
          data,
          attempt,
          sendEvents: (batch) => job.updateProgress(batch as unknown as object),
          updateData: (data) => job.updateData(data),
        },
        {
          env,
          server,
          workerId: id,
          device: opts.device,
          signal: controller.signal,
          eventIntervalMs: 100,
          stateIntervalMs: 500,
          log: (m) => opts.log(`job ${jobId}: ${m}`),
        },
      );
      const t = result.type === 'result' ? result.timing : undefined;
      const timing = t ? ` (inputs ${t.inputMs} ms, execute ${t.executeMs} ms, outputs ${t.outputMs} ms)` : '';
      opts.log(`job ${jobId}: ${result.type}${timing}`);
      return result;
    } finally {
      clearInterval(poll);
      delete info.job;
      void heartbeat();
    }
  };

  // Each kind of device has its own queue: the server puts a job where a worker of a kind is free.
  const worker = new Worker(deviceQueueName(kind, opts.pool), processJob, {
    connection: redisOptions(opts.redisUrl),
    prefix: REDIS_PREFIX,
    concurrency: 1,
    lockDuration: opts.lockMs,
    stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
    maxStalledCount: 3,
  });
  worker.on('error', onRedisError);
  // The stalled-job check of the other kinds' queues: BullMQ runs it only in workers of a queue, and a job whose
  // worker died must go back to waiting (and then to a live kind: the server moves it) even when that worker was
  // the last of its kind.
  const watchers = DEVICE_KINDS.filter((k) => k !== kind).map(
    (k) =>
      new Worker(deviceQueueName(k, opts.pool), null, {
        connection: redisOptions(opts.redisUrl),
        prefix: REDIS_PREFIX,
        autorun: false,
        stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
        maxStalledCount: 3,
      }),
  );
  for (const w of watchers) {
    w.on('error', onRedisError);
    void w.startStalledCheckTimer();
  }
  await worker.waitUntilReady();
  return {
    id,
    queue: deviceQueueName(kind, opts.pool),
    async close() {
      clearInterval(beat);
      await Promise.all([worker.close(true), ...watchers.map((w) => w.close(true))]);
      await redis.del(workerKey(id)).catch(() => undefined);
      redis.disconnect();
    },
  };
}
