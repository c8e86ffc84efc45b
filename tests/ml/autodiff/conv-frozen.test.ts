// A Conv's input gradient three ways: through a kernel fed as an input (a Conv by the kernel flipped in the graph),
// through a frozen kernel where dY is large next to it (a Conv by the kernel flipped in the step, never folded into
// a second copy of the kernel) and through a frozen kernel where dY is small (ConvTranspose).
import './ort-realm';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { gradients } from '../../../ml/autodiff';
import { GraphBuilder, type Tensor } from '../../../ml/graph';

const wave = (n: number, f: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + 0.3));
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

type Kind = 'input' | 'eager' | 'lazy';

/** The graph of dX of sum(Conv(x, w) · r) with w frozen (eager or lazy initializer) or fed as an input. */
function build(kind: Kind, w: Float32Array, wShape: number[], xShape: number[], pads: number[]) {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', xShape);
  let wt: Tensor;
  if (kind === 'input') wt = g.input('w', 'float32', wShape);
  else if (kind === 'eager') wt = g.initializer('w', w, wShape);
  else wt = g.lazyInitializer('w', wShape, 'float32', () => w);
  const y = g.conv(x, wt, undefined, { pads });
  const loss = g.reduceSum(g.mul(y, g.constant(wave(numel(y.shape), 0.7), [...y.shape])));
  const [dx] = gradients(g, loss, [x]);
  g.output(dx!, 'dx');
  return g;
}

async function inputGrad(kind: Kind, w: Float32Array, wShape: number[], xShape: number[], pads: number[]) {
  const g = build(kind, w, wShape, xShape, pads);
  const s = await g.createSession();
  const feeds: Record<string, OrtTensor> = { x: new OrtTensor('float32', wave(numel(xShape), 0.4), xShape) };
  if (kind === 'input') feeds.w = new OrtTensor('float32', w, wShape);
  const out = Array.from((await s.run(feeds)).dx!.data as Float32Array);
  await s.release();
  return { out, ops: g.nodes.map((n) => n.op) };
}

/** Bytes of the model onnxruntime keeps after its optimizations (folded initializers included). */
async function optimizedBytes(g: GraphBuilder): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'conv-frozen-'));
  try {
    const file = path.join(dir, 'optimized.onnx');
    await (await g.createSession({ optimizedModelFilePath: file })).release();
    return statSync(file).size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Conv input gradient: fed kernel against frozen kernel', () => {
  test.each([
    ['3x3, pads 1', [4, 3, 3, 3], [1, 1, 1, 1]],
    ['3x2, asymmetric pads', [4, 3, 3, 2], [0, 1, 2, 0]],
  ])(
    '%s, dY large next to the kernel: frozen kernels are flipped in the step, same gradient',
    async (_, shape, pads) => {
      const w = wave(numel(shape), 1.3);
      const ref = await inputGrad('input', w, shape, [1, 3, 6, 7], pads);
      expect(ref.ops).not.toContain('ConvTranspose');
      for (const kind of ['eager', 'lazy'] as const) {
        const r = await inputGrad(kind, w, shape, [1, 3, 6, 7], pads);
        expect(r.ops).not.toContain('ConvTranspose');
        expect(r.ops).toContain('ArgMax'); // the zero from dY that keeps the flip in the step
        r.out.forEach((v, i) => expect(v).toBeCloseTo(ref.out[i]!, 5));
      }
    },
  );

  test('dY small next to the kernel (3x3 of 16 channels): frozen kernels keep ConvTranspose, same gradient', async () => {
    const shape = [16, 3, 3, 3];
    const w = wave(numel(shape), 1.3);
    const ref = await inputGrad('input', w, shape, [1, 3, 3, 3], [1, 1, 1, 1]);
    for (const kind of ['eager', 'lazy'] as const) {
      const r = await inputGrad(kind, w, shape, [1, 3, 3, 3], [1, 1, 1, 1]);
      expect(r.ops).toContain('ConvTranspose');
      r.out.forEach((v, i) => expect(v).toBeCloseTo(ref.out[i]!, 5));
    }
  });

  test('the flip of a frozen kernel is not folded into a second copy of it in the session', async () => {
    const shape = [128, 128, 3, 3];
    const kernelBytes = numel(shape) * 4;
    const w = wave(numel(shape), 0.01);
    const ours = await optimizedBytes(build('eager', w, shape, [1, 128, 16, 16], [1, 1, 1, 1]));
    // The same flip with constant starts, as a Transpose + Slice of the initializer would be: onnxruntime folds it.
    const g = new GraphBuilder();
    const dy = g.input('dy', 'float32', [1, 128, 16, 16]);
    const wt = g.initializer('w', w, shape);
    const folded = g.slice(g.transpose(wt, [1, 0, 2, 3]), [2, 2], [-4, -4], [2, 3], [-1, -1]);
    g.output(g.add(g.conv(dy, folded, undefined, { pads: [1, 1, 1, 1] }), g.reduceSum(g.conv(dy, wt))), 'o');
    expect(await optimizedBytes(g)).toBeGreaterThan(1.9 * kernelBytes);
    expect(ours).toBeLessThan(1.2 * kernelBytes);
  });
});
