/** The worker side of ml/runtime/worker-job.ts: whether the host asked this worker to stop. */
import { workerData } from 'node:worker_threads';

const flag = (workerData as { cancelFlag?: SharedArrayBuffer } | null)?.cancelFlag;
const cancelView = flag ? new Int32Array(flag) : undefined;

/** True once the host has cancelled the job; check it between session runs. */
export function cancelRequested(): boolean {
  return cancelView !== undefined && Atomics.load(cancelView, 0) !== 0;
}

/** Thrown at a cancellation point inside a worker; the host reports the cancellation, not this error. */
export class WorkerCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'WorkerCancelled';
  }
}

/** Throws WorkerCancelled when the host has cancelled the job. */
export function throwIfCancelRequested(): void {
  if (cancelRequested()) throw new WorkerCancelled();
}
