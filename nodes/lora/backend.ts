/**
 * The training backend seam. TrainLoRA prepares a backend-neutral request (images, captions, settings, a state
 * folder) and a backend trains it, streaming events. The built-in backend trains the built-in DiT with our ONNX
 * runtime in a worker thread; an external one (kohya's sd-scripts for SD 1.5/SDXL/FLUX on the user's GPU) would
 * implement the same interface by writing the dataset to disk, spawning the script and parsing its log.
 */
import { loadCheckpoint } from '../../ml/train/checkpoint';
import type { LoraTrainJob } from '../../ml/lora/job';
import { adaptersFromParams, embeddingsFromParams } from '../../ml/lora/task';
import { trainLoraInWorker, type LoraEvent } from '../../ml/lora/train-run';
import type { LoraAdapter, TriggerEmbedding } from '../../ml/lora/types';
import type { DiTConfig } from '../../ml/dit/config';

export type { LoraEvent };

export interface TrainerBackend {
  readonly id: string;
  readonly description: string;
  /** Why this backend cannot train for a model architecture (undefined when it can). */
  unsupported(architecture: string): string | undefined;
  /** Trains (resuming from the newest checkpoint in job.stateDir) until job.steps or until `signal` aborts. */
  train(
    job: LoraTrainJob,
    onEvent: (e: LoraEvent) => void,
    signal: AbortSignal,
  ): Promise<{ step: number; cancelled: boolean }>;
  /** The adapters (and the trigger embedding of pivotal tuning) saved in one of this backend's checkpoints. */
  readCheckpoint(
    path: string,
    job: LoraTrainJob,
    config: DiTConfig,
  ): Promise<{ adapters: LoraAdapter[]; embeddings: TriggerEmbedding[] }>;
}

export const builtinBackend: TrainerBackend = {
  id: 'builtin',
  description: 'loraflow runtime (ONNX Runtime, CPU or GPU), for the built-in emoji DiT',
  unsupported: (arch) =>
    arch === 'loraflow-emoji-dit' ? undefined : `the built-in backend trains loraflow-emoji-dit models, not ${arch}`,
  train: (job, onEvent, signal) => trainLoraInWorker(job, onEvent, signal),
  async readCheckpoint(path, job, config) {
    const data = await loadCheckpoint(path);
    return {
      adapters: adaptersFromParams(job.task, config, data.params),
      embeddings: embeddingsFromParams(job.task, config, data.params),
    };
  },
};

/** Every backend by id (kohya's scripts would register here). */
export const BACKENDS: Record<string, TrainerBackend> = { builtin: builtinBackend };
