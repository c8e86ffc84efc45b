/** Half-precision decoding (table lookup for F16, shifts for BF16) against the scalar conversions, every pattern. */
import { bf16BitsToF32, decodeBf16, decodeF16, encodeBf16, f16BitsToF32, f32ToBf16Bits } from '../../../ml/safetensors';

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('half-precision decoding', () => {
  const all = new Uint8Array(2 * 65536);
  const view = new DataView(all.buffer);
  for (let h = 0; h < 65536; h++) view.setUint16(2 * h, h, true);

  it('decodes all 65,536 F16 and BF16 bit patterns as the scalar conversions do', () => {
    const f16 = decodeF16(all);
    const bf16 = decodeBf16(all);
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++)
      if (!same(f16[h]!, f16BitsToF32(h)) || !same(bf16[h]!, bf16BitsToF32(h))) bad.push(h);
    expect(bad).toEqual([]);
  });

  it('decodes bytes that start at an odd offset (a view into a larger buffer)', () => {
    const bytes = new Uint8Array([9, 0x00, 0x3c, 0x00, 0xc0, 9]); // 1.0 and -2.0 in F16 after one stray byte
    expect([...decodeF16(bytes.subarray(1, 5))]).toEqual([1, -2]);
  });

  it('rounds float32 to the nearest BF16, ties to even', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(bf16BitsToF32(f32ToBf16Bits(1 + 2 ** -8))).toBe(1); // halfway: stays on the even 1.0
    expect(bf16BitsToF32(f32ToBf16Bits(1 + 3 * 2 ** -8))).toBe(1 + 2 ** -6); // halfway: up to the even neighbour
    expect(Number.isNaN(decodeBf16(encodeBf16(Float32Array.of(NaN)))[0])).toBe(true);
  });
});
