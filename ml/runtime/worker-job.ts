/**
 * Runs a job in a worker thread and settles only once the worker has exited by itself.
 *
 * Never `worker.terminate()` a thread that may be inside onnxruntime: terminating it during a native
 * `session.run` (or a session release) aborts the WHOLE process with "terminate called after throwing an
 * instance of 'Napi::Error'" (reproduced here; tests/ml/runtime/worker-cancel.test.ts). Cancellation is therefore
 * cooperative: the host sets a shared flag that the worker reads between runs (`cancelRequested()`), and the
 * worker returns from its main function, which ends the thread.
 */
import { spawnTsWorker } from './spawn-worker';

/** What the host's message handler makes of one message: the job's result, its failure, or nothing yet. */
export type JobOutcome<R> = { result: R } | { error: Error } | undefined;

export interface WorkerJob<R> {
  /** Settles after the worker thread has ended. */
  readonly result: Promise<R>;
  /** Asks the worker to stop at its next cancellation point. */
  cancel(): void;
}

/**
 * Starts `entry` (a .ts file) in a worker with `data` plus a shared `cancelFlag`. `onMessage` turns messages into an
 * outcome; a throwing `onMessage` fails the job and cancels the worker. Aborting `signal` cancels it too.
 */
export function runWorkerJob<M, R>(
  entry: string,
  data: Record<string, unknown>,
  onMessage: (message: M) => JobOutcome<R>,
  signal?: AbortSignal,
): WorkerJob<R> {
  const cancelFlag = new SharedArrayBuffer(4);
  const cancel = (): void => void Atomics.store(new Int32Array(cancelFlag), 0, 1);
  let outcome: JobOutcome<R>;
  const onAbort = (): void => cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) cancel();
  const worker = spawnTsWorker(entry, { ...data, cancelFlag });
  const result = new Promise<R>((resolve, reject) => {
    worker.on('message', (m: M) => {
      try {
        outcome ??= onMessage(m);
      } catch (e) {
        outcome ??= { error: e instanceof Error ? e : new Error(String(e)) };
        cancel();
      }
    });
    worker.on('error', (e) => void (outcome ??= { error: e }));
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (outcome && 'result' in outcome) resolve(outcome.result);
      else if (outcome) reject(outcome.error);
      else if (signal?.aborted) reject(signal.reason ?? new Error('cancelled'));
      else reject(new Error(`worker ${entry} exited (code ${code}) before finishing`));
    });
  });
  return { result, cancel };
}
