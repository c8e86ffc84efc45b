/**
 * Runs Stable Diffusion sampling (SD 1.5 or SDXL: the worker reads the family from the checkpoint) in a worker
 * thread (session.run blocks its thread), with progress, previews and cancel.
 */
import * as path from 'node:path';
import { runWorkerJob } from '../runtime/worker-job';
import type { SdSampleSettings } from './sample-run';

export interface SdSampleJob {
  checkpoint: string;
  /** LoRA stacks (no LoRA: the base model), each with the prompts (indices) it samples (default all). */
  stacks: { loras: { path: string; strength: number }[]; prompts?: number[] }[];
  settings: SdSampleSettings;
  /** SD 1.5's clip skip (SDXL always reads both encoders' penultimate layers). */
  clipSkip: number;
  threads?: number;
}

export type SdPreview = { rgb: Uint8Array; width: number; height: number };

export type SdSampleMessage =
  | { type: 'step'; done: number; total: number; preview?: SdPreview }
  | { type: 'done'; images: Uint8Array[][]; seconds: number }
  | { type: 'cancelled' }
  | { type: 'error'; message: string };

/** Samples in a worker: stacks × prompts RGB images (width x height, HWC) and the seconds it took. */
export function sampleSdInWorker(
  job: SdSampleJob,
  onStep?: (done: number, total: number, preview?: SdPreview) => void,
  signal?: AbortSignal,
): Promise<{ images: Uint8Array[][]; seconds: number }> {
  signal?.throwIfAborted();
  return runWorkerJob<SdSampleMessage, { images: Uint8Array[][]; seconds: number }>(
    path.join(__dirname, 'sample-worker.ts'),
    { job },
    (m) => {
      if (m.type === 'step') return void onStep?.(m.done, m.total, m.preview);
      if (m.type === 'done') return { result: { images: m.images, seconds: m.seconds } };
      if (m.type === 'cancelled') return undefined;
      return { error: new Error(m.message) };
    },
    signal,
  ).result;
}

/** The SD 1.5 name of sampleSdInWorker (the same worker, which reads the family from the checkpoint). */
export const sampleSd15InWorker = sampleSdInWorker;
