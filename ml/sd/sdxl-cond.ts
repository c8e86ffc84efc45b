/**
 * SDXL's conditioning besides the timestep: the cross-attention context (CLIP-L penultimate ‖ bigG penultimate,
 * neither with its final LayerNorm: 768 + 1280 = 2048 wide) and the "adm" vector fed through label_emb: the pooled
 * bigG embedding followed by six 256-wide sinusoids of original height, width, crop top, left, target height, width
 * (the order of sgm's embedders). Training takes the three pairs from each image's bucket and crop, as kohya does,
 * so a LoRA sees what a user samples with (original = target = the output size, crop 0, 0).
 */
import type { Tensor } from '../graph/tensor';
import { buildClipText } from './clip';
import type { SdCtx } from './blocks';
import { buildOpenClipText } from './openclip';
import { SDXL_CLIP_L_PREFIX } from './sdxl-keys';
import { SIZE_EMBED_DIM } from './sdxl-widths';

/** SDXL's latent scale (SD 1.5: 0.18215). */
export const SDXL_VAE_SCALE = 0.13025;

/**
 * The original SDXL VAE overflows in fp16 (activations past 65,504 in the decoder's last blocks: black or NaN
 * images). loraflow converts every weight to float32 on read and runs the VAE in float32, so any SDXL VAE decodes
 * correctly; an fp16-only runtime would need the "fp16-fix" VAE (madebyollin/sdxl-vae-fp16-fix) instead.
 */
export const SDXL_VAE_DTYPE = 'float32';

/** The size and crop of one training image or sample, in pixels (h, w / top, left). */
export interface SizeCondition {
  readonly original: readonly [number, number];
  readonly crop: readonly [number, number];
  readonly target: readonly [number, number];
}

/** What a user samples at width x height: original = target = that size, no crop. */
export function sampleSize(width: number, height: number): SizeCondition {
  return { original: [height, width], crop: [0, 0], target: [height, width] };
}

/** sgm's timestep_embedding of one value: [cos(v·f), sin(v·f)], f_i = 10000^(-i/half). */
function sinusoid(v: number, dim: number, out: Float32Array, at: number): void {
  const half = dim / 2;
  for (let i = 0; i < half; i++) {
    const a = v * Math.exp((-Math.log(10000) * i) / half);
    out[at + i] = Math.cos(a);
    out[at + half + i] = Math.sin(a);
  }
}

/** The six size/crop sinusoids of one image: [6 · 256]. */
export function sizeEmbedding(c: SizeCondition, dim = SIZE_EMBED_DIM): Float32Array {
  const out = new Float32Array(6 * dim);
  [...c.original, ...c.crop, ...c.target].forEach((v, i) => sinusoid(v, dim, out, i * dim));
  return out;
}

/** The adm vectors [B, pooled + 6 · 256] from pooled embeddings [B, pooled] (row-major) and each image's sizes. */
export function admVectors(pooled: Float32Array, sizes: readonly SizeCondition[]): Float32Array {
  const b = sizes.length;
  const p = pooled.length / b;
  const row = p + 6 * SIZE_EMBED_DIM;
  const out = new Float32Array(b * row);
  sizes.forEach((s, i) => {
    out.set(pooled.subarray(i * p, (i + 1) * p), i * row);
    out.set(sizeEmbedding(s), i * row + p);
  });
  return out;
}

/** Both text encoders: the context [B, L, 2048] and the pooled bigG embedding [B, 1280]. */
export function buildSdxlText(
  ctx: SdCtx,
  idsL: Tensor,
  idsG: Tensor,
  eosG: Tensor,
  extraTokens?: { l: Tensor; g: Tensor },
): { context: Tensor; pooled: Tensor } {
  const l = buildClipText(ctx, idsL, {
    prefix: SDXL_CLIP_L_PREFIX,
    clipSkip: 2,
    finalNorm: false,
    ...(extraTokens ? { extraTokens: extraTokens.l } : {}),
  });
  const g = buildOpenClipText(ctx, idsG, eosG, undefined, extraTokens?.g);
  return { context: ctx.g.concat([l, g.penultimate], 2), pooled: g.pooled };
}
