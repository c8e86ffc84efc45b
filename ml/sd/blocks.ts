/**
 * Layers shared by the SD 1.5 text encoder, UNet and VAE, built from ops that already have grad-checked rules:
 * GroupNorm as Reshape → LayerNormalization → per-channel affine (onnxruntime's CUDA provider has no GroupNorm
 * kernel; LayerNormalization has one on every provider and a gradient rule reusing its Mean/InvStdDev outputs),
 * linear layers as Gemm on [tokens, features] (frozen weights stay untransposed initializers), SiLU, QuickGELU,
 * GEGLU, convolutions and the nearest 2x upsample as Reshape → Expand → Reshape.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphCore } from '../graph/core';
import type { Tensor } from '../graph/tensor';
import type { LinearHook } from '../dit/layers';
import type { Sd15Checkpoint } from './checkpoint';

/**
 * Where the graphs read weights: an opened checkpoint (checkpoint.ts) or anything shaped like one. Names are the
 * canonical ldm names; `get` reads a tensor (only when the graph uses it), `has` and `shape` do not read data.
 */
export type WeightSource = Pick<Sd15Checkpoint, 'has' | 'shape' | 'get'>;

/** Called after each convolution with its module name, input, output and attributes (conv LoRA, LoCon). */
export type ConvHook = (module: string, x: Tensor, y: Tensor, attrs: { strides: number[]; pads: number[] }) => Tensor;

/** What a block builder needs: the graph, the weights (as graph tensors) and the optional LoRA hook. */
export interface SdCtx {
  readonly g: GraphBuilder;
  /** The weight called `name` as a tensor of the graph (an initializer, created once per graph). */
  w(name: string): Tensor;
  /** Whether the checkpoint has `name` (optional biases, skip convolutions, attention sites). */
  has(name: string): boolean;
  /** The shape of weight `name` without touching its data. */
  shape(name: string): readonly number[];
  /** Called after each linear layer and 1x1 projection with its module name (the canonical name less `.weight`). */
  readonly hook?: LinearHook;
  /** Called after each convolution (`conv`), likewise. */
  readonly convHook?: ConvHook;
}

/**
 * A context whose weights become frozen initializers of `g`'s root graph on first use. They are lazy: the source is
 * read when the graph is serialized (createSession), one weight at a time, so a full-size UNet's 3.4 GB never sit in
 * JS memory next to onnxruntime's copy. The source must stay open until the session exists.
 */
export function frozenCtx(g: GraphBuilder, source: WeightSource, hook?: LinearHook): SdCtx {
  const made = new Map<string, Tensor>();
  return {
    g,
    hook,
    has: (name) => source.has(name),
    shape: (name) => source.shape(name),
    w(name) {
      let t = made.get(name);
      if (!t) {
        if (!source.has(name)) throw new Error(`the checkpoint lacks the weight "${name}"`);
        t = g.lazyInitializer(name, [...source.shape(name)], 'float32', () => {
          const s = source.get(name);
          if (!s) throw new Error(`the checkpoint lacks the weight "${name}"`);
          return s.data;
        });
        made.set(name, t);
      }
      return t;
    },
  };
}

/** The same context with another hook (sampling with a LoRA, training with trainable adapters). */
export const withHook = (ctx: SdCtx, hook: LinearHook | undefined, convHook?: ConvHook): SdCtx => ({
  g: ctx.g,
  hook,
  convHook,
  w: (n) => ctx.w(n),
  has: (n) => ctx.has(n),
  shape: (n) => ctx.shape(n),
});

/** SiLU: x * sigmoid(x). */
export const silu = (g: GraphBuilder, x: Tensor): Tensor => g.mul(x, g.sigmoid(x));

/** CLIP's QuickGELU: x * sigmoid(1.702 x). */
export const quickGelu = (g: GraphBuilder, x: Tensor): Tensor => g.mul(x, g.sigmoid(g.mul(x, 1.702)));

/**
 * y = x W^T + b for x [M, in] and W [out, in] (or a 1x1 conv weight [out, in, 1, 1], read as [out, in]);
 * the bias is used when the checkpoint has one. The hook sees the module name, x and y.
 */
export function linear(ctx: SdCtx, module: string, x: Tensor): Tensor {
  const { g } = ctx;
  const shape = ctx.shape(`${module}.weight`);
  let w = ctx.w(`${module}.weight`);
  if (shape.length === 4) w = g.reshape(w, [shape[0]!, shape[1]!]);
  const b = ctx.has(`${module}.bias`) ? ctx.w(`${module}.bias`) : undefined;
  const y = g.gemm(x, w, b, { transB: true });
  return ctx.hook ? ctx.hook(module, x, y) : y;
}

const onesCache = new WeakMap<GraphCore, Map<number, Tensor>>();

/** A ones vector of length n (LayerNormalization's scale when the affine part comes later), one per graph. */
function ones(g: GraphBuilder, n: number): Tensor {
  let m = onesCache.get(g.root);
  if (!m) onesCache.set(g.root, (m = new Map()));
  let t = m.get(n);
  if (!t) m.set(n, (t = g.constant(new Float32Array(n).fill(1), [n])));
  return t;
}

/** GroupNorm(groups, eps) with affine weight/bias `<name>.weight|bias` on x [B, C, ...spatial]. */
export function groupNorm(ctx: SdCtx, name: string, x: Tensor, eps: number, groups = 32): Tensor {
  const { g } = ctx;
  const [b = 0, c = 0, ...sp] = x.shape;
  if (c % groups !== 0) throw new Error(`GroupNorm "${name}": ${c} channels do not split into ${groups} groups`);
  const n = (c / groups) * sp.reduce((a, d) => a * d, 1);
  const flat = g.reshape(x, [b, groups, n]);
  const normed = g.reshape(g.layerNorm(flat, ones(g, n), undefined, { axis: -1, epsilon: eps }).y, x.shape);
  const affine = [c, ...sp.map(() => 1)];
  return g.add(g.mul(normed, g.reshape(ctx.w(`${name}.weight`), affine)), g.reshape(ctx.w(`${name}.bias`), affine));
}

/** LayerNorm over the last axis with `<name>.weight|bias`. */
export function layerNorm(ctx: SdCtx, name: string, x: Tensor, eps = 1e-5): Tensor {
  return ctx.g.layerNorm(x, ctx.w(`${name}.weight`), ctx.w(`${name}.bias`), { axis: -1, epsilon: eps }).y;
}

/** Conv2d with `<name>.weight|bias`; `pads` is ONNX's [top, left, bottom, right]. */
export function conv(ctx: SdCtx, name: string, x: Tensor, o: { stride?: number; pads?: number[] } = {}): Tensor {
  const k = ctx.shape(`${name}.weight`)[2] ?? 1;
  const p = (k - 1) >> 1;
  const s = o.stride ?? 1;
  const b = ctx.has(`${name}.bias`) ? ctx.w(`${name}.bias`) : undefined;
  const attrs = { strides: [s, s], pads: o.pads ?? [p, p, p, p] };
  const y = ctx.g.conv(x, ctx.w(`${name}.weight`), b, attrs);
  return ctx.convHook ? ctx.convHook(name, x, y, attrs) : y;
}

/** Nearest-neighbour 2x upsampling of [B, C, H, W] (a broadcast: its gradient is a sum over each 2x2 cell). */
export function upsample2x(g: GraphBuilder, x: Tensor): Tensor {
  const [b = 0, c = 0, h = 0, w = 0] = x.shape;
  const grid = g.expand(g.reshape(x, [b, c, h, 1, w, 1]), [b, c, h, 2, w, 2]);
  return g.reshape(grid, [b, c, 2 * h, 2 * w]);
}

/** GEGLU feed-forward: proj to 2·inner, value * gelu(gate) (exact GELU), then the output projection. */
export function gegluFeedForward(ctx: SdCtx, module: string, x: Tensor): Tensor {
  const { g } = ctx;
  const proj = linear(ctx, `${module}.net.0.proj`, x);
  const inner = (proj.shape[1] ?? 0) / 2;
  const [value, gate] = g.split(proj, [inner, inner], 1) as [Tensor, Tensor];
  return linear(ctx, `${module}.net.2`, g.mul(value, g.gelu(gate)));
}

/** [B, C, H, W] → tokens [B·H·W, C]. */
export function toTokens(g: GraphBuilder, x: Tensor): Tensor {
  const [b = 0, c = 0, h = 0, w = 0] = x.shape;
  return g.reshape(g.transpose(g.reshape(x, [b, c, h * w]), [0, 2, 1]), [b * h * w, c]);
}

/** Tokens [B·H·W, C] → [B, C, H, W]. */
export function fromTokens(g: GraphBuilder, t: Tensor, b: number, h: number, w: number): Tensor {
  const c = t.shape[1] ?? 0;
  return g.reshape(g.transpose(g.reshape(t, [b, h * w, c]), [0, 2, 1]), [b, c, h, w]);
}
