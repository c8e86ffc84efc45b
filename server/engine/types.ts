/**
 * The contract between the executor (server/engine) and what drives it (the run queue in server/, used by
 * both `loraflow serve` and the in-process `loraflow run`). The executor knows nothing of HTTP or SQLite.
 */
import type { WorkflowFile } from '../../protocol/workflow';
import type { NodeOutputs, ArtifactRef, CheckpointEvent, Metrics, SampleEvent } from '../../protocol/values';
import type { NodeError, LogLevel, NodeProgress } from '../../protocol/messages';
import type { ArtifactStore, NodeDefinition, PathPolicy, Params, Inputs } from '../../nodes/api';
import type { NodeSchema } from '../../protocol/schema';
import type { Slots } from './slots';

/** Events the executor reports while running one workflow. The queue turns them into ServerMessages. */
export type ExecutorEvent =
  | { type: 'node.started'; nodeId: string; at: number; cacheKey: string }
  | { type: 'node.progress'; nodeId: string; progress: NodeProgress }
  | { type: 'node.preview'; nodeId: string; image: ArtifactRef; label?: string }
  | { type: 'node.log'; nodeId: string; level: LogLevel; message: string; at: number }
  | { type: 'node.metrics'; nodeId: string; step: number; metrics: Metrics; at: number }
  | { type: 'node.checkpoint'; nodeId: string; checkpoint: CheckpointEvent; at: number }
  | { type: 'node.sample'; nodeId: string; sample: SampleEvent; at: number }
  | { type: 'node.cached'; nodeId: string; outputs: NodeOutputs; cacheKey: string }
  | { type: 'node.finished'; nodeId: string; outputs: NodeOutputs; at: number; cacheKey: string }
  | { type: 'node.failed'; nodeId: string; error: NodeError; at: number }
  | { type: 'node.cancelled'; nodeId: string; at: number }
  /** A node not run because something it depends on failed or was cancelled. */
  | { type: 'node.skipped'; nodeId: string; reason: string };

export type RunOutcome = 'succeeded' | 'failed' | 'cancelled';

/** A line a node logged computing a cached result: a cache hit shows it again (skipped files, a loss diagnosis). */
export interface CachedLogLine {
  level: 'info' | 'warn';
  message: string;
}

/** Persistent cache of finished nodes' outputs, keyed by cache key. The server backs it with SQLite. */
export interface CacheStore {
  get(cacheKey: string): NodeOutputs | undefined;
  /** Stores a result with the info and warning lines the node logged computing it. */
  put(cacheKey: string, nodeType: string, outputs: NodeOutputs, log?: readonly CachedLogLine[]): void;
  /** The lines stored with a result (none when it logged none or is not cached). */
  log(cacheKey: string): readonly CachedLogLine[];
}

export interface NodeRegistry {
  get(type: string): NodeDefinition | undefined;
  schemas(): NodeSchema[];
}

/** One node ready to run: everything a worker needs, all of it serializable but the signal. */
export interface NodeTask {
  runId: string;
  nodeId: string;
  type: string;
  params: Params;
  inputs: Inputs;
  cacheKey: string;
  inputsKey: string;
  device: string;
  /** The workflow the node belongs to (given to nodes as ctx.workflow). */
  workflow?: WorkflowFile;
}

/**
 * What a running node reports, wherever it runs (in this process or on a worker elsewhere): one union on `type`,
 * handed to the executor as it is by the local pool and carried in batches through the job queue by the cluster's.
 */
export type NodeTaskEvent =
  | { type: 'progress'; value: number; max: number; metrics?: Metrics; label?: string }
  | { type: 'preview'; image: ArtifactRef; label?: string }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'checkpoint'; checkpoint: CheckpointEvent }
  | { type: 'sample'; sample: SampleEvent };

/** Receives the events of one running node. */
export type NodeTaskReport = (event: NodeTaskEvent) => void;

/**
 * The seam where a run's nodes are handed to workers. The local pool runs them in this process;
 * the cluster pool (server/cluster) sends NodeTasks through a job queue to workers and relays their events.
 */
export interface NodeWorkerPool {
  run(task: NodeTask, report: NodeTaskReport, signal: AbortSignal): Promise<NodeOutputs>;
}

export interface EngineEnv {
  registry: NodeRegistry;
  cache: CacheStore;
  artifacts: ArtifactStore;
  paths: PathPolicy;
  /** Root folder for nodes' work and state folders (under the data folder). */
  workRoot: string;
  /** The LoRA folders of the model folders, for `<lora:name:w>` tags (NodeContext.loraFolders); default none. */
  loraFolders?: readonly string[];
  /** Number of CPU slots (default: cores) and the GPU devices (default: none; gpu nodes then share one 'cpu' training slot). */
  cpuSlots: number;
  gpuDevices: string[];
  /** Slots shared by every run of this process (a server running several runs at once); default: one set per run. */
  slots?: Slots;
}

export interface ExecuteOptions {
  runId: string;
  workflow: WorkflowFile;
  /** Run only these nodes and what they depend on; default: every node. */
  targets?: string[];
  signal: AbortSignal;
  onEvent(event: ExecutorEvent): void;
}
