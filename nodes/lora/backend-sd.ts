/**
 * The SD 1.5 training backend at the backend seam (backend.ts): TrainLoRA's `builtin` backend ("the loraflow
 * runtime") trains an SD 1.5 checkpoint here, in a worker thread with our ONNX runtime. It has the seam's shape
 * with SD's own job type; an external trainer (kohya's sd-scripts) would implement the same.
 */
import { trainSd15InWorker, type Sd15TrainEvent, type Sd15TrainJob } from '../../ml/sd/train-job';

export interface Sd15TrainerBackend {
  readonly id: string;
  readonly description: string;
  /** Why this backend cannot train for a model architecture (undefined when it can). */
  unsupported(architecture: string): string | undefined;
  /** Trains (resuming from the newest checkpoint in job.stateDir) until job.steps or until `signal` aborts. */
  train(
    job: Sd15TrainJob,
    onEvent: (e: Sd15TrainEvent) => void,
    signal: AbortSignal,
    onLog?: (message: string) => void,
  ): Promise<{ step: number; cancelled: boolean }>;
}

export const sd15Backend: Sd15TrainerBackend = {
  id: 'builtin',
  description: 'loraflow runtime (ONNX Runtime in a worker thread), SD 1.5 UNet LoRA on cached latents',
  unsupported: (arch) => (arch === 'sd15' ? undefined : `the SD 1.5 backend trains SD 1.5 checkpoints, not ${arch}`),
  train: (job, onEvent, signal, onLog) => trainSd15InWorker(job, onEvent, signal, onLog),
};
