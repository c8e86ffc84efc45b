import '../../setup/ort-realm';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder, liveness } from '../../../ml/graph';

const f32 = (data: number[], dims: number[]): OrtTensor => new OrtTensor('float32', Float32Array.from(data), dims);

describe('GraphBuilder', () => {
  test('a built graph runs in onnxruntime and computes what it says', async () => {
    //  x[2,3] --MatMul(w[3,2])--> +0.5 --> Relu --> ReduceSum(axis 1) --> y[2]
    const g = new GraphBuilder({ name: 'mlp' });
    const x = g.input('x', 'float32', [2, 3]);
    const w = g.input('w', 'float32', [3, 2]);
    const y = g.reduceSum(g.relu(g.add(g.matmul(x, w), 0.5)), [1]);
    expect(y.shape).toEqual([2]);
    g.output(y, 'y');
    const s = await g.createSession();
    const out = await s.run({ x: f32([1, 2, 3, -1, -2, -3], [2, 3]), w: f32([1, -1, 1, -1, 1, -1], [3, 2]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([6.5, 6.5]);
  });

  test('shape mistakes throw at build time naming the op and its node (with scope)', () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', [2, 3]);
    expect(() => g.scope('block3', () => g.matmul(a, a))).toThrow(
      /^MatMul 'block3\/MatMul_\d+': inner dimensions differ: \[2,3\] x \[2,3\]/,
    );
    expect(() => g.reshape(a, [4, 2])).toThrow(/^Reshape '.*': cannot reshape \[2,3\]/);
    expect(() => g.add(a, g.input('b', 'float32', [4]))).toThrow(/^Add .*do not broadcast/);
    expect(() => g.concat([a, g.input('c', 'float32', [3, 4])], 0)).toThrow(/^Concat .*shapes differ off axis 0/);
    expect(() => g.add(a, g.input('d', 'float64', [3]))).toThrow(/^Add .*one dtype/);
    expect(() => g.input('a', 'float32', [1])).toThrow(/input 'a': the name is already used/);
    expect(() => g.op('Frobnicate', [a])).toThrow(/not in ml\/graph\/ops-table.ts/);
  });

  test('large initializers travel as in-memory external data', async () => {
    const g = new GraphBuilder();
    const big = g.initializer('big', new Float32Array(512 * 1024).fill(0.25), [512, 1024]);
    const x = g.input('x', 'float32', [1, 512]);
    g.output(g.reduceSum(g.matmul(x, big)), 'y');
    const { externalData } = g.toOnnx();
    expect(externalData).toHaveLength(1);
    const s = await g.createSession();
    const out = await s.run({ x: new OrtTensor('float32', new Float32Array(512).fill(1), [1, 512]) });
    expect(out.y!.data[0]).toBeCloseTo(512 * 1024 * 0.25, 0);
  });

  test('Loop runs K steps per run: carried values, per-step scans, batch k gathered from an outer input', async () => {
    const g = new GraphBuilder();
    const p = g.input('p', 'float32', [3]);
    const batches = g.input('batches', 'float32', [4, 3]);
    const { carried, scans } = g.loop({
      trip: 4,
      carried: [p],
      body: (b, k, [pk]) => {
        const next = b.add(pk!, b.gather(batches, k));
        return { carried: [next], scans: [b.reduceSum(next)] };
      },
    });
    expect(scans[0]!.shape).toEqual([4]);
    g.output(carried[0]!, 'p_out');
    g.output(scans[0]!, 'sums');
    const s = await g.createSession();
    const out = await s.run({ p: f32([0, 0, 0], [3]), batches: f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [4, 3]) });
    expect(Array.from(out.p_out!.data as Float32Array)).toEqual([18, 22, 26]);
    expect(Array.from(out.sums!.data as Float32Array)).toEqual([3, 15, 36, 66]);
  });

  test('identical nodes are merged, constants shared, and nodes no output needs are not serialized', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [4, 4]);
    const a = g.tanh(x);
    expect(g.tanh(x)).toBe(a);
    expect(g.ints([2, 8])).toBe(g.ints([2, 8]));
    g.exp(x); // dead
    g.output(g.reshape(a, [2, 8]), 'y');
    expect(liveness(g).nodes.map((n) => n.op)).toEqual(['Tanh', 'Reshape']);
  });

  test('ops outside the table run when their output types are given', async () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', [2, 3]),
      b = g.input('b', 'float32', [3, 1]);
    const y = g.op(
      'Einsum',
      [a, b],
      { equation: 'ij,jk->ik' },
      { outputInfos: [{ dtype: 'float32', shape: [2, 1] }] },
    )[0]!;
    g.output(y, 'y');
    const out = await (await g.createSession()).run({ a: f32([1, 2, 3, 4, 5, 6], [2, 3]), b: f32([1, 1, 1], [3, 1]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([6, 15]);
  });

  test("sessions open with threads that do not spin (the default), that spin, or with the caller's own setting", async () => {
    const g = new GraphBuilder({ name: 'spin' });
    g.output(g.mul(g.input('x', 'float32', [2]), 3), 'y');
    const extra = { session: { intra_op: { allow_spinning: '1' } } };
    for (const opts of [{}, { spinning: true }, { intraOpNumThreads: 2, extra }]) {
      const out = await (await g.createSession(opts)).run({ x: f32([1, 2], [2]) });
      expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 6]);
    }
  });
});
