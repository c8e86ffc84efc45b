// Prodigy (Mishchenko & Defazio 2023, "An Expeditiously Adaptive Parameter-Free Learner"), following the authors'
// reference implementation (prodigyopt ProdigyReference): Adam whose step size d is estimated on the fly from
// the running sums d_numerator (gradients against the distance travelled from p0) and s. Use lr = 1.0.
import { mathOn, type G } from './ops';
import {
  zerosFor,
  type Optimizer,
  type PackSpec,
  type ProdigyConfig,
  type StateSpec,
  type UpdateInputs,
  type UpdateOutputs,
} from './types';
import type { Tensor } from '../graph/tensor';

/** Prodigy over packed tensors. State per pack: p0, s, exp_avg, exp_avg_sq; global: [d, d_max, d_numerator]. */
export function prodigy(cfg: Omit<ProdigyConfig, 'kind'> = {}): Optimizer {
  const b1 = cfg.beta1 ?? 0.9,
    b2 = cfg.beta2 ?? 0.999,
    b3 = cfg.beta3 ?? Math.sqrt(b2);
  const eps = cfg.eps ?? 1e-8,
    wd = cfg.weightDecay ?? 0,
    d0 = cfg.d0 ?? 1e-6,
    dCoef = cfg.dCoef ?? 1;
  const growth = cfg.growthRate ?? Infinity;
  return {
    kind: 'prodigy',
    stateSpecs(packs: readonly PackSpec[]): StateSpec[] {
      const perPack = packs.flatMap((p, i) => [
        {
          name: `${p.name}.prodigy_p0`,
          shape: [p.size],
          init: (init: readonly Float32Array[]) => Float32Array.from(init[i]!),
        },
        { name: `${p.name}.prodigy_s`, shape: [p.size], init: zerosFor(p.size) },
        { name: `${p.name}.prodigy_m`, shape: [p.size], init: zerosFor(p.size) },
        { name: `${p.name}.prodigy_v`, shape: [p.size], init: zerosFor(p.size) },
      ]);
      return [...perPack, { name: 'prodigy.d', shape: [3], init: () => Float32Array.of(d0, d0, 0) }];
    },
    update(g: G, { params, grads, state, lr, step }: UpdateInputs): UpdateOutputs {
      const m = mathOn(g);
      const scalars = state[state.length - 1]!;
      const [d, dMax, dNum] = g.op('Split', [scalars, g.ints([1, 1, 1])], { axis: 0 }, { outputs: 3 }) as [
        Tensor,
        Tensor,
        Tensor,
      ];
      const biasCorrection = cfg.useBiasCorrection
        ? m.div(m.sqrt(m.sub(1, m.pow(b2, step))), m.sub(1, m.pow(b1, step)))
        : m.t(1);
      const dlr = m.mul(m.mul(d, lr), biasCorrection);
      const dOverD0 = m.div(d, d0);
      const sScale = m.mul(dOverD0, cfg.safeguardWarmup ? d : dlr);
      const numScale = m.mul(dOverD0, dlr);
      const mScale = m.mul(d, 1 - b1);
      const vScale = m.mul(m.mul(d, d), 1 - b2);
      const dots: Tensor[] = [];
      const sAbs: Tensor[] = [];
      const moments: { m1: Tensor; v1: Tensor; s1: Tensor }[] = [];
      params.forEach((p, i) => {
        const grad = wd !== 0 && cfg.decouple === false ? m.add(grads[i]!, m.mul(p, wd)) : grads[i]!;
        const [p0, s, expAvg, expAvgSq] = state.slice(4 * i, 4 * i + 4) as [Tensor, Tensor, Tensor, Tensor];
        dots.push(m.sumAll(m.mul(grad, m.sub(p0, p))));
        const m1 = m.add(m.mul(expAvg, b1), m.mul(grad, mScale));
        const v1 = m.add(m.mul(expAvgSq, b2), m.mul(m.mul(grad, grad), vScale));
        const s1 = m.add(m.mul(s, b3), m.mul(grad, sScale));
        sAbs.push(m.sumAll(m.abs(s1)));
        moments.push({ m1, v1, s1 });
      });
      const dNumNew = m.add(m.mul(dNum, b3), m.mul(numScale, m.sum(dots)));
      const dDenom = m.sum(sAbs);
      // The reference returns early when d_denom == 0 (no gradient yet): moments move, nothing else does.
      const liveBool = g.op1('Greater', [dDenom, m.t(0)]);
      const live = g.op1('Cast', [liveBool], { to: 1 });
      const dHat = m.div(m.mul(dNumNew, dCoef), m.max(dDenom, 1e-30));
      const dMaxNew = m.max(dMax, dHat);
      // With unlimited growth, min(d_max, d * inf) is d_max (d stays positive).
      const dNew = Number.isFinite(growth)
        ? m.min(dMaxNew, m.mul(g.op1('Where', [g.op1('Equal', [d, m.t(d0)]), m.max(d, dHat), d]), growth))
        : dMaxNew;
      const keep = (fresh: Tensor, old: Tensor): Tensor => g.op1('Where', [liveBool, fresh, old]);
      const dOut = keep(dNew, d);
      const stepLr = m.mul(dlr, live);
      const epsD = m.mul(dOut, eps);
      const decay = m.sub(1, m.mul(stepLr, wd));
      const newParams: Tensor[] = [];
      const newState: Tensor[] = [];
      params.forEach((p, i) => {
        const { m1, v1, s1 } = moments[i]!;
        const denom = m.add(m.sqrt(v1), epsD);
        const decayed = wd !== 0 && cfg.decouple !== false ? m.mul(p, decay) : p;
        newParams.push(m.sub(decayed, m.mul(m.div(m1, denom), stepLr)));
        newState.push(state[4 * i]!, s1, m1, v1);
      });
      newState.push(g.op1('Concat', [dOut, keep(dMaxNew, dMax), keep(dNumNew, dNum)], { axis: 0 }));
      return { params: newParams, state: newState };
    },
  };
}
