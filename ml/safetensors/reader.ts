// Lazy safetensors reader: the header is read once, each tensor's bytes on demand through a file handle.
import { open, type FileHandle } from 'node:fs/promises';
import { checkHeaderLength, parseHeader, SafetensorsError, type TensorInfo } from './header';
import { decodeBf16, decodeF16 } from './f16';

/** A tensor decoded into a JS typed array: floats as Float32Array (F64 too), integers in their own type. */
export interface LoadedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array;
}

/** An open safetensors file. Call close() when done (or use readSafetensors for small files). */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly metadata: Record<string, string>,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
  ) {}

  /** Opens a file and validates its header; tensor bytes are not read yet. */
  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw new SafetensorsError(path, `cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    try {
      const size = (await handle.stat()).size;
      const prefix = new Uint8Array(8);
      await handle.read(prefix, 0, Math.min(8, size), 0);
      const n = checkHeaderLength(path, prefix, size);
      const headerBytes = new Uint8Array(n);
      await readFully(handle, headerBytes, 8, path);
      const parsed = parseHeader(path, headerBytes, size);
      return new SafetensorsFile(path, handle, parsed.metadata, parsed.tensors);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Tensor names in file order of their data. */
  names(): string[] {
    return [...this.tensors.values()].sort((a, b) => a.byteOffset - b.byteOffset).map((t) => t.name);
  }

  /** Describes one tensor, or throws naming the file and the missing tensor. */
  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new SafetensorsError(this.path, `no tensor named "${name}"`);
    return info;
  }

  /** Reads one tensor's raw little-endian bytes. */
  async readBytes(name: string): Promise<Uint8Array> {
    const info = this.info(name);
    const bytes = new Uint8Array(info.byteLength);
    await readFully(this.handle, bytes, info.byteOffset, this.path);
    return bytes;
  }

  /** Reads one tensor decoded to a typed array (F16, BF16 and F64 become Float32Array). */
  async read(name: string): Promise<LoadedTensor> {
    const info = this.info(name);
    const bytes = await this.readBytes(name);
    return { shape: info.shape, data: decodeBytes(info, bytes) };
  }

  /** Reads one floating-point tensor as float32, or throws if it holds integers. */
  async readF32(name: string): Promise<Float32Array> {
    const { data } = await this.read(name);
    if (!(data instanceof Float32Array))
      throw new SafetensorsError(this.path, `tensor "${name}" is ${this.info(name).dtype}, not a float tensor`);
    return data;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function readFully(handle: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await handle.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0)
      throw new SafetensorsError(path, `truncated: expected ${into.byteLength} bytes at offset ${position}`);
    done += bytesRead;
  }
}

function decodeBytes(info: TensorInfo, bytes: Uint8Array): LoadedTensor['data'] {
  const buf = bytes.buffer; // freshly allocated, offset 0, so every typed view is aligned
  switch (info.dtype) {
    case 'F32':
      return new Float32Array(buf, 0, bytes.byteLength / 4);
    case 'F16':
      return decodeF16(bytes);
    case 'BF16':
      return decodeBf16(bytes);
    case 'F64':
      return Float32Array.from(new Float64Array(buf, 0, bytes.byteLength / 8));
    case 'I64':
      return new BigInt64Array(buf, 0, bytes.byteLength / 8);
    case 'I32':
      return new Int32Array(buf, 0, bytes.byteLength / 4);
    case 'I16':
      return new Int16Array(buf, 0, bytes.byteLength / 2);
    case 'I8':
      return new Int8Array(buf, 0, bytes.byteLength);
    case 'U8':
    case 'BOOL':
      return bytes;
    case 'F8_E4M3':
    case 'F8_E5M2':
      throw new Error(`tensor "${info.name}" is ${info.dtype}, which loraflow cannot decode yet`);
  }
}

/** Reads a whole file: metadata plus every tensor decoded. */
export async function readSafetensors(
  path: string,
): Promise<{ metadata: Record<string, string>; tensors: Map<string, LoadedTensor> }> {
  const file = await SafetensorsFile.open(path);
  try {
    const tensors = new Map<string, LoadedTensor>();
    for (const name of file.names()) tensors.set(name, await file.read(name));
    return { metadata: file.metadata, tensors };
  } finally {
    await file.close();
  }
}
