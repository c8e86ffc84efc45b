/**
 * y = softmax(x, axis): dx = y * (dy - sum(dy * y, axis)).
 * Attention (y = softmax(scores) feeding only O = y @ V): dy = dO @ Vᵀ, so sum(dy * y) over the keys equals
 * sum(dO * O) over O's last axis (FlashAttention's D). That row sum reads O and dO, [.., N, d], instead of two
 * passes (a product and its sum) over the [.., N, L] probabilities: at SD 1.5's 64x64 level d = 40 against
 * L = 4096. O is the forward's value (d/L the size of y, so keeping it for the backward pass costs little).
 */
import type { GraphNode, Tensor } from '../../graph/tensor';
import { dy0, intAttr, intsAttr, type GradCtx, type GradRule } from '../rule';

export const Softmax: GradRule = (ctx) => {
  const { g } = ctx;
  const y = ctx.y[0]!,
    dy = dy0(ctx);
  const axis = intAttr(ctx.node, 'axis', -1);
  const rowDot = attentionRowDot(ctx, axis) ?? g.reduceSum(g.mul(dy, y), [axis], true);
  return [g.mul(y, g.sub(dy, rowDot))];
};

/**
 * sum(dO * O, -1) when the softmax is over the last axis, its output's only gradient comes from one MatMul
 * O = y @ V (dy is that MatMul rule's dO @ Vᵀ itself, not a sum of several), and O is smaller than y.
 */
function attentionRowDot(ctx: GradCtx, axis: number): Tensor | undefined {
  const { g, node } = ctx;
  const y = node.outputs[0]!,
    dy = ctx.dy[0]!;
  if ((axis < 0 ? axis + y.rank : axis) !== y.rank - 1) return undefined;
  const dO = gradOfProductWithTransposed(dy);
  if (!dO) return undefined;
  const users = g.nodes.filter((n) => n.op === 'MatMul' && n.domain === '' && n.inputs[0] === y);
  if (users.length !== 1) return undefined;
  const o = users[0]!.outputs[0]!;
  const same = (a: Tensor, b: Tensor): boolean => a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);
  if (!same(o, dO) || (o.shape[o.rank - 1] ?? 0) >= (y.shape[y.rank - 1] ?? 0)) return undefined;
  return g.reduceSum(g.mul(dO, o), [o.rank - 1], true);
}

/** dO when `dy` was made as dO @ Vᵀ by the MatMul rule (FusedMatMul with transB, or MatMul by a last-axes swap). */
function gradOfProductWithTransposed(dy: Tensor): Tensor | undefined {
  const p: GraphNode | undefined = dy.producer;
  if (!p || dy.origin !== 'node') return undefined;
  if (p.op === 'FusedMatMul' && p.domain === 'com.microsoft') {
    const plain = intAttr(p, 'transA', 0) === 0 && intAttr(p, 'transB', 0) === 1 && num(p.attrs.alpha) === 1;
    return plain ? p.inputs[0] : undefined;
  }
  if (p.op === 'MatMul' && p.domain === '' && isLastSwap(p.inputs[1])) return p.inputs[0];
  return undefined;
}

const num = (v: unknown): number =>
  typeof v === 'number' ? v : v && typeof v === 'object' && 'value' in v ? Number(v.value) : 1;

function isLastSwap(t: Tensor | undefined): boolean {
  const p = t?.producer;
  if (!t || !p || p.op !== 'Transpose') return false;
  const v = intsAttr(p, 'perm') ?? [];
  const r = t.rank;
  return v.length === r && v.every((d, i) => d === (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
}
