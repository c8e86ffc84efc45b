/** y = alpha * op(A) op(B) + beta * C on 2-D inputs; same transpose algebra as FusedMatMul. */
import { dy0, intAttr, type GradRule } from '../rule';
import { mm, unbroadcast } from '../util';

const num = (v: unknown, d: number): number =>
  typeof v === 'number' ? v : v && typeof v === 'object' && 'value' in v ? Number(v.value) : d;

export const Gemm: GradRule = (ctx) => {
  const {
    g,
    node,
    x: [a, b, c],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  const tA = intAttr(node, 'transA', 0) === 1,
    tB = intAttr(node, 'transB', 0) === 1;
  const alpha = num(node.attrs.alpha, 1),
    beta = num(node.attrs.beta, 1);
  const da = !needs[0] ? undefined : tA ? mm(g, b!, dy, tB, true, alpha) : mm(g, dy, b!, false, !tB, alpha);
  const db = !needs[1] ? undefined : tB ? mm(g, dy, a!, true, tA, alpha) : mm(g, a!, dy, !tA, false, alpha);
  const dc = c && needs[2] ? unbroadcast(g, beta === 1 ? dy : g.mul(dy, beta), c.shape) : undefined;
  return [da, db, dc];
};
