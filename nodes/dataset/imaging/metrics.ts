/** Image quality measures for the report: sharpness, exposure, and a perceptual hash for near-duplicates. */
import sharp from 'sharp';

/** Images are measured at this longest side (or their own, if smaller) so sharpness compares across sizes. */
export const ANALYSIS_SIZE = 256;

export type ImageMetrics = {
  sharpness: number;
  meanLuminance: number;
  clippedDark: number;
  clippedBright: number;
  dhash: string;
};

/** Measures one image file (any format sharp reads). */
export async function measureImage(path: string): Promise<ImageMetrics> {
  const { data, info } = await sharp(path)
    .resize({ width: ANALYSIS_SIZE, height: ANALYSIS_SIZE, fit: 'inside', withoutEnlargement: true })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  let sum = 0;
  let dark = 0;
  let bright = 0;
  for (const v of data) {
    sum += v;
    if (v < 5) dark++;
    else if (v > 250) bright++;
  }
  const n = width * height;
  return {
    sharpness: laplacianVariance(data, width, height),
    meanLuminance: sum / n / 255,
    clippedDark: dark / n,
    clippedBright: bright / n,
    dhash: await dHash(path),
  };
}

/** Variance of the 4-neighbour Laplacian over the interior pixels: low for blurry images. */
export function laplacianVariance(grey: Uint8Array, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap =
        (grey[i - 1] as number) +
        (grey[i + 1] as number) +
        (grey[i - width] as number) +
        (grey[i + width] as number) -
        4 * (grey[i] as number);
      sum += lap;
      sumSq += lap * lap;
      count++;
    }
  }
  const mean = sum / count;
  return sumSq / count - mean * mean;
}

/** 64-bit difference hash: a 9x8 greyscale thumbnail, one bit per left-right brightness step, as 16 hex digits. */
export async function dHash(path: string): Promise<string> {
  const px = await sharp(path).resize(9, 8, { fit: 'fill', kernel: 'lanczos3' }).greyscale().raw().toBuffer();
  let hex = '';
  for (let row = 0; row < 8; row++) {
    let byte = 0;
    for (let col = 0; col < 8; col++)
      byte = (byte << 1) | ((px[row * 9 + col] as number) > (px[row * 9 + col + 1] as number) ? 1 : 0);
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** Number of differing bits between two hex hashes of equal length. */
export function hammingDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i += 2) {
    let x = parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16);
    while (x) {
      d += x & 1;
      x >>= 1;
    }
  }
  return d;
}
