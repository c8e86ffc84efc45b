/**
 * Sampling SDXL at the ML level on the tiny random SDXL model (every key of sd_xl_base_1.0, narrow widths):
 *
 *   prompt ─┬─ CLIP-L penultimate (pad EOS) ─┐
 *           └─ bigG penultimate (pad 0) ─────┴─ context [77·chunks, 128] ─┐
 *              bigG pooled (first chunk) ─ adm (pooled ‖ size/crop) ───────┼─ UNet ×2 (CFG) ─ sampler ─ VAE (fp32)
 *   negative ── the same ──────────────────────────────────────────────────┘
 *
 * A seed gives the same image, LoRAs change it, strength 0 does not, and every sampler, the negative prompt,
 * emphasis and the image size matter.
 */
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../../ml/graph';
import type { LoraAdapter } from '../../ml/lora/types';
import { frozenCtx, type WeightSource } from '../../ml/sd/blocks';
import type { SdTensor } from '../../ml/sd/checkpoint';
import { roundAdapters, type AppliedLora } from '../../ml/sd/merge-lora';
import { eosRows } from '../../ml/sd/openclip';
import { encodePrompt } from '../../ml/sd/prompt';
import { sampleSdxl, type SdSampleSettings } from '../../ml/sd/sample-run';
import { SD_SAMPLERS } from '../../ml/sd/sampler';
import { buildSdxlText } from '../../ml/sd/sdxl-cond';
import { SdxlEncoders } from '../../ml/sd/sdxl-encoders';
import { sdxlLoraModules } from '../../ml/sd/sdxl-lora-names';
import { syntheticSdxlCheckpoint } from '../../ml/sd/sdxl-tiny';
import { TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { Rng } from '../../ml/dit/rng';
import { EOS } from '../../ml/sd/tokenizer';

// Generated weights are kept: each sampling call builds a UNet session, and generating them is much of its cost.
const synthetic = syntheticSdxlCheckpoint(TINY_SDXL_WIDTHS, 5);
const kept = new Map<string, SdTensor | undefined>();
const ckpt: WeightSource = {
  has: (n) => synthetic.has(n),
  shape: (n) => synthetic.shape(n),
  get: (n) => (kept.has(n) ? kept.get(n) : kept.set(n, synthetic.get(n)).get(n)),
};
const enc = new SdxlEncoders(ckpt);
afterAll(() => enc.release());

const settings = (o: Partial<SdSampleSettings> = {}): SdSampleSettings => ({
  prompts: ['a photo of a cat'],
  negative: '',
  seed: 3,
  steps: 3,
  cfg: 6,
  sampler: 'euler',
  width: 64,
  height: 64,
  previewEvery: 0,
  ...o,
});
const one = async (o: Partial<SdSampleSettings> = {}, loras: AppliedLora[] = []) =>
  (await sampleSdxl(ckpt, enc, [{ loras }], settings(o)))[0]![0]!;
const differ = (a: Uint8Array, b: Uint8Array) => a.some((v, i) => v !== b[i]);
/** Each stack's first image. */
const firsts = (stacks: Uint8Array[][]) => stacks.map((s) => s[0]!);

/** A rank-4 LoRA on the modules whose kohya key matches `pattern`, with random down and up. */
function lora(pattern: RegExp, seed: number): AppliedLora['adapters'] {
  const rng = new Rng(seed);
  return sdxlLoraModules(TINY_SDXL_WIDTHS)
    .filter((m) => pattern.test(m.key))
    .map((m) => {
      const adapter: LoraAdapter = {
        module: m.key,
        rank: 4,
        alpha: 2,
        in: m.in,
        out: m.out,
        down: rng.fillNormal(new Float32Array(4 * m.in), 0.5),
        up: rng.fillNormal(new Float32Array(m.out * 4), 0.5),
      };
      return { module: m, adapter };
    });
}

test("the context is CLIP-L's and bigG's penultimate layers side by side, with bigG's pooled EOS (the parity graph's)", async () => {
  const c = await enc.encode('a photo of a cat', { emphasis: false });
  expect([c.tokens, c.width, c.pooled?.length]).toEqual([77, 128, 64]);
  const ids = encodePrompt('a photo of a cat').chunks[0]!.ids;
  const idsG = encodePrompt('a photo of a cat', { pad: 0 }).chunks[0]!.ids;
  expect([ids[76], idsG[76], idsG.indexOf(EOS)]).toEqual([EOS, 0, 6]);
  const g = new GraphBuilder({ name: 'sdxl-text-ref' });
  const ref = buildSdxlText(
    frozenCtx(g, ckpt),
    g.input('l', 'int64', [1, 77]),
    g.input('g', 'int64', [1, 77]),
    g.input('eos', 'int64', [1]),
  );
  g.output(ref.context, 'context');
  g.output(ref.pooled, 'pooled');
  const s = await g.createSession();
  const i64 = (x: Int32Array) => new OrtTensor('int64', BigInt64Array.from(x, BigInt), [1, 77]);
  const r = await s.run({ l: i64(ids), g: i64(idsG), eos: new OrtTensor('int64', eosRows(idsG, 77), [1]) });
  await s.release();
  const near = (a: Float32Array, b: Float32Array) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-5);
  expect(near(c.data, r.context!.data as Float32Array)).toBe(true);
  expect(near(c.pooled!, r.pooled!.data as Float32Array)).toBe(true);
});

test('long prompts take several 75-token chunks for both encoders; emphasis changes the context, not the pooled', async () => {
  const long = Array.from({ length: 90 }, (_, i) => `word${i}`).join(' ');
  const c = await enc.encode(long);
  expect(c.tokens).toBe(enc.chunksOf(long) * 77);
  expect(c.tokens).toBeGreaterThanOrEqual(154);
  const plain = await enc.encode('a photo of a cat');
  const weighted = await enc.encode('a photo of a (cat:1.5)');
  expect(differ(new Uint8Array(plain.data.buffer), new Uint8Array(weighted.data.buffer))).toBe(true);
  expect(weighted.pooled).toEqual(plain.pooled);
  const padded = await enc.encode('a photo of a cat', { minChunks: 2 });
  expect(padded.tokens).toBe(154);
  expect(padded.data.subarray(0, 77 * 128)).toEqual(plain.data);
});

const SLOW = 240_000; // each sampling call builds a UNet session: seconds each on a loaded 2-core machine

test(
  'a seed gives the same image; another seed, the negative prompt, CFG and each sampler change it',
  async () => {
    const [base, next] = (await sampleSdxl(ckpt, enc, [{ loras: [] }], settings({ prompts: ['a cat', 'a cat'] })))[0]!;
    expect(base!.length).toBe(64 * 64 * 3);
    expect(differ(next!, base!)).toBe(true); // image 1 uses seed + 1
    expect(await one({ prompts: ['a cat'] })).toEqual(base);
    expect(await one({ prompts: ['a cat'], seed: 4 })).toEqual(next);
    expect(differ(await one({ prompts: ['a cat'], negative: 'blurry, low quality' }), base!)).toBe(true);
    expect(differ(await one({ prompts: ['a cat'], cfg: 2 }), base!)).toBe(true);
    for (const sampler of SD_SAMPLERS.filter((x) => x !== 'euler'))
      expect(differ(await one({ prompts: ['a cat'], sampler }), base!)).toBe(true);
  },
  SLOW,
);

test(
  'the image size is the size/crop conditioning too: 128x64 samples, previews come at the latent size',
  async () => {
    const previews: { width: number; height: number; rgb: Uint8Array }[] = [];
    const hooks = { onStep: (_d: number, _t: number, p?: (typeof previews)[number]) => void (p && previews.push(p)) };
    const wide = (
      await sampleSdxl(ckpt, enc, [{ loras: [] }], settings({ width: 128, previewEvery: 1 }), hooks)
    )[0]![0];
    expect(wide!.length).toBe(128 * 64 * 3);
    expect(previews.map((p) => [p.width, p.height, p.rgb.length])).toEqual(
      Array.from({ length: 3 }, () => [16, 8, 16 * 8 * 3]),
    );
    expect(differ(previews[2]!.rgb, previews[0]!.rgb)).toBe(true);
  },
  SLOW,
);

test(
  'UNet and bigG LoRAs change the image, stacked they add up, at strength 0 nothing changes',
  async () => {
    const unet = lora(/^lora_unet_.*attn2_to_[kv]$/, 1);
    const te2 = lora(/^lora_te2_.*self_attn_q_proj$/, 2);
    const [base, zero, withUnet, withTe2, both] = firsts(
      await sampleSdxl(
        ckpt,
        enc,
        [
          { loras: [] },
          {
            loras: [
              { adapters: unet, strength: 0 },
              { adapters: te2, strength: 0 },
            ],
          },
          { loras: [{ adapters: unet, strength: 1 }] },
          { loras: [{ adapters: roundAdapters(te2, 'F16'), strength: 1 }] }, // as an fp16 file holds them
          {
            loras: [
              { adapters: unet, strength: 1 },
              { adapters: te2, strength: 1 },
            ],
          },
        ],
        settings(),
      ),
    );
    expect(zero).toEqual(base);
    expect(differ(withUnet!, base!) && differ(withTe2!, base!)).toBe(true);
    expect(differ(both!, withUnet!) && differ(both!, withTe2!)).toBe(true);
  },
  SLOW,
);

test(
  'one call samples several stacks in their order (base stacks run first inside), each its own prompts, image i from seed + i',
  async () => {
    const unet = lora(/^lora_unet_.*attn2_to_k$/, 7);
    const prompts = ['a photo of a cat', 'a red apple'];
    const [lorad, plain] = await sampleSdxl(
      ckpt,
      enc,
      [{ loras: [{ adapters: unet, strength: 0.8 }], prompts: [1] }, { loras: [] }],
      settings({ prompts }),
    );
    expect([plain!.length, lorad!.length]).toEqual([2, 1]);
    expect(plain![1]).toEqual(await one({ prompts: ['a red apple'], seed: 4 }));
    expect(differ(lorad![0]!, plain![1]!)).toBe(true);
  },
  SLOW,
);
