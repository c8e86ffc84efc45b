/**
 * Gelu (opset 20). Exact: d = Phi(x) + x*phi(x) with Phi(x) = 0.5*(1 + erf(x/sqrt2)), phi(x) = exp(-x^2/2)/sqrt(2pi).
 * Tanh approximation: y = 0.5x(1+t), t = tanh(c(x + k x^3)); d = 0.5(1+t) + 0.5x(1-t^2) c (1 + 3k x^2).
 */
import { dy0, strAttr, type GradRule } from '../rule';

export const Gelu: GradRule = (ctx) => {
  const { g } = ctx;
  const x = ctx.x[0]!;
  const x2 = g.mul(x, x);
  if (strAttr(ctx.node, 'approximate', 'none') === 'tanh') {
    const c = Math.sqrt(2 / Math.PI), k = 0.044715;
    const t = g.tanh(g.mul(g.mul(x, g.add(g.mul(x2, k), 1)), c));
    const dt = g.mul(g.mul(g.sub(1, g.mul(t, t)), g.add(g.mul(x2, 3 * k * c), c)), g.mul(x, 0.5));
    return [g.mul(dy0(ctx), g.add(g.mul(g.add(t, 1), 0.5), dt))];
  }
  const cdf = g.mul(g.add(g.erf(g.mul(x, Math.SQRT1_2)), 1), 0.5);
  const pdf = g.mul(g.exp(g.mul(x2, -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return [g.mul(dy0(ctx), g.add(cdf, g.mul(x, pdf)))];
};
