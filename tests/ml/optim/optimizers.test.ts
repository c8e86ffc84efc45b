import '../train/ort-realm';
import { GraphBuilder } from '../../../ml/graph';
import { adamw, sgd, prodigy, clipByGlobalNorm, type Optimizer } from '../../../ml/optim';
import { CounterRng } from '../../../ml/train/rng';
import { adamwRef, sgdRef, ProdigyRef } from './reference';
import type { InferenceSession } from 'onnxruntime-node';
import { Tensor as OrtTensor } from 'onnxruntime-node';

/**
 *   params ─┐
 *   grads  ─┼─> [optimizer update] ─> params', state'
 *   state  ─┤
 *   lr,step ┘
 * Gradients are fed from JS so the update alone is compared with the JS reference, step by step.
 */
async function updateSession(
  opt: Optimizer,
  sizes: number[],
): Promise<{ session: InferenceSession; stateInit: (p: Float32Array[]) => Float32Array[] }> {
  const g = new GraphBuilder({ name: `update_${opt.kind}` });
  const packs = sizes.map((size, i) => ({ name: `p${i}`, size }));
  const specs = opt.stateSpecs(packs);
  const params = packs.map((p) => g.input(p.name, 'float32', [p.size]));
  const grads = packs.map((p) => g.input(`${p.name}.grad`, 'float32', [p.size]));
  const state = specs.map((s) => g.input(s.name, 'float32', s.shape));
  const out = opt.update(g, {
    params,
    grads,
    state,
    lr: g.input('lr', 'float32', []),
    step: g.input('step', 'float32', []),
  });
  out.params.forEach((t, i) => g.output(t, `${packs[i]!.name}.next`));
  out.state.forEach((t, i) => g.output(t, `${specs[i]!.name}.next`));
  return { session: await g.createSession(), stateInit: (p) => specs.map((s) => s.init(p)) };
}

async function runSteps(
  opt: Optimizer,
  p0: Float32Array[],
  gradsAt: (t: number) => Float32Array[],
  lrAt: (t: number) => number,
  steps: number,
): Promise<Float32Array[]> {
  const { session, stateInit } = await updateSession(
    opt,
    p0.map((p) => p.length),
  );
  let params = p0;
  let state = stateInit(p0);
  for (let t = 1; t <= steps; t++) {
    const feeds: Record<string, OrtTensor> = {
      lr: new OrtTensor('float32', [lrAt(t)], []),
      step: new OrtTensor('float32', [t], []),
    };
    params.forEach((p, i) => {
      feeds[`p${i}`] = new OrtTensor('float32', p, [p.length]);
      feeds[`p${i}.grad`] = new OrtTensor('float32', gradsAt(t)[i]!, [p.length]);
    });
    const names = session.inputNames.filter((n) => !(n in feeds));
    names.forEach((n, i) => {
      feeds[n] = new OrtTensor('float32', state[i]!, [state[i]!.length]);
    });
    const r = await session.run(feeds);
    params = params.map((_, i) => r[`p${i}.next`]!.data as Float32Array);
    state = names.map((n) => r[`${n}.next`]!.data as Float32Array);
  }
  await session.release();
  return params;
}

const rng = new CounterRng(7);
const sizes = [37, 5];
const init = sizes.map((n) => rng.fillNormal(new Float32Array(n)));
const gradSeq = Array.from({ length: 10 }, () => sizes.map((n) => rng.fillNormal(new Float32Array(n))));
const gradsAt = (t: number) => gradSeq[t - 1]!;
const f64 = (a: Float32Array) => Float64Array.from(a);
const maxRelErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / (1e-3 + Math.abs(b[i]!)));
  return e;
};

describe('optimizer update graphs match a JS reference step by step', () => {
  it('AdamW (bias-corrected, decoupled weight decay) over 6 steps with a changing lr', async () => {
    const lr = (t: number) => 0.01 * t;
    const got = await runSteps(adamw({ weightDecay: 0.1 }), init, gradsAt, lr, 6);
    const ref = init.map(f64);
    const m = init.map((p) => new Float64Array(p.length)),
      v = init.map((p) => new Float64Array(p.length));
    for (let t = 1; t <= 6; t++)
      ref.forEach((p, i) =>
        adamwRef(p, f64(gradsAt(t)[i]!), m[i]!, v[i]!, lr(t), t, { b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.1 }),
      );
    got.forEach((p, i) => expect(maxRelErr(p, ref[i]!)).toBeLessThan(1e-4));
    expect(maxRelErr(got[0]!, init[0]!)).toBeGreaterThan(1e-3); // it did move
  });

  it('SGD with momentum and Nesterov, with weight decay', async () => {
    for (const nesterov of [false, true]) {
      const got = await runSteps(sgd({ momentum: 0.8, weightDecay: 0.05, nesterov }), init, gradsAt, () => 0.1, 5);
      const ref = init.map(f64);
      const buf = init.map((p) => new Float64Array(p.length));
      for (let t = 1; t <= 5; t++)
        ref.forEach((p, i) =>
          sgdRef(p, f64(gradsAt(t)[i]!), buf[i]!, 0.1, t, { mu: 0.8, wd: 0.05, nesterov, damp: 0 }),
        );
      got.forEach((p, i) => expect(maxRelErr(p, ref[i]!)).toBeLessThan(1e-4));
    }
  });

  it('Prodigy (lr 1.0) estimates its step size d like the reference implementation', async () => {
    // Gradients that point back to a target make the d estimate grow, exercising every branch.
    const target = sizes.map((n) => rng.fillNormal(new Float32Array(n), 3));
    // Small initial weights keep float32 cancellation in d's numerator (p0 - p) out of the comparison.
    const start = init.map((p) => p.map((x) => x * 0.001));
    const ref = new ProdigyRef(start.map(f64));
    const seq: Float32Array[][] = [];
    for (let t = 1; t <= 10; t++) {
      const grads = ref.params.map((p, j) =>
        Float32Array.from(p, (x, i) => x - target[j]![i]! + 0.1 * gradSeq[t - 1]![j]![i]!),
      );
      seq.push(grads);
      ref.step(grads.map(f64), 1.0);
    }
    // The graph sees the reference's gradients; it must land on the same parameters.
    const got = await runSteps(
      prodigy(),
      start,
      (t) => seq[t - 1]!,
      () => 1.0,
      10,
    );
    expect(ref.d).toBeGreaterThan(1e-4); // d grew from d0 = 1e-6
    // Compare the distance travelled relative to its largest entry.
    got.forEach((p, j) => {
      const refDelta = ref.params[j]!.map((x, i) => x - start[j]![i]!);
      const scale = Math.max(...refDelta.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      p.forEach((x, i) => expect(Math.abs(x - start[j]![i]! - refDelta[i]!) / scale).toBeLessThan(1e-3));
    });
  });
});

describe('gradient clipping by global norm', () => {
  it('scales all gradients together so their joint norm is maxNorm, and leaves small ones alone', async () => {
    const g = new GraphBuilder({ name: 'clip' });
    const a = g.input('a', 'float32', [2]),
      b = g.input('b', 'float32', [1]);
    const { grads, norm } = clipByGlobalNorm(g, [a, b], 1.0);
    g.output(grads[0]!, 'a2');
    g.output(grads[1]!, 'b2');
    g.output(norm, 'norm');
    const s = await g.createSession();
    const big = await s.run({ a: new OrtTensor('float32', [3, 4], [2]), b: new OrtTensor('float32', [12], [1]) });
    expect(big.norm!.data[0]).toBeCloseTo(13, 5);
    expect([...big.a2!.data, ...big.b2!.data].map((x) => Number(x) * 13)).toEqual(
      [3, 4, 12].map((x) => expect.closeTo(x, 4)),
    );
    const small = await s.run({ a: new OrtTensor('float32', [0.3, 0.4], [2]), b: new OrtTensor('float32', [0], [1]) });
    expect([...small.a2!.data]).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });
});
