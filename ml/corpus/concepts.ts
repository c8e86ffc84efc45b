/** The emoji concepts: codepoints present in every style we know, with their captions and the held-out set. */
import { createHash } from 'node:crypto';
import { captionWords, conceptText } from './captions';
import { loadIconSet } from './iconsets';
import { ALL_STYLES } from './styles';

export interface Concept {
  /** Normalised codepoint sequence, e.g. "1f34e". */
  codepoint: string;
  /** Caption text without the style: "red apple". */
  text: string;
  /** Kept out of pretraining, used to evaluate prompt fidelity on unseen concepts. */
  heldOut: boolean;
}

/** How many concepts are held out of pretraining by default. */
export const DEFAULT_HELD_OUT = 64;

/**
 * Every concept that all four styles draw (so any style can be rendered for it), sorted by codepoint.
 * Names come from Noto, which follows the Unicode CLDR names most closely.
 */
export function listConcepts(heldOutCount = DEFAULT_HELD_OUT): Concept[] {
  const sets = ALL_STYLES.map(loadIconSet);
  const noto = loadIconSet('noto');
  const keys = [...noto.byCodepoint.keys()].filter((k) => sets.every((s) => s.byCodepoint.has(k))).sort();
  const concepts = keys.map((codepoint) => ({
    codepoint,
    text: conceptText(noto.byCodepoint.get(codepoint) ?? ''),
    heldOut: false,
  }));
  for (const i of chooseHeldOut(
    concepts.map((c) => c.text),
    heldOutCount,
  )) {
    const c = concepts[i];
    if (c) c.heldOut = true;
  }
  return concepts;
}

/**
 * Picks `count` concepts whose every word appears in some other concept's caption (so the model can know
 * each word without having seen the concept), in a fixed pseudo-random order (sha256 of the text).
 */
export function chooseHeldOut(texts: readonly string[], count: number): number[] {
  const wordCounts = new Map<string, number>();
  for (const t of texts) for (const w of new Set(captionWords(t))) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  const chosen: number[] = [];
  const order = texts
    .map((t, i) => ({ i, h: createHash('sha256').update(t).digest('hex') }))
    .sort((a, b) => (a.h < b.h ? -1 : 1));
  const usedWords = new Map<string, number>();
  for (const { i } of order) {
    if (chosen.length >= count) break;
    const words = [...new Set(captionWords(texts[i] ?? ''))];
    // Each word must stay in at least one training caption, even after the other held-out picks.
    const ok = words.every((w) => (wordCounts.get(w) ?? 0) - (usedWords.get(w) ?? 0) >= 2);
    if (!ok) continue;
    chosen.push(i);
    for (const w of words) usedWords.set(w, (usedWords.get(w) ?? 0) + 1);
  }
  return chosen.sort((a, b) => a - b);
}
