/**
 * Runs Stable Diffusion sampling (SD 1.5 or SDXL: the worker reads the family from the checkpoint) in a worker
 * thread (session.run blocks its thread), with progress, previews and cancel.
 */
import * as path from 'node:path';
import { runJob, type JobMessage } from '../runtime/job-messages';
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

/** How an SD sampling job ends: stacks x prompts RGB images and the seconds it took. */
export interface SdSampleResult {
  images: Uint8Array[][];
  seconds: number;
}

/** An SD sampling worker's messages: the one job protocol (ml/runtime/job-messages.ts), with its own previews. */
export type SdSampleMessage = JobMessage<SdSampleResult, SdPreview>;

/** Samples in a worker: stacks × prompts RGB images (width x height, HWC) and the seconds it took. */
export function sampleSdInWorker(
  job: SdSampleJob,
  onStep?: (done: number, total: number, preview?: SdPreview) => void,
  signal?: AbortSignal,
): Promise<SdSampleResult> {
  signal?.throwIfAborted();
  return runJob<SdSampleResult, SdPreview>(
    path.join(__dirname, 'sample-worker.ts'),
    { job },
    (e) => void (e.type === 'progress' && onStep?.(e.done, e.total, e.preview)),
    signal,
  ).result;
}

/** The SD 1.5 name of sampleSdInWorker (the same worker, which reads the family from the checkpoint). */
export const sampleSd15InWorker = sampleSdInWorker;
