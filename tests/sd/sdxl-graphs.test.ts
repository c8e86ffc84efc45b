/**
 * SDXL's graphs on the tiny random SDXL model, behaviour a user depends on (numbers against PyTorch are checked by
 * `npm run parity:sdxl`): the size/crop sinusoids follow sgm's layout, the pooled bigG embedding is read at EOS so
 * the padding after it changes nothing, the UNet needs and uses the adm vector (another crop gives another output),
 * and a diffusers folder gives the same encodings as the single file it was written beside.
 */
import '../ml/autodiff/ort-realm';
import { join } from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../../ml/graph';
import { frozenCtx, type WeightSource } from '../../ml/sd/blocks';
import { openAnySdCheckpoint } from '../../ml/sd/checkpoint';
import { buildOpenClipText, eosRows } from '../../ml/sd/openclip';
import { admVectors, sampleSize, sizeEmbedding } from '../../ml/sd/sdxl-cond';
import { syntheticSdxlCheckpoint, writeTinySdxl } from '../../ml/sd/sdxl-tiny';
import { TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { buildUnet } from '../../ml/sd/unet';
import { tempDir } from './fixtures';

const w = TINY_SDXL_WIDTHS;
const lookup = syntheticSdxlCheckpoint(w, 4);

function ids(pad: number, length = 6): Int32Array {
  return Int32Array.from({ length: 77 }, (_, p) =>
    p === 0 ? 49406 : p < length ? 320 + p : p === length ? 49407 : pad,
  );
}

async function encodeG(
  source: WeightSource,
  tokens: Int32Array,
): Promise<{ pooled: Float32Array; hidden: Float32Array }> {
  const g = new GraphBuilder({ name: 'bigG' });
  const out = buildOpenClipText(frozenCtx(g, source), g.input('ids', 'int64', [1, 77]), g.input('eos', 'int64', [1]));
  g.output(out.pooled, 'pooled');
  g.output(out.penultimate, 'hidden');
  const s = await g.createSession();
  const r = await s.run({
    ids: new OrtTensor(
      'int64',
      BigInt64Array.from(tokens, (v) => BigInt(v)),
      [1, 77],
    ),
    eos: new OrtTensor('int64', eosRows(tokens, 77), [1]),
  });
  await s.release();
  return { pooled: r.pooled!.data as Float32Array, hidden: r.hidden!.data as Float32Array };
}

describe('SDXL conditioning', () => {
  it('embeds original size, crop and target size as six 256-wide sinusoids, cos first, after the pooled vector', () => {
    const e = sizeEmbedding({ original: [1024, 768], crop: [32, 0], target: [1024, 1024] });
    expect(e).toHaveLength(1536);
    expect(e[0]).toBeCloseTo(Math.cos(1024), 5); // frequency 1 first: cos(h), then sin(h) at 128
    expect(e[128]).toBeCloseTo(Math.sin(1024), 5);
    expect(e[256]).toBeCloseTo(Math.cos(768), 5);
    expect(e[2 * 256]).toBeCloseTo(Math.cos(32), 5);
    expect(e[3 * 256]).toBe(1); // crop left 0: cos 0
    const y = admVectors(Float32Array.of(7, 8, 9, 10), [sampleSize(512, 512), sampleSize(1024, 768)]);
    expect(y).toHaveLength(2 * (2 + 1536));
    expect([y[0], y[1], y[1538], y[1539]]).toEqual([7, 8, 9, 10]);
    expect(y[1540]).toBeCloseTo(Math.cos(768), 5); // the second image's original height
  });

  it('pools bigG at EOS: the padding after it does not change the pooled embedding, the prompt does', async () => {
    const a = await encodeG(lookup, ids(0));
    const b = await encodeG(lookup, ids(49407));
    const c = await encodeG(lookup, ids(0, 9));
    expect(a.pooled).toHaveLength(w.clipG.projectionDim);
    expect(Array.from(b.pooled)).toEqual(Array.from(a.pooled));
    expect(a.hidden.slice(0, 7 * 64)).toEqual(b.hidden.slice(0, 7 * 64)); // causal: tokens up to EOS unchanged
    expect(Math.max(...c.pooled.map((v, i) => Math.abs(v - a.pooled[i]!)))).toBeGreaterThan(1e-3);
  }, 60_000);

  it('feeds the adm vector through label_emb: the UNet refuses to run without it and follows the crop', async () => {
    const g = new GraphBuilder({ name: 'unet' });
    const ctx = frozenCtx(g, lookup);
    const x = g.input('x', 'float32', [1, 4, 8, 8]);
    const t = g.input('t', 'float32', [1]);
    const context = g.input('context', 'float32', [1, 77, w.unet.contextDim]);
    expect(() => buildUnet(ctx, { x, t, context })).toThrow(/label_emb .* needs the adm vector y/);
    const y = g.input('y', 'float32', [1, w.unet.admInChannels]);
    g.output(buildUnet(ctx, { x, t, context, y }, { headDim: w.unet.headDim }), 'eps');
    const s = await g.createSession();
    const run = async (crop: number) => {
      const adm = admVectors(new Float32Array(64).fill(0.1), [
        { original: [64, 64], crop: [crop, 0], target: [64, 64] },
      ]);
      const r = await s.run({
        x: new OrtTensor(
          'float32',
          Float32Array.from({ length: 256 }, (_, i) => Math.sin(i)),
          [1, 4, 8, 8],
        ),
        t: new OrtTensor('float32', Float32Array.of(500), [1]),
        context: new OrtTensor('float32', new Float32Array(77 * w.unet.contextDim).fill(0.05), [
          1,
          77,
          w.unet.contextDim,
        ]),
        y: new OrtTensor('float32', adm, [1, w.unet.admInChannels]),
      });
      return r.eps!.data as Float32Array;
    };
    const a = await run(0);
    const b = await run(48);
    await s.release();
    expect(a.every(Number.isFinite)).toBe(true);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeGreaterThan(1e-4);
  }, 120_000);

  it('encodes the same from a diffusers folder (split q/k/v) as from the ldm file', async () => {
    const dir = tempDir('sdxl-graphs');
    const folder = await writeTinySdxl(join(dir, 'xl'), { layout: 'diffusers', seed: 4 });
    const ckpt = openAnySdCheckpoint(folder);
    try {
      const a = await encodeG(ckpt, ids(0));
      const b = await encodeG(lookup, ids(0));
      expect(Array.from(a.pooled)).toEqual(Array.from(b.pooled));
    } finally {
      ckpt.close();
    }
  }, 120_000);
});
