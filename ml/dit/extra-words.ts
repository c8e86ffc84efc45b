/**
 * Words with input embeddings of their own (pivotal tuning): the rows of such words follow the hashed word table
 * (`text.word.weight`), so a trigger word's learned meaning lives in its own row and no other word, not even one
 * that shares its hash bucket, changes. The tokenizer sends the word's bytes to that row (tokenizer.ts extraWords).
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import type { DiTConfig } from './config';
import type { ParamSource } from './layers';
import { isOneWord } from './tokenizer';

/** A word and its embedding (textWidth values), as a LoRA file bundles it. */
export interface ExtraWord {
  word: string;
  vector: Float32Array;
}

/** Why these words cannot have rows of their own in a model of `c` (undefined when they can). */
export function extraWordsMismatch(c: DiTConfig, words: readonly ExtraWord[]): string | undefined {
  if (words.length === 0) return undefined;
  if (!c.wordBuckets) return 'the model has no word embeddings, so a trigger word cannot have one of its own';
  for (const w of words) {
    if (!isOneWord(w.word))
      return `"${w.word}" is not one word to the model's tokenizer (letters, digits, _, - and ' only)`;
    if (w.vector.length !== c.textWidth)
      return `the embedding of "${w.word}" has ${w.vector.length} values, the model's words ${c.textWidth}`;
  }
  return undefined;
}

/** Lower-cased word -> its row (after the hashed table), for the tokenizer; the last of a repeated word wins. */
export function extraWordRows(c: DiTConfig, words: readonly ExtraWord[]): Map<string, number> {
  return new Map(words.map((w, i) => [w.word.trim().toLowerCase(), (c.wordBuckets ?? 0) + i]));
}

/** The rows of `words` as one [n, textWidth] array. */
export function extraWordTable(c: DiTConfig, words: readonly ExtraWord[]): Float32Array {
  const out = new Float32Array(words.length * c.textWidth);
  words.forEach((w, i) => out.set(w.vector, i * c.textWidth));
  return out;
}

/**
 * A ParamSource whose word table has `rows` ([n, textWidth], a constant or a trained tensor) appended, built once
 * per graph; every other parameter comes from `p`.
 */
export function withExtraWordRows(g: GraphBuilder, p: ParamSource, rows: Tensor): ParamSource {
  let table: Tensor | undefined;
  return (name) => {
    if (name !== 'text.word.weight') return p(name);
    table ??= g.concat([p(name), rows], 0);
    return table;
  };
}
