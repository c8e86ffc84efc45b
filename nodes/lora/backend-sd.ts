/**
 * The Stable Diffusion training backend at the backend seam (backend.ts): TrainLoRA's `builtin` backend ("the
 * loraflow runtime") trains an SD 1.5 or SDXL checkpoint here, in a worker thread with our ONNX runtime. It has the
 * seam's shape with SD's own job type; an external trainer (kohya's sd-scripts) would implement the same.
 */
import { trainSdInWorker, type SdTrainEvent, type SdTrainJob } from '../../ml/sd/train-job';

export interface SdTrainerBackend {
  readonly id: string;
  readonly description: string;
  /** Why this backend cannot train for a model architecture (undefined when it can). */
  unsupported(architecture: string): string | undefined;
  /** Trains (resuming from the newest checkpoint in job.stateDir) until job.steps or until `signal` aborts. */
  train(
    job: SdTrainJob,
    onEvent: (e: SdTrainEvent) => void,
    signal: AbortSignal,
    onLog?: (message: string) => void,
  ): Promise<{ step: number; cancelled: boolean }>;
}

export const sdBackend: SdTrainerBackend = {
  id: 'builtin',
  description: 'loraflow runtime (ONNX Runtime in a worker thread), SD 1.5 and SDXL LoRA on cached latents',
  unsupported: (arch) =>
    arch === 'sd15' || arch === 'sdxl' ? undefined : `the SD backend trains SD 1.5 and SDXL checkpoints, not ${arch}`,
  train: (job, onEvent, signal, onLog) => trainSdInWorker(job, onEvent, signal, onLog),
};
