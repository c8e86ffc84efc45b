// Sessions on graphs with large weights: lazy initializers read at serialization, models opened from a temporary
// weights file (the way a full-size UNet is opened without holding its weights three times).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder, serializeModel } from '../../../ml/graph';
import { frozenCtx, linear } from '../../../ml/sd/blocks';

const ones = (n: number): OrtTensor => new OrtTensor('float32', new Float32Array(n).fill(1), [1, n]);

/**
 *   x [1,512] ── MatMul(a: 512x1024, lazy) ── ReduceSum ── y
 *   x ────────── MatMul(b: 512x512, eager) ── ReduceSum ── z
 */
function twoWeights(reads: string[]): GraphBuilder {
  const g = new GraphBuilder({ name: 'two_weights' });
  const a = g.lazyInitializer('a', [512, 1024], 'float32', () => {
    reads.push('a');
    return new Float32Array(512 * 1024).fill(0.5);
  });
  const b = g.initializer('b', new Float32Array(512 * 512).fill(0.25), [512, 512]);
  const x = g.input('x', 'float32', [1, 512]);
  g.output(g.reduceSum(g.matmul(x, a)), 'y');
  g.output(g.reduceSum(g.matmul(x, b)), 'z');
  return g;
}

describe('sessions on large weights', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'session-test-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a lazy weight is read when the session is created, once, and not before', async () => {
    const reads: string[] = [];
    const g = twoWeights(reads);
    expect(reads).toEqual([]);
    const s = await g.createSession();
    expect(reads).toEqual(['a']);
    const out = await s.run({ x: ones(512) });
    expect(out.y!.data[0]).toBeCloseTo(512 * 1024 * 0.5, 0);
    expect(out.z!.data[0]).toBeCloseTo(512 * 512 * 0.25, 0);
    await s.release();
  });

  test('over weightsOnDiskBytes the model opens from a weights file that is removed afterwards', async () => {
    const reads: string[] = [];
    const s = await twoWeights(reads).createSession({ weightsOnDiskBytes: 1, weightsDir: dir });
    expect(reads).toEqual(['a']);
    expect(readdirSync(dir)).toEqual([]);
    const out = await s.run({ x: ones(512) });
    expect(out.y!.data[0]).toBeCloseTo(512 * 1024 * 0.5, 0);
    expect(out.z!.data[0]).toBeCloseTo(512 * 512 * 0.25, 0);
    await s.release();
  });

  test('the weights file holds each large tensor at a page-aligned offset', () => {
    const file = path.join(dir, 'w.bin');
    const r = serializeModel(twoWeights([]), { externalFile: file });
    expect(r.externalData).toEqual([]);
    // b (1 MiB) first, then a (2 MiB) at the next multiple of 4096: 1 MiB is one already.
    expect(r.externalFileBytes).toBe(3 * 2 ** 20);
    expect(statSync(file).size).toBe(3 * 2 ** 20);
    const bytes = readFileSync(file);
    expect(new Float32Array(bytes.buffer, bytes.byteOffset + 2 ** 20, 4)).toEqual(new Float32Array(4).fill(0.5));
  });

  test('a lazy weight whose data does not fit its declared shape is refused by name', async () => {
    const g = new GraphBuilder();
    const w = g.lazyInitializer('proj.weight', [4, 4], 'float32', () => new Float32Array(15));
    g.output(g.matmul(g.input('x', 'float32', [1, 4]), w), 'y');
    await expect(g.createSession()).rejects.toThrow(/initializer 'proj\.weight': loaded 15 values .*float32 \[4,4\]/);
  });

  test('frozenCtx reads checkpoint weights at session creation, and names a missing one at build time', async () => {
    const reads: string[] = [];
    const source = {
      has: (n: string) => n === 'lin.weight',
      shape: () => [3, 2],
      get: (n: string) => (reads.push(n), { shape: [3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) }),
    };
    const g = new GraphBuilder();
    const ctx = frozenCtx(g, source);
    g.output(linear(ctx, 'lin', g.input('x', 'float32', [1, 2])), 'y');
    expect(reads).toEqual([]);
    expect(() => ctx.w('other.weight')).toThrow('the checkpoint lacks the weight "other.weight"');
    const s = await g.createSession();
    expect(reads).toEqual(['lin.weight']);
    const out = await s.run({ x: new OrtTensor('float32', Float32Array.of(1, 1), [1, 2]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 7, 11]);
    await s.release();
  });

  test('a model opened from a weights file keeps no NCHWc copy of its conv kernels (in memory it may)', async () => {
    // A conv whose channels suit onnxruntime's NCHWc blocks; the optimized model shows what the session runs.
    const build = (): GraphBuilder => {
      const g = new GraphBuilder({ name: 'conv' });
      const w = g.lazyInitializer('k', [64, 64, 3, 3], 'float32', () => new Float32Array(64 * 64 * 9).fill(0.01));
      g.output(g.conv(g.input('x', 'float32', [1, 64, 16, 16]), w, undefined, { pads: [1, 1, 1, 1] }), 'y');
      return g;
    };
    const optimized = async (weightsOnDiskBytes: number): Promise<string> => {
      const file = path.join(dir, `opt-${weightsOnDiskBytes}.onnx`);
      const s = await build().createSession({ weightsOnDiskBytes, optimizedModelFilePath: file });
      const out = await s.run({ x: new OrtTensor('float32', new Float32Array(64 * 256).fill(1), [1, 64, 16, 16]) });
      expect(out.y!.data[5 * 16 + 5]).toBeCloseTo(64 * 9 * 0.01, 4);
      await s.release();
      return readFileSync(file).toString('latin1');
    };
    expect(await optimized(Infinity)).toContain('ReorderInput'); // the reordering this guards against
    expect(await optimized(1)).not.toContain('ReorderInput');
  });
});
