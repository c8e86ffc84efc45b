/** Runs a sampling job in a worker thread, with per-step progress and cooperative cancellation. */
import * as path from 'node:path';
import { runJob } from '../runtime/job-messages';
import type { SampleJob, SampleJobResult } from './sample-worker';

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
  const entry = path.join(__dirname, 'sample-worker.ts');
  // A throwing onStep (e.g. a cancelled run's progress) fails the job and stops the worker at its next step.
  const { result } = runJob<SampleJobResult>(
    entry,
    { job },
    (e) => void (e.type === 'progress' && onStep?.(e.done, e.total, e.preview)),
    signal,
  );
  return result.then((r) => ({ images: split(r.images, combos), imageSize: r.imageSize, seconds: r.seconds }));
}

/** `n` equal consecutive views of `all`. */
function split(all: Uint8Array, n: number): Uint8Array[] {
  const size = all.length / n;
  return Array.from({ length: n }, (_, i) => all.subarray(i * size, (i + 1) * size));
}
