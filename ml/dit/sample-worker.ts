/**
 * Worker-thread entry for sampling (session.run blocks its thread, so the server's thread never runs it): the base
 * model, or one row of images per combination of LoRAs at strengths, merged into the weights by ml/lora.
 */
import { workerData } from 'node:worker_threads';
import { readCombos, sampleCombos, type LoraFileUse } from '../lora/sample';
import type { SampleOptions } from './sampler';
import { loadModel } from './weights';
import { postJobMessage, runJobMain, type JobMessage } from '../runtime/job-messages';
import { throwIfCancelRequested } from '../runtime/worker-cancel';

export interface SampleJob {
  modelPath: string;
  options: Omit<SampleOptions, 'onStep' | 'signal'>;
  /** Send a preview every N steps (0: never). */
  previewEvery: number;
  threads?: number;
  /** Combinations of LoRA files with strengths, one image set each (absent or [[]]: the base model alone). */
  loras?: LoraFileUse[][];
}

/** How a sampling job ends. `images`: every combination's [prompts, S, S, 3] RGB bytes, one after the other. */
export interface SampleJobResult {
  images: Uint8Array;
  imageSize: number;
  seconds: number;
}

/** A sampling worker's messages: the one job protocol (ml/runtime/job-messages.ts). */
export type SampleWorkerMessage = JobMessage<SampleJobResult>;

async function main(job: SampleJob): Promise<SampleJobResult> {
  const model = await loadModel(job.modelPath);
  const combos = await readCombos(job.loras?.length ? job.loras : [[]], model.config);
  const started = Date.now();
  const images = await sampleCombos(model, combos, job.options, job.threads ?? 2, (done, total, preview) => {
    throwIfCancelRequested();
    const wantPreview = job.previewEvery > 0 && (done % job.previewEvery === 0 || done === total);
    postJobMessage<SampleJobResult>({ type: 'progress', done, total, preview: wantPreview ? preview() : undefined });
  });
  return { images: concat(images), imageSize: model.config.imageSize, seconds: (Date.now() - started) / 1000 };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

runJobMain(() => main((workerData as { job: SampleJob }).job));
