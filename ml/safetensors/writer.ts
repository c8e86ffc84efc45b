// safetensors writer: header padded to 8 bytes, tensors in the given order, written to a temp file then renamed.
import { open, type FileHandle } from 'node:fs/promises';
import { replaceAtomically } from '../atomic-write';
import { encodeBf16, encodeF16 } from './f16';

/**
 * One tensor to write. Float data is stored as F32 unless dtype says F16 or BF16; Int32Array is stored as I32,
 * BigInt64Array as I64.
 */
export interface TensorToWrite {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array | BigInt64Array;
  readonly dtype?: 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'U8';
}

function defaultDtype(data: TensorToWrite['data']): NonNullable<TensorToWrite['dtype']> {
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof BigInt64Array) return 'I64';
  return data instanceof Uint8Array ? 'U8' : 'F32';
}

function encodeTensor(name: string, t: TensorToWrite): { dtype: string; bytes: Uint8Array } {
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count !== t.data.length)
    throw new Error(
      `safetensors write: tensor "${name}" has shape [${t.shape.join(', ')}] (${count} values) but ${t.data.length} values`,
    );
  const dtype = t.dtype ?? defaultDtype(t.data);
  if (dtype === 'F16' || dtype === 'BF16') {
    if (!(t.data instanceof Float32Array))
      throw new Error(`safetensors write: tensor "${name}": ${dtype} needs Float32Array data`);
    return { dtype, bytes: dtype === 'F16' ? encodeF16(t.data) : encodeBf16(t.data) };
  }
  const wanted = { F32: Float32Array, I32: Int32Array, I64: BigInt64Array, U8: Uint8Array }[dtype];
  if (!(t.data instanceof wanted))
    throw new Error(`safetensors write: tensor "${name}": ${dtype} needs ${wanted.name} data`);
  return { dtype, bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
}

/** Serializes tensors and metadata into one safetensors byte array (in memory). */
export function encodeSafetensors(
  tensors: Record<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const { prefix, chunks } = layout(tensors, metadata);
  const total = prefix.byteLength + chunks.reduce((a, c) => a + c.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(prefix, 0);
  let at = prefix.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function layout(
  tensors: Record<string, TensorToWrite>,
  metadata: Record<string, string>,
): { prefix: Uint8Array; chunks: Uint8Array[] } {
  const entries: HeaderEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const { dtype, bytes } = encodeTensor(name, t);
    entries.push({ name, dtype, shape: t.shape, byteLength: bytes.byteLength });
    chunks.push(bytes);
  }
  return { prefix: headerPrefix(entries, metadata), chunks };
}

interface HeaderEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly byteLength: number;
}

/** The 8-byte length and the JSON header for tensors stored back to back in this order. */
function headerPrefix(entries: readonly HeaderEntry[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    if (e.name === '__metadata__')
      throw new Error('safetensors write: "__metadata__" is reserved and cannot name a tensor');
    header[e.name] = { dtype: e.dtype, shape: [...e.shape], data_offsets: [offset, offset + e.byteLength] };
    offset += e.byteLength;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let jsonBytes = encoder.encode(json);
  const pad = (8 - (jsonBytes.byteLength % 8)) % 8; // the format pads the header with spaces so data starts aligned
  if (pad > 0) {
    json += ' '.repeat(pad);
    jsonBytes = encoder.encode(json);
  }
  const prefix = new Uint8Array(8 + jsonBytes.byteLength);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(jsonBytes.byteLength), true);
  prefix.set(jsonBytes, 8);
  return prefix;
}

/** Writes a safetensors file atomically: a temp file beside `path`, synced, then renamed over it. */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): Promise<void> {
  const { prefix, chunks } = layout(tensors, metadata);
  await replaceAtomically(path, (tmp) =>
    writeSynced(tmp, async (handle) => {
      await handle.write(prefix);
      for (const c of chunks) await handle.write(c);
    }),
  );
}

/** Opens `file`, lets `write` fill it, flushes it to disk and closes it (also when `write` fails). */
async function writeSynced(file: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await write(handle);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A tensor whose values are made only when it is written (one at a time: files larger than memory). */
export interface LazyTensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: NonNullable<TensorToWrite['dtype']>;
  readonly data: () => TensorToWrite['data'];
}

const ITEM_BYTES: Record<NonNullable<TensorToWrite['dtype']>, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I32: 4,
  I64: 8,
  U8: 1,
};

/**
 * Writes a safetensors file atomically, making and encoding one tensor at a time, so peak memory is one tensor
 * rather than the file (a full-size random SD checkpoint is 2-4 GB).
 */
export async function writeSafetensorsStreaming(
  path: string,
  tensors: readonly LazyTensorToWrite[],
  metadata: Record<string, string> = {},
): Promise<void> {
  const entries = tensors.map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    byteLength: t.shape.reduce((a, b) => a * b, 1) * ITEM_BYTES[t.dtype],
  }));
  await replaceAtomically(path, (tmp) =>
    writeSynced(tmp, async (handle) => {
      await handle.write(headerPrefix(entries, metadata));
      for (const t of tensors) {
        const { bytes } = encodeTensor(t.name, { shape: t.shape, data: t.data(), dtype: t.dtype });
        await handle.write(bytes);
      }
    }),
  );
}
