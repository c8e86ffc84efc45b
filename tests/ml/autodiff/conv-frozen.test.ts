// A Conv's input gradient two ways: through a kernel fed as an input (a Conv by the flipped kernel, built in the
// graph) and through a frozen kernel (ConvTranspose, so that the session holds no second copy of the kernel).
import './ort-realm';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { gradients } from '../../../ml/autodiff';
import { GraphBuilder, type Tensor } from '../../../ml/graph';

const wave = (n: number, f: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + 0.3));

/** dX of sum(Conv(x, w) · r) with w frozen (eager or lazy initializer) or fed as an input. */
async function inputGrad(kind: 'input' | 'eager' | 'lazy', w: Float32Array, wShape: number[], pads: number[]) {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [1, 3, 6, 7]);
  let wt: Tensor;
  if (kind === 'input') wt = g.input('w', 'float32', wShape);
  else if (kind === 'eager') wt = g.initializer('w', w, wShape);
  else wt = g.lazyInitializer('w', wShape, 'float32', () => w);
  const y = g.conv(x, wt, undefined, { pads });
  const loss = g.reduceSum(
    g.mul(
      y,
      g.constant(
        wave(
          y.shape.reduce((a, b) => a * b, 1),
          0.7,
        ),
        [...y.shape],
      ),
    ),
  );
  const [dx] = gradients(g, loss, [x]);
  g.output(dx!, 'dx');
  const s = await g.createSession();
  const feeds: Record<string, OrtTensor> = { x: new OrtTensor('float32', wave(3 * 6 * 7, 0.4), [1, 3, 6, 7]) };
  if (kind === 'input') feeds.w = new OrtTensor('float32', w, wShape);
  const out = Array.from((await s.run(feeds)).dx!.data as Float32Array);
  await s.release();
  return { out, ops: g.nodes.map((n) => n.op) };
}

describe('Conv input gradient: fed kernel against frozen kernel', () => {
  test.each([
    ['3x3, pads 1', [4, 3, 3, 3], [1, 1, 1, 1]],
    ['3x2, asymmetric pads', [4, 3, 3, 2], [0, 1, 2, 0]],
  ])(
    '%s: the flipped-kernel Conv (fed kernel) and ConvTranspose (frozen kernel) give the same gradient',
    async (_, shape, pads) => {
      const w = wave(
        shape.reduce((a, b) => a * b, 1),
        1.3,
      );
      const ref = await inputGrad('input', w, shape, pads);
      expect(ref.ops).not.toContain('ConvTranspose');
      for (const kind of ['eager', 'lazy'] as const) {
        const r = await inputGrad(kind, w, shape, pads);
        expect(r.ops).toContain('ConvTranspose'); // no second copy of a frozen kernel in the session
        r.out.forEach((v, i) => expect(v).toBeCloseTo(ref.out[i]!, 5));
      }
    },
  );
});
