// Training off the main thread: session.run blocks its thread, so the server and editor stay responsive.
import * as path from 'node:path';
import { spawnTsWorker } from '../runtime/spawn-worker';
import type { TrainJob, TrainWorkerMessage } from './messages';
import type { StepReport } from './types';

export interface TrainResult {
  readonly step: number;
  readonly cancelled: boolean;
  readonly params: Record<string, { shape: readonly number[]; data: Float32Array }>;
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
  const cancelFlag = new SharedArrayBuffer(4);
  const worker = spawnTsWorker(path.join(__dirname, 'worker.ts'), { job, cancelFlag });
  const done = new Promise<TrainResult>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: TrainWorkerMessage) => {
      switch (m.type) {
        case 'started': cb.onStarted?.({ step: m.step, parameterCount: m.parameterCount }); break;
        case 'progress': cb.onProgress?.(m.report); break;
        case 'checkpoint': cb.onCheckpoint?.({ path: m.path, step: m.step }); break;
        case 'done': finish(() => resolve({ step: m.step, cancelled: m.cancelled, params: m.params })); break;
        case 'error': finish(() => reject(new Error(`training failed: ${m.message}`))); break;
        default: assertNever(m);
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`training worker exited (code ${code}) before finishing`))));
  });
  return { cancel: () => Atomics.store(new Int32Array(cancelFlag), 0, 1), done };
}

function assertNever(x: never): never {
  throw new Error(`unexpected worker message ${JSON.stringify(x)}`);
}
