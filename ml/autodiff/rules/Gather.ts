/**
 * d gather(data, idx, axis) = scatter-add of dy into zeros shaped like data (ScatterElements with reduction add:
 * repeated indices, as in embeddings, accumulate).
 */
import { dy0, intAttr, type GradRule } from '../rule';

export const Gather: GradRule = (ctx) => {
  const { g } = ctx;
  const data = ctx.x[0]!,
    idx = ctx.x[1]!;
  if (!ctx.needs[0]) return [undefined, undefined];
  const axis = ((intAttr(ctx.node, 'axis', 0) % data.rank) + data.rank) % data.rank;
  const n = idx.shape.reduce((a, b) => a * b, 1);
  const updShape = [...data.shape.slice(0, axis), n, ...data.shape.slice(axis + 1)];
  const upd = g.reshape(dy0(ctx), updShape);
  const idxShape = updShape.map((d, i) => (i === axis ? n : 1));
  const indices = g.expand(g.reshape(g.cast(idx, 'int64'), idxShape), updShape);
  const zeros = g.fill(0, data.shape, data.dtype);
  return [g.op1('ScatterElements', [zeros, indices, upd], { axis, reduction: 'add' }), undefined];
};
