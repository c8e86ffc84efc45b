/**
 * The LoRA training data feed: images in [-1, 1], captions with kohya's caption dropout and tag shuffling (the
 * first `keepTokens` comma-separated tags, usually the trigger word, stay in front), logit-normal timesteps, noise
 * and dropout masks. Everything is drawn from the trainer's data stream, so a resumed run draws the same batches.
 */
import { logitNormalTime } from '../dit/batches';
import { encodeCaptions } from '../dit/tokenizer';
import type { CounterRng } from '../train/rng';

export interface FeedSpec {
  /** [n, size, size, 3] RGB bytes. */
  images: Uint8Array;
  size: number;
  captions: readonly string[];
  /** Images to draw from, repeated by their repeats. */
  indices: readonly number[];
  batch: number;
  textLength: number;
  wordBuckets?: number;
  captionDropout: number;
  shuffleTags: boolean;
  keepTokens: number;
  /** network dropout p and the mask shape [modules, rows, rank] (p = 0: no masks). */
  dropout: number;
  maskShape?: [number, number, number];
}

export interface LoraBatch {
  x0: Float32Array;
  noise: Float32Array;
  t: Float32Array;
  ids: BigInt64Array;
  masks?: Float32Array;
}

/** Shuffles the tags of a caption after the first `keep`, with `rng`. */
export function shuffleCaption(caption: string, keep: number, rng: CounterRng): string {
  const tags = caption
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const head = tags.slice(0, keep);
  const tail = tags.slice(keep);
  for (let i = tail.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [tail[i], tail[j]] = [tail[j]!, tail[i]!];
  }
  return [...head, ...tail].join(', ');
}

/** Draws one training batch. */
export function drawBatch(f: FeedSpec, rng: CounterRng): LoraBatch {
  const px = f.size * f.size * 3;
  const x0 = new Float32Array(f.batch * px);
  const captions: string[] = [];
  for (let b = 0; b < f.batch; b++) {
    const i = f.indices[Math.floor(rng.uniform() * f.indices.length)] ?? 0;
    const src = f.images.subarray(i * px, (i + 1) * px);
    for (let k = 0; k < px; k++) x0[b * px + k] = src[k]! / 127.5 - 1;
    const caption = f.captions[i] ?? '';
    const dropped = rng.uniform() < f.captionDropout;
    captions.push(dropped ? '' : f.shuffleTags ? shuffleCaption(caption, f.keepTokens, rng) : caption);
  }
  const t = new Float32Array(f.batch);
  for (let b = 0; b < f.batch; b++) t[b] = logitNormalTime(rng.normal());
  const noise = rng.fillNormal(new Float32Array(f.batch * px));
  const batch: LoraBatch = { x0, noise, t, ids: encodeCaptions(captions, f) };
  if (f.dropout > 0 && f.maskShape) {
    const [m, rows, r] = f.maskShape;
    const masks = new Float32Array(m * f.batch * rows * r);
    const keep = 1 / (1 - f.dropout);
    for (let i = 0; i < masks.length; i++) masks[i] = rng.uniform() < f.dropout ? 0 : keep;
    batch.masks = masks;
  }
  return batch;
}
