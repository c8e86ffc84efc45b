/**
 * y = a @ b (numpy rules): da = dy @ b^T, db = a^T @ dy, summed over broadcast batch axes. A 2-D weight shared
 * across a batch gets one flat product (rows of all batches at once) instead of a batched product plus a reduction.
 */
import type { GraphBuilder } from '../../graph/builder';
import type { Tensor } from '../../graph/tensor';
import { dy0, type GradRule } from '../rule';
import { mm, unbroadcast } from '../util';

export const MatMul: GradRule = (ctx) => {
  const {
    g,
    x: [a0, b0],
    needs,
  } = ctx;
  let a = a0!,
    b = b0!,
    dy = dy0(ctx);
  // Vectors become matrices so one code path handles every rank.
  if (a.rank === 1) {
    a = g.reshape(a, [1, a.shape[0]!]);
    dy = g.unsqueeze(dy, [dy.rank - (b.rank === 1 ? 0 : 1)]);
  }
  if (b.rank === 1) {
    b = g.reshape(b, [b.shape[0]!, 1]);
    dy = g.unsqueeze(dy, [dy.rank]);
  }
  const back = (t: Tensor, mat: Tensor, like: Tensor): Tensor => {
    const r = unbroadcast(g, t, [...Array(Math.max(0, t.rank - mat.rank)).fill(1), ...mat.shape]);
    return g.reshape(r, like.shape);
  };
  return [
    needs[0] ? back(mm(g, dy, b, false, true), a, a0!) : undefined,
    needs[1] ? back(weightGrad(g, a, b, dy), b, b0!) : undefined,
  ];
};

/** a^T @ dy, flattened over batch axes when the weight is 2-D. */
function weightGrad(g: GraphBuilder, a: Tensor, b: Tensor, dy: Tensor): Tensor {
  const k = a.shape[a.rank - 1]!,
    n = dy.shape[dy.rank - 1]!;
  if (b.rank === 2 && a.rank > 2 && dy.rank === a.rank && a.shape.slice(0, -2).every((d, i) => d === dy.shape[i])) {
    return mm(g, g.reshape(a, [-1, k]), g.reshape(dy, [-1, n]), true, false);
  }
  return mm(g, a, dy, true, false);
}
