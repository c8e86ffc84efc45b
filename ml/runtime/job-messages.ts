/**
 * The one protocol of work a node hands to a worker thread (LoRA training, pretraining, sampling): one message
 * union for what the thread reports while it runs and how it ends. Each kind of job fixes only its result type
 * (and the type of its images); a new kind of job adds payloads here, not a protocol of its own. The node turns the
 * events into its context's progress, metrics, checkpoint and sample events, previews and logs, the same whether
 * the node itself runs in the server or on a `loraflow worker` elsewhere.
 */
import { parentPort } from 'node:worker_threads';
import type { StepReport } from '../train/types';
import { WorkerCancelled } from './worker-cancel';
import { runWorkerJob, type WorkerJob } from './worker-job';

/** What a job reports while it runs. `Img` is how its images travel (RGB bytes, or a family's own preview). */
export type JobEvent<Img = Uint8Array> =
  /** Work began; a resumed training run says from which step. */
  | { type: 'started'; step: number; parameterCount?: number; resumedFrom?: number }
  /**
   * `done` of `total` units (steps). Training adds the run's StepReport and where its time went (inside
   * session.run, and in all); sampling may add the current images. `label` names a phase other than the job's
   * main work ("caching latents", "building training graph"), whose units done/total then count.
   */
  | {
      type: 'progress';
      done: number;
      total: number;
      label?: string;
      report?: StepReport;
      runSeconds?: number;
      wallSeconds?: number;
      preview?: Img;
    }
  /** Metrics measured at a step outside the training step itself (the validation loss: `val_loss`). */
  | { type: 'metrics'; step: number; metrics: Record<string, number> }
  /** A checkpoint was written at `step`; `loss` is the validation loss measured there, if any. */
  | { type: 'checkpoint'; step: number; path: string; loss?: number }
  /** Sample images drawn from the weights at `step` (a grid of `imageSize` tiles), and how long they took. */
  | { type: 'samples'; step: number; images: Img; imageSize: number; seconds: number }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

/** How a job ends: its result, an error, or a cancellation that left no result. */
export type JobEnd<R> = { type: 'result'; result: R } | { type: 'error'; message: string } | { type: 'cancelled' };

export type JobMessage<R, Img = Uint8Array> = JobEvent<Img> | JobEnd<R>;

/**
 * Runs `entry` (a worker-thread .ts file) as a job of this protocol: it ends on `result` or `error` (a `cancelled`
 * job rejects with the abort once the thread has exited), and every event goes to `onEvent`. A throwing `onEvent`
 * fails the job and cancels the thread (runWorkerJob); a listener that must not, catches.
 */
export function runJob<R, Img = Uint8Array>(
  entry: string,
  data: Record<string, unknown>,
  onEvent: (event: JobEvent<Img>) => void,
  signal?: AbortSignal,
): WorkerJob<R> {
  return runWorkerJob<JobMessage<R, Img>, R>(
    entry,
    data,
    (m) => {
      switch (m.type) {
        case 'result':
          return { result: m.result };
        case 'error':
          return { error: new Error(m.message) };
        case 'cancelled':
          return undefined;
        default:
          return void onEvent(m);
      }
    },
    signal,
  );
}

/** The worker side: posts one message of the protocol to the host (transferring `transfer`). */
export function postJobMessage<R, Img = Uint8Array>(m: JobMessage<R, Img>, transfer?: ArrayBuffer[]): void {
  parentPort!.postMessage(m, transfer);
}

/** The worker side: runs the job's main function and posts how it ended (result, cancelled, or error). */
export function runJobMain<R, Img = Uint8Array>(main: () => Promise<R>): void {
  main().then(
    (result) => postJobMessage<R, Img>({ type: 'result', result }),
    (e: unknown) =>
      postJobMessage<R, Img>(
        e instanceof WorkerCancelled
          ? { type: 'cancelled' }
          : { type: 'error', message: e instanceof Error ? e.message : String(e) },
      ),
  );
}
