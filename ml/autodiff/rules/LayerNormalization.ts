/**
 * LayerNormalization over axes [axis..]: reuses the node's Mean and InvStdDev outputs.
 * xhat = (x - mean) * inv;  dx = inv * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * scale.
 */
import { dy0, intAttr, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const LayerNormalization: GradRule = (ctx) => {
  const {
    g,
    node,
    x: [x, scale, bias],
    y,
    needs,
  } = ctx;
  if (ctx.dy[1] || ctx.dy[2])
    throw new Error(`LayerNormalization '${node.name}': gradients through Mean/InvStdDev outputs are not supported`);
  const dy = dy0(ctx);
  const rank = x!.rank;
  const axis = ((intAttr(node, 'axis', -1) % rank) + rank) % rank;
  const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
  const mean = g.cast(y[1]!, x!.dtype),
    inv = g.cast(y[2]!, x!.dtype);
  const xhat = g.mul(g.sub(x!, mean), inv);
  let dx;
  if (needs[0]) {
    const dxhat = g.mul(dy, scale!);
    const m1 = g.reduceMean(dxhat, axes, true);
    const m2 = g.reduceMean(g.mul(dxhat, xhat), axes, true);
    dx = g.mul(g.sub(g.sub(dxhat, m1), g.mul(xhat, m2)), inv);
  }
  return [
    dx,
    needs[1] ? unbroadcast(g, g.mul(dy, xhat), scale!.shape) : undefined,
    bias && needs[2] ? unbroadcast(g, dy, bias.shape) : undefined,
  ];
};
