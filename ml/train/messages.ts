// What the main thread asks a training worker to do, and its messages back (the one job protocol).
import type { JobMessage } from '../runtime/job-messages';
import type { NamedParams, TrainConfig } from './types';

/** What the main thread asks a worker to do (passed as workerData). */
export interface TrainJob {
  /** Absolute path of a module exporting `createTask(options)`. */
  readonly taskModule: string;
  readonly taskOptions?: unknown;
  readonly config: TrainConfig;
  /** Train until this many optimizer steps are done in total (a resumed run counts the checkpoint's steps). */
  readonly steps: number;
  /** Resume from this checkpoint file. */
  readonly resumeFrom?: string;
  /** Write a checkpoint here every `everySteps` steps and when training ends or is cancelled. */
  readonly checkpoint?: { readonly path: string; readonly everySteps?: number };
}

/** How a training job ends: the step reached, whether it was cancelled, and the weights (and their average). */
export interface TrainJobResult {
  readonly step: number;
  readonly cancelled: boolean;
  readonly params: NamedParams;
  readonly ema?: NamedParams;
}

/** A training worker's messages: the one job protocol (ml/runtime/job-messages.ts). */
export type TrainWorkerMessage = JobMessage<TrainJobResult>;
