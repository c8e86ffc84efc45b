/**
 * The SD 1.5 UNet (ldm layout, `model.diffusion_model.*`) as an ONNX graph. The block structure is walked from the
 * weight names (which input/output blocks exist, which carry a spatial transformer, where the up/down samplers are)
 * and every width is read from tensor shapes, so the tiny test checkpoints and the full-size model take the same
 * path. Each ResBlock and spatial transformer is built in its own scope (`unet/<site>`) for gradient checkpointing.
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import { attention, MAX_SCORES } from './attention';
import {
  conv,
  fromTokens,
  gegluFeedForward,
  groupNorm,
  layerNorm,
  linear,
  type SdCtx,
  silu,
  toTokens,
  upsample2x,
} from './blocks';

export const UNET_PREFIX = 'model.diffusion_model.';

export interface UnetInputs {
  /** Noisy latents [B, 4, H/8, W/8]. */
  x: Tensor;
  /** Timesteps [B] (float32, 0..999). */
  t: Tensor;
  /** Text conditioning [B, 77, 768] (CLIP's last hidden state after the final LayerNorm). */
  context: Tensor;
  /** SDXL's "adm" vector [B, 2816] (pooled bigG ‖ size/crop sinusoids, sdxl-cond.ts), fed through label_emb. */
  y?: Tensor;
}

export interface UnetOptions {
  /** Attention heads at every level (SD 1.5: 8). */
  heads?: number;
  /** Fixed head width instead (SDXL: 64, so 5/10/20 heads by level); wins over `heads`. */
  headDim?: number;
  /** Bound on one attention chunk's probability elements. */
  maxScores?: number;
}

/** Sinusoidal timestep features as ldm computes them: [cos(t·f), sin(t·f)], f_i = 10000^(-i/half). */
export function timestepEmbedding(g: GraphBuilder, t: Tensor, dim: number, maxPeriod = 10000): Tensor {
  const half = dim / 2;
  const freqs = Array.from({ length: half }, (_, i) => Math.exp((-Math.log(maxPeriod) * i) / half));
  const [b = 0] = t.shape;
  const args = g.mul(g.reshape(t, [b, 1]), g.constant(freqs, [1, half]));
  return g.concat([g.cos(args), g.sin(args)], 1);
}

interface UnetCtx extends SdCtx {
  readonly emb: Tensor;
  readonly context: Tensor;
  readonly heads: number;
  readonly headDim?: number;
  readonly maxScores: number;
}

const P = (m: string): string => UNET_PREFIX + m;

/** ResBlock: GN → SiLU → conv, + Linear(SiLU(emb)), GN → SiLU → conv, + skip (1x1 conv when widths differ). */
function resBlock(u: UnetCtx, m: string, x: Tensor): Tensor {
  const { g } = u;
  let h = conv(u, P(`${m}.in_layers.2`), silu(g, groupNorm(u, P(`${m}.in_layers.0`), x, 1e-5)));
  const cout = h.shape[1] ?? 0;
  const e = linear(u, P(`${m}.emb_layers.1`), silu(g, u.emb));
  h = g.add(h, g.reshape(e, [x.shape[0] ?? 0, cout, 1, 1]));
  h = conv(u, P(`${m}.out_layers.3`), silu(g, groupNorm(u, P(`${m}.out_layers.0`), h, 1e-5)));
  const skip = u.has(P(`${m}.skip_connection.weight`)) ? conv(u, P(`${m}.skip_connection`), x) : x;
  return g.add(skip, h);
}

/** Self- or cross-attention of a transformer block on tokens [B·N, C] (context tokens [B·L, Dc] for cross). */
function attn(u: UnetCtx, m: string, x: Tensor, ctx: Tensor, b: number): Tensor {
  const q = linear(u, `${m}.to_q`, x);
  const k = linear(u, `${m}.to_k`, ctx);
  const v = linear(u, `${m}.to_v`, ctx);
  const heads = u.headDim ? (q.shape[1] ?? 0) / u.headDim : u.heads;
  return linear(u, `${m}.to_out.0`, attention(u.g, q, k, v, b, heads, { maxScores: u.maxScores }));
}

/** The scope of transformer layer i (`tb<i>`) inside a spatial transformer with several layers. */
export const LAYER_SCOPE = 'tb';

/** SpatialTransformer: GN (eps 1e-6) → proj_in → transformer blocks → proj_out, + input. */
function spatialTransformer(u: UnetCtx, m: string, x: Tensor): Tensor {
  const { g } = u;
  const [b = 0, , hh = 0, ww = 0] = x.shape;
  let t = linear(u, P(`${m}.proj_in`), toTokens(g, groupNorm(u, P(`${m}.norm`), x, 1e-6)));
  const layer = (blk: string, t: Tensor): Tensor => {
    const n1 = layerNorm(u, `${blk}.norm1`, t);
    t = g.add(t, attn(u, `${blk}.attn1`, n1, n1, b));
    t = g.add(t, attn(u, `${blk}.attn2`, layerNorm(u, `${blk}.norm2`, t), u.context, b));
    return g.add(t, gegluFeedForward(u, `${blk}.ff`, layerNorm(u, `${blk}.norm3`, t)));
  };
  // Where a transformer has several layers (SDXL: 2 and 10), each gets a scope of its own (LAYER_SCOPE) that gradient
  // checkpointing recomputes on its own: as one unit, SDXL's 10-layer transformers held ten layers' activations at
  // once in the backward pass, most of a 1024 px step's memory.
  const several = u.has(P(`${m}.transformer_blocks.1.norm1.weight`));
  for (let i = 0; u.has(P(`${m}.transformer_blocks.${i}.norm1.weight`)); i++) {
    const blk = P(`${m}.transformer_blocks.${i}`);
    const input = t;
    t = several ? g.scope(`${LAYER_SCOPE}${i}`, () => layer(blk, input)) : layer(blk, input);
  }
  return g.add(x, fromTokens(g, linear(u, P(`${m}.proj_out`), t), b, hh, ww));
}

/** One ldm block: a ResBlock and/or a spatial transformer, a downsampler or an upsampler, in order. */
function block(u: UnetCtx, m: string, x: Tensor): Tensor {
  let h = x;
  for (let j = 0; ; j++) {
    const s = `${m}.${j}`;
    const site = s.replace(/\./g, '_');
    if (u.has(P(`${s}.in_layers.0.weight`))) h = u.g.scope(`unet/${site}`, () => resBlock(u, s, h));
    else if (u.has(P(`${s}.norm.weight`))) h = u.g.scope(`unet/${site}`, () => spatialTransformer(u, s, h));
    else if (u.has(P(`${s}.op.weight`))) h = conv(u, P(`${s}.op`), h, { stride: 2 });
    else if (u.has(P(`${s}.conv.weight`))) h = conv(u, P(`${s}.conv`), upsample2x(u.g, h));
    else if (j === 0) throw new Error(`UNet: block "${m}" has no layer the builder knows`);
    else return h;
  }
}

/** Builds the UNet's forward pass; returns the prediction (epsilon or v) shaped like the latents. */
export function buildUnet(ctx: SdCtx, inp: UnetInputs, o: UnetOptions = {}): Tensor {
  const { g } = ctx;
  const modelCh = ctx.shape(P('time_embed.0.weight'))[1] ?? 0;
  const temb = timestepEmbedding(g, inp.t, modelCh);
  let emb = linear(ctx, P('time_embed.2'), silu(g, linear(ctx, P('time_embed.0'), temb)));
  if (ctx.has(P('label_emb.0.0.weight'))) {
    if (!inp.y) throw new Error('UNet: this model has label_emb (SDXL) and needs the adm vector y');
    emb = g.add(emb, linear(ctx, P('label_emb.0.2'), silu(g, linear(ctx, P('label_emb.0.0'), inp.y))));
  }
  const [b = 0, l = 0, dc = 0] = inp.context.shape;
  const u: UnetCtx = {
    ...ctx,
    emb,
    context: g.reshape(inp.context, [b * l, dc]),
    heads: o.heads ?? 8,
    headDim: o.headDim,
    maxScores: o.maxScores ?? MAX_SCORES,
  };
  let h = conv(u, P('input_blocks.0.0'), inp.x);
  const skips: Tensor[] = [h];
  for (
    let i = 1;
    u.has(P(`input_blocks.${i}.0.in_layers.0.weight`)) || u.has(P(`input_blocks.${i}.0.op.weight`));
    i++
  ) {
    h = block(u, `input_blocks.${i}`, h);
    skips.push(h);
  }
  h = block(u, 'middle_block', h);
  for (let i = 0; u.has(P(`output_blocks.${i}.0.in_layers.0.weight`)); i++) {
    const skip = skips.pop();
    if (!skip) throw new Error(`UNet: output block ${i} has no matching input block`);
    h = block(u, `output_blocks.${i}`, g.concat([h, skip], 1));
  }
  if (skips.length) throw new Error(`UNet: ${skips.length} input blocks have no matching output block`);
  return conv(u, P('out.2'), silu(g, groupNorm(u, P('out.0'), h, 1e-5)));
}
