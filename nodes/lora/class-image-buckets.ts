/**
 * Which bucket each class image the base model draws is drawn for. kohya buckets regularisation images by their
 * own aspect ratio, so a reg folder shot like the training set fills the same buckets; the base model's images
 * are drawn at a bucket's size instead, so they are spread over the training buckets in proportion to how often
 * each is trained (its training images, with repeats), rather than drawn at the main bucket's size and then
 * centre-cropped into the others (a 128x128 image cropped to 192x64 keeps a third of its height).
 */

/**
 * The bucket position (into `weights`) of each of `n` images: every bucket gets one first when there are enough
 * (a bucket with none would borrow cropped copies of all), the rest by the largest remainder of `weights`, in an
 * interleaved order so that each prompt's images (which come together) spread over the buckets.
 */
export function spreadOverBuckets(n: number, weights: readonly number[]): number[] {
  const k = weights.length;
  if (n <= 0 || k === 0) return [];
  const positive = weights.map((w) => Math.max(0, w));
  const sum = positive.reduce((a, w) => a + w, 0);
  const shares = positive.map((w) => (sum > 0 ? w / sum : 1 / k));
  const base = n >= k ? 1 : 0;
  const rest = n - base * k;
  const exact = shares.map((s) => rest * s);
  const quota = exact.map((x) => base + Math.floor(x));
  let left = n - quota.reduce((a, q) => a + q, 0);
  const byRemainder = exact.map((x, b) => ({ b, r: x - Math.floor(x) })).sort((p, q) => q.r - p.r || p.b - q.b);
  for (const { b } of byRemainder) if (left-- > 0) quota[b]!++;
  // Smooth weighted round robin: image j goes to the bucket furthest behind its quota's pace.
  const given = quota.map(() => 0);
  const out: number[] = [];
  for (let j = 0; j < n; j++) {
    let best = -1;
    let lag = -Infinity;
    for (let b = 0; b < k; b++) {
      if (given[b]! >= quota[b]!) continue;
      const behind = (quota[b]! * (j + 1)) / n - given[b]!;
      if (behind > lag) [best, lag] = [b, behind];
    }
    given[best]!++;
    out.push(best);
  }
  return out;
}
