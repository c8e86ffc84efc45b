/** A small promise pool: image work runs on all cores without starting every image at once. */
import { availableParallelism } from 'node:os';
import sharp from 'sharp';

let tuned = false;

/**
 * The number of images worked on at once: one per core. sharp runs each image on a libuv pool thread
 * (UV_THREADPOOL_SIZE, default 4) with one libvips thread per image on glibc; where there are more cores
 * than pool threads, each image gets enough libvips threads that all cores are busy.
 */
export function defaultConcurrency(): number {
  const cores = Math.max(1, availableParallelism());
  if (!tuned) {
    tuned = true;
    const uvThreads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    if (cores > uvThreads && sharp.concurrency() < Math.ceil(cores / uvThreads))
      sharp.concurrency(Math.ceil(cores / uvThreads));
  }
  return cores;
}

/**
 * Maps `items` through `work` with at most `limit` in flight, keeping the order of results.
 * `onDone` is called after each item (for progress and cancellation: it may throw to stop the pool).
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  onDone?: (finished: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let finished = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
        finished++;
        onDone?.(finished);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}

/** Lets one task through at a time: large files are read one by one, however many cores the pool uses. */
export function createMutex(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Settles with `work`, or rejects with an AbortError as soon as `signal` aborts: a node blocked in I/O (a slow
 * network share, a device) still stops when its run is cancelled; the abandoned read finishes on its own.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortError(): Error {
  const err = new Error('cancelled');
  err.name = 'AbortError';
  return err;
}
