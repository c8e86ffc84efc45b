/**
 * Words with input embeddings of their own (pivotal tuning): the rows of such words follow the hashed word table
 * (`text.word.weight`), so a trigger word's learned meaning lives in its own row and no other word, not even one
 * that shares its hash bucket, changes. The tokenizer sends the word's bytes to that row (tokenizer.ts extraWords).
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import type { DiTConfig } from './config';
import type { ParamSource } from './layers';
import { isOneWord, type ExtraWordRows } from './tokenizer';

/**
 * A word and its embedding as a LoRA file bundles it: one or more vectors of textWidth values, one after the
 * other; byte j of the word reads vector min(j, vectors - 1) (kohya's "vectors per token" in this byte model).
 */
export interface ExtraWord {
  word: string;
  vector: Float32Array;
}

/** How many vectors a word's embedding holds. */
export const vectorsOf = (c: DiTConfig, w: ExtraWord): number => Math.floor(w.vector.length / c.textWidth);

/** Why these words cannot have rows of their own in a model of `c` (undefined when they can). */
export function extraWordsMismatch(c: DiTConfig, words: readonly ExtraWord[]): string | undefined {
  if (words.length === 0) return undefined;
  if (!c.wordBuckets) return 'the model has no word embeddings, so a trigger word cannot have one of its own';
  for (const w of words) {
    if (!isOneWord(w.word))
      return `"${w.word}" is not one word to the model's tokenizer (letters, digits, _, - and ' only)`;
    if (w.vector.length === 0 || w.vector.length % c.textWidth !== 0)
      return `the embedding of "${w.word}" has ${w.vector.length} values, not vectors of the model's ${c.textWidth}`;
  }
  return undefined;
}

/** Lower-cased word -> its rows (after the hashed table), for the tokenizer; the last of a repeated word wins. */
export function extraWordRows(c: DiTConfig, words: readonly ExtraWord[]): Map<string, ExtraWordRows> {
  const out = new Map<string, ExtraWordRows>();
  let row = c.wordBuckets ?? 0;
  for (const w of words) {
    const vectors = vectorsOf(c, w);
    out.set(w.word.trim().toLowerCase(), { row, vectors });
    row += vectors;
  }
  return out;
}

/** The rows of `words` as one [rows, textWidth] array, and the number of rows. */
export function extraWordTable(c: DiTConfig, words: readonly ExtraWord[]): { data: Float32Array; rows: number } {
  const rows = words.reduce((n, w) => n + vectorsOf(c, w), 0);
  const data = new Float32Array(rows * c.textWidth);
  let o = 0;
  for (const w of words) (data.set(w.vector, o), (o += w.vector.length));
  return { data, rows };
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
