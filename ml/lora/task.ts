/**
 * LoRA training as an ml/train TrainTask: the base DiT's weights are frozen initializers, the adapters' down/up
 * matrices are the only trainable parameters (down random, up zero: a fresh LoRA changes nothing).
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphCore } from '../graph/core';
import type { Tensor } from '../graph/tensor';
import type { DiTConfig } from '../dit/config';
import { imageTokens } from '../dit/config';
import { captionIdsShape } from '../dit/tokenizer';
import { extraWordRows, extraWordsMismatch, withExtraWordRows } from '../dit/extra-words';
import type { ParamSource } from '../dit/layers';
import { buildDiT, buildFlowLoss } from '../dit/model';
import { linearModules, paramSpecs } from '../dit/params';
import type { DiTModel } from '../dit/weights';
import type { CounterRng } from '../train/rng';
import type { BatchArray, ParamInit, TrainTask } from '../train/types';
import { drawBatch, type FeedSpec } from './feed';
import { loraHook, type AdapterTensors } from './hook';
import type { LoraAdapter, TriggerEmbedding } from './types';

export interface LoraTaskOptions {
  targets: string[];
  rank: number;
  alpha: number;
  /** kohya network_dropout on the rank features (0: none). */
  dropout: number;
  images: Uint8Array;
  captions: string[];
  /** Training images (with repeats); the rest may serve for validation. */
  trainIndices: number[];
  batch: number;
  captionDropout: number;
  shuffleTags: boolean;
  keepTokens: number;
  /** Regularisation images (indices into images/captions) and their loss weight: prior preservation. */
  regIndices?: number[];
  priorWeight?: number;
  /**
   * What a regularisation sample is trained towards: 'images' (kohya, DreamBooth: the class image's own velocity)
   * or 'base model' (the frozen base model's prediction on the same noisy image and caption, one more forward pass
   * per step): the LoRA then learns to change nothing for those captions, instead of redrawing a few class images.
   */
  priorTarget?: 'images' | 'base model';
  /** Share of training captions with the trigger word taken out, and the word. */
  triggerDropout?: number;
  trigger?: string;
  /** The training times drawn, as [lo, hi) in [0, 1] (kohya's min/max_timestep over 1,000); absent: all of them. */
  timeRange?: readonly [number, number];
  /**
   * The text encoder's learning rate over the rest's (kohya's text_encoder_lr / unet_lr). AdamW's step does not
   * depend on a parameter's scale, so the text-encoder adapters are trained as (down, up) / k and used times k:
   * the same optimizer then moves them k times as fast. 1 or absent: one rate.
   */
  textEncoderLrScale?: number;
  /**
   * Pivotal tuning: the trigger word gets an input embedding of its own (a row after the hashed word table),
   * trained from `init` (a class word's row), so that its meaning lives in the new word rather than spread over
   * the weights every prompt uses. `lrScale`: its rate over the learning rate (the same reparametrisation as
   * textEncoderLrScale).
   */
  embedding?: { word: string; init: Float32Array; lrScale?: number };
  // init holds one or more vectors of textWidth values (see ml/dit/extra-words.ts).
}

/** The trainable parameter of the trigger word's embedding ([textWidth]). */
export const EMBEDDING_PARAM = 'trigger_embedding';

/** The trainable parameter names of a module's adapter. */
export const downName = (m: string): string => `${m}.lora_down`;
export const upName = (m: string): string => `${m}.lora_up`;

/** A ParamSource of the frozen base weights as initializers, created once per graph. */
export function frozenBase(model: DiTModel): (g: GraphBuilder) => (name: string) => Tensor {
  const shapes = new Map(paramSpecs(model.config).map((s) => [s.name, s.shape]));
  const perRoot = new WeakMap<GraphCore, Map<string, Tensor>>();
  return (g) => (name) => {
    const cache = perRoot.get(g.root) ?? new Map<string, Tensor>();
    perRoot.set(g.root, cache);
    let t = cache.get(name);
    if (!t) {
      const data = model.weights.get(name);
      const shape = shapes.get(name);
      if (!data || !shape) throw new Error(`base model lacks "${name}"`);
      t = g.initializer(`base.${name}`, data, shape);
      cache.set(name, t);
    }
    return t;
  };
}

/** The factor a module's trained parameters are used at (see LoraTaskOptions.textEncoderLrScale). */
export const paramScale = (o: Pick<LoraTaskOptions, 'textEncoderLrScale'>, module: string): number =>
  module.startsWith('text.') ? (o.textEncoderLrScale ?? 1) : 1;

/** Adapter tensors by module from named parameter tensors. */
export function adapterTensors(
  g: GraphBuilder,
  o: Pick<LoraTaskOptions, 'targets' | 'rank' | 'alpha' | 'textEncoderLrScale'>,
  params: Record<string, Tensor>,
): Map<string, AdapterTensors> {
  return new Map(
    o.targets.map((m) => {
      const k = paramScale(o, m);
      const use = (t: Tensor) => (k === 1 ? t : g.mul(t, k));
      return [m, { down: use(params[downName(m)]!), up: use(params[upName(m)]!), scale: o.alpha / o.rank }];
    }),
  );
}

/** The base weights as the step reads them: with the trigger word's trained row after the word table. */
export function stepParams(
  g: GraphBuilder,
  o: Pick<LoraTaskOptions, 'embedding'>,
  c: DiTConfig,
  base: ParamSource,
  params: Record<string, Tensor>,
): ParamSource {
  if (!o.embedding) return base;
  const e = params[EMBEDDING_PARAM];
  if (!e) throw new Error(`LoRA training graph lacks "${EMBEDDING_PARAM}"`);
  const k = o.embedding.lrScale ?? 1;
  return withExtraWordRows(g, base, g.reshape(k === 1 ? e : g.mul(e, k), [-1, c.textWidth]));
}

/** The trained trigger embedding from the trainer's named parameters (none without pivotal tuning). */
export function embeddingsFromParams(
  o: Pick<LoraTaskOptions, 'embedding'>,
  config: DiTConfig,
  params: Record<string, { data: Float32Array }>,
): TriggerEmbedding[] {
  if (!o.embedding) return [];
  const data = params[EMBEDDING_PARAM]?.data;
  if (!data) throw new Error(`trained parameters lack "${EMBEDDING_PARAM}"`);
  const k = o.embedding.lrScale ?? 1;
  return [{ word: o.embedding.word, vectors: data.map((x) => x * k), width: config.textWidth }];
}

/**
 * The flow-matching loss with a weight per sample (prior preservation): sum_b w_b mse_b / B. With `reg` (1 for a
 * regularisation slot) the target of those slots is the base model's own prediction (no adapters; no trainable
 * input reaches it but the trigger's embedding rows, which class captions do not read).
 */
function weightedFlowLoss(
  g: GraphBuilder,
  c: DiTConfig,
  p: (name: string) => Tensor,
  batch: { x0: Tensor; noise: Tensor; t: Tensor; ids: Tensor; w: Tensor; reg?: Tensor },
  hook: ReturnType<typeof loraHook>,
): Tensor {
  const [b = 0] = batch.x0.shape;
  let target = g.sub(batch.noise, batch.x0);
  const xt = g.add(batch.x0, g.mul(g.reshape(batch.t, [b, 1, 1, 1]), target));
  if (batch.reg) {
    const teacher = buildDiT(g, c, p, { x: xt, t: batch.t, ids: batch.ids });
    target = g.add(target, g.mul(g.reshape(batch.reg, [b, 1, 1, 1]), g.sub(teacher, target)));
  }
  const err = g.sub(buildDiT(g, c, p, { x: xt, t: batch.t, ids: batch.ids }, hook), target);
  const perSample = g.reduceMean(g.mul(err, err), [1, 2, 3]);
  return g.reduceMean(g.mul(perSample, batch.w));
}

/** The rows of the dropout masks: the longest token sequence any adapted layer sees. */
export const maskRows = (c: DiTConfig): number => Math.max(imageTokens(c), c.textLength);

/** Builds the task for a base model. */
export function createLoraTask(o: LoraTaskOptions, model: DiTModel): TrainTask {
  const c = model.config;
  const mods = new Map(linearModules(c).map((m) => [m.name, m]));
  for (const t of o.targets) if (!mods.has(t)) throw new Error(`the base model has no linear layer "${t}"`);
  if (!Number.isInteger(o.rank) || o.rank < 1) throw new Error(`rank must be an integer >= 1, got ${o.rank}`);
  const words = o.embedding ? [{ word: o.embedding.word, vector: o.embedding.init }] : [];
  const badWord = extraWordsMismatch(c, words);
  if (badWord) throw new Error(`pivotal tuning: ${badWord}`);
  const S = c.imageSize;
  const rows = maskRows(c);
  const feed: FeedSpec = {
    images: o.images,
    size: S,
    captions: o.captions,
    indices: o.trainIndices,
    batch: o.batch,
    textLength: c.textLength,
    wordBuckets: c.wordBuckets,
    extraWords: extraWordRows(c, words),
    captionDropout: o.captionDropout,
    triggerDropout: o.triggerDropout,
    trigger: o.trigger,
    timeRange: o.timeRange,
    regIndices: o.regIndices,
    priorWeight: o.priorWeight,
    shuffleTags: o.shuffleTags,
    keepTokens: o.keepTokens,
    dropout: o.dropout,
    maskShape: [o.targets.length, rows, o.rank],
  };
  const base = frozenBase(model);
  const maskIndex = new Map(o.targets.map((m, i) => [m, i]));
  const distill = (o.regIndices?.length ?? 0) > 0 && o.priorTarget === 'base model';
  const spec: TrainTask['batchSpec'] = {
    x0: { dtype: 'float32', shape: [o.batch, S, S, 3] },
    noise: { dtype: 'float32', shape: [o.batch, S, S, 3] },
    t: { dtype: 'float32', shape: [o.batch] },
    ids: { dtype: 'int64', shape: captionIdsShape(o.batch, c) },
    ...(o.dropout > 0
      ? { masks: { dtype: 'float32' as const, shape: [o.targets.length, o.batch, rows, o.rank] } }
      : {}),
    ...(o.regIndices?.length ? { w: { dtype: 'float32' as const, shape: [o.batch] } } : {}),
    ...(distill ? { reg: { dtype: 'float32' as const, shape: [o.batch] } } : {}),
  };
  return {
    initParams(rng: CounterRng): Record<string, ParamInit> {
      const out: Record<string, ParamInit> = {};
      for (const name of o.targets) {
        const m = mods.get(name)!;
        // kohya: kaiming-uniform down (bound 1/sqrt(in)), zero up.
        const bound = 1 / Math.sqrt(m.in) / paramScale(o, name);
        out[downName(name)] = {
          shape: [o.rank, m.in],
          data: rng.fillUniform(new Float32Array(o.rank * m.in), -bound, bound),
        };
        out[upName(name)] = { shape: [m.out, o.rank], data: new Float32Array(m.out * o.rank) };
      }
      if (o.embedding) {
        const k = o.embedding.lrScale ?? 1;
        const init = o.embedding.init;
        out[EMBEDDING_PARAM] = { shape: [init.length], data: Float32Array.from(init, (x) => x / k) };
      }
      return out;
    },
    batchSpec: spec,
    buildLoss(g: GraphBuilder, params: Record<string, Tensor>, batch: Record<string, Tensor>): Tensor {
      const b = (n: string): Tensor => batch[n] ?? missing(n);
      const dropout = batch.masks ? { masks: batch.masks, index: maskIndex } : undefined;
      const hook = loraHook(g, adapterTensors(g, o, params), dropout);
      const inputs = { x0: b('x0'), noise: b('noise'), t: b('t'), ids: b('ids') };
      const p = stepParams(g, o, c, base(g), params);
      if (batch.w) return weightedFlowLoss(g, c, p, { ...inputs, w: batch.w, reg: batch.reg }, hook);
      return buildFlowLoss(g, c, p, inputs, hook);
    },
    nextBatch(rng: CounterRng): Record<string, BatchArray> {
      const { masks, w, reg, ...rest } = drawBatch(feed, rng);
      return { ...rest, ...(masks ? { masks } : {}), ...(w ? { w } : {}), ...(distill && reg ? { reg } : {}) };
    },
  };
}

/** The trained adapters from the trainer's named parameters. */
export function adaptersFromParams(
  o: Pick<LoraTaskOptions, 'targets' | 'rank' | 'alpha' | 'textEncoderLrScale'>,
  config: DiTConfig,
  params: Record<string, { data: Float32Array }>,
): LoraAdapter[] {
  const mods = new Map(linearModules(config).map((m) => [m.name, m]));
  return o.targets.map((name) => {
    const m = mods.get(name)!;
    const down = params[downName(name)]?.data;
    const up = params[upName(name)]?.data;
    if (!down || !up) throw new Error(`trained parameters lack the adapter of "${name}"`);
    const k = paramScale(o, name);
    const scaled = (a: Float32Array) => (k === 1 ? a : a.map((x) => x * k));
    return { module: name, rank: o.rank, alpha: o.alpha, in: m.in, out: m.out, down: scaled(down), up: scaled(up) };
  });
}

function missing(name: string): never {
  throw new Error(`LoRA training graph asked for unknown batch input "${name}"`);
}
