/**
 * How many optimizer steps a run takes, and what that is in epochs. The guide's step counts ("100 steps per image",
 * 20 images = 2000 steps, the scenario presets) are kohya steps at batch 1: one image per step, so 100 steps per
 * image is 100 epochs. A batch of B images per step sees B images each step, so the same training takes 1/B as many
 * steps. The convention, as kohya's: steps = images x repeats x epochs / batch.
 */
import { stepsRange, suggestSteps } from '../dataset/advice/advice';

export interface StepsPlan {
  steps: number;
  /** Passes over the training images (counted with repeats). */
  epochs: number;
  batch: number;
  images: number;
  /** True when the user left steps at 0 and the guide's formula chose them. */
  auto: boolean;
}

/** Epochs of `steps` steps of `batch` images over `images` images (with repeats). */
export const epochsOf = (steps: number, batch: number, images: number): number => (steps * batch) / Math.max(1, images);

/** The plan for `requested` steps (0: the guide's about 100 per image, divided by the batch size). */
export function planSteps(requested: number, images: number, batch: number): StepsPlan {
  const auto = requested <= 0;
  const steps = auto ? Math.max(1, Math.ceil(suggestSteps(images) / Math.max(1, batch))) : requested;
  return { steps, epochs: epochsOf(steps, batch, images), batch, images, auto };
}

/** The guide's steps range for `images` images, converted to steps of `batch` images. */
export function stepsRangeAt(images: number, batch: number): [number, number] {
  const [lo, hi] = stepsRange(images);
  return [Math.ceil(lo / batch), Math.ceil(hi / batch)];
}

/** "450 steps at batch 4 = 100 epochs of 18 images (the guide's ~100 per image)". */
export function describePlan(p: StepsPlan): string {
  const e = p.epochs >= 10 ? p.epochs.toFixed(0) : p.epochs.toFixed(1);
  const why = p.auto ? ", from the guide's ~100 steps per image at batch 1" : '';
  return `${p.steps} steps at batch ${p.batch} = ${e} epochs of ${p.images} image(s)${why}`;
}
