// Training off the main thread: session.run blocks its thread, so the server and editor stay responsive.
import * as path from 'node:path';
import { runJob } from '../runtime/job-messages';
import type { TrainJob, TrainJobResult } from './messages';
import type { StepReport } from './types';

/** How training ended; `ema` is the moving average of the parameters, when the config asked for one. */
export type TrainResult = TrainJobResult;

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
  const { result, cancel } = runJob<TrainJobResult>(path.join(__dirname, 'worker.ts'), { job }, (e) => {
    switch (e.type) {
      case 'started':
        return cb.onStarted?.({ step: e.step, parameterCount: e.parameterCount ?? 0 });
      case 'progress':
        return e.report && cb.onProgress?.(e.report);
      case 'checkpoint':
        return cb.onCheckpoint?.({ path: e.path, step: e.step });
      case 'metrics':
      case 'samples':
      case 'log':
        return; // the generic trainer measures nothing else and draws no samples
      default:
        return assertNever(e);
    }
  });
  return { cancel, done: result.catch((e: Error) => Promise.reject(new Error(`training failed: ${e.message}`))) };
}

function assertNever(x: never): never {
  throw new Error(`unexpected worker message ${JSON.stringify(x)}`);
}
