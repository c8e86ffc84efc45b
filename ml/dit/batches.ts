/**
 * The pretraining data feed: random corpus images in [-1, 1], their captions as tokens (dropped to the empty
 * caption for a share of them: classifier-free guidance), noise and timesteps. Deterministic for a seed and step.
 */
import { Rng } from './rng';
import { encodeCaptions } from './tokenizer';

export interface ImageSet {
  /** [n, size, size, 3] RGB bytes. */
  images: Uint8Array;
  size: number;
  captions: readonly string[];
  /** Which images to draw from (e.g. the held-out concepts left out). */
  indices: readonly number[];
}

export interface FeedOptions {
  batch: number;
  textLength: number;
  wordBuckets?: number;
  /** Share of captions replaced by the empty caption (0.1 as in most text-to-image training). */
  captionDropout: number;
  /** Timesteps from a logit-normal distribution (SD3): more training where the velocity is hardest to predict. */
  timeSampling: 'uniform' | 'logit-normal';
}

export interface Batch {
  x0: Float32Array;
  noise: Float32Array;
  t: Float32Array;
  ids: BigInt64Array;
}

/** The batch of training step `step` (0-based) for `seed`: the same on every machine and after a resume. */
export function makeBatch(set: ImageSet, o: FeedOptions, seed: number, step: number): Batch {
  const rng = new Rng((seed * 2654435761 + step * 40503 + 12345) % 4294967296);
  const px = set.size * set.size * 3;
  const x0 = new Float32Array(o.batch * px);
  const captions: string[] = [];
  for (let b = 0; b < o.batch; b++) {
    const i = set.indices[rng.int(set.indices.length)] ?? 0;
    const src = set.images.subarray(i * px, (i + 1) * px);
    for (let k = 0; k < px; k++) x0[b * px + k] = (src[k] ?? 0) / 127.5 - 1;
    captions.push(rng.next() < o.captionDropout ? '' : (set.captions[i] ?? ''));
  }
  const t = new Float32Array(o.batch);
  for (let b = 0; b < o.batch; b++) {
    t[b] = o.timeSampling === 'uniform' ? clampTime(rng.next()) : logitNormalTime(rng.normal());
  }
  return { x0, noise: rng.fillNormal(new Float32Array(o.batch * px)), t, ids: encodeCaptions(captions, o) };
}

/**
 * A training timestep from a standard normal draw `z`: logit-normal (SD3), as pretraining and LoRA training use;
 * scaled into [lo, hi) for a LoRA trained on part of the schedule (kohya's min/max_timestep).
 */
export function logitNormalTime(z: number, lo = 0, hi = 1): number {
  return clampTime(lo + (hi - lo) / (1 + Math.exp(-z)));
}

/** Keeps t off 0 and 1, where the velocity target degenerates. */
function clampTime(t: number): number {
  return Math.min(0.999, Math.max(0.001, t));
}
