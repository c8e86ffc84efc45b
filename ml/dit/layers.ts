/** Graph building blocks of the DiT: linear layers (with the LoRA hook), attention, norms, activations. */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';

/** Looks up a parameter tensor by name (graph inputs, loop-carried values or initializers). */
export type ParamSource = (name: string) => Tensor;

/**
 * Called after every linear layer with its module name, input and output: the place where LoRA adapters
 * add `strength * alpha/rank * up(down(x))` (issue 6). Returns the (possibly changed) output.
 */
export type LinearHook = (module: string, x: Tensor, y: Tensor) => Tensor;

export interface Ctx {
  g: GraphBuilder;
  p: ParamSource;
  hook?: LinearHook;
}

/** y = x W^T + b over the last axis, for any leading shape; W is [out, in]. */
export function linear(ctx: Ctx, module: string, x: Tensor): Tensor {
  const { g, p } = ctx;
  const w = p(`${module}.weight`);
  const [out = 0, inF = 0] = w.shape;
  const lead = x.shape.slice(0, -1);
  const x2 = x.rank === 2 ? x : g.reshape(x, [-1, inF]);
  let y = g.add(g.matmul(x2, g.transpose(w, [1, 0])), p(`${module}.bias`));
  if (x.rank !== 2) y = g.reshape(y, [...lead, out]);
  return ctx.hook ? ctx.hook(module, x, y) : y;
}

/** LayerNorm over the last axis; with `affine` false it has no parameters (adaLN supplies scale and shift). */
export function layerNorm(ctx: Ctx, x: Tensor, name?: string): Tensor {
  const { g } = ctx;
  const n = x.shape[x.rank - 1] ?? 1;
  const scale = name ? ctx.p(`${name}.weight`) : g.constant(new Float32Array(n).fill(1), [n]);
  const bias = name ? ctx.p(`${name}.bias`) : g.constant(new Float32Array(n), [n]);
  return g.layerNorm(x, scale, bias, { axis: -1, epsilon: 1e-6 }).y;
}

/** SiLU: x * sigmoid(x). */
export const silu = (g: GraphBuilder, x: Tensor): Tensor => g.mul(x, g.sigmoid(x));

/** The MLP's activation (GELU, tanh form: one fused ONNX op). */
export const gelu = (g: GraphBuilder, x: Tensor): Tensor => g.gelu(x, 'tanh');

/** Splits [B, N, D] into heads: [B, H, N, D/H]. */
function heads(g: GraphBuilder, x: Tensor, h: number): Tensor {
  const [b = 0, n = 0, d = 0] = x.shape;
  return g.transpose(g.reshape(x, [b, n, h, d / h]), [0, 2, 1, 3]);
}

/**
 * Multi-head attention of queries `xq` [B,T,D] over `xkv` [B,L,Dkv], projections named `<module>.q/k/v/o`.
 * `mask` (optional) is added to the scores: [B,1,1,L] with 0 for keys to use and a large negative for padding.
 */
export function attention(ctx: Ctx, module: string, xq: Tensor, xkv: Tensor, nHeads: number, mask?: Tensor): Tensor {
  const { g } = ctx;
  const q = heads(g, linear(ctx, `${module}.q`, xq), nHeads);
  const k = heads(g, linear(ctx, `${module}.k`, xkv), nHeads);
  const v = heads(g, linear(ctx, `${module}.v`, xkv), nHeads);
  const [b = 0, h = 0, t = 0, hd = 0] = q.shape;
  let scores = g.mul(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hd));
  if (mask) scores = g.add(scores, mask);
  const o = g.matmul(g.softmax(scores, -1), v);
  const merged = g.reshape(g.transpose(o, [0, 2, 1, 3]), [b, t, h * hd]);
  return linear(ctx, `${module}.o`, merged);
}

/** x * (1 + scale) + shift, with scale and shift [B, D] broadcast over tokens. */
export function modulate(g: GraphBuilder, x: Tensor, shift: Tensor, scale: Tensor): Tensor {
  const [b = 0, d = 0] = shift.shape;
  return g.add(g.mul(x, g.add(g.reshape(scale, [b, 1, d]), 1)), g.reshape(shift, [b, 1, d]));
}
