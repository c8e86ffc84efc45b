/**
 * The aspect-ratio buckets of an SD training run, from the dataset Resize produced: each image's size rounded down
 * to multiples of 64 (the UNet's three downsamplings of the 8x smaller latent need them), the most common first.
 * The worker trains every bucket, each batch from one (ml/sd/train-buckets.ts).
 */
import type { Dataset } from '../dataset/types';

export interface RunBuckets {
  /** Distinct sizes, the most common first (ties: the order the images come in). */
  readonly sizes: { width: number; height: number }[];
  /** Each image's index into `sizes`. */
  readonly bucketOf: number[];
  /** How many images each size holds. */
  readonly counts: number[];
}

export function runBuckets(ds: Dataset): RunBuckets {
  const keyOf = (w: number, h: number): string => `${w - (w % 64)}x${h - (h % 64)}`;
  const counts = new Map<string, number>();
  for (const it of ds.items) {
    const k = keyOf(it.width, it.height);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const order = [...counts].sort((a, b) => b[1] - a[1]);
  const index = new Map(order.map(([k], i) => [k, i]));
  return {
    sizes: order.map(([k]) => {
      const [width, height] = k.split('x').map(Number) as [number, number];
      return { width, height };
    }),
    bucketOf: ds.items.map((it) => index.get(keyOf(it.width, it.height))!),
    counts: order.map(([, n]) => n),
  };
}

/** "128x128 (2), 192x64 (2)", or "128x128" for one bucket. */
export function describeBuckets(b: RunBuckets): string {
  const names = b.sizes.map((s) => `${s.width}x${s.height}`);
  return names.length === 1 ? names[0]! : names.map((n, i) => `${n} (${b.counts[i]})`).join(', ');
}
