/**
 * Sampling Stable Diffusion images (SD 1.5 and SDXL): prompts × LoRA stacks, each stack merged into the weights
 * (merge-lora.ts), image i of every stack from the noise of seed + i, so that stacks differ only by their LoRAs.
 * The family's parts around the UNet come with its encoders (encoders.ts, sdxl-encoders.ts): SDXL adds the pooled
 * embedding and the size/crop conditioning (original = target = the image size, crop 0, 0: ComfyUI's defaults).
 * Used by the Sample worker and by the training workers' in-training samples (the same path, so both agree with
 * a loader).
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { TriggerEmbedding } from '../lora/types';
import type { WeightSource } from './blocks';
import { guidedDenoiser, unetSession } from './denoiser';
import type { Conditioning, SdEncoders, Sd15Encoders } from './encoders';
import { mergedWeights, type AppliedLora } from './merge-lora';
import { sampleLatents, type SdSamplerKind } from './sampler';
import { sampleSize } from './sdxl-cond';
import type { SdxlEncoders } from './sdxl-encoders';

export interface SdSampleSettings {
  prompts: string[];
  negative: string;
  seed: number;
  /** Each prompt's own seed (default: seed + its index). */
  seeds?: readonly number[];
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
  /** Trigger words' own embeddings that come with these LoRAs (bundle_emb): their prompts read those rows. */
  readonly embeddings?: readonly TriggerEmbedding[];
}

/** Samples each stack's prompts; returns, per stack, its RGB images (HWC, width x height) in its prompts' order. */
export async function sampleSd(
  base: WeightSource,
  encoders: SdEncoders,
  stacks: readonly SdStack[],
  o: SdSampleSettings,
  hooks: SdSampleHooks = {},
): Promise<Uint8Array[][]> {
  if (o.width % 8 || o.height % 8)
    throw new Error(`width and height must be multiples of 8, got ${o.width}x${o.height}`);
  const [h, w] = [o.height / 8, o.width / 8];
  // A trigger's vectors may take more tokens than its word: every stack's prompts count toward the common length.
  const counters = [
    encoders,
    ...stacks.flatMap((st) => (st.embeddings?.length ? [encoders.withEmbeddings(base, st.embeddings)] : [])),
  ];
  const chunks = Math.max(
    encoders.chunksOf(o.negative),
    ...counters.flatMap((enc) => o.prompts.map((p) => enc.chunksOf(p))),
  );
  const conditionings = async (enc: SdEncoders) => {
    const positives: Conditioning[] = [];
    for (const p of o.prompts) positives.push(await enc.encode(p, { minChunks: chunks }));
    return { negative: await enc.encode(o.negative, { minChunks: chunks }), positives };
  };
  const plain = await conditionings(encoders);
  // The prompts are encoded: the text encoders' weights need not sit beside the UNet's while it samples.
  await encoders.releaseText();
  const shape = { h, w, tokens: plain.negative.tokens, width: plain.negative.width, ...encoders.unet };
  const size = sampleSize(o.width, o.height);
  const promptsOf = (st: SdStack): readonly number[] => st.prompts ?? o.prompts.map((_, i) => i);
  const total = stacks.reduce((n, st) => n + promptsOf(st).length, 0) * o.steps;
  let done = 0;
  const out: Uint8Array[][] = new Array<Uint8Array[]>(stacks.length);
  // Stacks without a LoRA at a non-zero strength share one base session. They run first, and it is released before
  // the first LoRA stack, so that only one UNet's weights are held at a time (10 GB in fp32 for SDXL).
  const effective = stacks.map((st) => st.loras.filter((l) => l.strength !== 0));
  const order = stacks.map((_, i) => i).sort((a, b) => Number(!!effective[a]!.length) - Number(!!effective[b]!.length));
  let baseSession: Promise<InferenceSession> | undefined;
  const releaseBase = async () => {
    const b = baseSession;
    baseSession = undefined;
    await b?.then(
      (x) => x.release(),
      () => undefined,
    );
  };
  try {
    for (const k of order) {
      const st = stacks[k]!;
      const stack = effective[k]!;
      if (stack.length) await releaseBase();
      const weights = stack.length ? mergedWeights(base, stack) : base;
      // Text-encoder adapters and trigger embeddings change the conditioning too: that stack encodes its prompts
      // with merged weights and its embeddings.
      const te = stack.some((l) => l.adapters.some((a) => a.module.part !== 'unet'));
      const embeddings = st.embeddings ?? [];
      const own = te || embeddings.length ? encoders.withEmbeddings(weights, embeddings) : undefined;
      const { negative, positives } = own ? await conditionings(own).finally(() => own.release()) : plain;
      const session = stack.length
        ? await unetSession(weights, shape, hooks.threads)
        : await (baseSession ??= unetSession(base, shape, hooks.threads));
      try {
        const images: Uint8Array[] = [];
        for (const i of promptsOf(st)) {
          const positive = positives[i]!;
          const denoise = guidedDenoiser(session, shape, { positive, negative, size }, o.cfg);
          const latents = await sampleLatents(denoise, {
            sampler: o.sampler,
            steps: o.steps,
            seed: o.seeds?.[i] ?? o.seed + i,
            size: 4 * h * w,
            cancelled: hooks.cancelled,
            onStep: (step, denoised) => {
              done++;
              const show = o.previewEvery > 0 && (step % o.previewEvery === 0 || step === o.steps);
              const preview = show ? { rgb: encoders.preview(denoised, h, w), width: w, height: h } : undefined;
              hooks.onStep?.(done, total, preview);
            },
          });
          images.push(await encoders.decode(latents, h, w));
        }
        out[k] = images;
      } finally {
        if (stack.length) await session.release();
      }
    }
  } finally {
    await releaseBase();
  }
  return out;
}

/** SD 1.5 sampling (sampleSd with SD 1.5's encoders): the Sample node's and SD 1.5 training's in-training samples. */
export function sampleSd15(
  base: WeightSource,
  encoders: Sd15Encoders,
  stacks: readonly SdStack[],
  o: SdSampleSettings,
  hooks: SdSampleHooks = {},
): Promise<Uint8Array[][]> {
  return sampleSd(base, encoders, stacks, o, hooks);
}

/**
 * SDXL sampling, the same contract as sampleSd15: `encoders` = new SdxlEncoders(ckpt); for in-training samples
 * pass the adapters rounded as the saved file holds them (roundAdapters) at strength 1, on their SdxlKohyaModule
 * (bigG's q/k/v land on their third of in_proj), so ΔW = strength · alpha/rank · up·down as a loader applies it.
 */
export function sampleSdxl(
  base: WeightSource,
  encoders: SdxlEncoders,
  stacks: readonly SdStack[],
  o: SdSampleSettings,
  hooks: SdSampleHooks = {},
): Promise<Uint8Array[][]> {
  return sampleSd(base, encoders, stacks, o, hooks);
}
