/** What the main thread asks a LoRA training worker to do, and the messages it gets back (the job protocol). */
import type { JobMessage } from '../runtime/job-messages';
import type { TrainConfig } from '../train/types';
import type { LoraTaskOptions } from './task';

/** How long a training job runs, where it keeps its state, and when it checkpoints and samples: every family's. */
export interface TrainRunPlan {
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

export interface LoraTrainJob extends TrainRunPlan {
  modelPath: string;
  task: LoraTaskOptions;
  /** Images the validation loss is computed on (held out, or training images when the set is tiny). */
  validationIndices: number[];
}

/** How a LoRA training job ends: the step it reached, and whether it was cancelled (after its checkpoint). */
export interface LoraTrainResult {
  step: number;
  cancelled: boolean;
}

/** A LoRA training worker's messages: the one job protocol (ml/runtime/job-messages.ts). */
export type LoraJobMessage = JobMessage<LoraTrainResult>;
