/**
 * Multi-head attention with query chunking. One 64x64 self-attention of SD 1.5 has 8 × 4096² probabilities
 * (512 MiB in fp32); computing softmax(q kᵀ) v for a slice of the queries at a time bounds that tensor by
 * `maxScores` elements. Each chunk runs in its own scope (`attn_chunk<i>`), so a training graph can recompute the
 * chunks one by one in the backward pass instead of keeping every chunk's probabilities alive (see train-step.ts).
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';

/** Default bound on the probability elements one chunk holds: 2^24 floats (64 MiB). */
export const MAX_SCORES = 1 << 24;

/** The scope stem of attention chunks (train-step.ts finds them by it). */
export const CHUNK_SCOPE = 'attn_chunk';

export interface AttentionOptions {
  /** Additive mask broadcast to the scores [B, heads, N, L] (CLIP's causal mask). */
  mask?: Tensor;
  /** Bound on one chunk's probability elements. */
  maxScores?: number;
}

/** [B·T, C] → [B, heads, T, C/heads]. */
function split(g: GraphBuilder, x: Tensor, b: number, heads: number, perm: number[]): Tensor {
  const [bt = 0, c = 0] = x.shape;
  return g.transpose(g.reshape(x, [b, bt / b, heads, c / heads]), perm);
}

/** How many query rows each chunk takes so that heads × rows × L ≤ maxScores (all rows when that fits). */
export function queryChunk(heads: number, n: number, l: number, maxScores = MAX_SCORES): number {
  return Math.max(1, Math.min(n, Math.floor(maxScores / (heads * l))));
}

/** softmax(q kᵀ / √d + mask) v for q [B·N, C], k and v [B·L, C]; returns [B·N, C]. */
export function attention(
  g: GraphBuilder,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  b: number,
  heads: number,
  o: AttentionOptions = {},
): Tensor {
  const c = q.shape[1] ?? 0;
  const d = c / heads;
  if (!Number.isInteger(d)) throw new Error(`attention: width ${c} does not split into ${heads} heads`);
  const qh = split(g, g.mul(q, 1 / Math.sqrt(d)), b, heads, [0, 2, 1, 3]); // [B, h, N, d]
  const kt = split(g, k, b, heads, [0, 2, 3, 1]); // [B, h, d, L]
  const vh = split(g, v, b, heads, [0, 2, 1, 3]); // [B, h, L, d]
  const n = qh.shape[2] ?? 0,
    l = kt.shape[3] ?? 0;
  const rows = queryChunk(b * heads, n, l, o.maxScores);
  const one = (qc: Tensor, mask: Tensor | undefined): Tensor => {
    const scores = g.matmul(qc, kt);
    return g.matmul(g.softmax(mask ? g.add(scores, mask) : scores, -1), vh);
  };
  let out: Tensor;
  if (rows >= n) out = one(qh, o.mask);
  else {
    const parts: Tensor[] = [];
    const sizes = Array.from({ length: Math.ceil(n / rows) }, (_, i) => Math.min(rows, n - i * rows));
    const chunks = g.split(qh, sizes, 2);
    let start = 0;
    chunks.forEach((qc, i) => {
      const size = sizes[i]!;
      const mask = o.mask && (o.mask.shape[2] ?? 1) > 1 ? g.slice(o.mask, [start], [start + size], [2]) : o.mask;
      parts.push(g.scope(`${CHUNK_SCOPE}${i}`, () => one(qc, mask)));
      start += size;
    });
    out = g.concat(parts, 2);
  }
  return g.reshape(g.transpose(out, [0, 2, 1, 3]), [q.shape[0] ?? 0, c]);
}
