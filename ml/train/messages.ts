// Messages between the main thread and a training worker (a discriminated union on `type`).
import type { NamedParams, TrainConfig, StepReport } from './types';

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

export type TrainWorkerMessage =
  | { readonly type: 'started'; readonly step: number; readonly parameterCount: number }
  | { readonly type: 'progress'; readonly report: StepReport }
  | { readonly type: 'checkpoint'; readonly path: string; readonly step: number }
  | {
      readonly type: 'done';
      readonly step: number;
      readonly cancelled: boolean;
      readonly params: NamedParams;
      readonly ema?: NamedParams;
    }
  | { readonly type: 'error'; readonly message: string };
