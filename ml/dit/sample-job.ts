/** Runs a sampling job in a worker thread, with per-step progress and cancellation (the worker is terminated). */
import * as path from 'node:path';
import { spawnTsWorker } from '../runtime/spawn-worker';
import type { SampleJob, SampleWorkerMessage } from './sample-worker';

export interface SampleResult {
  /** One [prompts, size, size, 3] RGB array per LoRA combination of the job (one for the base model alone). */
  images: Uint8Array[];
  imageSize: number;
  seconds: number;
}

/** Samples in a worker; `onStep` gets progress and, every `job.previewEvery` steps, the current images. */
export function sampleInWorker(
  job: SampleJob,
  onStep?: (done: number, total: number, preview?: Uint8Array) => void,
  signal?: AbortSignal,
): Promise<SampleResult> {
  signal?.throwIfAborted();
  const combos = Math.max(1, job.loras?.length ?? 0);
  const worker = spawnTsWorker(path.join(__dirname, 'sample-worker.ts'), { job });
  return new Promise<SampleResult>((resolve, reject) => {
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
    worker.on('message', (m: SampleWorkerMessage) => {
      if (m.type === 'step') {
        try {
          onStep?.(m.done, m.total, m.preview);
        } catch (e) {
          // A throwing callback (e.g. a cancelled run's progress) ends the job instead of escaping the event loop.
          finish(() => reject(e));
        }
      }
      else if (m.type === 'done') finish(() => resolve({ images: split(m.images, combos), imageSize: m.imageSize, seconds: m.seconds }));
      else finish(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`sampling worker exited with code ${code}`))));
  });
}

/** `n` equal consecutive views of `all`. */
function split(all: Uint8Array, n: number): Uint8Array[] {
  const size = all.length / n;
  return Array.from({ length: n }, (_, i) => all.subarray(i * size, (i + 1) * size));
}
