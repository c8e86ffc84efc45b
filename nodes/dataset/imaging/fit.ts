/** Fits one stored image to a target size: centre crop, pad, or cover-and-crop into a bucket (lanczos3). */
import sharp from 'sharp';
import { STORE_PNG } from './decode';
import type { Bucket } from '../types';

export type FitMode = 'center-crop' | 'pad' | 'buckets';

/** Resizes `input` (a file path or bytes) to exactly `target`; `pad` letterboxes on `background`. */
export async function fitImage(
  input: string | Buffer,
  target: Bucket,
  mode: FitMode,
  background: string,
): Promise<Buffer> {
  const fit = mode === 'pad' ? 'contain' : 'cover';
  return sharp(input)
    .resize({ width: target.width, height: target.height, fit, position: 'centre', kernel: 'lanczos3', background })
    .removeAlpha()
    .png(STORE_PNG)
    .toBuffer();
}
