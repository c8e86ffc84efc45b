/**
 * The LoRA training data feed: images in [-1, 1], captions with kohya's caption dropout and tag shuffling (the
 * first `keepTokens` comma-separated tags, usually the trigger word, stay in front), logit-normal timesteps, noise
 * and dropout masks; with regularisation images, a mix of those and per-sample loss weights. Everything is drawn from the trainer's data stream, so a resumed run draws the same batches.
 */
import { logitNormalTime } from '../dit/batches';
import { encodeCaptions, type ExtraWordRows } from '../dit/tokenizer';
import type { CounterRng } from '../train/rng';

export interface FeedSpec {
  /** [n, size, size, 3] RGB bytes. */
  images: Uint8Array;
  size: number;
  captions: readonly string[];
  /** Images to draw from, repeated by their repeats. */
  indices: readonly number[];
  /**
   * Regularisation (class) images for prior preservation, repeated by their repeats: each batch slot is one of them
   * with probability `regShare`, weighted `priorWeight` in the loss (kohya's prior_loss_weight). Empty: none.
   */
  regIndices?: readonly number[];
  regShare?: number;
  priorWeight?: number;
  batch: number;
  textLength: number;
  wordBuckets?: number;
  /** Words with rows of their own (pivotal tuning's trigger word), see tokenizer.ts. */
  extraWords?: ReadonlyMap<string, ExtraWordRows>;
  captionDropout: number;
  /** Share of training captions with the trigger word taken out (0: never; the word is removed, not the caption). */
  triggerDropout?: number;
  trigger?: string;
  /** Training times as [lo, hi) in [0, 1]: the logit-normal draw is scaled into it. Absent: [0, 1). */
  timeRange?: readonly [number, number];
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
  /** Per-sample loss weights (only with regularisation images). */
  w?: Float32Array;
  /** 1 where the slot is a regularisation image, else 0 (only with regularisation images). */
  reg?: Float32Array;
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
  const reg = f.regIndices ?? [];
  const w = reg.length ? new Float32Array(f.batch) : undefined;
  const regMask = reg.length ? new Float32Array(f.batch) : undefined;
  for (let b = 0; b < f.batch; b++) {
    const isReg = reg.length > 0 && rng.uniform() < (f.regShare ?? 0.5);
    const from = isReg ? reg : f.indices;
    const i = from[Math.floor(rng.uniform() * from.length)] ?? 0;
    if (w) w[b] = isReg ? (f.priorWeight ?? 1) : 1;
    if (regMask) regMask[b] = isReg ? 1 : 0;
    const src = f.images.subarray(i * px, (i + 1) * px);
    for (let k = 0; k < px; k++) x0[b * px + k] = src[k]! / 127.5 - 1;
    let caption = f.captions[i] ?? '';
    if (!isReg && f.trigger && (f.triggerDropout ?? 0) > 0 && rng.uniform() < f.triggerDropout!)
      caption = withoutWord(caption, f.trigger);
    const dropped = rng.uniform() < f.captionDropout;
    captions.push(dropped ? '' : f.shuffleTags ? shuffleCaption(caption, f.keepTokens, rng) : caption);
  }
  const t = new Float32Array(f.batch);
  const [lo, hi] = f.timeRange ?? [0, 1];
  for (let b = 0; b < f.batch; b++) t[b] = logitNormalTime(rng.normal(), lo, hi);
  const noise = rng.fillNormal(new Float32Array(f.batch * px));
  const batch: LoraBatch = { x0, noise, t, ids: encodeCaptions(captions, f) };
  if (w) batch.w = w;
  if (regMask) batch.reg = regMask;
  if (f.dropout > 0 && f.maskShape) {
    const [m, rows, r] = f.maskShape;
    const masks = new Float32Array(m * f.batch * rows * r);
    const keep = 1 / (1 - f.dropout);
    for (let i = 0; i < masks.length; i++) masks[i] = rng.uniform() < f.dropout ? 0 : keep;
    batch.masks = masks;
  }
  return batch;
}

/** The caption without `word` (and the comma after it). */
export function withoutWord(caption: string, word: string): string {
  const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return caption
    .replace(new RegExp(`(^|[\\s,])${esc}(?=$|[\\s,])`, 'gi'), '$1')
    .replace(/\s*,(\s*,)+/g, ',')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,]+|[\s,]+$/g, '');
}
