/**
 * The SD UNet as a k-diffusion denoiser with classifier-free guidance: one session of batch 2 (negative and
 * prompt), D = x − σ · (ε_neg + cfg · (ε_pos − ε_neg)) on the input x / √(σ² + 1). SDXL's UNet also takes the adm
 * vector of each half: its pooled bigG embedding and the size/crop sinusoids of the image being sampled. Weights
 * come from any WeightSource, so LoRAs merged by merge-lora.ts are frozen into the session like the base weights.
 */
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { GraphBuilder } from '../graph';
import { frozenCtx, type WeightSource } from './blocks';
import type { Conditioning, UnetFamilyOptions } from './encoders';
import { timestepOf, modelSigmas, type Denoiser } from './sampler';
import { admVectors, type SizeCondition } from './sdxl-cond';
import { buildUnet } from './unet';

export interface UnetSessionShape extends UnetFamilyOptions {
  /** Latent height and width (image / 8). */
  h: number;
  w: number;
  /** Conditioning tokens (77 · chunks) and width. */
  tokens: number;
  width: number;
}

/** Builds the UNet session for a latent and conditioning shape (with the adm input when `admWidth` is set). */
export async function unetSession(
  weights: WeightSource,
  s: UnetSessionShape,
  threads?: number,
): Promise<InferenceSession> {
  const g = new GraphBuilder({ name: 'sd-unet' });
  const x = g.input('x', 'float32', [2, 4, s.h, s.w]);
  const t = g.input('t', 'float32', [2]);
  const context = g.input('context', 'float32', [2, s.tokens, s.width]);
  const y = s.admWidth ? g.input('y', 'float32', [2, s.admWidth]) : undefined;
  const options = s.headDim ? { headDim: s.headDim } : {};
  g.output(buildUnet(frozenCtx(g, weights), { x, t, context, ...(y ? { y } : {}) }, options), 'eps');
  return g.createSession(threads ? { intraOpNumThreads: threads } : {});
}

/** The guided denoiser of one prompt pair on a UNet session; `size` is SDXL's size/crop conditioning. */
export function guidedDenoiser(
  session: InferenceSession,
  s: UnetSessionShape,
  cond: { positive: Conditioning; negative: Conditioning; size?: SizeCondition },
  cfg: number,
): Denoiser {
  const table = modelSigmas();
  const per = cond.positive.data.length;
  if (cond.negative.data.length !== per) throw new Error('prompt and negative prompt encodings differ in length');
  const context = new Float32Array(2 * per);
  context.set(cond.negative.data);
  context.set(cond.positive.data, per);
  const feeds: Record<string, OrtTensor> = { context: new OrtTensor('float32', context, [2, s.tokens, s.width]) };
  if (s.admWidth) feeds.y = new OrtTensor('float32', admOf(cond, s.admWidth), [2, s.admWidth]);
  const size = 4 * s.h * s.w;
  return async (x, sigma) => {
    const cIn = 1 / Math.sqrt(sigma * sigma + 1);
    const input = new Float32Array(2 * size);
    for (let i = 0; i < size; i++) input[i] = input[size + i] = x[i]! * cIn;
    const t = timestepOf(sigma, table);
    const r = await session.run({
      ...feeds,
      x: new OrtTensor('float32', input, [2, 4, s.h, s.w]),
      t: new OrtTensor('float32', Float32Array.of(t, t), [2]),
    });
    const eps = r.eps!.data as Float32Array;
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const e = eps[i]! + cfg * (eps[size + i]! - eps[i]!);
      out[i] = x[i]! - sigma * e;
    }
    return out;
  };
}

/** The adm vectors [2, width] of the negative and the prompt: each one's pooled embedding and the same sizes. */
function admOf(cond: { positive: Conditioning; negative: Conditioning; size?: SizeCondition }, width: number) {
  const [neg, pos] = [cond.negative.pooled, cond.positive.pooled];
  if (!neg || !pos || !cond.size) throw new Error('the SDXL UNet needs pooled embeddings and the image size');
  const pooled = new Float32Array(neg.length + pos.length);
  pooled.set(neg);
  pooled.set(pos, neg.length);
  const adm = admVectors(pooled, [cond.size, cond.size]);
  if (adm.length !== 2 * width)
    throw new Error(`the adm vectors are ${adm.length / 2} wide; the UNet's label_emb takes ${width}`);
  return adm;
}
