/**
 * Sampling SD 1.5 images: prompts × LoRA stacks, each stack merged into the UNet's weights (merge-lora.ts), image
 * i of every stack from the noise of seed + i, so that stacks differ only by their LoRAs. Used by the Sample
 * worker and by the training worker's in-training samples (the same path, so both agree with a loader).
 */
import { Sd15Encoders, latentPreview, type Conditioning } from './encoders';
import { guidedDenoiser, unetSession } from './denoiser';
import { mergedWeights, type AppliedLora } from './merge-lora';
import { sampleLatents, type SdSamplerKind } from './sampler';
import type { WeightSource } from './blocks';

export interface SdSampleSettings {
  prompts: string[];
  negative: string;
  seed: number;
  steps: number;
  cfg: number;
  sampler: SdSamplerKind;
  width: number;
  height: number;
  /** Every N steps a preview (0: none). */
  previewEvery: number;
}

export interface SdSampleHooks {
  /** After each step of each image; `preview` is a latent-size RGB approximation every previewEvery steps. */
  onStep?: (done: number, total: number, preview?: { rgb: Uint8Array; width: number; height: number }) => void;
  cancelled?: () => boolean;
  threads?: number;
}

/** LoRAs applied together, and the prompts (indices) sampled with them (default: all). */
export interface SdStack {
  readonly loras: readonly AppliedLora[];
  readonly prompts?: readonly number[];
}

/** Samples each stack's prompts; returns, per stack, its RGB images (HWC, width x height) in its prompts' order. */
export async function sampleSd15(
  base: WeightSource,
  encoders: Sd15Encoders,
  stacks: readonly SdStack[],
  o: SdSampleSettings,
  hooks: SdSampleHooks = {},
): Promise<Uint8Array[][]> {
  if (o.width % 8 || o.height % 8)
    throw new Error(`width and height must be multiples of 8, got ${o.width}x${o.height}`);
  const [h, w] = [o.height / 8, o.width / 8];
  const chunks = Math.max(encoders.chunksOf(o.negative), ...o.prompts.map((p) => encoders.chunksOf(p)));
  const conditionings = async (enc: Sd15Encoders) => {
    const positives: Conditioning[] = [];
    for (const p of o.prompts) positives.push(await enc.encode(p, { minChunks: chunks }));
    return { negative: await enc.encode(o.negative, { minChunks: chunks }), positives };
  };
  const plain = await conditionings(encoders);
  const shape = { h, w, tokens: plain.negative.tokens, width: plain.negative.width };
  const promptsOf = (st: SdStack): readonly number[] => st.prompts ?? o.prompts.map((_, i) => i);
  const total = stacks.reduce((n, st) => n + promptsOf(st).length, 0) * o.steps;
  let done = 0;
  const out: Uint8Array[][] = [];
  for (const st of stacks) {
    const stack = st.loras;
    const weights = stack.length ? mergedWeights(base, stack) : base;
    // Text-encoder adapters change the conditioning too: that stack encodes its prompts with merged CLIP weights.
    const te = stack.some((l) => l.strength !== 0 && l.adapters.some((a) => a.module.part !== 'unet'));
    const own = te ? new Sd15Encoders(weights, { clipSkip: encoders.clipSkip, threads: hooks.threads }) : undefined;
    const { negative, positives } = own ? await conditionings(own).finally(() => own.release()) : plain;
    const session = await unetSession(weights, shape, hooks.threads);
    try {
      const images: Uint8Array[] = [];
      for (const i of promptsOf(st)) {
        const positive = positives[i]!;
        const denoise = guidedDenoiser(session, shape, { positive, negative }, o.cfg);
        const latents = await sampleLatents(denoise, {
          sampler: o.sampler,
          steps: o.steps,
          seed: o.seed + i,
          size: 4 * h * w,
          cancelled: hooks.cancelled,
          onStep: (step, denoised) => {
            done++;
            const show = o.previewEvery > 0 && (step % o.previewEvery === 0 || step === o.steps);
            hooks.onStep?.(done, total, show ? { rgb: latentPreview(denoised, h, w), width: w, height: h } : undefined);
          },
        });
        images.push(await encoders.decode(latents, h, w));
      }
      out.push(images);
    } finally {
      await session.release();
    }
  }
  return out;
}
