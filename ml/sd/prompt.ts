/**
 * Prompts as A1111 reads them for SD 1.x and SDXL: `(word)` x1.1, `[word]` /1.1, `(word:1.3)` x1.3 (nesting
 * multiplies), `\(` for a literal bracket, `BREAK` to start a new chunk (`<lora:name:0.8>` tags are
 * taken out before, by the node: protocol/lora-tags.ts). Long prompts become several 77-token chunks (BOS, up to 75 tokens, EOS, then padding: EOS for SD 1.5 and
 * SDXL's CLIP-L, 0 for SDXL's bigG, which gets the same chunks) whose encodings the text encoders concatenate; a
 * chunk that would split mid-phrase breaks after the last comma within 20 tokens, as A1111 does by default.
 * Weights are per token; encoders.ts applies them (A1111: multiply each token's hidden state by its weight, then
 * rescale so each encoder's chunk keeps its mean) and clip skip.
 */
import { BOS, clipTokenizer, CONTEXT, EOS } from './tokenizer';
import type { TokenWords } from './trigger-embedding';

/** A run of text with its emphasis weight; `break` marks an A1111 BREAK. */
export type WeightedText = { text: string; weight: number } | { break: true };

const TOKEN = /\\\(|\\\)|\\\[|\\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|\]|[^\\()[\]:]+|:/g;

/** Splits a prompt into runs of equal emphasis, the way A1111's parser does (unbalanced brackets close at the end). */
export function parseEmphasis(prompt: string): WeightedText[] {
  const runs: { text: string; weight: number; isBreak?: boolean }[] = [];
  const round: number[] = [];
  const square: number[] = [];
  const scale = (from: number, by: number) => runs.slice(from).forEach((r) => (r.weight *= by));
  for (const m of prompt.matchAll(TOKEN)) {
    const [piece, weight] = [m[0], m[1]];
    if (piece.startsWith('\\')) runs.push({ text: piece.slice(1), weight: 1 });
    else if (piece === '(') round.push(runs.length);
    else if (piece === '[') square.push(runs.length);
    else if (weight !== undefined && round.length) scale(round.pop()!, Number(weight));
    else if (piece === ')' && round.length) scale(round.pop()!, 1.1);
    else if (piece === ']' && square.length) scale(square.pop()!, 1 / 1.1);
    else
      piece.split(/\s*\bBREAK\b\s*/).forEach((part, i) => {
        if (i > 0) runs.push({ text: '', weight: -1, isBreak: true });
        runs.push({ text: part, weight: 1 });
      });
  }
  for (const pos of round) scale(pos, 1.1);
  for (const pos of square) scale(pos, 1 / 1.1);
  const merged: typeof runs = [];
  for (const r of runs) {
    const last = merged[merged.length - 1];
    if (last && !last.isBreak && !r.isBreak && last.weight === r.weight) last.text += r.text;
    else merged.push({ ...r });
  }
  if (merged.length === 0) merged.push({ text: '', weight: 1 });
  return merged.map((r) => (r.isBreak ? { break: true } : { text: r.text, weight: r.weight }));
}

/** One 77-token CLIP input with a weight per token (1 for BOS, EOS and padding). */
export interface PromptChunk {
  readonly ids: Int32Array;
  readonly weights: Float32Array;
}

export interface EncodedPrompt {
  /** At least one chunk; the text encoder encodes each and concatenates along the tokens (77 * chunks). */
  readonly chunks: PromptChunk[];
  /** Prompt tokens, BOS/EOS/padding excluded (A1111 shows it as "n/75"). */
  readonly tokenCount: number;
}

export interface PromptOptions {
  /** Parse `(word:1.2)` emphasis (default true); false reads brackets as text. */
  readonly emphasis?: boolean;
  /** How far back (in tokens) a full chunk looks for a comma to break at; 0 splits exactly at 75 (default 20). */
  readonly commaBacktrack?: number;
  /** The padding token: EOS for SD 1.x and SDXL's CLIP-L (default), 0 for SDXL's OpenCLIP bigG. */
  readonly pad?: number;
  /**
   * Words with embeddings of their own (pivotal tuning, bundled embeddings): each whole-word occurrence, in any
   * case, becomes its placeholder ids, one per vector, kept within one chunk as A1111 keeps an embedding.
   */
  readonly words?: TokenWords;
}

/** A run's text as token ids: the tokenizer's, with `words` as their placeholder ids (grouped, not to be split). */
function runTokens(text: string, words: TokenWords | undefined): number[][] {
  const tok = clipTokenizer();
  if (!words?.size) return tok.encode(text).map((id) => [id]);
  const alternatives = [...words.keys()].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const re = new RegExp(`(?<![\\p{L}\\p{N}_'-])(?:${alternatives})(?![\\p{L}\\p{N}_'-])`, 'giu');
  const out: number[][] = [];
  let at = 0;
  for (const m of text.matchAll(re)) {
    out.push(...tok.encode(text.slice(at, m.index)).map((id) => [id]));
    out.push([...words.get(m[0].toLowerCase())!]);
    at = m.index + m[0].length;
  }
  out.push(...tok.encode(text.slice(at)).map((id) => [id]));
  return out;
}

const COMMA = 267;
const CHUNK = CONTEXT - 2;

/** Tokenizes a prompt into weighted 77-token chunks, A1111's way. */
export function encodePrompt(prompt: string, o: PromptOptions = {}): EncodedPrompt {
  const backtrack = o.commaBacktrack ?? 20;
  const padToken = o.pad ?? EOS;
  const runs = o.emphasis === false ? [{ text: prompt, weight: 1 }] : parseEmphasis(prompt);
  const chunks: PromptChunk[] = [];
  let ids: number[] = [];
  let weights: number[] = [];
  let lastComma = -1;
  let count = 0;
  const close = () => {
    const pad = CHUNK - ids.length;
    chunks.push({
      ids: Int32Array.from([BOS, ...ids, EOS, ...new Array<number>(pad).fill(padToken)]),
      weights: Float32Array.from([1, ...weights, ...new Array<number>(pad).fill(1), 1]),
    });
    [ids, weights, lastComma] = [[], [], -1];
  };
  for (const run of runs) {
    if ('break' in run) {
      close();
      continue;
    }
    for (const group of runTokens(run.text, o.words)) {
      const id = group[0]!;
      if (id === COMMA) lastComma = ids.length;
      else if (ids.length + group.length > CHUNK && lastComma >= 0 && ids.length - lastComma <= backtrack) {
        const [movedIds, movedWeights] = [ids.splice(lastComma + 1), weights.splice(lastComma + 1)];
        close();
        [ids, weights] = [movedIds, movedWeights];
      }
      if (ids.length + group.length > CHUNK) close();
      for (const g of group) {
        ids.push(g);
        weights.push(run.weight);
        count++;
      }
    }
  }
  if (ids.length > 0 || chunks.length === 0) close();
  return { chunks, tokenCount: count };
}
