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

export type { WorkerInfo } from '../../protocol/api';

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

/** The BullMQ queue device nodes go to: one for every worker, or one per named pool. */
export function deviceQueueName(pool?: string): string {
  return pool ? `device-${pool}` : 'device';
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
