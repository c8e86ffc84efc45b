/**
 * Turns any image file users keep in a dataset folder into the one form the other nodes rely on:
 * 8-bit sRGB RGB PNG, EXIF orientation applied, alpha flattened. Failures become a short reason
 * ("truncated", "not an image"...) instead of a libvips stack.
 */
import { open } from 'node:fs/promises';
import sharp, { type Metadata, type PngOptions, type SharpInput } from 'sharp';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'] as const;

/** PNG settings for images we store: fast to write (they are intermediate), still lossless. */
export const STORE_PNG: PngOptions = { compressionLevel: 3, adaptiveFiltering: false };

export type BadFileCode =
  | 'zero-byte'
  | 'not-image'
  | 'truncated'
  | 'corrupt'
  | 'too-many-pixels'
  | 'caption-encoding'
  | 'outside-root'
  | 'too-large'
  | 'unreadable';

/** A file that cannot be used, with the reason in words a user understands. */
export class BadFileError extends Error {
  constructor(
    readonly code: BadFileCode,
    message: string,
  ) {
    super(message);
    this.name = 'BadFileError';
  }
}

export type DecodedImage = { png: Buffer; width: number; height: number };

export type DecodeOptions = { maxPixels: number; background: string };

/** The first and last bytes of a file: enough to tell text from an image and a cut-short file from a damaged one. */
type Sample = { head: Buffer; tail: Buffer };

const sampleOf = (bytes: Buffer): Sample => ({
  head: bytes.subarray(0, 512),
  tail: bytes.subarray(Math.max(0, bytes.length - 32)),
});

async function sampleFile(path: string, size: number): Promise<Sample> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(512, size));
    const tail = Buffer.alloc(Math.min(32, size));
    await handle.read(head, 0, head.length, 0);
    await handle.read(tail, 0, tail.length, size - tail.length);
    return { head, tail };
  } finally {
    await handle.close();
  }
}

/**
 * The largest file opened for a pixel limit: an uncompressed 16-bit RGBA image of that many pixels plus 1 MB of
 * headers. Anything bigger cannot be a usable image under the limit, so it is refused before a byte is read.
 */
export function maxFileBytes(maxPixels: number): number {
  return maxPixels * 8 + 1_000_000;
}

const megabytes = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

/** Decodes `bytes` (first frame of animations) and returns it as an 8-bit sRGB RGB PNG; throws BadFileError. */
export async function decodeToPng(bytes: Buffer, opts: DecodeOptions): Promise<DecodedImage> {
  if (bytes.length === 0) throw new BadFileError('zero-byte', 'the file is empty (0 bytes)');
  return decode(bytes, opts, async () => sampleOf(bytes));
}

/**
 * Decodes the regular file at `path` (of `size` bytes) without reading it into memory: the size is checked first,
 * then the header's dimensions (libvips reads only the header for metadata), and only then the pixels.
 */
export async function decodeFileToPng(path: string, size: number, opts: DecodeOptions): Promise<DecodedImage> {
  if (size === 0) throw new BadFileError('zero-byte', 'the file is empty (0 bytes)');
  const limit = maxFileBytes(opts.maxPixels);
  if (size > limit) {
    throw new BadFileError(
      'too-large',
      `the file is ${megabytes(size)}, more than an image under the pixel limit can take (${megabytes(limit)}); not read`,
    );
  }
  return decode(path, opts, () => sampleFile(path, size));
}

async function decode(input: SharpInput, opts: DecodeOptions, sample: () => Promise<Sample>): Promise<DecodedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw classify(err, await sample());
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > opts.maxPixels) {
    throw new BadFileError(
      'too-many-pixels',
      `${meta.width}x${meta.height} is ${pixels.toLocaleString('en')} pixels, over the limit of ${opts.maxPixels.toLocaleString('en')}`,
    );
  }
  try {
    const { data, info } = await sharp(input, { limitInputPixels: opts.maxPixels, failOn: 'truncated', pages: 1 })
      .rotate()
      .flatten({ background: opts.background })
      .toColourspace('srgb')
      .png(STORE_PNG)
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height };
  } catch (err) {
    throw classify(err, await sample());
  }
}

/** Maps a libvips error to a BadFileError with a plain reason. */
function classify(err: unknown, bytes: Sample): BadFileError {
  const msg = err instanceof Error ? err.message : String(err);
  const first = msg.split('\n')[0]?.trim() ?? msg;
  if (/unsupported image format/i.test(msg)) {
    const hint = looksLikeText(bytes.head) ? ' (it contains text)' : '';
    return new BadFileError('not-image', `not an image file${hint}`);
  }
  if (/empty/i.test(msg)) return new BadFileError('zero-byte', 'the file is empty (0 bytes)');
  if (looksTruncated(bytes))
    return new BadFileError('truncated', `the file is truncated (it ends before the image data does)`);
  if (/pixel limit/i.test(msg)) return new BadFileError('too-many-pixels', 'too many pixels');
  if (/premature end|truncat|read error|unexpected end|short read|not enough data/i.test(msg)) {
    return new BadFileError('truncated', `the file is truncated or damaged (${first})`);
  }
  // libvips' message can be only the encoder's follow-up error when several images fail at once.
  const detail = /unable to write to target/.test(first) ? 'it could not be decoded' : first;
  return new BadFileError('corrupt', `the file is corrupt (${detail})`);
}

/** PNG without its IEND chunk, or JPEG without its end-of-image marker: the file was cut short. */
function looksTruncated({ head, tail }: Sample): boolean {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return !tail.includes('IEND');
  if (head[0] === 0xff && head[1] === 0xd8) return !tail.includes(Buffer.from([0xff, 0xd9]));
  return false;
}

function looksLikeText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 512);
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0xc2) printable++;
  return head.length > 0 && printable / head.length > 0.95;
}

/** Decodes a caption file as strict UTF-8 (BOM removed, whitespace normalised); throws BadFileError otherwise. */
export function decodeCaption(bytes: Uint8Array, fileName: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadFileError('caption-encoding', `its caption ${fileName} is not UTF-8 text; re-save it as UTF-8`);
  }
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
