/** Runs a LoRA training job in a worker thread (session.run blocks its thread), relaying its events. */
import * as path from 'node:path';
import { runJob, type JobEvent } from '../runtime/job-messages';
import type { LoraTrainJob, LoraTrainResult } from './job';

/** What a LoRA training job reports while it runs: the job protocol's events. */
export type LoraEvent = JobEvent;

/** Trains until `job.steps` or until `signal` aborts (the worker then checkpoints and stops after its current run). */
export function trainLoraInWorker(
  job: LoraTrainJob,
  onEvent: (e: LoraEvent) => void,
  signal?: AbortSignal,
): Promise<LoraTrainResult> {
  // A cancelled run still ends with a result (cancelled: true) after its checkpoint: that outcome wins over the abort.
  return runJob<LoraTrainResult>(
    path.join(__dirname, 'train-worker.ts'),
    { job },
    (e) => {
      try {
        onEvent(e);
      } catch {
        // a listener's failure (e.g. a cancelled progress report) must not kill the relay
      }
    },
    signal,
  ).result;
}
