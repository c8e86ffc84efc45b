/**
 * SD 1.5's noise schedule and training objective: 1,000 steps of scaled-linear betas (linspace of the square roots
 * of 0.00085 and 0.012, squared), epsilon prediction (the checkpoint's) or v-prediction, kohya's min-SNR loss
 * weighting and noise offset. The per-timestep tables are computed here in float64 and enter the graph as
 * constants gathered by the batch's integer timesteps.
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import type { CounterRng } from '../train/rng';
import type { PriorMix } from './prior-mix';

export const TRAIN_TIMESTEPS = 1000;

export type Prediction = 'epsilon' | 'v';

export interface Objective {
  prediction: Prediction;
  /** min-SNR-γ weighting (kohya `min_snr_gamma`, 5 is the usual choice); absent: every timestep weighs 1. */
  minSnrGamma?: number;
  /** Prior preservation (prior-mix.ts): class examples among the task's, with their loss weight. */
  prior?: PriorMix;
  /** The timesteps trained, [min, max) (kohya's min_timestep / max_timestep); absent: 0-1000. */
  timesteps?: readonly [number, number];
}

/** A training timestep, uniform in the objective's range as kohya draws it. */
export function drawTimestep(rng: CounterRng, o: Objective): bigint {
  const [lo, hi] = o.timesteps ?? [0, TRAIN_TIMESTEPS];
  return BigInt(lo + rng.int(hi - lo));
}

/** ᾱ_t for t = 0..999 (the cumulative product of 1 - β_t). */
export function alphasCumprod(steps = TRAIN_TIMESTEPS, start = 0.00085, end = 0.012): Float64Array {
  const a = Math.sqrt(start),
    b = Math.sqrt(end);
  const out = new Float64Array(steps);
  let prod = 1;
  for (let i = 0; i < steps; i++) {
    const beta = (a + ((b - a) * i) / (steps - 1)) ** 2;
    prod *= 1 - beta;
    out[i] = prod;
  }
  return out;
}

/** Per-timestep loss weights: min(SNR, γ)/SNR for epsilon, min(SNR, γ)/(SNR + 1) for v (kohya's apply_snr_weight). */
export function snrWeights(o: Objective, ab = alphasCumprod()): Float64Array {
  return ab.map((a) => {
    if (o.minSnrGamma === undefined) return 1;
    const snr = a / (1 - a);
    return Math.min(snr, o.minSnrGamma) / (o.prediction === 'v' ? snr + 1 : snr);
  });
}

/**
 * The weighted mean squared error of a diffusion step. `x0` clean latents [B, C, H, W], `noise` like them,
 * `t` int64 timesteps [B], `w` optional per-image loss weights [B] (prior preservation: the mean of the weighted
 * per-image losses, as kohya weighs them); `predict(xt, tFloat)` builds the model on the noisy latents. Returns the
 * scalar loss.
 */
export function diffusionLoss(
  g: GraphBuilder,
  o: Objective,
  batch: { x0: Tensor; noise: Tensor; t: Tensor; w?: Tensor },
  predict: (xt: Tensor, t: Tensor) => Tensor,
): Tensor {
  const ab = alphasCumprod();
  const [b = 0] = batch.x0.shape;
  const table = (v: Float64Array): Tensor =>
    g.reshape(g.gather(g.constant(Float32Array.from(v), [v.length]), batch.t), [b, 1, 1, 1]);
  const sa = table(ab.map(Math.sqrt)),
    s1 = table(ab.map((a) => Math.sqrt(1 - a)));
  const xt = g.add(g.mul(sa, batch.x0), g.mul(s1, batch.noise));
  const target = o.prediction === 'v' ? g.sub(g.mul(sa, batch.noise), g.mul(s1, batch.x0)) : batch.noise;
  const err = g.sub(predict(xt, g.cast(batch.t, 'float32')), target);
  const squared = g.reduceMean(g.mul(err, err), [1, 2, 3]);
  const perImage = batch.w ? g.mul(squared, batch.w) : squared;
  if (o.minSnrGamma === undefined) return g.reduceMean(perImage);
  const w = g.gather(g.constant(Float32Array.from(snrWeights(o, ab)), [ab.length]), batch.t);
  return g.reduceMean(g.mul(perImage, w));
}

/**
 * kohya's noise offset, on the host: noise[b, c, :, :] += strength · offsets[b·C + c], with `offsets` standard
 * normal (one draw per image and channel). It lets a LoRA learn overall brightness; 0.05–0.1 is typical.
 */
export function applyNoiseOffset(
  noise: Float32Array,
  shape: readonly number[],
  offsets: Float32Array,
  strength: number,
): void {
  const [b = 0, c = 0, h = 0, w = 0] = shape;
  const plane = h * w;
  for (let i = 0; i < b * c; i++) {
    const d = strength * offsets[i]!;
    for (let j = i * plane; j < (i + 1) * plane; j++) noise[j]! += d;
  }
}
