/**
 * Prior preservation on the built-in model's own vocabulary: N concepts of its emoji corpus, captioned as a user
 * prompts them ("red apple", no trigger, no style word), each with the corpus image the base model learned it from
 * (its Noto or Fluent render). With the prior target "base model" the target of such a slot is the frozen model's
 * own prediction, so the image only places the noisy input on the model's training distribution: no class image
 * has to be sampled, and hundreds of prompts cost a few milliseconds of rendering each. The 20 captions of a style
 * dataset cover a small corner of what prompts say; these cover the rest, so that the LoRA learns to leave alone
 * what it was not asked to change, not only the training captions' subjects.
 */
import { BASE_STYLES, listConcepts, renderEmojis } from '../../ml/corpus';
import type { RegImages } from './reg-images';

/**
 * `count` concept captions spread evenly over the corpus (every k-th of those the base model was trained on), none
 * of them in `exclude` (compared without case and surrounding spaces): prompts a user keeps out of the prior, such
 * as those they will judge the LoRA's bleeding on.
 */
export function priorConceptList(count: number, exclude: readonly string[]): { text: string; codepoint: string }[] {
  if (count <= 0) return [];
  const out = new Set(exclude.map((s) => s.trim().toLowerCase()).filter(Boolean));
  const known = listConcepts().filter((c) => !c.heldOut && !out.has(c.text));
  const n = Math.min(count, known.length);
  return Array.from({ length: n }, (_, k) => known[Math.floor((k * known.length) / n)]!);
}

/** The prior concepts' captions and images at `size` px, alternating the base corpus's styles. */
export async function priorConceptImages(count: number, exclude: readonly string[], size: number): Promise<RegImages> {
  const list = priorConceptList(count, exclude);
  const px = size * size * 3;
  const images = new Uint8Array(list.length * px);
  for (const [s, style] of BASE_STYLES.entries()) {
    const mine = list.map((c, k) => ({ c, k })).filter(({ k }) => k % BASE_STYLES.length === s);
    const tiles = await renderEmojis(
      style,
      mine.map(({ c }) => c.codepoint),
      { size },
    );
    for (const [j, { k }] of mine.entries()) images.set(tiles.subarray(j * px, (j + 1) * px), k * px);
  }
  return { images, captions: list.map((c) => c.text), repeats: list.map(() => 1) };
}
