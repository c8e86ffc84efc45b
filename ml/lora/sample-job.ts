/** Samples LoRA combinations in a worker thread, with progress and cancellation (the worker is terminated). */
import * as path from 'node:path';
import { spawnTsWorker } from '../runtime/spawn-worker';
import type { ComboJob, ComboWorkerMessage } from './sample-worker';

export type { ComboJob };

/** One [prompts, S, S, 3] image array per combination. */
export function sampleCombosInWorker(
  job: ComboJob,
  onStep?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<{ images: Uint8Array[]; imageSize: number; seconds: number }> {
  signal?.throwIfAborted();
  const worker = spawnTsWorker(path.join(__dirname, 'sample-worker.ts'), { job });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () => finish(() => reject(signal?.reason ?? new Error('sampling cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: ComboWorkerMessage) => {
      if (m.type === 'step') onStep?.(m.done, m.total);
      else if (m.type === 'done') finish(() => resolve({ images: m.images, imageSize: m.imageSize, seconds: m.seconds }));
      else finish(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`sampling worker exited with code ${code}`))));
  });
}
