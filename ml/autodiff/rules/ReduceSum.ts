/** Reductions broadcast the gradient back: dy reshaped to keepdims form, expanded to x's shape. */
import type { GradCtx, GradRule } from '../rule';
import { constInts, dy0, intAttr } from '../rule';
import { keptShape } from '../util';
import type { Tensor } from '../../graph/tensor';

/** dy broadcast back to the input shape, and the number of elements each output summed. */
export function spreadBack(ctx: GradCtx): { grad: Tensor; count: number } {
  const { g, node } = ctx;
  const x = ctx.x[0]!;
  const given = constInts(node, ctx.x[1], 'axes');
  const noop = intAttr(node, 'noop_with_empty_axes', 0) === 1 && !given?.length;
  if (noop) return { grad: dy0(ctx), count: 1 };
  const axes = given?.length ? given : x.shape.map((_, i) => i);
  const kept = keptShape(x.shape, axes);
  const count = x.shape.reduce((a, d, i) => (kept[i] === 1 && d !== 1 ? a * d : a), 1);
  return { grad: g.expand(g.reshape(dy0(ctx), kept), x.shape), count };
}

export const ReduceSum: GradRule = (ctx) => [spreadBack(ctx).grad];
