/**
 * Everything the server pushes over the WebSocket `/ws`: one discriminated union on `type`.
 * Clients switch on `type` with `assertNever` so that a new message kind fails to compile where unhandled.
 */
import type { WorkflowFile } from './workflow';
import type { ArtifactRef, CheckpointEvent, Metrics, NodeOutputs, SampleEvent } from './values';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type NodeStatus = 'pending' | 'queued' | 'running' | 'cached' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

export interface NodeProgress {
  value: number;
  max: number;
  metrics?: Metrics;
  /** What the node is doing, when it says ("caching latents", "building training graph"): value/max count it. */
  label?: string;
  /** Seconds left, estimated by the server from the progress rate. */
  etaSeconds?: number;
  /** Units (steps, images...) per second, estimated by the server. */
  rate?: number;
}

/** The latest known state of one node of one run; what a (re)connecting client receives. */
export interface NodeState {
  nodeId: string;
  status: NodeStatus;
  progress?: NodeProgress;
  outputs?: NodeOutputs;
  error?: NodeError;
  lastPreview?: ArtifactRef;
  startedAt?: number;
  finishedAt?: number;
}

export interface NodeError {
  message: string;
  /** What the user can do about it, where known. */
  hint?: string;
  /** The parameter or input the error is about, if any. */
  param?: string;
}

export interface RunSummary {
  id: string;
  status: RunStatus;
  name: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  /** Position in the queue (0 = next), for queued runs. */
  queuePosition?: number;
}

export interface RunDetail extends RunSummary {
  workflow: WorkflowFile;
  nodes: Record<string, NodeState>;
}

export type ServerMessage =
  | { type: 'snapshot'; queue: RunSummary[]; running: RunDetail[] }
  | { type: 'run.queued'; run: RunSummary }
  | { type: 'run.started'; run: RunSummary }
  | { type: 'run.finished'; run: RunSummary }
  | { type: 'run.failed'; run: RunSummary; error: string }
  | { type: 'run.cancelled'; run: RunSummary }
  | { type: 'queue.changed'; queue: RunSummary[] }
  | { type: 'node.started'; runId: string; nodeId: string; at: number }
  | { type: 'node.progress'; runId: string; nodeId: string; progress: NodeProgress }
  | { type: 'node.preview'; runId: string; nodeId: string; image: ArtifactRef; label?: string }
  /** One step's metrics (loss, val_loss, lr...): sent for every step, unlike the throttled progress. */
  | { type: 'node.metrics'; runId: string; nodeId: string; step: number; metrics: Metrics }
  /** A training node wrote a checkpoint (never dropped: the chart's markers come from these). */
  | { type: 'node.checkpoint'; runId: string; nodeId: string; checkpoint: CheckpointEvent; at: number }
  /** A training node drew sample images at a step (never dropped). */
  | { type: 'node.sample'; runId: string; nodeId: string; sample: SampleEvent; at: number }
  | { type: 'node.log'; runId: string; nodeId: string; level: LogLevel; message: string; at: number }
  | { type: 'node.cached'; runId: string; nodeId: string; outputs: NodeOutputs }
  | { type: 'node.finished'; runId: string; nodeId: string; outputs: NodeOutputs; at: number }
  | { type: 'node.failed'; runId: string; nodeId: string; error: NodeError; at: number }
  /** The node was stopped because its run was cancelled. */
  | { type: 'node.cancelled'; runId: string; nodeId: string; at: number }
  /** The node was not run because something it depends on failed or was cancelled. */
  | { type: 'node.skipped'; runId: string; nodeId: string; reason: string };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Messages whose loss is acceptable when a client is slow (the latest state is always kept). */
export const DROPPABLE_MESSAGES: ReadonlySet<ServerMessage['type']> = new Set([
  'node.preview',
  'node.progress',
  'node.log',
  'node.metrics',
]);

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
