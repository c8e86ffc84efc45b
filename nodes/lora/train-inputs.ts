/** TrainLoRA's preparation: dataset pixels at the model's resolution, train/validation split, seed warnings. */
import sharp from 'sharp';
import type { NodeContext } from '../api';
import type { Dataset, LoraType } from '../dataset/types';
import { IMAGE_COUNTS } from '../dataset/advice/seed-tables';
import { stepsRange } from '../dataset/advice/advice';
import { scenarioSteps } from './presets';
import { epochsOf, stepsRangeAt } from './steps-plan';

export interface PreparedData {
  images: Uint8Array;
  captions: string[];
  /** Training images, each repeated by its repeats. */
  trainIndices: number[];
  validationIndices: number[];
  /** Images counted with repeats. */
  imageCount: number;
  heldOut: boolean;
}

/** Decodes every item to size x size RGB (white behind transparency), in dataset order. */
export async function decodeImages(ds: Dataset, size: number, ctx: NodeContext): Promise<Uint8Array> {
  const px = size * size * 3;
  const out = new Uint8Array(ds.items.length * px);
  for (const [i, item] of ds.items.entries()) {
    const buf = await sharp(ctx.artifacts.pathOf(item.image))
      .flatten({ background: '#ffffff' })
      .resize(size, size, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer();
    out.set(buf.subarray(0, px), i * px);
  }
  return out;
}

/** Holds out a tenth of the images (at least 20 needed), else validates on the training set. */
export function splitValidation(
  ds: Dataset,
  requested: number,
): { train: number[]; validation: number[]; heldOut: boolean } {
  const n = ds.items.length;
  const hold = requested > 0 ? Math.min(requested, n - 1) : n >= 20 ? Math.floor(n / 10) : 0;
  const all = Array.from({ length: n }, (_, i) => i);
  if (hold <= 0) return { train: all, validation: all.slice(0, 16), heldOut: false };
  // Every k-th image, so the held-out ones are spread over the folder rather than the last few.
  const stride = n / hold;
  const held = new Set(Array.from({ length: hold }, (_, k) => Math.floor(k * stride + stride / 2)));
  return { train: all.filter((i) => !held.has(i)), validation: [...held], heldOut: true };
}

/** The guide's warnings before starting; returns the messages (the node shows each with ctx.warn). */
export function preflightWarnings(
  ds: Dataset,
  type: LoraType,
  steps: number,
  trigger: string,
  imageCount: number,
  batch = 1,
): string[] {
  const w: string[] = [];
  const counts = IMAGE_COUNTS[type];
  if (imageCount < counts.minimum)
    w.push(
      `only ${imageCount} image(s): a ${type} LoRA needs at least ${counts.minimum} (${counts.recommended.join('-')} recommended)`,
    );
  if (!trigger)
    w.push('no trigger word: set one in Caption (e.g. "xyz_style") so that the LoRA only acts when you ask for it');
  else {
    const missing = ds.items.filter((it) => !it.caption.toLowerCase().includes(trigger.toLowerCase()));
    if (missing.length > 0)
      w.push(
        `the trigger word "${trigger}" is missing from ${missing.length} caption(s), e.g. ${missing[0]!.id}: keep the trigger consistent in every caption`,
      );
  }
  // The guide's counts are steps at batch 1 (images seen); compare images seen, not steps.
  const [, hi] = stepsRange(imageCount);
  const scenario = scenarioSteps(type);
  const limit = Math.max(hi, scenario?.[1] ?? 0) * 1.5;
  if (steps * batch > limit) {
    const atBatch = batch > 1 ? ` (${stepsRangeAt(imageCount, batch).join('-')} at batch ${batch})` : '';
    w.push(
      `${steps} steps is far beyond the guide's ${stepsRange(imageCount).join('-')}${atBatch} for ${imageCount} images: ${epochsOf(steps, batch, imageCount).toFixed(0)} epochs, watch for overfitting (drops then rises)`,
    );
  }
  return w;
}

/**
 * The prompts sampled while training: the user's ("[trigger]" filled in), or by default a training subject with and
 * without the trigger word and two subjects the dataset does not have (held out), all with fixed seeds.
 */
export function samplePrompts(given: readonly string[], ds: Dataset, trigger: string): string[] {
  if (given.length) return given.map((p) => p.replace(/\[trigger\]|\{trigger\}/gi, trigger).trim());
  const subject =
    (ds.items[0]?.caption ?? '')
      .replace(trigger, '')
      .replace(/^[\s,]+/, '')
      .trim() || 'red apple';
  const withTrigger = (s: string) => (trigger ? `${trigger}, ${s}` : s);
  return [withTrigger(subject), subject, withTrigger('grinning face'), withTrigger('red heart')];
}
