/**
 * SDXL's second text encoder, OpenCLIP ViT-bigG/14 (`conditioner.embedders.1.model.*`): the CLIP text tower with
 * q/k/v fused in `attn.in_proj_weight` [3C, C] (one Gemm, then split in thirds), exact GELU in the MLP, and
 * `text_projection` P [C, P] applied as x·P. SDXL reads two things from it: the penultimate layer's hidden states,
 * without ln_final (the UNet's context, beside CLIP-L's), and the pooled embedding ln_final(last)[EOS]·P (the
 * "adm" vector's first 1280 values). A LoRA hook sees q, k and v as three modules, `<in_proj_weight>.q|k|v`
 * (fusedThirdName): kohya's te2 q/k/v LoRAs change the fused weight's row thirds, which is the same as adding
 * each one's output to its third of the split.
 */
import type { Tensor } from '../graph/tensor';
import { attention } from './attention';
import { layerNorm, linear, type SdCtx } from './blocks';
import { SDXL_CLIP_G_PREFIX } from './sdxl-keys';
import { embedTokens } from './trigger-embedding';
import { EOS } from './tokenizer';

export interface OpenClipOutputs {
  /** The penultimate layer's hidden states [B, L, C] (no ln_final). */
  readonly penultimate: Tensor;
  /** ln_final(last layer)[EOS] · text_projection: [B, P]. */
  readonly pooled: Tensor;
}

const THIRDS = ['q', 'k', 'v'] as const;

/** The hook name of one third (q, k or v: 0, 1, 2) of a fused in_proj weight. */
export const fusedThirdName = (inProjWeight: string, third: number): string => `${inProjWeight}.${THIRDS[third]}`;

/** The rows of the flattened [B·L] tokens where each sequence's first EOS sits (bigG pads with 0, CLIP-L with EOS). */
export function eosRows(ids: Int32Array, length: number): BigInt64Array {
  const b = ids.length / length;
  return BigInt64Array.from({ length: b }, (_, i) => {
    const seq = ids.subarray(i * length, (i + 1) * length);
    const at = seq.indexOf(EOS);
    return BigInt(i * length + (at < 0 ? length - 1 : at));
  });
}

/**
 * Encodes token ids [B, L] (int64); `eos` [B] (int64) holds eosRows(ids). `extraTokens` [n, width]: the rows ids from
 * the vocabulary's size on read (pivotal tuning, trigger-embedding.ts).
 */
export function buildOpenClipText(
  ctx: SdCtx,
  ids: Tensor,
  eos: Tensor,
  prefix = SDXL_CLIP_G_PREFIX,
  extraTokens?: Tensor,
): OpenClipOutputs {
  const { g } = ctx;
  const P = (m: string): string => prefix + m;
  const [b = 0, l = 0] = ids.shape;
  const width = ctx.shape(P('token_embedding.weight'))[1] ?? 0;
  const heads = Math.max(1, Math.floor(width / 64));
  let layers = 0;
  while (ctx.has(P(`transformer.resblocks.${layers}.ln_1.weight`))) layers++;
  const pos = g.slice(ctx.w(P('positional_embedding')), [0], [l], [0]);
  let h = g.reshape(g.add(embedTokens(g, ctx.w(P('token_embedding.weight')), ids, extraTokens), pos), [b * l, width]);
  const causal = new Float32Array(l * l);
  for (let i = 0; i < l; i++) for (let j = i + 1; j < l; j++) causal[i * l + j] = -1e9;
  const mask = g.constant(causal, [1, 1, l, l]);
  let penultimate = h;
  for (let i = 0; i < layers; i++) {
    if (i === layers - 1) penultimate = h;
    const m = P(`transformer.resblocks.${i}`);
    h = g.scope(`openclip/layer${i}`, () => {
      const n1 = layerNorm(ctx, `${m}.ln_1`, h);
      const qkv = g.gemm(n1, ctx.w(`${m}.attn.in_proj_weight`), ctx.w(`${m}.attn.in_proj_bias`), { transB: true });
      const split = g.split(qkv, [width, width, width], 1) as [Tensor, Tensor, Tensor];
      const hook = ctx.hook;
      const third = (i: number): Tensor =>
        hook ? hook(fusedThirdName(`${m}.attn.in_proj_weight`, i), n1, split[i]!) : split[i]!;
      const [q, k, v] = [third(0), third(1), third(2)];
      const r = g.add(h, linear(ctx, `${m}.attn.out_proj`, attention(g, q, k, v, b, heads, { mask })));
      const mlp = linear(ctx, `${m}.mlp.c_proj`, g.gelu(linear(ctx, `${m}.mlp.c_fc`, layerNorm(ctx, `${m}.ln_2`, r))));
      return g.add(r, mlp);
    });
  }
  const last = g.gather(layerNorm(ctx, P('ln_final'), h), eos);
  return {
    penultimate: g.reshape(penultimate, [b, l, width]),
    pooled: g.matmul(last, ctx.w(P('text_projection'))),
  };
}
