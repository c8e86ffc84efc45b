/** LoRAs merged into SD 1.5 weights as ComfyUI and A1111 apply a file: W' = W + Σ strength · alpha/rank · up @ down. */
import { mergedWeights, roundAdapters } from '../../ml/sd/merge-lora';
import { sd15LoraModules } from '../../ml/sd/lora-names';
import { syntheticSdCheckpoint } from '../../ml/sd/tiny';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import type { LoraAdapter } from '../../ml/lora/types';

const ckpt = syntheticSdCheckpoint(TINY_SD15_WIDTHS, 2);
const modules = sd15LoraModules(TINY_SD15_WIDTHS, { conv: true });
const fill = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f) / 3);
const adapter = (key: string, rank: number, alpha: number) => {
  const m = modules.find((x) => x.key === key)!;
  const rest = m.in * (m.kernel ?? 1) ** 2;
  const a: LoraAdapter = {
    module: key,
    rank,
    alpha,
    in: m.in,
    out: m.out,
    down: fill(rank * rest, 0.7),
    up: fill(m.out * rank, 1.3),
  };
  if (m.kernel !== undefined) a.kernel = m.kernel;
  return { module: m, adapter: a };
};

test.each([
  ['a Linear (attn2 to_k)', 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k'],
  ['a 1x1 conv (proj_in)', 'lora_unet_mid_block_attentions_0_proj_in'],
  ['a 3x3 conv (LoCon conv1)', 'lora_unet_up_blocks_1_resnets_0_conv1'],
])('%s gets strength · alpha/rank · up @ down, stacked LoRAs add, strength 0 changes nothing', (_what, key) => {
  const one = adapter(key, 4, 2);
  const two = adapter(key, 2, 2);
  const target = one.module.target;
  const base = ckpt.get(target)!.data;
  const merged = mergedWeights(ckpt, [
    { adapters: [one], strength: 0.8 },
    { adapters: [two], strength: -0.5 },
    { adapters: [adapter(key, 3, 3)], strength: 0 },
  ]).get(target)!;
  expect(merged.shape).toEqual(ckpt.shape(target));
  const rest = base.length / one.adapter.out;
  for (const [o, i] of [
    [0, 0],
    [one.adapter.out - 1, rest - 1],
    [1, 3],
  ] as const) {
    const delta = (a: LoraAdapter, s: number) => {
      let d = 0;
      for (let r = 0; r < a.rank; r++) d += a.up[o * a.rank + r]! * a.down[r * rest + i]!;
      return (s * a.alpha * d) / a.rank;
    };
    const expected = base[o * rest + i]! + delta(one.adapter, 0.8) + delta(two.adapter, -0.5);
    expect(merged.data[o * rest + i]).toBeCloseTo(expected, 5);
  }
  expect(ckpt.get(target)!.data).toEqual(base); // the checkpoint itself is untouched
});

test('adapters rounded to fp16 hold exactly what an fp16 file stores', () => {
  const [r] = roundAdapters([adapter('lora_unet_mid_block_attentions_0_proj_in', 4, 3)], 'F16');
  for (const v of r!.adapter.down.slice(0, 50)) {
    const bits = new DataView(new ArrayBuffer(4));
    bits.setFloat32(0, v);
    expect(bits.getUint32(0) & 0x1fff).toBe(0); // 13 low mantissa bits are zero: 10 bits of mantissa left
  }
});
