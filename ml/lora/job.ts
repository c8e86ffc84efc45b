/** What the main thread asks a LoRA training worker to do, and the messages it gets back. */
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

export type LoraWorkerMessage =
  | { type: 'started'; step: number; resumedFrom?: number; parameterCount: number }
  | { type: 'progress'; report: StepReport; runSeconds: number; wallSeconds: number }
  | { type: 'validation'; step: number; valLoss: number }
  | { type: 'checkpoint'; step: number; path: string; valLoss: number }
  | { type: 'samples'; step: number; images: Uint8Array; imageSize: number; seconds: number }
  | { type: 'done'; step: number; cancelled: boolean }
  | { type: 'error'; message: string };
