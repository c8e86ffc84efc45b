/**
 * kohya's aspect-ratio buckets: every (width, height) on a grid of `step` pixels whose area is at most
 * resolution², between resolution/2 and resolution*2 on a side; each image goes to the bucket with the
 * closest aspect ratio. For 512 this gives kohya's buckets (step 64, sides 256..1024).
 */
import type { Bucket } from '../types';

/** The bucket grid step: 64 as kohya uses, scaled down for tiny resolutions (e.g. 8 for the built-in 32 px model). */
export function bucketStep(resolution: number): number {
  return Math.max(1, Math.min(64, Math.floor(resolution / 4)));
}

/** All buckets for a resolution, sorted by aspect ratio (width / height). */
export function makeBuckets(resolution: number): Bucket[] {
  const step = bucketStep(resolution);
  const maxArea = resolution * resolution;
  const minSide = Math.max(step, Math.floor(resolution / 2 / step) * step);
  const maxSide = resolution * 2;
  const seen = new Set<string>();
  const buckets: Bucket[] = [];
  const add = (width: number, height: number) => {
    const key = `${width}x${height}`;
    if (!seen.has(key)) {
      seen.add(key);
      buckets.push({ width, height });
    }
  };
  add(resolution - (resolution % step), resolution - (resolution % step));
  for (let width = minSide; width <= maxSide; width += step) {
    const height = Math.min(maxSide, Math.floor(maxArea / width / step) * step);
    if (height < minSide) continue;
    add(width, height);
    add(height, width);
  }
  return buckets.sort((a, b) => a.width / a.height - b.width / b.height);
}

/** The bucket whose aspect ratio (width / height) is closest to the image's, as kohya picks it (first on ties). */
export function closestBucket(buckets: readonly Bucket[], width: number, height: number): Bucket {
  const target = width / height;
  let best = buckets[0] as Bucket;
  for (const b of buckets) {
    if (Math.abs(b.width / b.height - target) < Math.abs(best.width / best.height - target)) best = b;
  }
  return best;
}
