/**
 * What the SD training worker (train-worker.ts) does differently per family, as one small adapter each: how the
 * captions are cached or tokenized, which task trains, which modules the saved file names, and which encoders
 * sample. SD 1.5: CLIP-L (clip skip) and the UNet/LoCon/text task of train-step(-te).ts. SDXL: both encoders'
 * contexts plus bigG's pooled embedding cached per caption, each image's size/crop conditioning, the task of
 * sdxl-train-step.ts (UNet, optionally te1 + te2 and LoCon). Latents are cached the same way for both.
 */
import type { TrainTask } from '../train/types';
import type { Sd15Checkpoint, SdCheckpoint } from './checkpoint';
import { Sd15Encoders, type SdEncoders } from './encoders';
import { cacheKey, type LatentCache } from './latent-cache';
import type { LoraTarget } from './merge-lora';
import type { PriorMix } from './prior-mix';
import { encodePrompt } from './prompt';
import type { SdxlCheckpoint } from './sdxl-checkpoint';
import { SdxlEncoders } from './sdxl-encoders';
import { SDXL_CLIP_G_PREFIX, SDXL_CLIP_L_PREFIX } from './sdxl-keys';
import { createSdxlLoraTask, sdxlTrainedModules, type SdxlIds } from './sdxl-train-step';
import type { SdTrainJob } from './train-job';
import { createUnetLoraTask, type UnetLoraOptions } from './train-step';
import { createFullLoraTask, fullLoraModules, moduleRank, usedScale } from './train-step-te';
import { CONTEXT, EOS } from './tokenizer';
import { withCaptionDropout } from './caption-dropout';
import { CLIP_PREFIX } from './clip';
import { pivotalRows, trainingWords, type PivotalRows, type TokenWords } from './trigger-embedding';

/**
 * A task on some images (all in one bucket, whose latent shape is `shape`: [4, h/8, w/8]), with class images `reg`
 * mixed in at the job's prior-loss weight (prior-mix.ts) when given.
 */
export type TaskMaker = (
  idx: readonly number[],
  batch: number,
  dropout: number,
  shape: readonly [number, number, number],
  reg?: readonly number[],
) => TrainTask;

/** One family's side of a training run. */
export interface TrainFamily {
  readonly encoders: SdEncoders;
  /** Every trained module, in the order of the saved file. */
  readonly modules: readonly LoraTarget[];
  rankOf(m: LoraTarget): { rank: number; alpha: number };
  scaleOf(m: LoraTarget): number;
  /** Pivotal tuning: the trigger's rows the task trains (absent without). */
  readonly pivotal?: PivotalRows;
  /** Encodes (or reads from the cache) what the task needs; returns the task maker. */
  prepare(latents: Float32Array[], cache: LatentCache): Promise<TaskMaker>;
}

const pick = <T>(xs: readonly T[], idx: readonly number[]): T[] => idx.map((i) => xs[i]!);

/** The first 77-token chunk's ids of a caption, padded with `pad`; `words` (pivotal tuning) as their placeholders. */
const idsOf = (caption: string, pad = EOS, words?: TokenWords): Int32Array =>
  encodePrompt(caption, { emphasis: false, pad, ...(words ? { words } : {}) }).chunks[0]!.ids;

/** The task's examples (training images, then class images) and, with class images, their mix. */
function examplesOf(job: SdTrainJob, idx: readonly number[], reg: readonly number[] = []) {
  const prior: PriorMix | undefined = reg.length
    ? { regFrom: idx.length, weight: job.priorLossWeight ?? 1 }
    : undefined;
  return { all: reg.length ? [...idx, ...reg] : idx, prior };
}

/** The objective and layout settings both families' tasks share. */
function common(job: SdTrainJob, shape: readonly [number, number, number], prior?: PriorMix) {
  return {
    ...(prior ? { prior } : {}),
    rank: job.rank,
    alpha: job.alpha,
    batch: job.batch,
    prediction: job.prediction,
    ...(job.minSnrGamma ? { minSnrGamma: job.minSnrGamma } : {}),
    noiseOffset: job.noiseOffset,
    ...(job.timesteps ? { timesteps: job.timesteps } : {}),
    latentShape: shape,
    checkpointing: job.checkpointing,
    ...(job.targets ? { targets: job.targets } : {}),
  };
}

function sd15Family(job: SdTrainJob, ckpt: Sd15Checkpoint): TrainFamily {
  const enc = new Sd15Encoders(ckpt, { clipSkip: job.clipSkip, threads: job.threads });
  const te = job.textEncoder;
  const pivotal = job.pivotal && pivotalRows(job.pivotal, ckpt, [`${CLIP_PREFIX}embeddings.token_embedding.weight`]);
  const words = job.pivotal && trainingWords(job.pivotal.word, job.pivotal.vectors);
  // The trigger's rows change every step, so with them every caption is encoded in the step, as with a trained CLIP.
  const inStep = !!te || !!pivotal;
  return {
    encoders: enc,
    ...(pivotal ? { pivotal } : {}),
    modules: fullLoraModules(ckpt.widths, { text: !!te, conv: !!job.conv, targets: job.targets }),
    rankOf: (m) => moduleRank(m, { rank: job.rank, alpha: job.alpha, conv: job.conv }),
    scaleOf: (m) => usedScale(m, te?.lrScale ?? 1),
    async prepare(latents, cache) {
      const text = (caption: string): Promise<Float32Array> =>
        cache.get(cacheKey('sd-text-v1', job.modelHash, String(job.clipSkip), caption), CONTEXT * enc.width, async () =>
          (await enc.encode(caption, { emphasis: false })).data.slice(0, CONTEXT * enc.width),
        );
      const contexts: Float32Array[] = [];
      // A trained text encoder encodes every caption inside the step: nothing of it to cache.
      if (!inStep) for (const c of job.captions) contexts.push(await text(c));
      const empty = inStep ? new Float32Array(0) : await text('');
      const ids = job.captions.map((c) => idsOf(c, EOS, words));
      return (train, batch, dropout, shape, reg) => {
        const { all: idx, prior } = examplesOf(job, train, reg);
        const base: Omit<UnetLoraOptions, 'latents' | 'contexts'> = {
          ...common(job, shape, prior),
          contextShape: [CONTEXT, enc.width],
        };
        return inStep || job.conv
          ? createFullLoraTask(ckpt, {
              ...base,
              batch,
              latents: pick(latents, idx),
              ...(pivotal ? { embedding: pivotal, textAdapters: !!te } : {}),
              ...(inStep
                ? { ids: pick(ids, idx), emptyIds: idsOf('') }
                : { contexts: pick(contexts, idx), emptyContext: empty, contextWidth: enc.width }),
              captionDropout: dropout,
              clipSkip: job.clipSkip,
              textLrScale: te?.lrScale ?? 1,
              ...(job.conv ? { conv: job.conv } : {}),
            })
          : withCaptionDropout(
              createUnetLoraTask(ckpt, { ...base, batch, latents: pick(latents, idx), contexts: pick(contexts, idx) }),
              empty,
              dropout,
            );
      };
    },
  };
}

function sdxlFamily(job: SdTrainJob, ckpt: SdxlCheckpoint): TrainFamily {
  const enc = new SdxlEncoders(ckpt, { threads: job.threads });
  const te = job.textEncoder;
  const sizes = job.sizes;
  if (!sizes || sizes.length !== job.images.length)
    throw new Error(`an SDXL job needs the size/crop conditioning of each of its ${job.images.length} images`);
  const pooledDim = ckpt.widths.clipG.projectionDim;
  const tables = [
    `${SDXL_CLIP_L_PREFIX}embeddings.token_embedding.weight`,
    `${SDXL_CLIP_G_PREFIX}token_embedding.weight`,
  ];
  const pivotal = job.pivotal && pivotalRows(job.pivotal, ckpt, tables);
  const words = job.pivotal && trainingWords(job.pivotal.word, job.pivotal.vectors);
  // As on SD 1.5: the trigger's rows change every step, so every caption is encoded in the step.
  const inStep = !!te || !!pivotal;
  return {
    encoders: enc,
    ...(pivotal ? { pivotal } : {}),
    modules: sdxlTrainedModules(ckpt.widths, { text: !!te, conv: !!job.conv, targets: job.targets }),
    rankOf: (m) => moduleRank(m, { rank: job.rank, alpha: job.alpha, conv: job.conv }),
    scaleOf: (m) => usedScale(m, te?.lrScale ?? 1),
    async prepare(latents, cache) {
      // Context [77, 2048] then pooled [1280], one entry per caption: both come from one pass of both towers.
      const n = CONTEXT * enc.width;
      const text = async (caption: string) => {
        const both = await cache.get(cacheKey('sdxl-text-v1', job.modelHash, caption), n + pooledDim, async () => {
          const c = await enc.encode(caption, { emphasis: false });
          const out = new Float32Array(n + pooledDim);
          out.set(c.data.subarray(0, n));
          out.set(c.pooled!, n);
          return out;
        });
        return { context: both.subarray(0, n), pooled: both.subarray(n) };
      };
      const cached = inStep ? [] : await Promise.all(job.captions.map(text));
      const empty = inStep ? undefined : await text('');
      const ids: SdxlIds[] = job.captions.map((c) => ({ l: idsOf(c, EOS, words), g: idsOf(c, 0, words) }));
      return (train, batch, dropout, shape, reg) => {
        const { all: idx, prior } = examplesOf(job, train, reg);
        return createSdxlLoraTask(ckpt, {
          ...common(job, shape, prior),
          contextShape: [CONTEXT, enc.width] as const,
          batch,
          latents: pick(latents, idx),
          sizes: pick(sizes, idx),
          ...(pivotal ? { embedding: pivotal, textAdapters: !!te } : {}),
          ...(inStep
            ? { ids: pick(ids, idx), emptyIds: { l: idsOf(''), g: idsOf('', 0) }, textLrScale: te?.lrScale ?? 1 }
            : {
                contexts: pick(cached, idx).map((c) => c.context),
                pooled: pick(cached, idx).map((c) => c.pooled),
                ...(empty ? { empty } : {}),
              }),
          captionDropout: dropout,
          ...(job.conv ? { conv: job.conv } : {}),
        });
      };
    },
  };
}

/** The family adapter of a job on its opened checkpoint; refuses a checkpoint of another family. */
export function trainFamily(job: SdTrainJob, ckpt: SdCheckpoint): TrainFamily {
  if (ckpt.family !== job.family)
    throw new Error(`${job.checkpoint} is an ${ckpt.family} checkpoint, but the job trains ${job.family}`);
  return ckpt.family === 'sdxl' ? sdxlFamily(job, ckpt) : sd15Family(job, ckpt);
}
