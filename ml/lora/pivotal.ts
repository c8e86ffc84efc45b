/**
 * Pivotal tuning's start: the new trigger word's embedding begins as the embedding of words the user names (the
 * class: "style", "plush toy"), so that training starts from a meaning near the goal and moves only that word.
 */
import { isOneWord, wordBucket } from '../dit/tokenizer';
import type { DiTModel } from '../dit/weights';

/**
 * The starting embedding of `trigger` (`vectors` of them): the mean word-table row of the words of `initWords`, or, when it is empty,
 * the row the trigger reads today (its hash bucket). Throws naming the problem for a model without word embeddings.
 */
export function initialTriggerEmbedding(
  model: DiTModel,
  trigger: string,
  initWords: string,
  vectors = 1,
): Float32Array {
  const c = model.config;
  const table = model.weights.get('text.word.weight');
  if (!c.wordBuckets || !table) throw new Error('the model has no word embeddings to start a trigger word from');
  if (!isOneWord(trigger)) throw new Error(`the trigger "${trigger}" is not one word (letters, digits, _, - and ')`);
  const words = initWords
    .toLowerCase()
    .split(/[^a-z0-9_\-'\u0080-\uffff]+/)
    .filter((w) => w.length > 0);
  const rows = (words.length ? words : [trigger]).map((w) => wordBucket(w, c.wordBuckets!));
  const one = new Float32Array(c.textWidth);
  for (const r of rows)
    for (let i = 0; i < c.textWidth; i++) one[i] = one[i]! + table[r * c.textWidth + i]! / rows.length;
  // Every vector starts alike: the bytes of the word then read what the init words mean, each free to move apart.
  const out = new Float32Array(vectors * c.textWidth);
  for (let v = 0; v < vectors; v++) out.set(one, v * c.textWidth);
  return out;
}
