import './ort-realm';
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { differentiableOps, gradients } from '../../../ml/autodiff';
import { GraphBuilder, liveness, OPS, type Tensor } from '../../../ml/graph';

// Toy task: y = sin(3 x0) * x1 on 64 points of [-1,1]^2, fitted by a 2-16-16-1 tanh MLP.
const N = 64,
  H = 16;
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}
const rand = rng(42);
const X = Float32Array.from({ length: N * 2 }, () => rand() * 2 - 1);
const Y = Float32Array.from({ length: N }, (_, i) => Math.sin(3 * X[2 * i]!) * X[2 * i + 1]!);
const SHAPES: Record<string, number[]> = { w1: [2, H], b1: [H], w2: [H, H], b2: [H], w3: [H, 1] };
const init = (): Record<string, Float32Array> =>
  Object.fromEntries(
    Object.entries(SHAPES).map(([k, s]) => {
      const n = s.reduce((a, b) => a * b, 1);
      const scale = k.startsWith('w') ? 1 / Math.sqrt(s[0]!) : 0;
      return [k, Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale * 1.7)];
    }),
  );

/**  x --MatMul w1 + b1 --> tanh --MatMul w2 + b2 --> tanh --MatMul w3 --> pred;  loss = mean((pred - y)^2)  */
function mlpLoss(g: GraphBuilder, p: Record<string, Tensor>, x: Tensor, y: Tensor): Tensor {
  const h1 = g.scope('block0', () => g.tanh(g.add(g.matmul(x, p.w1!), p.b1!)));
  const h2 = g.scope('block1', () => g.tanh(g.add(g.matmul(h1, p.w2!), p.b2!)));
  const err = g.sub(g.matmul(h2, p.w3!), y);
  return g.reduceMean(g.mul(err, err));
}

/** The same MLP with its second layer in a scope nested inside `block1` (as attention chunks sit in their block). */
function nestedLoss(g: GraphBuilder, p: Record<string, Tensor>, x: Tensor, y: Tensor): Tensor {
  const h1 = g.scope('block0', () => g.tanh(g.add(g.matmul(x, p.w1!), p.b1!)));
  const h2 = g.scope('block1', () => {
    const inner = g.scope('inner', () => g.tanh(g.add(g.matmul(h1, p.w2!), p.b2!)));
    return g.mul(inner, g.tanh(inner));
  });
  const err = g.sub(g.matmul(h2, p.w3!), y);
  return g.reduceMean(g.mul(err, err));
}

/** One SGD step graph: params in, next params and loss out. */
function sgdStep(lr: number, recompute?: string[], lossOf = mlpLoss): GraphBuilder {
  const g = new GraphBuilder({ name: 'sgd' });
  const p = Object.fromEntries(Object.entries(SHAPES).map(([k, s]) => [k, g.input(k, 'float32', s)]));
  const loss = lossOf(g, p, g.input('x', 'float32', [N, 2]), g.input('y', 'float32', [N, 1]));
  const names = Object.keys(SHAPES);
  const grads = gradients(
    g,
    loss,
    names.map((k) => p[k]!),
    { recompute },
  );
  names.forEach((k, i) => g.output(g.sub(p[k]!, g.mul(grads[i]!, lr)), `${k}_next`));
  g.output(loss, 'loss');
  return g;
}

const feed = (params: Record<string, Float32Array>): Record<string, OrtTensor> => ({
  ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, new OrtTensor('float32', v, SHAPES[k]!)])),
  x: new OrtTensor('float32', X, [N, 2]),
  y: new OrtTensor('float32', Y, [N, 1]),
});

async function step(
  s: InferenceSession,
  params: Record<string, Float32Array>,
): Promise<[Record<string, Float32Array>, number]> {
  const out = await s.run(feed(params));
  const next = Object.fromEntries(Object.keys(SHAPES).map((k) => [k, out[`${k}_next`]!.data as Float32Array]));
  return [next, Number(out.loss!.data[0])];
}

describe('training with autodiff gradients', () => {
  test('an MLP trained by plain SGD learns a toy regression (loss falls below 0.02 from about 0.2)', async () => {
    const s = await sgdStep(0.2).createSession();
    let params = init();
    let loss = 0;
    const first = (await step(s, params))[1];
    for (let i = 0; i < 1500; i++) [params, loss] = await step(s, params);
    expect(first).toBeGreaterThan(0.1);
    expect(loss).toBeLessThan(0.02);
  });

  test('gradient checkpointing recomputes the chosen blocks and gives the same gradients', async () => {
    const plain = sgdStep(0.1);
    const ckpt = sgdStep(0.1, ['block0', 'block1']);
    const recomputed = liveness(ckpt)
      .nodes.filter((n) => n.name.includes('recompute'))
      .map((n) => n.op);
    expect(recomputed).toEqual(expect.arrayContaining(['MatMul', 'Add', 'Tanh']));
    const params = init();
    const [a] = await step(await plain.createSession(), params);
    const [b] = await step(await ckpt.createSession(), params);
    for (const k of Object.keys(SHAPES)) expect(Array.from(b[k]!)).toEqual(Array.from(a[k]!));
  });

  test('a scope recomputed on its own inside a recomputed block is recomputed once, with the same gradients', async () => {
    const plain = sgdStep(0.1, undefined, nestedLoss);
    const ckpt = sgdStep(0.1, ['block1/inner', 'block1'], nestedLoss);
    const recomputed = liveness(ckpt).nodes.filter((n) => n.name.includes('recompute'));
    // The inner layer (MatMul, Add, Tanh) is copied for the inner scope's backward only, block1's own Tanh for
    // block1's; block1's copies read the inner scope's forward output instead of copying it a second time.
    expect(recomputed.filter((n) => n.op === 'MatMul')).toHaveLength(1);
    expect(recomputed.filter((n) => n.op === 'Tanh')).toHaveLength(2);
    const params = init();
    const [a] = await step(await plain.createSession(), params);
    const [b] = await step(await ckpt.createSession(), params);
    for (const k of Object.keys(SHAPES)) expect(Array.from(b[k]!)).toEqual(Array.from(a[k]!));
  });

  test('K SGD steps inside one Loop run give the same losses as K separate runs', async () => {
    const K = 5;
    const names = Object.keys(SHAPES);
    const g = new GraphBuilder({ name: 'loop-sgd' });
    const p0 = names.map((k) => g.input(k, 'float32', SHAPES[k]!));
    const x = g.input('x', 'float32', [N, 2]),
      y = g.input('y', 'float32', [N, 1]);
    const { carried, scans } = g.loop({
      trip: K,
      carried: p0,
      body: (b, _k, ps) => {
        const p = Object.fromEntries(names.map((k, i) => [k, ps[i]!]));
        const loss = mlpLoss(b, p, x, y);
        const grads = gradients(b, loss, ps);
        return { carried: ps.map((t, i) => b.sub(t, b.mul(grads[i]!, 0.2))), scans: [loss] };
      },
    });
    carried.forEach((t, i) => g.output(t, `${names[i]}_next`));
    g.output(scans[0]!, 'losses');
    const params = init();
    const out = await (await g.createSession()).run(feed(params));
    const s = await sgdStep(0.2).createSession();
    let pj = params;
    const expected: number[] = [];
    for (let i = 0; i < K; i++) {
      const [next, l] = await step(s, pj);
      expected.push(l);
      pj = next;
    }
    const losses = Array.from(out.losses!.data as Float32Array);
    losses.forEach((l, i) => expect(l).toBeCloseTo(expected[i]!, 6));
  });

  test('errors name the op: no rule, or a value from another graph', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [4]);
    const m = g.op1('Round', [x]);
    expect(() => gradients(g, g.reduceSum(m), [x])).toThrow(/gradients: Round 'Round_\d+': no gradient rule for Round/);
    const other = new GraphBuilder().input('z', 'float32', [4]);
    expect(() => gradients(g, g.reduceSum(x), [other])).toThrow(/z is not a value of graph/);
  });

  test('values not connected to the loss get zero gradients', async () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', [3]),
      b = g.input('b', 'float32', [2]);
    const [da, db] = gradients(g, g.reduceSum(g.mul(a, a)), [a, b]);
    g.output(da!, 'da');
    g.output(db!, 'db');
    const out = await (
      await g.createSession()
    ).run({
      a: new OrtTensor('float32', Float32Array.from([1, 2, 3]), [3]),
      b: new OrtTensor('float32', new Float32Array(2), [2]),
    });
    expect(Array.from(out.da!.data as Float32Array)).toEqual([2, 4, 6]);
    expect(Array.from(out.db!.data as Float32Array)).toEqual([0, 0]);
  });
});

test('every op with a gradient rule is in the op table, so its shapes are inferred', () => {
  expect(differentiableOps().filter((op) => !OPS[op])).toEqual([]);
});
