/** Renders emoji of any style to small RGB tiles with sharp, supersampled so thin lines stay visible. */
import sharp from 'sharp';
import { loadIconSet } from './iconsets';
import { STYLES, type StyleId } from './styles';

export interface RenderOptions {
  /** Output side in pixels (the model's resolution, 32 by default). */
  size?: number;
  /** The SVG is rasterised at size * supersample, then averaged down: sharp's resize alone does not. */
  supersample?: number;
  /** Parallel renders in flight (sharp runs them on its own thread pool). */
  concurrency?: number;
}

/** Renders one emoji to `size` x `size` RGB bytes on a white background. */
export async function renderEmoji(style: StyleId, codepoint: string, opts: RenderOptions = {}): Promise<Uint8Array> {
  const size = opts.size ?? 32;
  const big = size * (opts.supersample ?? 4);
  const set = loadIconSet(style);
  const name = set.byCodepoint.get(codepoint);
  if (!name) throw new Error(`${STYLES[style].pkg} has no emoji for codepoint ${codepoint}`);
  const svg = Buffer.from(set.svg(name, big));
  const { data, info } = await sharp(svg)
    .flatten({ background: '#ffffff' })
    .resize(size, size, { kernel: 'cubic', fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    throw new Error(`rendering ${style} ${codepoint}: got ${info.width}x${info.height}x${info.channels}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Renders many emoji of one style into one [N, size, size, 3] uint8 array, in the order given. */
export async function renderEmojis(
  style: StyleId,
  codepoints: readonly string[],
  opts: RenderOptions = {},
  onProgress?: (done: number, total: number) => void,
): Promise<Uint8Array> {
  const size = opts.size ?? 32;
  const tile = size * size * 3;
  const out = new Uint8Array(codepoints.length * tile);
  const concurrency = opts.concurrency ?? 8;
  let next = 0;
  let done = 0;
  const workers = Array.from({ length: Math.min(concurrency, codepoints.length) }, async () => {
    while (next < codepoints.length) {
      const i = next++;
      out.set(await renderEmoji(style, codepoints[i] ?? '', opts), i * tile);
      done++;
      if (onProgress && (done % 64 === 0 || done === codepoints.length)) onProgress(done, codepoints.length);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Box-downsamples RGB tiles (size x size) by `factor` into one flat array of n x (size/factor)^2 x 3 values in [0, 1]:
 * the pixel features the evaluations compare and classify (small shifts matter less than at full size).
 */
export function downsampleTiles(tiles: Uint8Array, size: number, factor: number): Float32Array {
  const s = size / factor;
  const per = s * s * 3;
  const n = Math.floor(tiles.length / (size * size * 3));
  const out = new Float32Array(n * per);
  for (let k = 0; k < n; k++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          const o = k * per + (Math.floor(y / factor) * s + Math.floor(x / factor)) * 3 + c;
          out[o] = out[o]! + tiles[((k * size + y) * size + x) * 3 + c]! / (factor * factor * 255);
        }
  return out;
}

/** Encodes RGB tiles as one PNG grid (`columns` wide), e.g. for previews and model-card figures. */
export async function tilesToPng(tiles: Uint8Array, size: number, columns: number, scale = 1): Promise<Buffer> {
  const tile = size * size * 3;
  const n = Math.floor(tiles.length / tile);
  const cols = Math.max(1, Math.min(columns, n));
  const rows = Math.max(1, Math.ceil(n / cols));
  const width = cols * size;
  const grid = new Uint8Array(rows * size * width * 3).fill(255);
  for (let i = 0; i < n; i++) {
    const ox = (i % cols) * size;
    const oy = Math.floor(i / cols) * size;
    for (let y = 0; y < size; y++) {
      const src = i * tile + y * size * 3;
      grid.set(tiles.subarray(src, src + size * 3), ((oy + y) * width + ox) * 3);
    }
  }
  let img = sharp(grid, { raw: { width, height: rows * size, channels: 3 } });
  if (scale > 1) img = img.resize(width * scale, rows * size * scale, { kernel: 'nearest' });
  return img.png().toBuffer();
}
