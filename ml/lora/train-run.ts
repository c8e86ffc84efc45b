/** Runs a LoRA training job in a worker thread (session.run blocks its thread), relaying its messages. */
import * as path from 'node:path';
import { spawnTsWorker } from '../runtime/spawn-worker';
import type { LoraTrainJob, LoraWorkerMessage } from './job';

export type LoraEvent = Exclude<LoraWorkerMessage, { type: 'done' } | { type: 'error' }>;

/** Trains until `job.steps` or until `signal` aborts (the worker then checkpoints and stops after its current run). */
export function trainLoraInWorker(job: LoraTrainJob, onEvent: (e: LoraEvent) => void, signal?: AbortSignal): Promise<{ step: number; cancelled: boolean }> {
  const cancelFlag = new SharedArrayBuffer(4);
  const worker = spawnTsWorker(path.join(__dirname, 'train-worker.ts'), { job, cancelFlag });
  const onAbort = (): void => void Atomics.store(new Int32Array(cancelFlag), 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      f();
    };
    worker.on('message', (m: LoraWorkerMessage) => {
      if (m.type === 'done') finish(() => resolve({ step: m.step, cancelled: m.cancelled }));
      else if (m.type === 'error') finish(() => reject(new Error(m.message)));
      else {
        try {
          onEvent(m);
        } catch {
          // a listener's failure (e.g. a cancelled progress report) must not kill the relay
        }
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`LoRA training worker exited (code ${code}) before finishing`))));
  });
}
