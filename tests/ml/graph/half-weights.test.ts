// float16 frozen weights widened per use (ml/graph/half-weights.ts): the step computes what it computes with the same
// values in float32, and onnxruntime's optimized model keeps no float32 copy of a weight (one Cast per use, each
// read by its one node), which a plain Cast of a float16 initializer does not achieve (it is folded).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { gradients } from '../../../ml/autodiff';
import { GraphBuilder, type Tensor } from '../../../ml/graph';
import { halfWeight } from '../../../ml/graph/half-weights';
import { f16BitsToF32 } from '../../../ml/safetensors/f16';
import { toHalfBits } from '../../../ml/sd/half-frozen';
import { readOnnxGraph } from './onnx-reader';

const D = 256; // W [D, D]: 64 Ki values, 256 KiB in float32
const wave = (n: number, f: number, s = 1): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => s * Math.sin(i * f));
const W = wave(D * D, 0.37, 0.05);
const K = wave(8 * 8 * 9, 0.21, 0.2); // conv kernel [8, 8, 3, 3]
const rounded = (v: Float32Array): Float32Array => Float32Array.from(toHalfBits(v), f16BitsToF32);

type Weights = 'float32' | 'half' | 'plain cast';

/**
 * loss = sum(conv(img, K)^2) + sum(sigmoid(x W^T + (x A^T)) ^ 2) over a trainable A, the block recomputed in the
 * backward pass: W is read by the forward, the recomputed forward and the input gradient; K by the conv and (through
 * its flipped copy, K being computed) the conv's input gradient.
 */
function build(weights: Weights): GraphBuilder {
  const g = new GraphBuilder({ name: 'half_weights' });
  const weight = (name: string, shape: number[], v: Float32Array): Tensor => {
    if (weights === 'float32') return g.lazyInitializer(name, shape, 'float32', () => rounded(v));
    if (weights === 'half') return halfWeight(g, name, shape, () => toHalfBits(v));
    return g.cast(
      g.lazyInitializer(name, shape, 'float16', () => toHalfBits(v)),
      'float32',
    );
  };
  const a = g.input('a', 'float32', [D, D]);
  const x = g.input('x', 'float32', [4, D]);
  const img = g.input('img', 'float32', [1, 8, 6, 6]);
  const loss = g.scope('block', () => {
    const w = weight('w', [D, D], W);
    const k = weight('k', [8, 8, 3, 3], K);
    const h = g.sigmoid(g.add(g.gemm(x, w, undefined, { transB: true }), g.gemm(x, a, undefined, { transB: true })));
    const c = g.conv(img, k, undefined, { pads: [1, 1, 1, 1] });
    return g.add(g.reduceSum(g.mul(h, h)), g.reduceSum(g.mul(c, c)));
  });
  const [da, dx, dimg] = gradients(g, g.reshape(loss, []), [a, x, img], { recompute: ['block'] });
  g.output(loss, 'loss');
  g.output(da!, 'da');
  g.output(dx!, 'dx');
  g.output(dimg!, 'dimg');
  return g;
}

describe('float16 frozen weights', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'half-weights-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const feeds = {
    a: new OrtTensor('float32', wave(D * D, 0.11, 0.01), [D, D]),
    x: new OrtTensor('float32', wave(4 * D, 0.07), [4, D]),
    img: new OrtTensor('float32', wave(8 * 36, 0.3), [1, 8, 6, 6]),
  };
  /** The outputs, and the root graph onnxruntime optimized (opened from a weights file, as the UNet is). */
  async function run(weights: Weights) {
    const file = path.join(dir, `${weights.replace(' ', '-')}.onnx`);
    const s: InferenceSession = await build(weights).createSession({
      weightsOnDiskBytes: 1,
      externalThreshold: 1024,
      optimizedModelFilePath: file,
    });
    const out = await s.run(feeds);
    await s.release();
    const values = (n: string): Float32Array => out[n]!.data as Float32Array;
    return {
      loss: values('loss'),
      da: values('da'),
      dx: values('dx'),
      dimg: values('dimg'),
      model: readOnnxGraph(readFileSync(file)),
    };
  }
  const maxRelErr = (a: Float32Array, b: Float32Array): number => {
    const scale = Math.max(...Array.from(b, Math.abs));
    return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!))) / scale;
  };

  test('give the loss and gradients of the same values held in float32', async () => {
    const [half, f32] = [await run('half'), await run('float32')];
    expect(maxRelErr(half.loss, f32.loss)).toBeLessThan(1e-6);
    expect(maxRelErr(half.da, f32.da)).toBeLessThan(1e-5);
    expect(maxRelErr(half.dx, f32.dx)).toBeLessThan(1e-5);
    expect(maxRelErr(half.dimg, f32.dimg)).toBeLessThan(1e-5);
    expect(half.da.some((v) => v !== 0)).toBe(true);
  }, 60_000);

  test('leave onnxruntime no float32 copy of a weight: one Cast per use, read by that use alone', async () => {
    const { model } = await run('half');
    const weightSized = (t: { dims: number[] }): boolean => [D * D, 8 * 72].includes(t.dims.reduce((p, d) => p * d, 1));
    const floatCopies = model.initializers.filter((t) => t.dtype === 1 && weightSized(t));
    expect(floatCopies.map((t) => t.name)).toEqual([]);
    expect(
      model.initializers
        .filter((t) => t.dtype === 10)
        .map((t) => t.name)
        .sort(),
    ).toEqual(['k', 'w']);
    const readers = (name: string) => model.nodes.filter((n) => n.inputs.includes(name));
    for (const [weight, uses] of [
      ['w', 3], // forward, recomputed forward, input gradient
      ['k', 3], // conv, recomputed conv, the flipped kernel of the input gradient
    ] as const) {
      const views = readers(weight);
      expect(views.map((n) => n.op)).toEqual(Array(uses).fill('Reshape'));
      for (const v of views) {
        const casts = readers(v.outputs[0]!);
        expect(casts.map((n) => n.op)).toEqual(['Cast']);
        expect(readers(casts[0]!.outputs[0]!)).toHaveLength(1);
      }
    }
  }, 60_000);

  test('a plain Cast of a float16 initializer is folded into a float32 one (what the per-use gate prevents)', async () => {
    const { model } = await run('plain cast');
    const floats = model.initializers.filter((t) => t.dtype === 1 && t.dims.join() === `${D},${D}`);
    expect(floats).toHaveLength(1);
  }, 60_000);
});
