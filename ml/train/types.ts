// What a training task provides (model + data) and how training is configured.
import type { GraphBuilder, Tensor, DType, Shape } from '../graph';
import type { OptimizerConfig, ScheduleConfig } from '../optim';
import type { ProviderName } from '../runtime/providers';
import type { CounterRng } from './rng';

/** Initial value of one trainable parameter. */
export interface ParamInit {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Parameters by name (a trainer's export, a checkpoint's content, a worker's result). */
export type NamedParams = Record<string, ParamInit>;

/** Typed array for one batch input of the given dtype. */
export type BatchArray = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/**
 * A model and its data, seen by the trainer. The trainer packs the parameters into one flat tensor, calls
 * `buildLoss` inside the step graph (inside an ONNX Loop body when several steps run per call), differentiates the
 * loss with respect to the packed parameters, and appends the optimizer update.
 */
export interface TrainTask {
  /** Trainable parameters with their initial values; draw randomness from `rng` only (determinism). */
  initParams(rng: CounterRng): Record<string, ParamInit>;
  /** One step's batch inputs: name -> dtype and shape (without the step axis). */
  readonly batchSpec: Readonly<Record<string, { readonly dtype: DType; readonly shape: Shape }>>;
  /** Builds the scalar float32 loss from parameters and one batch. Frozen weights: `g.initializer(...)`. */
  buildLoss(g: GraphBuilder, params: Record<string, Tensor>, batch: Record<string, Tensor>): Tensor;
  /**
   * Gradient checkpointing: the scopes (see `g.scope`) whose activations the backward pass recomputes, read from
   * the graph once `buildLoss` has built it. Absent: every activation is kept.
   */
  recompute?(g: GraphBuilder): readonly string[];
  /** The batch for 0-based optimizer step `step`; draw data order and noise from `rng` only. */
  nextBatch(rng: CounterRng, step: number): Record<string, BatchArray>;
}

/** A module a training worker loads by path: it exports `createTask(options)`. */
export interface TrainTaskModule {
  createTask(options: unknown): TrainTask | Promise<TrainTask>;
}

/** Serializable training configuration (stored in checkpoints). */
export interface TrainConfig {
  readonly seed: number;
  readonly optimizer: OptimizerConfig;
  readonly schedule: ScheduleConfig;
  /** Clip gradients to this global norm; 0 or absent: no clipping. */
  readonly clipNorm?: number;
  /** Optimizer steps per session.run (an ONNX Loop when > 1). Default 1. */
  readonly stepsPerRun?: number;
  readonly provider?: ProviderName;
  /** Intra-op threads (default: onnxruntime's choice, all cores). */
  readonly threads?: number;
  /**
   * Keep an exponential moving average of the parameters with this per-step decay (e.g. 0.999): a diffusion
   * model's averaged weights sample much cleaner than its last ones. Absent: no average.
   */
  readonly ema?: number;
}

/** What one session.run reports: losses, learning rates and gradient norms of each step it ran. */
export interface StepReport {
  /** Optimizer steps completed after this run. */
  readonly step: number;
  readonly losses: number[];
  readonly lrs: number[];
  readonly gradNorms: number[];
  /** Steps per second measured over this run. */
  readonly stepsPerSecond: number;
}
