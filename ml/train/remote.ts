// Training off the main thread: session.run blocks its thread, so the server and editor stay responsive.
import * as path from 'node:path';
import { runWorkerJob } from '../runtime/worker-job';
import type { TrainJob, TrainWorkerMessage } from './messages';
import type { NamedParams, StepReport } from './types';

export interface TrainResult {
  readonly step: number;
  readonly cancelled: boolean;
  readonly params: NamedParams;
  /** The moving average of the parameters, when the config asked for one. */
  readonly ema?: NamedParams;
}

export interface TrainCallbacks {
  onStarted?(info: { step: number; parameterCount: number }): void;
  onProgress?(report: StepReport): void;
  onCheckpoint?(info: { path: string; step: number }): void;
}

export interface TrainHandle {
  /** Stops after the current run (a run is stepsPerRun steps); `done` then resolves with cancelled: true. */
  cancel(): void;
  readonly done: Promise<TrainResult>;
}

/** Starts training `job` in a worker thread; progress arrives through the callbacks. */
export function trainInWorker(job: TrainJob, cb: TrainCallbacks = {}): TrainHandle {
  const { result, cancel } = runWorkerJob<TrainWorkerMessage, TrainResult>(
    path.join(__dirname, 'worker.ts'),
    { job },
    (m) => {
      switch (m.type) {
        case 'started':
          return void cb.onStarted?.({ step: m.step, parameterCount: m.parameterCount });
        case 'progress':
          return void cb.onProgress?.(m.report);
        case 'checkpoint':
          return void cb.onCheckpoint?.({ path: m.path, step: m.step });
        case 'done':
          return { result: { step: m.step, cancelled: m.cancelled, params: m.params, ema: m.ema } };
        case 'error':
          return { error: new Error(`training failed: ${m.message}`) };
        default:
          return assertNever(m);
      }
    },
  );
  return { cancel, done: result };
}

function assertNever(x: never): never {
  throw new Error(`unexpected worker message ${JSON.stringify(x)}`);
}
