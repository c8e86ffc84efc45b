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
