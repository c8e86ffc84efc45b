/**
 * A Stable Diffusion LoRA training job (SD 1.5 or SDXL: `family`) as the main thread hands it to a worker
 * (train-worker.ts), and the host side that runs it. The messages are the one job protocol, as the built-in
 * backend's (ml/runtime/job-messages.ts), so TrainLoRA's monitor shows every family the same way; `log` lines (what
 * the latent cache did) go to onLog.
 */
import * as path from 'node:path';
import type { LoraTrainResult, TrainRunPlan } from '../lora/job';
import { runJob, type JobEvent, type JobMessage } from '../runtime/job-messages';
import type { Prediction } from './schedule';
import type { SizeCondition } from './sdxl-cond';
import type { PivotalJob } from './trigger-embedding';

export interface SdTrainJob extends TrainRunPlan {
  /** The family the checkpoint must be (the worker refuses another). */
  family: 'sd15' | 'sdxl';
  /** The checkpoint file or diffusers folder, and its sha256 (the cache key of latents and embeddings). */
  checkpoint: string;
  modelHash: string;
  /** Where cached latents and text embeddings live (shared by every run on this data folder). */
  cacheDir: string;
  /** Pixels of every image (HWC RGB) at its bucket's size. */
  images: Uint8Array[];
  /** The main bucket (the most common): in-training samples are drawn at its shorter side. */
  width: number;
  height: number;
  /** Several aspect-ratio buckets (train-buckets.ts): their sizes, and each image's index into them. Absent: one. */
  buckets?: { width: number; height: number }[];
  bucketOf?: number[];
  captions: string[];
  /** SDXL: each image's original size, crop offset and target size, its size/crop conditioning. */
  sizes?: SizeCondition[];
  /** Training images, repeated by their repeats; validation images. */
  trainIndices: number[];
  validationIndices: number[];
  /**
   * Prior preservation (prior-mix.ts): the class images among `images`, repeated by their repeats, each in a
   * bucket that has training images; trained with their captions at `priorLossWeight`. Absent or empty: none.
   */
  regIndices?: number[];
  priorLossWeight?: number;
  /** Conv LoRA (LoCon): kohya's ResBlock/sampler modules (SD 1.5 86, SDXL 66), 3x3 convs at this rank and alpha. */
  conv?: { rank: number; alpha: number };
  /** Train the text encoder(s) too (SD 1.5: 72 modules; SDXL: te1 72 + te2 192), at `lrScale` times the UNet's rate. */
  textEncoder?: { lrScale: number };
  /** Pivotal tuning: the trigger's own token-embedding rows, trained beside the LoRA (trigger-embedding.ts). */
  pivotal?: PivotalJob;
  /** The UNet modules to adapt, by kohya key (default: kohya's full set). */
  targets?: string[];
  rank: number;
  alpha: number;
  prediction: Prediction;
  minSnrGamma?: number;
  noiseOffset: number;
  /** kohya's min/max_timestep: the timesteps trained, [min, max); absent: all 1,000. */
  timesteps?: readonly [number, number];
  /** SD 1.5 only (SDXL always conditions on both encoders' penultimate layers). */
  clipSkip: number;
  batch: number;
  /** Share of steps trained on the empty caption (kohya caption_dropout_rate). */
  captionDropout: number;
  /** Recompute blocks and attention chunks in the backward pass (less memory, about a third more time). */
  checkpointing: boolean;
  /** In-training samples see the adapters as a file of this dtype stores them (SaveCheckpoint's default fp16). */
  sampleDtype: 'F16' | 'F32';
}

/** An SD training worker's messages: the one job protocol (ml/runtime/job-messages.ts). */
export type SdTrainMessage = JobMessage<LoraTrainResult>;
export type SdTrainEvent = Exclude<JobEvent, { type: 'log' }>;

/** Trains in a worker until job.steps or until `signal` aborts (the worker checkpoints and stops). */
export function trainSdInWorker(
  job: SdTrainJob,
  onEvent: (e: SdTrainEvent) => void,
  signal?: AbortSignal,
  onLog?: (message: string) => void,
): Promise<LoraTrainResult> {
  return runJob<LoraTrainResult>(
    path.join(__dirname, 'train-worker.ts'),
    { job },
    (e) => {
      try {
        if (e.type === 'log') onLog?.(e.message);
        else onEvent(e);
      } catch {
        // a listener's failure (e.g. a cancelled progress report) must not kill the relay
      }
    },
    signal,
  ).result;
}
