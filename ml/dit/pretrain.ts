/**
 * A pretraining run of the base model: the pretraining task trained in a worker (ml/train), resumable from the
 * checkpoint in its state folder, with the loss log and sample grids along the way. Used by the TrainBaseModel
 * node; knows nothing of nodes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint } from '../train/checkpoint';
import { trainInWorker } from '../train/remote';
import type { NamedParams, StepReport, TrainConfig } from '../train/types';
import type { DiTConfig } from './config';
import { paramSpecs } from './params';
import { sampleInWorker } from './sample-job';
import type { PretrainTaskOptions } from './train-task';
import { saveModel, type Weights } from './weights';

export interface PretrainOptions {
  config: DiTConfig;
  corpusDir: string;
  /** Total optimizer steps (a resumed run continues up to this count). */
  steps: number;
  batch: number;
  lr: number;
  warmupSteps: number;
  seed: number;
  captionDropout: number;
  /** Per-step decay of the weight average that becomes the model (0 or absent: the last weights). */
  ema?: number;
  stepsPerRun: number;
  checkpointEvery: number;
  /** Checkpoint, loss log and preview model live here; a rerun with the same folder resumes. */
  stateDir: string;
  /** Sample grids every N steps (a multiple of checkpointEvery; 0: never). */
  sampleEvery: number;
  samplePrompts: string[];
  threads?: number;
  onProgress?: (r: StepReport) => void;
  /** A checkpoint was written: its step, file and the mean loss of the last run before it. */
  onCheckpoint?: (c: { step: number; file: string; loss?: number }) => void;
  onSamples?: (images: Uint8Array, step: number) => void;
  signal?: AbortSignal;
}

export interface PretrainResult {
  step: number;
  cancelled: boolean;
  weights: Weights;
  /** Mean loss of each run, by step. */
  losses: { step: number; loss: number }[];
}

/** The fixed settings of a run, written into the model file's metadata. */
export function trainConfigOf(o: PretrainOptions): TrainConfig {
  return {
    seed: o.seed,
    optimizer: { kind: 'adamw', beta1: 0.9, beta2: 0.99, weightDecay: 0.01 },
    schedule: { kind: 'cosine', lr: o.lr, totalSteps: o.steps, warmupSteps: o.warmupSteps, minLr: o.lr * 0.1 },
    clipNorm: 1,
    stepsPerRun: o.stepsPerRun,
    threads: o.threads,
    ...(o.ema ? { ema: o.ema } : {}),
  };
}

/** Runs (or resumes) pretraining until `steps`; cancelling keeps the last checkpoint. */
export async function pretrain(o: PretrainOptions): Promise<PretrainResult> {
  fs.mkdirSync(o.stateDir, { recursive: true });
  const checkpoint = path.join(o.stateDir, 'checkpoint.safetensors');
  const lossLog = path.join(o.stateDir, 'losses.jsonl');
  const resumeFrom = fs.existsSync(checkpoint) ? checkpoint : undefined;
  const taskOptions: PretrainTaskOptions = {
    config: o.config,
    corpusDir: o.corpusDir,
    batch: o.batch,
    captionDropout: o.captionDropout,
  };
  let sampling = false;
  let lastLoss: number | undefined;
  const handle = trainInWorker(
    {
      taskModule: path.join(__dirname, 'train-task.ts'),
      taskOptions,
      config: trainConfigOf(o),
      steps: o.steps,
      resumeFrom,
      checkpoint: { path: checkpoint, everySteps: o.checkpointEvery },
    },
    {
      onProgress: (r) => {
        const loss = r.losses.reduce((a, b) => a + b, 0) / Math.max(1, r.losses.length);
        lastLoss = loss;
        try {
          fs.appendFileSync(
            lossLog,
            `${JSON.stringify({ step: r.step, loss, lr: r.lrs[0], sps: r.stepsPerSecond })}\n`,
          );
          o.onProgress?.(r);
        } catch {
          // Runs inside a worker-message listener: an exception here would escape to the event loop.
        }
      },
      onCheckpoint: ({ step, path: file }) => {
        try {
          o.onCheckpoint?.({ step, file, loss: lastLoss });
        } catch {
          // as above: a listener's failure must not escape the worker-message listener
        }
        if (!o.onSamples || o.sampleEvery <= 0 || step % o.sampleEvery !== 0 || sampling) return;
        sampling = true;
        void previewFromCheckpoint(o, checkpoint, step)
          .then((images) => images && o.onSamples?.(images, step))
          .catch(() => undefined) // a failed preview must not stop training
          .finally(() => (sampling = false));
      },
    },
  );
  const onAbort = () => handle.cancel();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await handle.done;
    return {
      step: result.step,
      cancelled: result.cancelled,
      weights: modelWeights(result, o.config),
      losses: readLosses(lossLog),
    };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** The weights a pretraining run makes its model: the weight average when it kept one, else the last weights. */
export function modelWeights(state: { params: NamedParams; ema?: NamedParams }, config: DiTConfig): Weights {
  const source = state.ema ?? state.params;
  return new Map(paramSpecs(config).map((s) => [s.name, source[s.name]?.data ?? new Float32Array(0)]));
}

/** The loss log of a state folder (one entry per run of K steps). */
export function readLosses(file: string): { step: number; loss: number }[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { step: number; loss: number });
}

async function previewFromCheckpoint(
  o: PretrainOptions,
  checkpoint: string,
  step: number,
): Promise<Uint8Array | undefined> {
  const data = await loadCheckpoint(checkpoint);
  const weights = modelWeights(data, o.config);
  const modelPath = path.join(o.stateDir, 'preview-model.safetensors');
  await saveModel(modelPath, { config: o.config, weights }, { 'loraflow.step': String(step) }, 'F32');
  const r = await sampleInWorker(
    {
      modelPath,
      options: { prompts: o.samplePrompts, seed: 0, steps: 20, guidance: 4, batch: o.samplePrompts.length },
      previewEvery: 0,
      threads: 1,
    },
    undefined,
    o.signal,
  );
  return r.images[0];
}
