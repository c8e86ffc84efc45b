/**
 * The node definition API: a node type is a serializable schema plus an `execute` function.
 * Nodes know this file, the protocol types and the ML runtime; never the server or the editor.
 */
import type { NodeSchema, ParamValue } from '../protocol/schema';
import type { ArtifactRef, CheckpointEvent, JsonValue, Metrics, NodeOutputs, SampleEvent } from '../protocol/values';
import type { LogLevel } from '../protocol/messages';
import type { WorkflowFile } from '../protocol/workflow';

export type Params = Record<string, ParamValue>;
export type Inputs = Record<string, JsonValue | undefined>;

/** Why the path policy refused a path or a name (PathError.reason). */
export type PathRefusal =
  | 'empty'
  | 'nul'
  | 'too-long'
  | 'outside'
  | 'missing'
  | 'dangling-link'
  | 'link-loop'
  | 'not-a-file'
  | 'not-a-name'
  | 'unreadable';

/**
 * Resolves user-given paths against the folders the user allowed; refuses anything outside them. Every parameter
 * that becomes part of a path goes through it: whole paths through `resolve`, names joined into a path through
 * `name`, extensions through `extension`. Errors are PathErrors naming the parameter.
 */
export interface PathPolicy {
  /**
   * Returns the real path (links followed at every level) of `userPath`, or throws a PathError naming the parameter.
   * `read`: the path must exist. `write` and `check`: it may not exist yet; what exists of it must stay inside.
   * A dangling link or a looping link is refused with its own reason, whatever the access.
   */
  resolve(userPath: string, access: 'read' | 'write' | 'check', param?: string): string;
  /** Returns `value` when it is one safe path component (no separator, no `..`, no NUL, not too long); else throws. */
  name(value: string, param: string, what?: string): string;
  /** Returns the extension with its leading dot (`txt` → `.txt`) when it is one safe component; else throws. */
  extension(value: string, param: string): string;
  /** The allowed roots, as real paths. */
  readonly roots: readonly string[];
}

/** Content-addressed store of files produced by nodes (images, models, reports). */
export interface ArtifactStore {
  /** Stores bytes (deduplicated by sha256) and returns a reference that can go into outputs. */
  put(data: Uint8Array, mime: string, name: string, extra?: Record<string, JsonValue>): Promise<ArtifactRef>;
  /** Stores a file by moving or copying it into the store. */
  putFile(path: string, mime: string, name: string, extra?: Record<string, JsonValue>): Promise<ArtifactRef>;
  /** The absolute path of a stored artifact, to read it. Throws when it does not exist. */
  pathOf(ref: ArtifactRef | string): string;
  read(ref: ArtifactRef | string): Promise<Buffer>;
  has(ref: ArtifactRef | string): boolean;
}

export interface NodeContext {
  readonly runId: string;
  readonly nodeId: string;
  /** Aborted when the run is cancelled: stop at the next progress point and throw (see `throwIfAborted`). */
  readonly signal: AbortSignal;
  /** Where the node may write its own files for this execution (created on demand, persistent). */
  readonly workDir: string;
  /**
   * A persistent folder that outlives one execution, for state such as training checkpoints that a later
   * run resumes from. `key` is chosen by the node (e.g. a hash of the parameters that make a run resumable).
   */
  stateDir(key: string): string;
  /** Hash of this node's inputs' cache keys: with the params it identifies "the same job". */
  readonly inputsKey: string;
  readonly artifacts: ArtifactStore;
  readonly paths: PathPolicy;
  /** The device this node was scheduled on: 'cpu' or e.g. 'webgpu:0' / 'cuda:0'. */
  readonly device: string;
  /**
   * Reports progress; also a cancellation point (throws an AbortError when the run was cancelled). `label` names
   * the phase that value/max count ("caching latents"), shown on the node; without it, the node's main work.
   */
  progress(value: number, max: number, metrics?: Metrics, label?: string): void;
  /** Sends an image to the editor; may be dropped for slow clients. */
  preview(image: ArtifactRef, label?: string): void;
  /** Says that a checkpoint was written: a marker on the loss chart, stored with the run's metrics. */
  checkpoint(event: CheckpointEvent): void;
  /** Says that sample images were drawn at a step (stored artifacts), stored with the run's metrics. */
  sample(event: SampleEvent): void;
  log(level: LogLevel, message: string): void;
  /** A warning the user should see on the node (e.g. "only 8 images: a style LoRA needs at least 10"). */
  warn(message: string): void;
  /** The workflow being run, when the engine knows it (SaveCheckpoint embeds it in the files it writes). */
  readonly workflow?: WorkflowFile;
  /**
   * Where `<lora:name:w>` prompt tags look for a LoRA after `loras/` in the first allowed folder: loraflow's
   * <data>/loras, then the LoRA folder of each `--models` install (ComfyUI's models/loras, A1111's models/Lora).
   * Absolute; absent where the engine was given none.
   */
  readonly loraFolders?: readonly string[];
}

export interface FingerprintContext {
  readonly paths: PathPolicy;
  readonly nodeId: string;
  /** As NodeContext's. */
  readonly loraFolders?: readonly string[];
}

export interface NodeDefinition<P extends Params = Params> {
  schema: NodeSchema;
  /**
   * A digest of outside state the node reads (e.g. the files of a folder), so that editing them
   * invalidates the cache. Called before each run; must be cheap compared to execute.
   */
  fingerprint?(params: P, ctx: FingerprintContext): Promise<string> | string;
  /**
   * Whether a cached result still holds. A node whose result lives outside the cache (the file a save node wrote)
   * says no once that is gone, and runs again instead of reporting a file that is not there. Must be cheap.
   */
  cacheStillValid?(outputs: NodeOutputs): boolean;
  execute(inputs: Inputs, params: P, ctx: NodeContext): Promise<NodeOutputs>;
}

/** An error with a hint for the user; the executor shows both on the failed node. */
export class NodeUserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'NodeUserError';
  }
}

/** Identity helper that checks a definition against the API at compile time. */
export function defineNode<P extends Params>(def: NodeDefinition<P>): NodeDefinition<P> {
  return def;
}
