/**
 * Worker-thread entry for sampling (session.run blocks its thread, so the server's thread never runs it): the base
 * model, or one row of images per combination of LoRAs at strengths, merged into the weights by ml/lora.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCombos, sampleCombos, type LoraFileUse } from '../lora/sample';
import type { SampleOptions } from './sampler';
import { loadModel } from './weights';
import { throwIfCancelRequested, WorkerCancelled } from '../runtime/worker-cancel';

export interface SampleJob {
  modelPath: string;
  options: Omit<SampleOptions, 'onStep' | 'signal'>;
  /** Send a preview every N steps (0: never). */
  previewEvery: number;
  threads?: number;
  /** Combinations of LoRA files with strengths, one image set each (absent or [[]]: the base model alone). */
  loras?: LoraFileUse[][];
}

export type SampleWorkerMessage =
  | { type: 'step'; done: number; total: number; preview?: Uint8Array }
  /** `images`: every combination's [prompts, S, S, 3] RGB bytes, one after the other. */
  | { type: 'done'; images: Uint8Array; imageSize: number; seconds: number }
  | { type: 'cancelled' }
  | { type: 'error'; message: string };

async function main(job: SampleJob): Promise<void> {
  const post = (m: SampleWorkerMessage) => parentPort?.postMessage(m);
  try {
    const model = await loadModel(job.modelPath);
    const combos = await readCombos(job.loras?.length ? job.loras : [[]], model.config);
    const started = Date.now();
    const images = await sampleCombos(model, combos, job.options, job.threads ?? 2, (done, total, preview) => {
      throwIfCancelRequested();
      const wantPreview = job.previewEvery > 0 && (done % job.previewEvery === 0 || done === total);
      post({ type: 'step', done, total, preview: wantPreview ? preview() : undefined });
    });
    post({
      type: 'done',
      images: concat(images),
      imageSize: model.config.imageSize,
      seconds: (Date.now() - started) / 1000,
    });
  } catch (e) {
    if (e instanceof WorkerCancelled) post({ type: 'cancelled' });
    else post({ type: 'error', message: (e as Error).message });
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

void main((workerData as { job: SampleJob }).job);
