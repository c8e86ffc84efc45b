/**
 * A safetensors file read synchronously, one tensor at a time, through a file descriptor: the SD graph builders ask
 * for weights synchronously, and a 2-4 GB checkpoint must never be read whole. The header checks are
 * ml/safetensors's; only the reads differ from its async SafetensorsFile.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  checkHeaderLength,
  decodeBf16,
  decodeF16,
  parseHeader,
  SafetensorsError,
  type TensorInfo,
} from '../safetensors';

export class SyncSafetensors {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
    readonly size: number,
    readonly metadata: Record<string, string>,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
  ) {}

  /** Opens `path` and validates its header (a SafetensorsError naming the file when malformed or truncated). */
  static open(path: string): SyncSafetensors {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new SafetensorsError(path, `cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    try {
      const size = fstatSync(fd).size;
      const prefix = new Uint8Array(8);
      readSync(fd, prefix, 0, Math.min(8, size), 0);
      const header = new Uint8Array(checkHeaderLength(path, prefix, size));
      readFully(fd, header, 8, path);
      const parsed = parseHeader(path, header, size);
      return new SyncSafetensors(path, fd, size, parsed.metadata, parsed.tensors);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Reads one floating-point tensor as float32 (F16 and BF16 converted); integers are refused. */
  readF32(info: TensorInfo): Float32Array {
    if (this.fd === undefined) throw new SafetensorsError(this.path, 'read after close');
    const n = info.byteLength;
    switch (info.dtype) {
      case 'F32': {
        const out = new Float32Array(n / 4);
        readFully(this.fd, new Uint8Array(out.buffer), info.byteOffset, this.path);
        return out;
      }
      case 'F16':
      case 'BF16': {
        const bytes = new Uint8Array(n);
        readFully(this.fd, bytes, info.byteOffset, this.path);
        return info.dtype === 'F16' ? decodeF16(bytes) : decodeBf16(bytes);
      }
      default:
        throw new SafetensorsError(this.path, `tensor "${info.name}" is ${info.dtype}, not a float tensor`);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.byteLength) {
    const n = readSync(fd, into, done, into.byteLength - done, position + done);
    if (n === 0) throw new SafetensorsError(path, `truncated: expected ${into.byteLength} bytes at offset ${position}`);
    done += n;
  }
}
