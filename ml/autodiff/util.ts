/** Shared helpers for gradient rules: broadcast reduction, matrix products with transposes, masks. */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import type { Shape } from '../graph/types';

const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Sums a broadcast gradient back down to `shape` (one ReduceSum over the broadcast axes, then a free Reshape). */
export function unbroadcast(g: GraphBuilder, grad: Tensor, shape: Shape): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  grad.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const r = axes.length ? g.reduceSum(grad, axes, true) : grad;
  return sameShape(r.shape, shape) ? r : g.reshape(r, shape);
}

/** Swaps the last two axes. */
export function swapLast(g: GraphBuilder, x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 1] = x.rank - 2;
  perm[x.rank - 2] = x.rank - 1;
  return g.transpose(x, perm);
}

/**
 * alpha * op(a) @ op(b) where op transposes the last two axes: FusedMatMul for float32 (no Transpose is
 * materialised), Transpose + MatMul for other dtypes (float64 gradient checks).
 */
export function mm(g: GraphBuilder, a: Tensor, b: Tensor, transA: boolean, transB: boolean, alpha = 1): Tensor {
  if (a.dtype === 'float32') {
    if (!transA && !transB && alpha === 1) return g.matmul(a, b);
    return g.fusedMatMul(a, b, { transA, transB, alpha });
  }
  const r = g.matmul(transA ? swapLast(g, a) : a, transB ? swapLast(g, b) : b);
  return alpha === 1 ? r : g.mul(r, alpha);
}

/** `grad` where `mask` holds, zero elsewhere. */
export function maskGrad(g: GraphBuilder, mask: Tensor, grad: Tensor): Tensor {
  return g.where(mask, grad, 0);
}

/** Shape of `shape` reduced over `axes` with keepdims. */
export function keptShape(shape: Shape, axes: readonly number[]): number[] {
  const ax = axes.map((a) => (a < 0 ? a + shape.length : a));
  return shape.map((d, i) => (ax.includes(i) ? 1 : d));
}
