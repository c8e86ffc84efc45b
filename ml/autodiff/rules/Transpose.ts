/** d transpose(x, perm) = transpose(dy, inverse perm). */
import { dy0, intsAttr, type GradRule } from '../rule';

export const Transpose: GradRule = (ctx) => {
  const x = ctx.x[0]!;
  const perm = intsAttr(ctx.node, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
  const inv: number[] = [];
  perm.forEach((p, i) => (inv[p] = i));
  return [ctx.g.transpose(dy0(ctx), inv)];
};
