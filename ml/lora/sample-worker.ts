/** Worker-thread entry for sampling with LoRAs: loads the base model and each LoRA file, merges, samples. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SampleOptions } from '../dit/sampler';
import { loadModel } from '../dit/weights';
import { readLora } from './file';
import { sampleCombos } from './sample';
import type { WeightedLora } from './types';

export interface ComboJob {
  modelPath: string;
  /** Each combination: LoRA files with strengths (an empty list samples the base model). */
  combos: { path: string; strength: number }[][];
  options: Omit<SampleOptions, 'onStep' | 'signal'>;
  threads?: number;
}

export type ComboWorkerMessage =
  | { type: 'step'; done: number; total: number }
  | { type: 'done'; images: Uint8Array[]; imageSize: number; seconds: number }
  | { type: 'error'; message: string };

async function main(job: ComboJob): Promise<void> {
  const post = (m: ComboWorkerMessage) => parentPort?.postMessage(m);
  try {
    const model = await loadModel(job.modelPath);
    const files = new Map<string, Awaited<ReturnType<typeof readLora>>>();
    const combos: WeightedLora[][] = [];
    for (const combo of job.combos) {
      const list: WeightedLora[] = [];
      for (const l of combo) {
        let set = files.get(l.path);
        if (!set) files.set(l.path, (set = await readLora(l.path, model.config)));
        list.push({ set, strength: l.strength });
      }
      combos.push(list);
    }
    const started = Date.now();
    const images = await sampleCombos(model, combos, job.options, job.threads ?? 2, (done, total) => post({ type: 'step', done, total }));
    post({ type: 'done', images, imageSize: model.config.imageSize, seconds: (Date.now() - started) / 1000 });
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
}

void main((workerData as { job: ComboJob }).job);
