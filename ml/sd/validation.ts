/**
 * The validation loss of an SD 1.5 LoRA run: the task's own loss graph, forward only, on the validation latents at
 * fixed noise and timesteps (drawn once from a fixed seed), so the curve moves only when the LoRA does. The LoRA
 * parameters are session inputs; the session is built once and fed the trainer's current values.
 */
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { GraphBuilder } from '../graph';
import type { Tensor } from '../graph/tensor';
import { CounterRng } from '../train/rng';
import type { BatchArray, NamedParams, TrainTask } from '../train/types';

/** How many fixed (noise, timestep) batches the validation loss averages. */
export const VALIDATION_BATCHES = 4;

export class Sd15Validation {
  private session?: Promise<InferenceSession>;
  private readonly batches: Record<string, BatchArray>[];

  /**
   * `task` is a LoRA task on the validation latents only (its nextBatch draws from them). With `keep` false the
   * session (a second copy of the frozen weights: 3.4 GB for the full-size UNet) is released after each use and
   * rebuilt at the next checkpoint, trading seconds of rebuilding for the memory between checkpoints.
   */
  constructor(
    private readonly task: TrainTask,
    private readonly threads?: number,
    private readonly keep = true,
  ) {
    const rng = new CounterRng(20240601);
    this.batches = Array.from({ length: VALIDATION_BATCHES }, (_, i) => task.nextBatch(rng, i));
  }

  private build(params: NamedParams): Promise<InferenceSession> {
    const g = new GraphBuilder({ name: 'sd15_validation' });
    const p: Record<string, Tensor> = {};
    for (const [name, v] of Object.entries(params)) p[name] = g.input(name, 'float32', [...v.shape]);
    const b: Record<string, Tensor> = {};
    for (const [name, s] of Object.entries(this.task.batchSpec)) b[name] = g.input(name, s.dtype, [...s.shape]);
    g.output(this.task.buildLoss(g, p, b), 'loss');
    return g.createSession(this.threads ? { intraOpNumThreads: this.threads } : {});
  }

  /** Builds the session now (seconds to minutes on a full-size UNet), so that its phase can be named. */
  async prepare(params: NamedParams): Promise<void> {
    this.session ??= this.build(params);
    await this.session;
  }

  /** The mean loss of the fixed batches with these LoRA parameters. */
  async compute(params: NamedParams): Promise<number> {
    this.session ??= this.build(params);
    const s = await this.session;
    let sum = 0;
    for (const batch of this.batches) {
      const feeds: Record<string, OrtTensor> = {};
      for (const [name, v] of Object.entries(params)) feeds[name] = new OrtTensor('float32', v.data, [...v.shape]);
      for (const [name, spec] of Object.entries(this.task.batchSpec)) {
        const data = batch[name]!;
        feeds[name] =
          data instanceof BigInt64Array
            ? new OrtTensor('int64', data, [...spec.shape])
            : new OrtTensor('float32', data as Float32Array, [...spec.shape]);
      }
      const r = await s.run(feeds);
      sum += (r.loss!.data as Float32Array)[0]!;
    }
    if (!this.keep) await this.release();
    return sum / this.batches.length;
  }

  async release(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await (await s).release();
  }
}
