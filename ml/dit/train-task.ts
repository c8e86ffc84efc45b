/**
 * Pretraining the DiT as a TrainTask of ml/train: rectified-flow loss on random corpus images, captions dropped for
 * classifier-free guidance. A training worker loads this file by path and calls `createTask(options)`.
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import { loadCorpus, trainingItems } from '../corpus/build';
import type { CounterRng } from '../train/rng';
import type { BatchArray, ParamInit, TrainTask } from '../train/types';
import { makeBatch, type FeedOptions, type ImageSet } from './batches';
import type { DiTConfig } from './config';
import { buildFlowLoss } from './model';
import { initParams, paramSpecs } from './params';
import { captionIdsShape } from './tokenizer';
import { loadModel } from './weights';

export interface PretrainTaskOptions {
  config: DiTConfig;
  /** A corpus folder written by ml/corpus buildCorpus. */
  corpusDir: string;
  batch: number;
  captionDropout?: number;
  timeSampling?: FeedOptions['timeSampling'];
  /** Start from these weights instead of a fresh initialisation (fine-tuning a saved model). */
  initFrom?: string;
}

/** Builds the pretraining task (also used directly, in-process, by tests). */
export async function createTask(options: unknown): Promise<TrainTask> {
  const o = options as PretrainTaskOptions;
  const c = o.config;
  const corpus = loadCorpus(o.corpusDir);
  if (corpus.size !== c.imageSize)
    throw new Error(`corpus ${o.corpusDir} is ${corpus.size}px, the model wants ${c.imageSize}px`);
  const set: ImageSet = {
    images: corpus.images,
    size: corpus.size,
    captions: corpus.items.map((it) => it.caption),
    indices: trainingItems(corpus),
  };
  if (set.indices.length === 0) throw new Error(`corpus ${o.corpusDir} has no training images`);
  const feed: FeedOptions = {
    batch: o.batch,
    textLength: c.textLength,
    wordBuckets: c.wordBuckets,
    captionDropout: o.captionDropout ?? 0.1,
    timeSampling: o.timeSampling ?? 'logit-normal',
  };
  const start = o.initFrom ? (await loadModel(o.initFrom)).weights : undefined;
  const S = c.imageSize;
  return {
    initParams(rng: CounterRng): Record<string, ParamInit> {
      const weights = start ?? initParams(c, rng.nextU32());
      return Object.fromEntries(
        paramSpecs(c).map((s) => [s.name, { shape: s.shape, data: weights.get(s.name) ?? new Float32Array(0) }]),
      );
    },
    batchSpec: {
      x0: { dtype: 'float32', shape: [o.batch, S, S, 3] },
      noise: { dtype: 'float32', shape: [o.batch, S, S, 3] },
      t: { dtype: 'float32', shape: [o.batch] },
      ids: { dtype: 'int64', shape: captionIdsShape(o.batch, c) },
    },
    buildLoss(g: GraphBuilder, params: Record<string, Tensor>, batch: Record<string, Tensor>): Tensor {
      const p = (name: string): Tensor => params[name] ?? missing(name);
      const b = (name: string): Tensor => batch[name] ?? missing(name);
      return buildFlowLoss(g, c, p, { x0: b('x0'), noise: b('noise'), t: b('t'), ids: b('ids') });
    },
    nextBatch(rng: CounterRng, step: number): Record<string, BatchArray> {
      const batch = makeBatch(set, feed, rng.nextU32(), step);
      return { x0: batch.x0, noise: batch.noise, t: batch.t, ids: batch.ids };
    },
  };
}

function missing(name: string): never {
  throw new Error(`pretraining graph asked for unknown tensor "${name}"`);
}
