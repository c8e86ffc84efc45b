/**
 * Prior preservation in the SD LoRA tasks' batches, kohya's way: regularisation (class) examples train beside the
 * dataset with their own captions, each image's loss weighted by prior_loss_weight (1 for training images), the
 * batch loss being the mean of the weighted per-image losses. kohya's epochs hold as many class images as training
 * images, so each batch slot draws a class example with probability 1/2. The draws come from the trainer's rng,
 * so a resumed run mixes the same batches.
 */
import type { CounterRng } from '../train/rng';

/** A task's examples [0, regFrom) are training images, [regFrom, n) class examples weighted `weight`. */
export interface PriorMix {
  readonly regFrom: number;
  readonly weight: number;
}

/** The share of batch slots that draw a class example. */
export const PRIOR_SHARE = 0.5;

/** The per-image loss weights' batch input, when the task mixes class examples. */
export function priorSpec(
  prior: PriorMix | undefined,
  batch: number,
): Record<string, { dtype: 'float32'; shape: number[] }> {
  return prior ? { w: { dtype: 'float32', shape: [batch] } } : {};
}

/** Draws the examples of one batch of `batch` slots among `n`; without a prior, exactly `rng.int(n)` per slot. */
export function examplePicker(n: number, batch: number, prior: PriorMix | undefined) {
  const w = prior ? new Float32Array(batch).fill(1) : undefined;
  let slot = 0;
  return {
    /** The next slot's example. */
    draw(rng: CounterRng): number {
      const i = slot++;
      if (!prior || !w || prior.regFrom >= n || prior.regFrom <= 0) return rng.int(n);
      if (rng.uniform() >= PRIOR_SHARE) return rng.int(prior.regFrom);
      w[i] = prior.weight;
      return prior.regFrom + rng.int(n - prior.regFrom);
    },
    /** The batch's weights input (`{}` without a prior). */
    weights(): { w?: Float32Array } {
      return w ? { w } : {};
    },
  };
}
