/**
 * Pivotal tuning on Stable Diffusion: a trigger word with input-embedding rows of its own in each text encoder's
 * token table (SD 1.5: CLIP-L; SDXL: CLIP-L and bigG), as A1111 loads an embedding bundled with a LoRA. The word
 * becomes placeholder token ids after the vocabulary (49408, 49409, …: one per vector, as A1111 gives each vector a
 * token position), and the graphs read those ids from the extra rows (embedTokens). Training starts the rows from
 * the token embeddings of `triggerInit` (A1111's "initialization text") and trains them as a parameter; sampling
 * passes the file's rows as constants. Prompts without the word never touch them.
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import type { TriggerEmbedding } from '../lora/types';
import { f16BitsToF32, f32ToF16Bits } from '../safetensors/f16';
import type { ParamInit } from '../train/types';
import type { WeightSource } from './blocks';
import { clipTokenizer, VOCAB_SIZE } from './tokenizer';

/** Words with placeholder token ids (lower-case word -> one id per vector, all ≥ the vocabulary size). */
export type TokenWords = ReadonlyMap<string, readonly number[]>;

/** Bundled embeddings laid out after the vocabulary: the words' ids and, per text encoder, all their rows. */
export interface PlacedEmbeddings {
  readonly words: TokenWords;
  /** Per text encoder, in context order: [count, width_i] row-major. */
  readonly rows: readonly Float32Array[];
  readonly count: number;
}

/** An embedding's rows for each text encoder in context order (SD 1.5: CLIP-L; SDXL: CLIP-L, bigG). */
export function encoderRows(e: TriggerEmbedding): { vectors: Float32Array; width: number }[] {
  return e.clipG ? [{ vectors: e.vectors, width: e.width }, e.clipG] : [{ vectors: e.vectors, width: e.width }];
}

/**
 * Places embeddings after the vocabulary for encoders of `widths` (context order). A word given twice keeps its
 * last embedding (a later LoRA's). Throws naming the word when its rows do not fit the encoders.
 */
export function placeEmbeddings(embeddings: readonly TriggerEmbedding[], widths: readonly number[]): PlacedEmbeddings {
  const byWord = new Map<string, TriggerEmbedding>();
  for (const e of embeddings) byWord.set(e.word.toLowerCase(), e);
  const words = new Map<string, number[]>();
  const parts: Float32Array[][] = widths.map(() => []);
  let count = 0;
  for (const [word, e] of byWord) {
    const rows = encoderRows(e);
    const fits = rows.length === widths.length && rows.every((r, i) => r.width === widths[i]);
    if (!fits)
      throw new Error(
        `the embedding of "${word}" has ${rows.map((r) => `${r.width}`).join(' + ')}-wide vectors; ` +
          `this model's text encoders take ${widths.join(' + ')}`,
      );
    const n = rows[0]!.vectors.length / rows[0]!.width;
    words.set(
      word,
      Array.from({ length: n }, (_, j) => VOCAB_SIZE + count + j),
    );
    rows.forEach((r, i) => parts[i]!.push(r.vectors));
    count += n;
  }
  const rows = parts.map((list, i) => {
    const out = new Float32Array(count * widths[i]!);
    let at = 0;
    for (const v of list) out.set(v, (at += v.length) - v.length);
    return out;
  });
  return { words, rows, count };
}

/** The placeholder ids of one trained word with `vectors` vectors (the only embedding of a training run). */
export function trainingWords(word: string, vectors: number): TokenWords {
  return new Map([[word.toLowerCase(), Array.from({ length: vectors }, (_, j) => VOCAB_SIZE + j)]]);
}

/**
 * Token embeddings of ids [B, L]: the table's rows, and for ids at or past the table's end the rows of `extra`
 * [n, width] (the trigger's own). Without `extra` this is the plain Gather, so graphs without pivotal tuning are
 * unchanged. Only `extra` gets a gradient.
 */
export function embedTokens(g: GraphBuilder, table: Tensor, ids: Tensor, extra?: Tensor): Tensor {
  if (!extra) return g.gather(table, ids);
  const vocab = table.shape[0] ?? 0;
  const n = extra.shape[0] ?? 0;
  const own = g.gather(table, g.min(ids, vocab - 1));
  const added = g.gather(extra, g.min(g.max(g.sub(ids, vocab), 0), n - 1));
  const isNew = g.unsqueeze(g.greater(ids, vocab - 1), [ids.shape.length]);
  return g.where(isNew, added, own);
}

/**
 * The starting rows [vectors, width] of a trigger in one encoder's token table `tableName`: A1111's textual
 * inversion start, vector i = the embedding of token ⌊i · tokens / vectors⌋ of `initText` (empty: of the trigger
 * itself, what it reads today). Throws naming the text when it has no tokens.
 */
export function initialRows(
  weights: WeightSource,
  tableName: string,
  trigger: string,
  initText: string,
  vectors: number,
): Float32Array {
  const text = initText.trim() || trigger;
  const ids = clipTokenizer().encode(text);
  if (ids.length === 0) throw new Error(`"${text}" has no tokens to start the trigger's embedding from`);
  const table = weights.get(tableName);
  if (!table) throw new Error(`the checkpoint has no ${tableName}`);
  const width = table.shape[1] ?? 0;
  const out = new Float32Array(vectors * width);
  for (let i = 0; i < vectors; i++) {
    const id = ids[Math.floor((i * ids.length) / vectors)]!;
    out.set(table.data.subarray(id * width, (id + 1) * width), i * width);
  }
  return out;
}

/** The parameter name of the trigger's trained rows in text encoder i (0: CLIP-L, 1: SDXL's bigG). */
export const pivotalParamName = (i: number): string => `pivotal.${i === 0 ? 'clip_l' : 'clip_g'}`;

/**
 * A training run's trigger embedding: its starting rows per text encoder ([vectors, width_i]) and its rate over the
 * learning rate. The rows are trained as rows / k and used times k (AdamW's step does not depend on a parameter's
 * scale, so they move k times as fast with the one optimizer; the text encoder's LoRA rate works the same way).
 */
export interface PivotalRows {
  readonly word: string;
  readonly init: readonly Float32Array[];
  readonly widths: readonly number[];
  readonly lrScale: number;
}

/** The trainable parameters of the trigger's rows (none without pivotal tuning). */
export function pivotalParams(p: PivotalRows | undefined): Record<string, ParamInit> {
  const out: Record<string, ParamInit> = {};
  p?.init.forEach((rows, i) => {
    const w = p.widths[i]!;
    out[pivotalParamName(i)] = { shape: [rows.length / w, w], data: rows.map((x) => x / p.lrScale) };
  });
  return out;
}

/** The rows as the text encoders read them, one tensor per encoder (empty without pivotal tuning). */
export function pivotalTensors(g: GraphBuilder, p: PivotalRows | undefined, params: Record<string, Tensor>): Tensor[] {
  if (!p) return [];
  return p.init.map((_, i) => {
    const t = params[pivotalParamName(i)];
    if (!t) throw new Error(`the training graph lacks "${pivotalParamName(i)}"`);
    return p.lrScale === 1 ? t : g.mul(t, p.lrScale);
  });
}

/** The trained embedding from a trainer's (or checkpoint's) parameters, as the LoRA file bundles it. */
export function trainedEmbedding(
  p: Pick<PivotalRows, 'word' | 'widths' | 'lrScale'>,
  params: Record<string, { readonly data: Float32Array }>,
): TriggerEmbedding {
  const rows = p.widths.map((width, i) => {
    const data = params[pivotalParamName(i)]?.data;
    if (!data) throw new Error(`the trained parameters lack "${pivotalParamName(i)}"`);
    return { vectors: data.map((x) => x * p.lrScale), width };
  });
  const l = rows[0]!;
  const big = rows[1];
  return { word: p.word, vectors: l.vectors, width: l.width, ...(big ? { clipG: big } : {}) };
}

/** What a training job says about pivotal tuning (TrainLoRA's pivotal, triggerInit, embeddingVectors, embeddingLr). */
export interface PivotalJob {
  /** The trigger word (lower-case: prompts match it in any case). */
  readonly word: string;
  /** Text whose token embeddings the rows start from (empty: the trigger's own tokens). */
  readonly init: string;
  readonly vectors: number;
  /** The embedding's rate over the learning rate. */
  readonly lrScale: number;
}

/** A job's starting rows from the checkpoint's token tables (`tables`: each text encoder's, in context order). */
export function pivotalRows(p: PivotalJob, weights: WeightSource, tables: readonly string[]): PivotalRows {
  const init = tables.map((t) => initialRows(weights, t, p.word, p.init, p.vectors));
  return { word: p.word, init, widths: tables.map((t) => weights.shape(t)[1] ?? 0), lrScale: p.lrScale };
}

/** The embedding as a file of `dtype` stores it (fp16 rounding; fp32 unchanged), as roundAdapters does. */
export function roundEmbedding(e: TriggerEmbedding, dtype: 'F16' | 'F32'): TriggerEmbedding {
  if (dtype === 'F32') return e;
  const r = (x: Float32Array): Float32Array => x.map((v) => f16BitsToF32(f32ToF16Bits(v)));
  return { ...e, vectors: r(e.vectors), ...(e.clipG ? { clipG: { ...e.clipG, vectors: r(e.clipG.vectors) } } : {}) };
}
