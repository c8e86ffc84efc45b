/**
 * The one job protocol between the server and a worker that runs a node elsewhere. A job carries a NodeTask;
 * the worker streams JobEvents back (batched, as BullMQ job progress) and ends with a JobResult (the job's
 * return value). Errors caused by the input come back as a result, so that BullMQ does not retry them; only
 * failures of the machine (a crash, a lost connection) make BullMQ try the job again, on any worker.
 */
import { createHash } from 'node:crypto';
import type { NodeError } from '../../protocol/messages';
import type { NodeOutputs } from '../../protocol/values';
import type { NodeTask, NodeTaskEvent } from '../engine/types';

import type { WorkerInfo } from '../../protocol/api';

export type { WorkerInfo };

/** What a node reports while it runs on a worker: the engine's own event union, unchanged. */
export type JobEvent = NodeTaskEvent;

/** How a job ends (the BullMQ return value). */
export type JobResult =
  | { type: 'result'; outputs: NodeOutputs; timing?: JobTiming }
  | { type: 'error'; error: NodeError }
  | { type: 'cancelled' };

/** Where a worker's time on a job went: fetching inputs and state, the node itself, uploading its outputs. */
export interface JobTiming {
  inputMs: number;
  executeMs: number;
  outputMs: number;
}

/** Every message of a node job: one union for the events and the end. */
export type JobMessage = JobEvent | JobResult;

/** One BullMQ progress update: the events since the last one, numbered so that a repeat can be dropped. */
export interface JobEventBatch {
  worker: string;
  attempt: number;
  seq: number;
  events: JobEvent[];
}

/** The data of a BullMQ job. `stateKeys` lists the state folders a worker has uploaded ("Type/key"). */
export interface NodeJobData {
  task: NodeTask;
  stateKeys?: string[];
}

/** Prefix of every loraflow key in Redis (BullMQ's queues and our own keys). */
export const REDIS_PREFIX = 'loraflow';

/** The kinds of device a worker runs its jobs on; each has its own queue. In the order jobs prefer them. */
export const DEVICE_KINDS = ['cuda', 'webgpu', 'cpu'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** The kind of a device name ('cuda:1' is cuda); undefined for a name that is none of them. */
export function deviceKindOf(device: string): DeviceKind | undefined {
  const kind = device.split(':')[0];
  return DEVICE_KINDS.find((k) => k === kind);
}

/** The BullMQ queue of one device kind: for every worker of that kind, or for those of a named pool. */
export function deviceQueueName(kind: DeviceKind, pool?: string): string {
  return pool ? `device-${pool}-${kind}` : `device-${kind}`;
}

/** How many workers of each kind there are, and how many of them are idle. */
function countKinds(workers: readonly Pick<WorkerInfo, 'device' | 'job'>[]) {
  const live = new Map<DeviceKind, number>();
  const idle = new Map<DeviceKind, number>();
  for (const w of workers) {
    const kind = deviceKindOf(w.device);
    if (!kind) continue;
    live.set(kind, (live.get(kind) ?? 0) + 1);
    if (!w.job) idle.set(kind, (idle.get(kind) ?? 0) + 1);
  }
  return { live, idle };
}

/**
 * The device kind a new job is queued for, given the live workers of its pool: the first kind (cuda, webgpu, cpu)
 * with an idle worker, else the first with any worker, else cpu (it waits there; planMoves moves it once workers
 * come).
 */
export function chooseDeviceKind(workers: readonly Pick<WorkerInfo, 'device' | 'job'>[]): DeviceKind {
  const { live, idle } = countKinds(workers);
  return DEVICE_KINDS.find((k) => idle.has(k)) ?? DEVICE_KINDS.find((k) => live.has(k)) ?? 'cpu';
}

/**
 * Which waiting jobs to move to another kind's queue, and where: a job that its own queue's idle workers will not
 * take goes to a kind with an idle worker to spare (in preference order); a job in the queue of a kind with no
 * live worker goes to the first kind that has one. `waiting` is in queue order.
 */
export function planMoves(
  waiting: readonly { id: string; kind: DeviceKind }[],
  workers: readonly Pick<WorkerInfo, 'device' | 'job'>[],
): Map<string, DeviceKind> {
  const { live, idle } = countKinds(workers);
  const spare = new Map(DEVICE_KINDS.map((k) => [k, idle.get(k) ?? 0]));
  const stuck: { id: string; kind: DeviceKind }[] = [];
  for (const job of waiting) {
    const left = spare.get(job.kind) ?? 0;
    if (left > 0) spare.set(job.kind, left - 1);
    else stuck.push(job);
  }
  const moves = new Map<string, DeviceKind>();
  for (const job of stuck) {
    const to = DEVICE_KINDS.find((k) => (spare.get(k) ?? 0) > 0);
    if (to) {
      spare.set(to, (spare.get(to) ?? 0) - 1);
      moves.set(job.id, to);
    } else if (!live.has(job.kind)) {
      const alive = DEVICE_KINDS.find((k) => live.has(k));
      if (alive) moves.set(job.id, alive);
    }
  }
  return moves;
}

/** The key a cancelled job's worker polls. */
export const cancelKey = (jobId: string): string => `${REDIS_PREFIX}:cancel:${jobId}`;

/** The key a live worker refreshes with its heartbeat (it expires when the worker dies). */
export const workerKey = (id: string): string => `${REDIS_PREFIX}:worker:${id}`;

/**
 * The job id of a node execution: the same run, node and cache key give the same id, so that a restarted
 * server that plans the node again attaches to the job a worker is still running instead of adding another.
 */
export function jobIdOf(task: Pick<NodeTask, 'runId' | 'nodeId' | 'cacheKey'>): string {
  return createHash('sha256').update(`${task.runId}\0${task.nodeId}\0${task.cacheKey}`).digest('hex').slice(0, 32);
}

/** Node types that run on a worker: every 'gpu' node, and sampling (heavy, and on the GPU where there is one). */
const DEVICE_TYPES = new Set(['Sample']);

/** Whether a node of this type and resource runs on a worker when the server has workers. */
export function runsOnWorker(type: string, resource: 'cpu' | 'gpu'): boolean {
  return resource === 'gpu' || DEVICE_TYPES.has(type);
}
