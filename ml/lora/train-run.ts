/** Runs a LoRA training job in a worker thread (session.run blocks its thread), relaying its messages. */
import * as path from 'node:path';
import { runWorkerJob } from '../runtime/worker-job';
import type { LoraTrainJob, LoraWorkerMessage } from './job';

export type LoraEvent = Exclude<LoraWorkerMessage, { type: 'done' } | { type: 'error' }>;

/** Trains until `job.steps` or until `signal` aborts (the worker then checkpoints and stops after its current run). */
export function trainLoraInWorker(
  job: LoraTrainJob,
  onEvent: (e: LoraEvent) => void,
  signal?: AbortSignal,
): Promise<{ step: number; cancelled: boolean }> {
  // A cancelled run still ends with 'done' (cancelled: true) after its checkpoint: that outcome wins over the abort.
  return runWorkerJob<LoraWorkerMessage, { step: number; cancelled: boolean }>(
    path.join(__dirname, 'train-worker.ts'),
    { job },
    (m) => {
      if (m.type === 'done') return { result: { step: m.step, cancelled: m.cancelled } };
      if (m.type === 'error') return { error: new Error(m.message) };
      try {
        onEvent(m);
      } catch {
        // a listener's failure (e.g. a cancelled progress report) must not kill the relay
      }
      return undefined;
    },
    signal,
  ).result;
}
