/**
 * The CLIP ViT-L/14 text encoder of SD 1.5 (`cond_stage_model.transformer.text_model.*`): token and position
 * embeddings, pre-norm layers with causal self-attention and QuickGELU, and the final LayerNorm. Width, layer count
 * and sequence length come from the weight shapes; heads are width / 64 (12 for CLIP-L).
 */
import type { Tensor } from '../graph/tensor';
import { attention } from './attention';
import { layerNorm, linear, quickGelu, type SdCtx } from './blocks';
import { embedTokens } from './trigger-embedding';

export const CLIP_PREFIX = 'cond_stage_model.transformer.text_model.';

export interface ClipOptions {
  /** 1: the last layer's output (SD 1.5's conditioning); 2: the penultimate one (A1111's "clip skip 2"). */
  clipSkip?: number;
  /** Attention heads (default width / 64, at least 1). */
  heads?: number;
  /** Where the weights are: SD 1.5's CLIP_PREFIX by default, SDXL's CLIP-L under `conditioner.embedders.0.`. */
  prefix?: string;
  /** Apply the final LayerNorm (default true, as SD 1.x does with clip skip too; SDXL's penultimate skips it). */
  finalNorm?: boolean;
  /** Pivotal tuning: the rows [n, width] that token ids from the vocabulary's size on read (trigger-embedding.ts). */
  extraTokens?: Tensor;
}

/** The number of encoder layers in the checkpoint. */
export function clipLayers(ctx: SdCtx, prefix = CLIP_PREFIX): number {
  let n = 0;
  while (ctx.has(`${prefix}encoder.layers.${n}.layer_norm1.weight`)) n++;
  return n;
}

/** Encodes token ids [B, L] (int64) into hidden states [B, L, width], the final LayerNorm applied. */
export function buildClipText(ctx: SdCtx, ids: Tensor, o: ClipOptions = {}): Tensor {
  const { g } = ctx;
  const prefix = o.prefix ?? CLIP_PREFIX;
  const P = (m: string): string => prefix + m;
  const [b = 0, l = 0] = ids.shape;
  const width = ctx.shape(P('embeddings.token_embedding.weight'))[1] ?? 0;
  const heads = o.heads ?? Math.max(1, Math.floor(width / 64));
  const total = clipLayers(ctx, prefix);
  const skip = o.clipSkip ?? 1;
  if (!Number.isInteger(skip) || skip < 1 || skip > total)
    throw new Error(`clip skip must be an integer from 1 to ${total}, got ${skip}`);
  const pos = g.slice(ctx.w(P('embeddings.position_embedding.weight')), [0], [l], [0]);
  let h = g.reshape(g.add(embedTokens(g, ctx.w(P('embeddings.token_embedding.weight')), ids, o.extraTokens), pos), [
    b * l,
    width,
  ]);
  const causal = new Float32Array(l * l);
  for (let i = 0; i < l; i++) for (let j = i + 1; j < l; j++) causal[i * l + j] = -1e9;
  const mask = g.constant(causal, [1, 1, l, l]);
  for (let i = 0; i < total - (skip - 1); i++) {
    const m = P(`encoder.layers.${i}`);
    h = g.scope(`clip/layer${i}`, () => {
      const n1 = layerNorm(ctx, `${m}.layer_norm1`, h);
      const q = linear(ctx, `${m}.self_attn.q_proj`, n1);
      const k = linear(ctx, `${m}.self_attn.k_proj`, n1);
      const v = linear(ctx, `${m}.self_attn.v_proj`, n1);
      const a = linear(ctx, `${m}.self_attn.out_proj`, attention(g, q, k, v, b, heads, { mask }));
      const r = g.add(h, a);
      const mlp = linear(
        ctx,
        `${m}.mlp.fc2`,
        quickGelu(g, linear(ctx, `${m}.mlp.fc1`, layerNorm(ctx, `${m}.layer_norm2`, r))),
      );
      return g.add(r, mlp);
    });
  }
  return g.reshape(o.finalNorm === false ? h : layerNorm(ctx, P('final_layer_norm'), h), [b, l, width]);
}
