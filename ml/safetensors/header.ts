// Parsing and checking a safetensors header: every bad file becomes a SafetensorsError naming the file.

/** Dtypes this reader understands, with their size in bytes. */
export const DTYPE_SIZES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  // FLUX and SD3 files ship fp8 weights: known here so their headers parse and the model is named, not decoded.
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const;
export type StDtype = keyof typeof DTYPE_SIZES;

/** Where one tensor lives in the file. `byteOffset` is absolute (from the start of the file). */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: StDtype;
  readonly shape: readonly number[];
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface ParsedHeader {
  readonly metadata: Record<string, string>;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /** Bytes taken by the 8-byte length prefix plus the JSON header. */
  readonly dataStart: number;
}

/** Headers longer than this are refused before anything is allocated for them. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** A malformed or unreadable safetensors file; the message starts with the file name. */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'SafetensorsError';
  }
}

/** Reads the little-endian u64 header length from the first 8 bytes and checks it against the file size. */
export function checkHeaderLength(file: string, prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || prefix.byteLength < 8)
    throw new SafetensorsError(
      file,
      `truncated: ${fileSize} bytes, a safetensors file starts with an 8-byte header length`,
    );
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const big = view.getBigUint64(0, true);
  if (big > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(
      file,
      `header length ${big} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
    );
  const n = Number(big);
  if (8 + n > fileSize)
    throw new SafetensorsError(
      file,
      `truncated: header says ${n} bytes but the file has only ${fileSize - 8} after the length`,
    );
  return n;
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Parses and validates the JSON header (bytes after the length prefix) for a file of `fileSize` bytes. */
export function parseHeader(file: string, headerBytes: Uint8Array, fileSize: number): ParsedHeader {
  const dataStart = 8 + headerBytes.byteLength;
  const dataSize = fileSize - dataStart;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new SafetensorsError(file, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new SafetensorsError(file, 'header must be a JSON object');
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        throw new SafetensorsError(file, '__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(file, `__metadata__.${k} must be a string`);
        metadata[k] = v;
      }
      continue;
    }
    tensors.set(name, parseEntry(file, name, entry, dataStart, dataSize));
  }
  checkNoOverlap(file, [...tensors.values()]);
  return { metadata, tensors, dataStart };
}

function parseEntry(file: string, name: string, entry: unknown, dataStart: number, dataSize: number): TensorInfo {
  if (typeof entry !== 'object' || entry === null)
    throw new SafetensorsError(file, `tensor "${name}": entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZES))
    throw new SafetensorsError(
      file,
      `tensor "${name}": unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_SIZES).join(', ')})`,
    );
  if (!Array.isArray(shape) || !shape.every(isNonNegInt))
    throw new SafetensorsError(file, `tensor "${name}": shape must be an array of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt))
    throw new SafetensorsError(file, `tensor "${name}": data_offsets must be [begin, end]`);
  const [begin, end] = offsets as [number, number];
  if (end < begin)
    throw new SafetensorsError(file, `tensor "${name}": data_offsets end ${end} is before begin ${begin}`);
  if (end > dataSize)
    throw new SafetensorsError(
      file,
      `tensor "${name}": data_offsets [${begin}, ${end}] run past the end of the data (${dataSize} bytes; truncated file?)`,
    );
  const itemSize = DTYPE_SIZES[dtype as StDtype];
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (count * itemSize !== end - begin)
    throw new SafetensorsError(
      file,
      `tensor "${name}": shape [${shape.join(', ')}] of ${dtype} needs ${count * itemSize} bytes but data_offsets span ${end - begin}`,
    );
  return {
    name,
    dtype: dtype as StDtype,
    shape: shape as number[],
    byteOffset: dataStart + begin,
    byteLength: end - begin,
  };
}

function checkNoOverlap(file: string, infos: TensorInfo[]): void {
  const sorted = infos.filter((t) => t.byteLength > 0).sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.byteOffset < prev.byteOffset + prev.byteLength)
      throw new SafetensorsError(file, `tensors "${prev.name}" and "${cur.name}" overlap in the data section`);
  }
}
