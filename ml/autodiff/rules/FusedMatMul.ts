/** y = alpha * op(a) @ op(b) (com.microsoft): the four transpose cases map to FusedMatMuls, no Transpose needed. */
import { dy0, intAttr, type GradRule } from '../rule';
import { mm, unbroadcast } from '../util';

export const FusedMatMul: GradRule = (ctx) => {
  const {
    g,
    node,
    x: [a, b],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  const tA = intAttr(node, 'transA', 0) === 1,
    tB = intAttr(node, 'transB', 0) === 1;
  const a0 = node.attrs.alpha;
  const alpha = typeof a0 === 'number' ? a0 : a0 && typeof a0 === 'object' && 'value' in a0 ? Number(a0.value) : 1;
  // op(a) = A', op(b) = B'. dA' = alpha dy B'^T, dB' = alpha A'^T dy; transpose back where the input was transposed.
  const da = !needs[0] ? undefined : tA ? mm(g, b!, dy, tB, true, alpha) : mm(g, dy, b!, false, !tB, alpha);
  const db = !needs[1] ? undefined : tB ? mm(g, dy, a!, true, tA, alpha) : mm(g, a!, dy, !tA, false, alpha);
  return [da && unbroadcast(g, da, a!.shape), db && unbroadcast(g, db, b!.shape)];
};
