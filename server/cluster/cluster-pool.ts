/**
 * The distributed worker pool, at the executor's NodeWorkerPool seam: device nodes (see runsOnWorker) become
 * BullMQ jobs on the device queue; every other node runs in this process through the local pool. The job's
 * events come back as BullMQ progress updates and its end as the job's return value (or, after BullMQ's own
 * retries, its failure). Completion is also polled, so that an event missed across a Redis or server restart
 * cannot leave a node waiting forever.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import IORedis from 'ioredis';
import type { WorkerInfo } from '../../protocol/api';
import { NodeUserError } from '../../nodes/api';
import type { NodeOutputs } from '../../protocol/values';
import { ABANDON_AFTER_MS, abortError, createLocalPool, settleAfterAbort } from '../engine/local-pool';
import type { EngineEnv, NodeTask, NodeTaskReport, NodeWorkerPool } from '../engine/types';
import {
  cancelKey,
  chooseDeviceKind,
  DEVICE_KINDS,
  deviceQueueName,
  planMoves,
  jobIdOf,
  REDIS_PREFIX,
  runsOnWorker,
  workerKey,
  type DeviceKind,
  type JobEventBatch,
  type JobResult,
  type NodeJobData,
} from './job-protocol';
import { redisOptions } from './redis-url';

export interface ClusterPool extends NodeWorkerPool {
  /** Live workers, as last seen (refreshed every second). */
  liveWorkers(): number;
  workers(): Promise<WorkerInfo[]>;
  /** Called when the number of live workers changes. */
  onCapacityChange(listener: () => void): void;
  /**
   * Lets go of the running jobs without cancelling them (the server is stopping; the workers go on and the
   * next server attaches to their jobs again). Their nodes' promises reject as cancelled.
   */
  detach(): void;
  close(): Promise<void>;
}

export interface ClusterPoolOptions {
  env: EngineEnv;
  redisUrl: string;
  pool?: string;
  log(message: string): void;
}

interface InFlight {
  task: NodeTask;
  report: NodeTaskReport;
  resolve(outputs: NodeOutputs): void;
  reject(e: Error): void;
  lastSeq: Map<string, number>;
  /** Set once the job is in Redis: before that, not finding it means nothing. */
  submitted: boolean;
  /** The device kind whose queue holds the job. */
  kind: DeviceKind;
  cancelled: boolean;
}

/** A failure the workers reported after BullMQ's retries: shown on the node as it came. */
class WorkerJobError extends Error {
  override name = 'WorkerJobError';
}

const POLL_MS = 2000;
const JOB_ATTEMPTS = 3;

/** Creates the pool; Redis is connected lazily and reconnected after a restart. */
export function createClusterPool(opts: ClusterPoolOptions): ClusterPool {
  const local = createLocalPool(opts.env);
  const connection = redisOptions(opts.redisUrl);
  const queues = new Map(
    DEVICE_KINDS.map((k) => [k, new Queue(deviceQueueName(k, opts.pool), { connection, prefix: REDIS_PREFIX })]),
  );
  const queueOf = (kind: DeviceKind): Queue => queues.get(kind)!;
  const allEvents = DEVICE_KINDS.map(
    (k) => new QueueEvents(deviceQueueName(k, opts.pool), { connection, prefix: REDIS_PREFIX }),
  );
  const redis = new IORedis(connection);
  const inFlight = new Map<string, InFlight>();
  const capacityListeners: (() => void)[] = [];
  let detached = false;
  let live = 0;
  let lastError = 0;
  const onError = (e: Error) => {
    if (Date.now() - lastError > 5000) opts.log(`redis: ${e.message} (retrying)`);
    lastError = Date.now();
  };
  for (const q of queues.values()) q.on('error', onError);
  for (const e of allEvents) e.on('error', onError);
  redis.on('error', onError);

  const settle = (jobId: string, job: Job | undefined, state: string) => {
    const f = inFlight.get(jobId);
    if (!f) return;
    if (state === 'completed') {
      inFlight.delete(jobId);
      const r = job?.returnvalue as JobResult | undefined;
      if (!r) return f.reject(new Error(`the job of node "${f.task.nodeId}" ended without a result`));
      if (r.type === 'result') return f.resolve(r.outputs);
      if (r.type === 'cancelled') return f.reject(abortError());
      // The worker refused the input: the same error, with its hint and parameter, as if it had run here.
      return f.reject(new NodeUserError(r.error.message, r.error.hint, r.error.param));
    }
    if (state === 'failed') {
      inFlight.delete(jobId);
      f.reject(new WorkerJobError(`on a worker, after ${JOB_ATTEMPTS} attempts: ${job?.failedReason ?? 'failed'}`));
    }
  };
  const check = async (jobId: string) => {
    const f = inFlight.get(jobId);
    if (!f?.submitted) return;
    // The state first, then the job: a job read while it ran has no return value even once its state says done.
    const queue = queueOf(f.kind);
    const state = await queue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') return settle(jobId, await queue.getJob(jobId), state);
    if (state !== 'unknown') return;
    if (f.cancelled) {
      inFlight.delete(jobId);
      return f.reject(abortError()); // taken out of the queue before a worker took it
    }
    // Gone from Redis without a result (a Redis that lost its data): queue it again.
    opts.log(`the job of node "${f.task.nodeId}" (run ${f.task.runId}) vanished from Redis: queued again`);
    f.submitted = false;
    await submit(f.task, jobId);
  };
  for (const events of allEvents) {
    events.on('progress', ({ jobId, data }) => {
      const f = inFlight.get(jobId);
      const batch = data as unknown as JobEventBatch;
      if (!f || !batch || !Array.isArray(batch.events)) return;
      const stream = `${batch.worker}/${batch.attempt}`;
      if ((f.lastSeq.get(stream) ?? 0) >= batch.seq) return;
      f.lastSeq.set(stream, batch.seq);
      for (const e of batch.events) f.report(e);
    });
    events.on('completed', ({ jobId }) => void check(jobId).catch(onError));
    events.on('failed', ({ jobId }) => void check(jobId).catch(onError));
  }
  const poll = setInterval(() => {
    for (const jobId of inFlight.keys()) void check(jobId).catch(onError);
    void countWorkers()
      .then(() => rehome())
      .catch(onError);
  }, POLL_MS);

  const scanWorkers = async (): Promise<WorkerInfo[]> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', workerKey('*'), 'COUNT', 200);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await redis.mget(...keys);
    return values
      .filter((v): v is string => v !== null)
      .map((v) => JSON.parse(v) as WorkerInfo)
      .sort((a, b) => a.startedAt - b.startedAt);
  };
  // This pool's live workers as last scanned: where new jobs go, and where waiting ones move.
  let poolWorkers: WorkerInfo[] = [];
  const countWorkers = async () => {
    poolWorkers = (await scanWorkers()).filter((w) => w.pool === opts.pool);
    const n = poolWorkers.length;
    if (n !== live) {
      live = n;
      for (const l of capacityListeners) l();
    }
  };
  const fastCount = setInterval(() => void countWorkers().catch(onError), 1000);
  void countWorkers().catch(onError);

  const submitted = (jobId: string) => {
    const f = inFlight.get(jobId);
    if (f) f.submitted = true;
    // Cancelled while it was being added: cancel it now that it is there.
    return f?.cancelled ? cancel(jobId) : check(jobId);
  };
  /** The job with this id in any kind's queue (a restarted server attaches to it), and that kind. */
  const findJob = async (jobId: string): Promise<{ kind: DeviceKind; job: Job } | undefined> => {
    for (const kind of DEVICE_KINDS) {
      const job = await queueOf(kind).getJob(jobId);
      if (job) return { kind, job };
    }
    return undefined;
  };
  const setKind = (jobId: string, kind: DeviceKind) => {
    const f = inFlight.get(jobId);
    if (f) f.kind = kind;
  };
  const submit = async (task: NodeTask, jobId: string): Promise<void> => {
    const found = await findJob(jobId);
    const existing = found?.job;
    if (found) setKind(jobId, found.kind);
    if (existing) {
      const state = await existing.getState();
      // A job still queued or running is this same execution (the server restarted): attach to it.
      if (state !== 'completed' && state !== 'failed') return submitted(jobId);
      if (state === 'completed' && (existing.returnvalue as JobResult | undefined)?.type === 'result')
        return submitted(jobId);
      await existing.remove(); // an earlier attempt failed or was cancelled: run it afresh
    }
    await redis.del(cancelKey(jobId));
    const kind = chooseDeviceKind(poolWorkers);
    setKind(jobId, kind);
    await addJob(kind, task.type, { task: { ...task, device: 'worker' } }, jobId);
    return submitted(jobId);
  };
  const addJob = (kind: DeviceKind, type: string, data: NodeJobData, jobId: string) =>
    queueOf(kind).add(type, data, {
      jobId,
      attempts: JOB_ATTEMPTS,
      backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 24 * 3600 },
    });

  /**
   * Moves jobs that wait in one kind's queue to another's when that one has an idle worker to spare, or when no
   * worker of their kind is left (planMoves). A job a worker takes meanwhile stays where it is: removing a locked
   * job fails.
   */
  let rehoming = false;
  const rehome = async () => {
    if (rehoming || detached) return;
    rehoming = true;
    try {
      const waiting: { id: string; kind: DeviceKind; job: Job }[] = [];
      for (const [id, f] of inFlight) {
        if (!f.submitted || f.cancelled) continue;
        const job = await queueOf(f.kind).getJob(id);
        if (job && ['waiting', 'prioritized'].includes(await job.getState())) waiting.push({ id, kind: f.kind, job });
      }
      for (const [id, to] of planMoves(waiting, poolWorkers)) {
        const w = waiting.find((j) => j.id === id)!;
        const moved = await w.job.remove().then(
          () => true,
          () => false,
        );
        if (!moved || !inFlight.has(id)) continue;
        setKind(id, to);
        await addJob(to, w.job.name, w.job.data as NodeJobData, id);
        const { task } = w.job.data as NodeJobData;
        opts.log(`the job of node "${task.nodeId}" (run ${task.runId}) moved from the ${w.kind} to the ${to} queue`);
      }
    } finally {
      rehoming = false;
    }
  };

  const cancel = async (jobId: string): Promise<void> => {
    const f = inFlight.get(jobId);
    if (f) f.cancelled = true;
    await redis.set(cancelKey(jobId), '1', 'EX', 3600);
    const job = f ? await queueOf(f.kind).getJob(jobId) : (await findJob(jobId))?.job;
    // A job no worker has taken yet is simply taken out; a running one stops when its worker sees the key.
    if (job && ['waiting', 'delayed', 'prioritized'].includes(await job.getState())) {
      await job.remove().catch(() => undefined);
      await check(jobId);
    }
  };

  return {
    run(task, report, signal) {
      const def = opts.env.registry.get(task.type);
      if (!def || !runsOnWorker(task.type, def.schema.resource)) return local.run(task, report, signal);
      if (signal.aborted || detached) return Promise.reject(abortError());
      const jobId = jobIdOf(task);
      const remote = new Promise<NodeOutputs>((resolve, reject) => {
        const onAbort = () => {
          if (detached) {
            inFlight.delete(jobId);
            return reject(abortError());
          }
          void cancel(jobId).catch(onError);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const done = () => signal.removeEventListener('abort', onAbort);
        inFlight.set(jobId, {
          task,
          report,
          lastSeq: new Map(),
          submitted: false,
          cancelled: false,
          kind: 'cpu',
          resolve: (out) => (done(), resolve(out)),
          reject: (e) => (done(), reject(e)),
        });
        submit(task, jobId).catch((e: unknown) => inFlight.get(jobId)?.reject(e as Error));
      });
      // A cancelled job whose worker never answers (it died, and no other worker is left) still ends the node.
      return settleAfterAbort(remote, signal, ABANDON_AFTER_MS);
    },
    liveWorkers: () => live,
    workers: scanWorkers,
    onCapacityChange: (l) => void capacityListeners.push(l),
    detach() {
      detached = true;
      // Cancelled ones wait for their worker's answer, which a stopping server will not hear: they end here.
      for (const [jobId, f] of inFlight) {
        if (!f.cancelled) continue;
        inFlight.delete(jobId);
        f.reject(abortError());
      }
    },
    async close() {
      clearInterval(poll);
      clearInterval(fastCount);
      await Promise.allSettled([...[...queues.values()].map((q) => q.close()), ...allEvents.map((e) => e.close())]);
      redis.disconnect();
    },
  };
}
