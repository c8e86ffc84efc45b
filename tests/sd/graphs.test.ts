import '../ml/autodiff/ort-realm';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../../ml/graph';
import { frozenCtx } from '../../ml/sd/blocks';
import { buildClipText } from '../../ml/sd/clip';
import { buildUnet } from '../../ml/sd/unet';
import { buildVaeDecoder, buildVaeEncoder } from '../../ml/sd/vae';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openSdCheckpoint } from '../../ml/sd/checkpoint';
import type { WeightSource } from '../../ml/sd/blocks';
import { syntheticSdCheckpoint, writeTinySd15 } from '../../ml/sd/tiny';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';

// The tiny random checkpoint of ml/sd/tiny.ts, served like an opened file (weights generated on request).
const lookup = syntheticSdCheckpoint(TINY_SD15_WIDTHS, 7);
const fill = (n: number, f: (i: number) => number): Float32Array => Float32Array.from({ length: n }, (_, i) => f(i));

/** Builds a graph with `build`, runs it twice on `feeds` and returns the first run's outputs. */
async function runTwice(
  build: (g: GraphBuilder) => void,
  feeds: Record<string, OrtTensor>,
): Promise<Record<string, Float32Array>> {
  const g = new GraphBuilder({ name: 'sd' });
  build(g);
  const s = await g.createSession();
  const a = await s.run(feeds);
  const b = await s.run(feeds);
  const out: Record<string, Float32Array> = {};
  for (const k of Object.keys(a)) {
    const da = a[k]!.data as Float32Array;
    expect(Array.from(b[k]!.data as Float32Array)).toEqual(Array.from(da));
    out[k] = da;
  }
  await s.release();
  return out;
}

const finiteSpread = (x: Float32Array): number => {
  expect(x.every(Number.isFinite)).toBe(true);
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  return Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length);
};

describe('SD 1.5 graphs', () => {
  test('the tiny UNet predicts a finite, deterministic latent-shaped output that depends on the timestep of each image', async () => {
    const x = new OrtTensor(
      'float32',
      fill(2 * 4 * 16 * 16, (i) => Math.sin(i * 0.37)),
      [2, 4, 16, 16],
    );
    const ctx = new OrtTensor(
      'float32',
      fill(2 * 77 * 64, (i) => Math.cos(i * 0.11)),
      [2, 77, 64],
    );
    const build = (g: GraphBuilder): void => {
      const c = frozenCtx(g, lookup);
      const inp = { x: g.input('x', 'float32', [2, 4, 16, 16]), t: g.input('t', 'float32', [2]) };
      g.output(buildUnet(c, { ...inp, context: g.input('context', 'float32', [2, 77, 64]) }), 'eps');
    };
    const a = await runTwice(build, { x, context: ctx, t: new OrtTensor('float32', Float32Array.of(10, 10), [2]) });
    const b = await runTwice(build, { x, context: ctx, t: new OrtTensor('float32', Float32Array.of(10, 900), [2]) });
    expect(a.eps!.length).toBe(2 * 4 * 16 * 16);
    expect(finiteSpread(a.eps!)).toBeGreaterThan(0.05);
    const half = 4 * 16 * 16;
    const diff = (p: Float32Array, q: Float32Array, from: number): number =>
      Math.max(...Array.from({ length: half }, (_, i) => Math.abs(p[from + i]! - q[from + i]!)));
    expect(diff(a.eps!, b.eps!, 0)).toBe(0); // image 0 kept its timestep
    expect(diff(a.eps!, b.eps!, half)).toBeGreaterThan(1e-3); // image 1's changed
  });

  test('the tiny CLIP is causal: a token changes only the positions after it; clip skip 2 differs', async () => {
    const ids = (last: number): OrtTensor =>
      new OrtTensor(
        'int64',
        BigInt64Array.from({ length: 77 }, (_, i) => BigInt(i === 0 ? 49406 : i === 5 ? last : 320 + i)),
        [1, 77],
      );
    const build = (g: GraphBuilder): void => {
      const c = frozenCtx(g, lookup);
      const t = g.input('ids', 'int64', [1, 77]);
      g.output(buildClipText(c, t), 'last');
      g.output(buildClipText(c, t, { clipSkip: 2 }), 'penultimate');
    };
    const a = await runTwice(build, { ids: ids(1125) });
    const b = await runTwice(build, { ids: ids(2368) });
    finiteSpread(a.last!);
    const at = (x: Float32Array, pos: number): number[] => Array.from(x.subarray(pos * 64, pos * 64 + 64));
    expect(at(a.last!, 4)).toEqual(at(b.last!, 4));
    expect(at(a.last!, 5)).not.toEqual(at(b.last!, 5));
    expect(at(a.last!, 4)).not.toEqual(at(a.penultimate!, 4));
  });

  test('the tiny VAE encodes 64 px to an 8x8 mean/logvar and decodes latents back to 64 px', async () => {
    const img = new OrtTensor(
      'float32',
      fill(3 * 64 * 64, (i) => Math.sin(i * 0.05)),
      [1, 3, 64, 64],
    );
    const enc = await runTwice(
      (g) => {
        const post = buildVaeEncoder(frozenCtx(g, lookup), g.input('img', 'float32', [1, 3, 64, 64]));
        g.output(post.mean, 'mean');
        g.output(post.logvar, 'logvar');
      },
      { img },
    );
    expect(enc.mean!.length).toBe(4 * 8 * 8);
    expect(finiteSpread(enc.mean!)).toBeGreaterThan(0);
    const dec = await runTwice(
      (g) => {
        g.output(buildVaeDecoder(frozenCtx(g, lookup), g.input('z', 'float32', [1, 4, 8, 8])), 'img');
      },
      { z: new OrtTensor('float32', enc.mean!, [1, 4, 8, 8]) },
    );
    expect(dec.img!.length).toBe(3 * 64 * 64);
    expect(finiteSpread(dec.img!)).toBeGreaterThan(0);
  });

  test('a diffusers folder opened from disk gives the same CLIP, UNet and VAE outputs as the same weights in memory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sd15-graphs-'));
    try {
      const file = await writeTinySd15(path.join(dir, 'tiny'), { layout: 'diffusers', seed: 7 });
      const disk = openSdCheckpoint(file);
      const feeds = {
        ids: new OrtTensor(
          'int64',
          BigInt64Array.from({ length: 77 }, (_, i) => BigInt(i ? 49407 : 49406)),
          [1, 77],
        ),
        x: new OrtTensor(
          'float32',
          fill(4 * 64, (i) => Math.sin(i)),
          [1, 4, 8, 8],
        ),
        t: new OrtTensor('float32', Float32Array.of(321), [1]),
      };
      const build = (src: WeightSource) => (g: GraphBuilder) => {
        const c = frozenCtx(g, src);
        const x = g.input('x', 'float32', [1, 4, 8, 8]);
        const context = buildClipText(c, g.input('ids', 'int64', [1, 77]));
        g.output(context, 'clip');
        g.output(buildUnet(c, { x, t: g.input('t', 'float32', [1]), context }), 'eps');
        g.output(buildVaeDecoder(c, x), 'img');
      };
      const a = await runTwice(build(disk), feeds);
      const b = await runTwice(build(lookup), feeds);
      disk.close();
      const diff = (k: string): number => Math.max(...a[k]!.map((v, i) => Math.abs(v - b[k]![i]!)));
      expect({ clip: diff('clip'), unet: diff('eps'), vae: diff('img') }).toEqual({
        clip: expect.closeTo(0, 5),
        unet: expect.closeTo(0, 5),
        vae: expect.closeTo(0, 5),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
