/**
 * One node job on a worker: fetch the input artifacts and the state the job left on other workers, run the
 * node's own execute() (the same code the server runs) with this machine's device, stream its events back in
 * batches, upload what it produced, and end with a JobResult.
 */
import type { ArtifactRef, JsonValue, NodeOutputs } from '../../protocol/values';
import { NodeUserError } from '../../nodes/api';
import { describeNodeError } from '../engine/hints';
import { createNodeContext } from '../engine/local-pool';
import { PathError } from '../engine/paths';
import type { EngineEnv, NodeTask, NodeTaskReport } from '../engine/types';
import { checkJobPaths, localizeShippedWeights } from './job-paths';
import type { JobEvent, JobEventBatch, JobResult, NodeJobData } from './job-protocol';
import { withRetries, type ServerClient } from './server-client';
import { createStateSync, restoreState } from './state-sync';
import { fetchArtifacts, uploadArtifacts } from './transfer';

/** What the BullMQ job gives the node job. */
export interface JobHandle {
  readonly id: string;
  readonly data: NodeJobData;
  readonly attempt: number;
  sendEvents(batch: JobEventBatch): Promise<void>;
  updateData(data: NodeJobData): Promise<void>;
}

export interface NodeJobOptions {
  env: EngineEnv;
  server: ServerClient;
  workerId: string;
  device: string;
  signal: AbortSignal;
  /** How often events go out, and how often state folders are uploaded. */
  eventIntervalMs: number;
  stateIntervalMs: number;
  log(message: string): void;
}

/** How long a worker keeps trying to hand its results to a server that went away (it may be restarting). */
const UPLOAD_DEADLINE_MS = 10 * 60_000;

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.message === 'cancelled');
}

/** Errors in the job's input: the same input fails on any worker, so the job is not tried again. */
function isInputError(e: unknown): boolean {
  return e instanceof NodeUserError || e instanceof PathError;
}

/** Runs one job; throws only for failures another attempt may not have (BullMQ then retries). */
export async function runNodeJob(job: JobHandle, opts: NodeJobOptions): Promise<JobResult> {
  const { env, server, signal } = opts;
  const task: NodeTask = {
    ...job.data.task,
    device: opts.device,
    inputs: localizeShippedWeights(job.data.task.inputs),
  };
  const def = env.registry.get(task.type);
  if (!def) return { type: 'error', error: { message: `this worker has no node type "${task.type}"` } };
  const events = createEventBatcher(job, opts);
  const sync = createStateSync(server, opts.stateIntervalMs, (e) => opts.log(`state upload: ${e.message}`));
  let stateKeys = job.data.stateKeys ?? [];
  const clock = { start: Date.now(), executeStart: 0, executeEnd: 0 };
  try {
    checkJobPaths(task.inputs, env.paths, task.nodeId);
    await withRetries(() => fetchArtifacts(task.inputs as JsonValue, env.artifacts, server), 60_000, signal);
    if (stateKeys.length > 0) {
      const bytes = await withRetries(() => restoreState(stateKeys, env.workRoot, server), 60_000, signal);
      const restored = `${bytes} bytes of state restored`;
      events.push({
        type: 'log',
        level: 'info',
        message: `worker ${opts.workerId}: took over the job (attempt ${job.attempt}), ${restored}`,
      });
    }
    // Previews and sample events go out once their images are on the server; everything else as it comes.
    const upload = createUploadOnce(env, server);
    const report: NodeTaskReport = (e) => {
      const images = e.type === 'preview' ? [e.image] : e.type === 'sample' ? e.sample.images : undefined;
      if (images) events.pushAfter(Promise.all(images.map(upload)), e);
      else events.push(e);
    };
    const onStateDir = (key: string, dir: string) => {
      sync.watch(task.type, key, dir);
      const keys = sync.keys();
      if (keys.some((k) => !stateKeys.includes(k))) {
        stateKeys = [...new Set([...stateKeys, ...keys])];
        // In the job itself, so that whichever worker takes it over next knows what to download.
        void job
          .updateData({ ...job.data, stateKeys })
          .catch((e: unknown) => opts.log(`job data: ${(e as Error).message}`));
      }
    };
    clock.executeStart = Date.now();
    const outputs: NodeOutputs = await def.execute(
      task.inputs,
      task.params,
      createNodeContext(env, task, report, signal, onStateDir),
    );
    clock.executeEnd = Date.now();
    await sync.flush();
    await withRetries(() => uploadArtifacts(outputs, env.artifacts, server), UPLOAD_DEADLINE_MS, signal);
    await events.close();
    const timing = {
      inputMs: clock.executeStart - clock.start,
      executeMs: clock.executeEnd - clock.executeStart,
      outputMs: Date.now() - clock.executeEnd,
    };
    return { type: 'result', outputs, timing };
  } catch (e) {
    await events.close().catch(() => undefined);
    if (signal.aborted && isAbort(e)) return { type: 'cancelled' };
    if (isInputError(e)) return { type: 'error', error: describeNodeError(e) };
    throw e;
  } finally {
    sync.stop();
  }
}

/**
 * Uploads an image once per job: a sample grid is both a sample event and a preview, and one upload serves both
 * (two at once would also succeed, each with its own partial file on the server, but send the bytes twice).
 */
function createUploadOnce(env: EngineEnv, server: ServerClient): (ref: ArtifactRef) => Promise<unknown> {
  const uploads = new Map<string, Promise<unknown>>();
  return (ref) => {
    let done = uploads.get(ref.$artifact);
    if (!done) {
      done = uploadArtifacts(ref, env.artifacts, server);
      uploads.set(ref.$artifact, done);
      done.catch(() => uploads.delete(ref.$artifact)); // a failed upload may be tried again by the next event
    }
    return done;
  };
}

interface EventBatcher {
  push(event: JobEvent): void;
  /** Sends `event` once `before` has settled (a preview once its image is on the server), in order. */
  pushAfter(before: Promise<unknown>, event: JobEvent): void;
  close(): Promise<void>;
}

/**
 * Collects events and sends them every `eventIntervalMs` as one progress update. Progress reports between two
 * sends keep only the latest one without metrics; those with metrics (each a point on the loss chart) all go.
 */
function createEventBatcher(job: JobHandle, opts: NodeJobOptions): EventBatcher {
  let pending: JobEvent[] = [];
  let seq = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let sending: Promise<void> = Promise.resolve();
  const send = () => {
    if (pending.length === 0) return sending;
    const batch: JobEventBatch = { worker: opts.workerId, attempt: job.attempt, seq: ++seq, events: pending };
    pending = [];
    sending = sending
      .then(() => job.sendEvents(batch))
      .catch((e: unknown) => opts.log(`events lost: ${(e as Error).message}`));
    return sending;
  };
  const timer = setInterval(() => void send(), opts.eventIntervalMs);
  timer.unref();
  const push = (event: JobEvent) => {
    const last = pending.at(-1);
    const replaces = last?.type === 'progress' && !last.metrics && event.type === 'progress' && !event.metrics;
    // A phase's report is replaced only by a later one of the same phase: every phase the node names arrives.
    if (replaces && last.label === event.label) pending.pop();
    pending.push(event);
  };
  return {
    push,
    pushAfter(before, event) {
      chain = Promise.all([chain, before]).then(
        () => push(event),
        () => undefined, // a preview that could not be uploaded is dropped
      );
    },
    async close() {
      clearInterval(timer);
      await chain.catch(() => undefined);
      await send();
    },
  };
}
