/**
 * SD 1.5 and SDXL samplers (both were trained on the same 1,000-step scaled-linear schedule) in k-diffusion's
 * formulation, which ComfyUI and A1111 share: the UNet's epsilon turned into a
 * denoiser D(x, σ) = x − σ · ε(x / √(σ² + 1), t(σ)), with σ_t = √((1 − ᾱ_t) / ᾱ_t) and t(σ) interpolated in
 * log σ. Schedules: "normal" (timesteps evenly spaced from 999 down) and Karras (ρ = 7 between the model's σ_min
 * and σ_max). Samplers: Euler, Euler ancestral (η = 1) and DPM++ 2M. The noise comes from one seeded generator, so
 * a seed gives the same image on the same machine.
 */
import { Rng } from '../dit/rng';
import { alphasCumprod } from './schedule';

export const SD_SAMPLERS = ['euler', 'euler_ancestral', 'dpmpp_2m_karras'] as const;
export type SdSamplerKind = (typeof SD_SAMPLERS)[number];

/** The model's σ for each of its 1,000 training timesteps. */
export function modelSigmas(): Float64Array {
  return alphasCumprod().map((a) => Math.sqrt((1 - a) / a));
}

/** The (fractional) timestep of a σ: linear interpolation of log σ over the training table. */
export function timestepOf(sigma: number, table = modelSigmas()): number {
  const ls = Math.log(sigma);
  if (ls <= Math.log(table[0]!)) return 0;
  for (let i = 1; i < table.length; i++) {
    const hi = Math.log(table[i]!);
    if (ls <= hi) {
      const lo = Math.log(table[i - 1]!);
      return i - 1 + (ls - lo) / (hi - lo);
    }
  }
  return table.length - 1;
}

/** `steps` σ values from high to low, then 0. */
export function sigmaSchedule(steps: number, karras: boolean, table = modelSigmas()): number[] {
  const n = table.length;
  const out: number[] = [];
  if (karras) {
    const rho = 7;
    const [min, max] = [table[0]! ** (1 / rho), table[n - 1]! ** (1 / rho)];
    for (let i = 0; i < steps; i++) out.push((max + (i / Math.max(1, steps - 1)) * (min - max)) ** rho);
  } else {
    for (let i = 0; i < steps; i++) {
      const t = (n - 1) * (1 - i / Math.max(1, steps - 1));
      const lo = Math.floor(t),
        frac = t - lo;
      const a = Math.log(table[lo]!),
        b = Math.log(table[Math.min(n - 1, lo + 1)]!);
      out.push(Math.exp(a + frac * (b - a)));
    }
  }
  out.push(0);
  return out;
}

/** D(x, σ): the denoised latents of x at noise level σ (classifier-free guidance inside). */
export type Denoiser = (x: Float32Array, sigma: number) => Promise<Float32Array>;

export interface SdSampleOptions {
  sampler: SdSamplerKind;
  steps: number;
  seed: number;
  /** The latent's element count (4 · h · w). */
  size: number;
  /** Called after each step with the current denoised estimate (for previews). */
  onStep?: (step: number, denoised: Float32Array) => void | Promise<void>;
  /** Stops between steps when it returns true. */
  cancelled?: () => boolean;
}

/** Runs one sampler from pure noise to latents. */
export async function sampleLatents(denoise: Denoiser, o: SdSampleOptions): Promise<Float32Array> {
  const rng = new Rng(o.seed >>> 0);
  const sigmas = sigmaSchedule(o.steps, o.sampler === 'dpmpp_2m_karras');
  const x = rng.fillNormal(new Float32Array(o.size));
  for (let i = 0; i < x.length; i++) x[i]! *= sigmas[0]!;
  let old: Float32Array | undefined;
  for (let i = 0; i < o.steps; i++) {
    if (o.cancelled?.()) throw new Error('cancelled');
    const [s, next] = [sigmas[i]!, sigmas[i + 1]!];
    const d = await denoise(x, s);
    if (o.sampler === 'dpmpp_2m_karras') {
      dpmStep(x, d, old, sigmas, i);
      old = d;
    } else {
      let down = next,
        up = 0;
      if (o.sampler === 'euler_ancestral' && next > 0) {
        up = Math.min(next, Math.sqrt((next * next * (s * s - next * next)) / (s * s)));
        down = Math.sqrt(next * next - up * up);
      }
      for (let j = 0; j < x.length; j++) x[j]! += ((x[j]! - d[j]!) / s) * (down - s);
      if (up > 0) {
        const z = rng.fillNormal(new Float32Array(x.length));
        for (let j = 0; j < x.length; j++) x[j]! += z[j]! * up;
      }
    }
    await o.onStep?.(i + 1, d);
  }
  return x;
}

/** DPM++ 2M (k-diffusion's sample_dpmpp_2m): a second-order multistep update in log σ. */
function dpmStep(x: Float32Array, d: Float32Array, old: Float32Array | undefined, sigmas: number[], i: number): void {
  const [s, next] = [sigmas[i]!, sigmas[i + 1]!];
  if (next === 0) {
    x.set(d);
    return;
  }
  const t = -Math.log(s),
    tNext = -Math.log(next);
  const h = tNext - t;
  const ratio = next / s,
    k = -Math.expm1(-h);
  if (!old || i === 0) {
    for (let j = 0; j < x.length; j++) x[j] = ratio * x[j]! + k * d[j]!;
    return;
  }
  const r = (t + Math.log(sigmas[i - 1]!)) / h;
  const [a, b] = [1 + 1 / (2 * r), 1 / (2 * r)];
  for (let j = 0; j < x.length; j++) x[j] = ratio * x[j]! + k * (a * d[j]! - b * old[j]!);
}
