import { Worker } from 'node:worker_threads';
import * as path from 'node:path';

/** Starts a worker thread running the TypeScript file `entry` (an absolute path), passing it `data`. */
export function spawnTsWorker(entry: string, data: Record<string, unknown> = {}): Worker {
  return new Worker(path.join(__dirname, 'worker-boot.js'), { workerData: { ...data, __entry: entry } });
}
