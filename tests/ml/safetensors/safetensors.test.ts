import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readSafetensors,
  writeSafetensors,
  SafetensorsFile,
  SafetensorsError,
  f32ToF16Bits,
  f16BitsToF32,
} from '../../../ml/safetensors';

const dir = mkdtempSync(join(tmpdir(), 'st-test-'));

/** Builds a file by hand: 8-byte little-endian length, the header text, then the data bytes. */
function rawFile(
  name: string,
  header: string | object,
  data: Uint8Array = new Uint8Array(0),
  lengthOverride?: bigint,
): string {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const h = Buffer.from(text, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(lengthOverride ?? BigInt(h.byteLength));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([prefix, h, Buffer.from(data)]));
  return path;
}

describe('safetensors round trip', () => {
  it('writes F32/F16/I32 tensors with metadata that an independent parser reads back', async () => {
    const path = join(dir, 'round.safetensors');
    const w = new Float32Array([1, -2.5, 3.25, 0, 1e-3, 65504]);
    const ids = new Int32Array([7, -8, 9]);
    await writeSafetensors(
      path,
      {
        'layer.weight': { shape: [2, 3], data: w },
        'layer.half': { shape: [6], data: w, dtype: 'F16' },
        ids: { shape: [3], data: ids },
      },
      { step: '42', note: 'hello' },
    );

    // Independent parse with Buffer only.
    const buf = readFileSync(path);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    expect(header.__metadata__).toEqual({ step: '42', note: 'hello' });
    expect(header['layer.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    const [b, e] = header['layer.weight'].data_offsets;
    const base = 8 + n;
    const floats = [];
    for (let i = base + b; i < base + e; i += 4) floats.push(buf.readFloatLE(i));
    expect(floats).toEqual([...w]);
    expect(header['layer.half'].dtype).toBe('F16');
    expect(header.ids).toEqual({ dtype: 'I32', shape: [3], data_offsets: [36, 48] });
    expect(buf.readInt32LE(base + 40)).toBe(-8);

    const back = await readSafetensors(path);
    expect(back.metadata).toEqual({ step: '42', note: 'hello' });
    expect([...back.tensors.get('layer.weight')!.data]).toEqual([...w]);
    expect([...back.tensors.get('layer.half')!.data]).toEqual([
      1,
      -2.5,
      3.25,
      0,
      f16BitsToF32(f32ToF16Bits(1e-3)),
      65504,
    ]);
    expect([...back.tensors.get('ids')!.data]).toEqual([7, -8, 9]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('reads BF16 and F16 written by another tool, converting to float32', async () => {
    const data = Buffer.alloc(8);
    data.writeUInt16LE(0x3f80, 0); // bf16 1.0
    data.writeUInt16LE(0xc040, 2); // bf16 -3.0
    data.writeUInt16LE(0x3c00, 4); // f16 1.0
    data.writeUInt16LE(0xb800, 6); // f16 -0.5
    const path = rawFile(
      'bf16.safetensors',
      {
        a: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] },
        b: { dtype: 'F16', shape: [2], data_offsets: [4, 8] },
      },
      data,
    );
    const { tensors } = await readSafetensors(path);
    expect([...tensors.get('a')!.data]).toEqual([1, -3]);
    expect([...tensors.get('b')!.data]).toEqual([1, -0.5]);
  });

  it('reads tensors lazily: only the header is parsed when the file is opened', async () => {
    const path = join(dir, 'lazy.safetensors');
    const big = new Float32Array(1 << 18).map((_, i) => i);
    await writeSafetensors(path, {
      small: { shape: [2], data: new Float32Array([5, 6]) },
      big: { shape: [1 << 18], data: big },
    });
    const file = await SafetensorsFile.open(path);
    expect(file.names()).toEqual(['small', 'big']);
    expect(file.info('big').shape).toEqual([1 << 18]);
    expect([...(await file.readF32('small'))]).toEqual([5, 6]);
    expect((await file.readF32('big'))[12345]).toBe(12345);
    await expect(file.read('missing')).rejects.toThrow(/no tensor named "missing"/);
    await file.close();
  });

  it('rounds float32 to float16 to nearest even, with overflow and subnormals', () => {
    expect(f16BitsToF32(f32ToF16Bits(1 + 2 ** -11))).toBe(1); // tie goes to even
    expect(f16BitsToF32(f32ToF16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(f16BitsToF32(f32ToF16Bits(1e6))).toBe(Infinity);
    expect(f16BitsToF32(f32ToF16Bits(2 ** -24))).toBe(2 ** -24);
    expect(f16BitsToF32(f32ToF16Bits(-(2 ** -20)))).toBe(-(2 ** -20));
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
  });
});

describe('safetensors refuses bad files with an error naming the file', () => {
  const cases: [string, () => string, RegExp][] = [
    [
      'a file shorter than the length prefix',
      () => {
        const p = join(dir, 'short.st');
        writeFileSync(p, Buffer.from([1, 2, 3]));
        return p;
      },
      /truncated/,
    ],
    ['an absurd header length', () => rawFile('absurd.st', '{}', undefined, 1n << 60n), /exceeds the .* limit/],
    [
      'a header longer than the file',
      () => rawFile('longhdr.st', '{}', undefined, 1000n),
      /truncated: header says 1000/,
    ],
    ['a non-JSON header', () => rawFile('nojson.st', '{"a": nope'), /not valid UTF-8 JSON/],
    ['a header that is a JSON array', () => rawFile('array.st', '[1,2]'), /must be a JSON object/],
    [
      'an unknown dtype',
      () => rawFile('dtype.st', { a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
      /unknown dtype "F8"/,
    ],
    [
      'a shape that does not match the byte span',
      () => rawFile('shape.st', { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /needs 12 bytes but data_offsets span 8/,
    ],
    [
      'offsets past the end of the file (truncated data)',
      () => rawFile('past.st', { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)),
      /run past the end/,
    ],
    [
      'overlapping offsets',
      () =>
        rawFile(
          'overlap.st',
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
          },
          new Uint8Array(12),
        ),
      /overlap/,
    ],
    [
      'offsets in the wrong order',
      () => rawFile('order.st', { a: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)),
      /before begin/,
    ],
    [
      'a negative dimension',
      () => rawFile('neg.st', { a: { dtype: 'U8', shape: [-1], data_offsets: [0, 0] } }),
      /non-negative integers/,
    ],
    [
      'non-string metadata',
      () => rawFile('meta.st', { __metadata__: { step: 3 } }),
      /__metadata__.step must be a string/,
    ],
  ];
  it.each(cases)('%s', async (_label, make, pattern) => {
    const path = make();
    const err = await SafetensorsFile.open(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(pattern);
  });

  it('a missing file', async () => {
    await expect(readSafetensors(join(dir, 'nope.safetensors'))).rejects.toThrow(
      /nope\.safetensors: cannot open \(ENOENT\)/,
    );
  });

  it('refuses to write data that does not match its shape, leaving no file', async () => {
    const path = join(dir, 'bad-write.safetensors');
    await expect(writeSafetensors(path, { a: { shape: [3], data: new Float32Array(2) } })).rejects.toThrow(
      /"a" has shape \[3\]/,
    );
    expect(readdirSync(dir).some((f) => f.startsWith('bad-write'))).toBe(false);
  });
});
