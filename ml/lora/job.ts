/** What the main thread asks a LoRA training worker to do, and the messages it gets back (the job protocol). */
import type { JobEvent, JobMessage } from '../runtime/job-messages';
import type { StepReport, TrainConfig } from '../train/types';
import type { LoraTaskOptions } from './task';

export interface LoraTrainJob {
  modelPath: string;
  task: LoraTaskOptions;
  /** Images the validation loss is computed on (held out, or training images when the set is tiny). */
  validationIndices: number[];
  config: TrainConfig;
  /** Train until this many steps in total (a resumed run counts the checkpoint's steps). */
  steps: number;
  /** Checkpoints and the validation log live here; a rerun with the same folder resumes. */
  stateDir: string;
  checkpointEvery: number;
  keepLast: number;
  /** Samples every N steps (a multiple of checkpointEvery; 0: only at the end). */
  sampleEvery: number;
  samplePrompts: string[];
  sampleSeed: number;
  sampleSteps: number;
  threads?: number;
}

/** How a LoRA training job ends: the step it reached, and whether it was cancelled (after its checkpoint). */
export interface LoraTrainResult {
  step: number;
  cancelled: boolean;
}

/** A LoRA training worker's messages: the one job protocol (ml/runtime/job-messages.ts). */
export type LoraJobMessage = JobMessage<LoraTrainResult>;

/**
 * The SD training workers' messages until they move to the job protocol (their files are being edited now).
 * jobEventOf reads their events as the protocol's.
 */
export type LoraWorkerMessage =
  | { type: 'started'; step: number; resumedFrom?: number; parameterCount: number }
  | { type: 'progress'; report: StepReport; runSeconds: number; wallSeconds: number }
  | { type: 'validation'; step: number; valLoss: number }
  | { type: 'checkpoint'; step: number; path: string; valLoss: number }
  | { type: 'samples'; step: number; images: Uint8Array; imageSize: number; seconds: number }
  | { type: 'done'; step: number; cancelled: boolean }
  | { type: 'error'; message: string };

/** An SD training worker's event in its older shape. */
export type LegacyLoraEvent = Exclude<LoraWorkerMessage, { type: 'done' } | { type: 'error' }>;

/** An event of the job protocol, from an SD training worker's older message (the others pass unchanged). */
export function jobEventOf(e: JobEvent | LegacyLoraEvent): JobEvent {
  if (e.type === 'validation') return { type: 'metrics', step: e.step, metrics: { val_loss: e.valLoss } };
  if (e.type === 'checkpoint' && 'valLoss' in e)
    return { type: 'checkpoint', step: e.step, path: e.path, loss: e.valLoss };
  if (e.type === 'progress' && !('done' in e)) return { ...e, done: e.report.step, total: e.report.step };
  return e as JobEvent;
}
