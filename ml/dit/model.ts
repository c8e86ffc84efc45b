/**
 * The diffusion transformer as an ONNX graph: byte-level text encoder, patch tokens, adaLN-Zero blocks with
 * self-attention, cross-attention to the caption and an MLP, and a velocity head. The same function builds the
 * sampling graph and the forward half of the training graph.
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import { type DiTConfig, imageTokens, patchDim } from './config';
import {
  attention,
  type Ctx,
  gelu,
  layerNorm,
  linear,
  type LinearHook,
  modulate,
  type ParamSource,
  silu,
} from './layers';
import { PAD } from './tokenizer';

export interface DiTInputs {
  /** Noisy images [B, S, S, 3] (NHWC, values around [-1, 1]). */
  x: Tensor;
  /** Time in [0, 1] per image [B]: 0 is the clean image, 1 pure noise. */
  t: Tensor;
  /** Caption tokens [B, 2, L] int64: bytes, then word buckets (see tokenizer.ts). */
  ids: Tensor;
}

/** Encodes captions: returns text tokens [B,L,Dt], the additive key mask [B,1,1,L] and the pooled caption [B,Dt]. */
export function encodeText(ctx: Ctx, c: DiTConfig, captions: Tensor): { tokens: Tensor; mask: Tensor; pooled: Tensor } {
  const { g, p } = ctx;
  const [b = 0, , l = 0] = captions.shape;
  const ids = g.reshape(g.slice(captions, [0], [1], [1]), [b, l]);
  // Byte embedding as one-hot x table: a plain MatMul whose gradient needs no scatter.
  const vocab = g.constant(
    Array.from({ length: 256 }, (_, i) => i),
    [256],
    'int64',
  );
  const oneHot = g.cast(g.equal(g.unsqueeze(ids, [2]), vocab), 'float32');
  let h = g.add(g.matmul(oneHot, p('text.embed.weight')), p('text.pos'));
  if (c.wordBuckets) {
    // Each byte of a word also carries the word's own embedding (a gather: the table is too tall for one-hot).
    const words = g.reshape(g.slice(captions, [1], [2], [1]), [b, l]);
    h = g.add(h, g.gather(p('text.word.weight'), words));
  }
  const isPad = g.cast(g.equal(ids, g.scalar(PAD, 'int64')), 'float32');
  const mask = g.reshape(g.mul(isPad, -1e9), [b, 1, 1, l]);
  for (let i = 0; i < c.textDepth; i++) {
    const m = `text.layers.${i}`;
    const n1 = layerNorm(ctx, h, `${m}.norm1`);
    h = g.add(h, attention(ctx, `${m}.attn`, n1, n1, c.textHeads, mask));
    const n2 = layerNorm(ctx, h, `${m}.norm2`);
    h = g.add(h, linear(ctx, `${m}.mlp.fc2`, gelu(g, linear(ctx, `${m}.mlp.fc1`, n2))));
  }
  const tokens = layerNorm(ctx, h, 'text.norm');
  const valid = g.sub(1, isPad);
  const summed = g.reduceSum(g.mul(tokens, g.unsqueeze(valid, [2])), [1]);
  const pooled = g.div(summed, g.reduceSum(valid, [1], true));
  return { tokens, mask, pooled };
}

/** Sinusoidal features of t*1000, [B, F]. */
function timeFeatures(g: GraphBuilder, t: Tensor, f: number): Tensor {
  const half = f / 2;
  const freqs = Array.from({ length: half }, (_, i) => 1000 * Math.exp((-Math.log(10000) * i) / half));
  const [b = 0] = t.shape;
  const angles = g.mul(g.reshape(t, [b, 1]), g.constant(freqs, [1, half]));
  return g.concat([g.sin(angles), g.cos(angles)], 1);
}

function patchify(g: GraphBuilder, c: DiTConfig, x: Tensor): Tensor {
  const [b = 0] = x.shape;
  const n = c.imageSize / c.patch;
  const grid = g.reshape(x, [b, n, c.patch, n, c.patch, 3]);
  return g.reshape(g.transpose(grid, [0, 1, 3, 2, 4, 5]), [b, n * n, patchDim(c)]);
}

function unpatchify(g: GraphBuilder, c: DiTConfig, tokens: Tensor): Tensor {
  const [b = 0] = tokens.shape;
  const n = c.imageSize / c.patch;
  const grid = g.reshape(tokens, [b, n, n, c.patch, c.patch, 3]);
  return g.reshape(g.transpose(grid, [0, 1, 3, 2, 4, 5]), [b, c.imageSize, c.imageSize, 3]);
}

/** Builds the forward pass; returns the predicted velocity (noise - image) [B, S, S, 3]. */
export function buildDiT(g: GraphBuilder, c: DiTConfig, p: ParamSource, inp: DiTInputs, hook?: LinearHook): Tensor {
  const ctx: Ctx = { g, p, hook };
  const D = c.width;
  const text = g.scope('text', () => encodeText(ctx, c, inp.ids));
  let h = g.add(linear(ctx, 'patch_embed', patchify(g, c, inp.x)), p('pos_embed'));
  const temb = linear(ctx, 'time.fc2', silu(g, linear(ctx, 'time.fc1', timeFeatures(g, inp.t, c.timeFeatures))));
  const cond = silu(g, g.add(temb, linear(ctx, 'text_pool', text.pooled)));
  const [b = 0] = inp.x.shape;
  const T = imageTokens(c);
  for (let i = 0; i < c.depth; i++) {
    h = g.scope(`block${i}`, () => {
      const m = `blocks.${i}`;
      const [sh1, sc1, g1, sh2, sc2, g2] = g.split(linear(ctx, `${m}.adaln`, cond), Array(6).fill(D), 1) as [
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
      ];
      const gate = (x: Tensor, gt: Tensor) => g.mul(x, g.reshape(gt, [b, 1, D]));
      const a = modulate(g, layerNorm(ctx, h), sh1, sc1);
      let y = g.add(h, gate(attention(ctx, `${m}.attn`, a, a, c.heads), g1));
      y = g.add(y, attention(ctx, `${m}.cross`, layerNorm(ctx, y, `${m}.norm_cross`), text.tokens, c.heads, text.mask));
      const mlpIn = modulate(g, layerNorm(ctx, y), sh2, sc2);
      const mlp = linear(ctx, `${m}.mlp.fc2`, gelu(g, linear(ctx, `${m}.mlp.fc1`, mlpIn)));
      return g.add(y, gate(mlp, g2));
    });
  }
  const [shift, scale] = g.split(linear(ctx, 'final.adaln', cond), [D, D], 1) as [Tensor, Tensor];
  const out = linear(ctx, 'final.proj', modulate(g, layerNorm(ctx, h), shift, scale));
  if (out.shape[1] !== T) throw new Error(`DiT: expected ${T} tokens, got ${out.shape[1]}`);
  return unpatchify(g, c, out);
}

/**
 * The rectified-flow training loss: x_t = (1 - t) x0 + t noise, target velocity noise - x0, mean squared error.
 * `x0` are images in [-1, 1] (NHWC), `noise` standard normal, `t` in (0, 1) per image.
 */
export function buildFlowLoss(
  g: GraphBuilder,
  c: DiTConfig,
  p: ParamSource,
  batch: { x0: Tensor; noise: Tensor; t: Tensor; ids: Tensor },
  hook?: LinearHook,
): Tensor {
  const [b = 0] = batch.x0.shape;
  const tb = g.reshape(batch.t, [b, 1, 1, 1]);
  const target = g.sub(batch.noise, batch.x0);
  const xt = g.add(batch.x0, g.mul(tb, target));
  const v = buildDiT(g, c, p, { x: xt, t: batch.t, ids: batch.ids }, hook);
  return g.reduceMean(g.mul(g.sub(v, target), g.sub(v, target)));
}
