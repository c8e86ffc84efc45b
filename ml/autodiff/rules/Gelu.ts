/**
 * Gelu (opset 20). Exact: d = Phi(x) + x*phi(x) with Phi(x) = 0.5*(1 + erf(x/sqrt2)), phi(x) = exp(-x^2/2)/sqrt(2pi).
 * Tanh approximation: y = x*sigmoid(2u), u = c(x + k x^3) (0.5(1 + tanh u) = sigmoid(2u));
 * d = s(1 + p(1 - s)) with s = sigmoid(2u), p = x * 2u' = x(2c + 6ck x^2).
 * Every op here is a full pass over an activation-sized tensor (the MLP's widest one), which costs about as much as
 * a quarter of the neighbouring matrix product: the formulas are arranged for the fewest passes (9 exact, 13 tanh,
 * against 11 and 17 written plainly), folding constants into Exp's argument and a 3-input Sum.
 */
import { dy0, strAttr, type GradRule } from '../rule';

export const Gelu: GradRule = (ctx) => {
  const { g } = ctx;
  const x = ctx.x[0]!;
  const dy = dy0(ctx);
  if (strAttr(ctx.node, 'approximate', 'none') === 'tanh') {
    const c = Math.sqrt(2 / Math.PI),
      k = 0.044715;
    const x2 = g.mul(x, x);
    const s = g.sigmoid(g.mul(x, g.add(g.mul(x2, 2 * c * k), 2 * c)));
    const p = g.mul(x, g.add(g.mul(x2, 6 * c * k), 2 * c));
    return [g.mul(dy, g.mul(s, g.add(g.mul(p, g.sub(1, s)), 1)))];
  }
  // 2*d = 1 + erf(t) + x * 2phi(x), t = x/sqrt2, 2phi(x) = exp(ln(2/sqrt(2pi)) - t^2).
  const t = g.mul(x, Math.SQRT1_2);
  const twoPhi = g.exp(g.sub(Math.log(2 / Math.sqrt(2 * Math.PI)), g.mul(t, t)));
  const twiceD = g.sum([g.erf(t), g.mul(x, twoPhi), g.scalar(1, x.dtype)]);
  return [g.mul(g.mul(dy, twiceD), 0.5)];
};
