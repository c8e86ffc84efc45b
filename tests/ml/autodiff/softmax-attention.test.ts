// Softmax's gradient inside attention, O = softmax(q kᵀ) v: its row sum comes from dO · O (a [.., N, d] product)
// rather than dy · y ([.., N, L]). Both paths are checked against central finite differences, in float64 (the
// MatMul rule's Transpose + MatMul form) and float32 (its FusedMatMul form).
import './ort-realm';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { gradients } from '../../../ml/autodiff';
import { GraphBuilder, typedArrayFor, type Tensor } from '../../../ml/graph';

type Dt = 'float64' | 'float32';
const N = 3,
  L = 5,
  D = 2;
const SHAPES = { q: [2, N, D], k: [2, L, D], v: [2, L, D] } as const;
const wave = (n: number, f: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(i * f + 0.3));
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** loss = sum(attention(q, k, v) · R) (+ sum(y · R2) when the probabilities also feed the loss directly). */
function build(dtype: Dt, probsToo: boolean) {
  const g = new GraphBuilder({ name: 'attn_grad' });
  const ins = Object.fromEntries(Object.entries(SHAPES).map(([k, s]) => [k, g.input(k, dtype, s)])) as Record<
    keyof typeof SHAPES,
    Tensor
  >;
  const kt = g.transpose(ins.k, [0, 2, 1]);
  const y = g.softmax(g.matmul(ins.q, kt), -1);
  const o = g.matmul(y, ins.v);
  let loss = g.reduceSum(g.mul(o, g.constant(typedArrayFor(dtype, wave(numel(o.shape), 0.9)), [...o.shape])));
  if (probsToo)
    loss = g.add(
      loss,
      g.reduceSum(g.mul(y, g.constant(typedArrayFor(dtype, wave(numel(y.shape), 1.7)), [...y.shape]))),
    );
  g.output(loss, 'loss');
  const before = g.nodes.length;
  const grads = gradients(g, loss, [ins.q, ins.k, ins.v]);
  grads.forEach((d, i) => g.output(d, `grad_${i}`));
  // The row sums the Softmax rule emitted: over the keys (L) or over O's last axis (D).
  const rowSums = g.nodes
    .slice(before)
    .filter((n) => n.op === 'ReduceSum')
    .map((n) => n.inputs[0]!.shape[n.inputs[0]!.rank - 1] ?? 0);
  return { g, rowSums };
}

async function check(dtype: Dt, probsToo: boolean): Promise<number[]> {
  const { g, rowSums } = build(dtype, probsToo);
  const s = await g.createSession();
  const feeds = Object.fromEntries(
    Object.entries(SHAPES).map(([k, sh], i) => [k, typedArrayFor(dtype, wave(numel(sh), 0.5 + i)) as Float64Array]),
  );
  const run = async () =>
    s.run(Object.fromEntries(Object.entries(SHAPES).map(([k, sh]) => [k, new OrtTensor(dtype, feeds[k]!, [...sh])])));
  const base = await run();
  const h = dtype === 'float64' ? 1e-5 : 1e-2,
    tol = dtype === 'float64' ? 1e-7 : 2e-3;
  for (const [i, name] of Object.keys(SHAPES).entries()) {
    const x = feeds[name]!;
    const analytic = base[`grad_${i}`]!.data as Float64Array;
    for (let j = 0; j < x.length; j++) {
      const orig = x[j]!;
      x[j] = orig + h;
      const lp = Number((await run()).loss!.data[0]);
      x[j] = orig - h;
      const lm = Number((await run()).loss!.data[0]);
      x[j] = orig;
      expect(Math.abs(analytic[j]! - (lp - lm) / (2 * h))).toBeLessThan(tol);
    }
  }
  await s.release();
  return rowSums;
}

describe('Softmax gradient in attention', () => {
  test.each(['float64', 'float32'] as const)(
    '%s: the row sum is dO · O over the head width, and the gradients match finite differences',
    async (dtype) => {
      const rowSums = await check(dtype, false);
      expect(rowSums).toContain(D);
      expect(rowSums).not.toContain(L);
    },
  );

  test('probabilities that also feed the loss directly take the plain dy · y row sum, still correct', async () => {
    const rowSums = await check('float64', true);
    expect(rowSums).toContain(L);
  });
});
