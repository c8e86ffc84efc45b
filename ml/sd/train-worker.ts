/**
 * Entry of a Stable Diffusion LoRA training worker thread (SD 1.5 and SDXL; what differs per family is in
 * train-family.ts): encodes (or reads from the cache) each image's latents and each caption's text embedding
 * (SDXL: both encoders' and the pooled one), trains the LoRA with the shared Trainer (resuming from the newest checkpoint),
 * trains each aspect-ratio bucket in its own session, one at a time (train-buckets.ts), checkpoints with a
 * validation loss over every bucket every N steps, samples with the adapters as the saved file holds them, and
 * honours the shared cancel flag (cancelling checkpoints too, so a rerun continues the step count).
 */
import { workerData } from 'node:worker_threads';
import { postJobMessage, runJobMain } from '../runtime/job-messages';
import { checkpointPath, pruneCheckpoints, recordValidation, resumePoint } from '../lora/checkpoints';
import type { LoraTrainResult } from '../lora/job';
import { cancelRequested } from '../runtime/worker-cancel';
import { loadCheckpoint } from '../train/checkpoint';
import { Trainer } from '../train/trainer';
import type { NamedParams } from '../train/types';
import { openAnySdCheckpoint, type SdCheckpoint } from './checkpoint';
import type { SdEncoders } from './encoders';
import { cacheKey, LatentCache } from './latent-cache';
import { roundAdapters } from './merge-lora';
import { sampleSd } from './sample-run';
import { adaptersOf } from './train-adapters';
import { jobBuckets, segmentAt } from './train-buckets';
import { trainFamily } from './train-family';
import { roundEmbedding, trainedEmbedding } from './trigger-embedding';
import type { SdTrainJob, SdTrainMessage } from './train-job';
import { Sd15Validation } from './validation';

const data = workerData as { job: SdTrainJob };
const post = (m: SdTrainMessage): void => postJobMessage(m);
/** Says which phase the worker is in (shown on the node while it lasts): `done` of `total` of its units. */
const phase = (label: string, done = 0, total = 1): void => post({ type: 'progress', done, total, label });

/** Latents of every image at its bucket's size, cached by pixels, size and model (the same for every family). */
async function encodeLatents(job: SdTrainJob, enc: SdEncoders, cache: LatentCache): Promise<Float32Array[]> {
  const buckets = job.buckets ?? [{ width: job.width, height: job.height }];
  const latents: Float32Array[] = [];
  for (const [i, rgb] of job.images.entries()) {
    const { width, height } = buckets[job.bucketOf?.[i] ?? 0]!;
    latents.push(
      await cache.get(
        cacheKey('sd-latent-v1', job.modelHash, `${width}x${height}`, rgb),
        (4 * height * width) / 64,
        () => enc.encodeImage(rgb, width, height),
      ),
    );
    phase('caching latents', i + 1, job.images.length);
  }
  return latents;
}

/** A bucket's latent shape. */
const shapeOf = (b: { width: number; height: number }) => [4, b.height / 8, b.width / 8] as const;

/** The validation loss over every bucket's validation images (each bucket is its own session), image-weighted. */
class BucketValidation {
  constructor(private readonly parts: { images: number; validation: Sd15Validation }[]) {}

  async compute(params: NamedParams): Promise<number> {
    let sum = 0;
    let n = 0;
    for (const p of this.parts) {
      sum += p.images * (await p.validation.compute(params));
      n += p.images;
    }
    return sum / n;
  }

  async prepare(params: NamedParams): Promise<void> {
    for (const p of this.parts) await p.validation.prepare(params);
  }

  async release(): Promise<void> {
    for (const p of this.parts) await p.validation.release();
  }
}

async function main(job: SdTrainJob): Promise<LoraTrainResult> {
  const ckpt: SdCheckpoint = openAnySdCheckpoint(job.checkpoint);
  let enc: SdEncoders | undefined;
  let trainer: Trainer | undefined;
  let validation: BucketValidation | undefined;
  try {
    const family = trainFamily(job, ckpt);
    enc = family.encoders;
    const cache = new LatentCache(job.cacheDir);
    phase('caching latents', 0, job.images.length);
    const latents = await encodeLatents(job, enc, cache);
    phase('caching text embeddings', 0, job.captions.length);
    const makeTask = await family.prepare(latents, cache);
    // The encoders' sessions (SDXL's text towers alone hold 3.3 GB in fp32) are not needed again until a sample.
    await enc.release();
    post({
      type: 'log',
      level: 'info',
      message: `latent cache: ${cache.stats.hits} hit(s), ${cache.stats.misses} encoded (${job.images.length} images, ${job.captions.length} captions) in ${job.cacheDir}`,
    });
    const buckets = jobBuckets(job);
    const trainCounts = buckets.map((b) => b.train.length);
    const name = (b: number): string => `${buckets[b]!.width}x${buckets[b]!.height}`;
    const taskOf = (b: number) =>
      makeTask(buckets[b]!.train, job.batch, job.captionDropout, shapeOf(buckets[b]!), buckets[b]!.reg);
    const from = resumePoint(job.stateDir, job.steps);
    const resume = from ? { path: from.path, data: await loadCheckpoint(from.path) } : undefined;
    let bucket = segmentAt(trainCounts, job.batch, resume?.data.step ?? 0).bucket;
    phase('building training graph');
    trainer = await Trainer.create(taskOf(bucket), job.config, resume);
    // Beyond the tiny test models, keeping a second copy of the weights alive between checkpoints costs GBs.
    const keep = ckpt.bytes < 256 * 2 ** 20;
    validation = new BucketValidation(
      buckets
        .filter((b) => b.validation.length > 0)
        .map((b) => ({
          images: b.validation.length,
          validation: new Sd15Validation(makeTask(b.validation, 1, 0, shapeOf(b)), job.threads, keep),
        })),
    );
    const val = validation;
    if (buckets.length > 1)
      post({
        type: 'log',
        level: 'info',
        message: `${buckets.length} buckets: ${buckets.map((b, i) => `${name(i)} (${b.train.length} training images)`).join(', ')}; each batch from one bucket, a bucket's batches of an epoch in one session, ${trainCounts.filter((n) => n > 0).length - 1} session rebuild(s) per epoch`,
      });
    const t0 = trainer;
    post({ type: 'started', step: t0.step, resumedFrom: from?.step, parameterCount: t0.parameterCount });
    /** The trainer of bucket `b`: the current one, or a new session handed the weights, optimizer and data state. */
    const trainerFor = async (b: number): Promise<Trainer> => {
      const current = trainer!;
      if (b === bucket) return current;
      const data = current.checkpointData();
      await current.release();
      trainer = undefined;
      phase(`building training graph for bucket ${name(b)}`);
      trainer = await Trainer.create(taskOf(b), job.config, { path: `the handover to bucket ${name(b)}`, data });
      bucket = b;
      return trainer;
    };
    const stepsIn = buckets.map(() => 0);
    const { modules, rankOf, scaleOf } = family;
    const encoders = enc;
    const samples = async (): Promise<void> => {
      if (job.samplePrompts.length === 0) return;
      const t = trainer!;
      const started = performance.now();
      const trained = t.exportParams();
      const adapters = roundAdapters(adaptersOf(modules, trained, rankOf, scaleOf), job.sampleDtype);
      // The trigger's rows as the saved file holds them: a reloaded file samples the same images.
      const pivotal = family.pivotal;
      const embeddings = pivotal ? [roundEmbedding(trainedEmbedding(pivotal, trained), job.sampleDtype)] : [];
      const size = Math.min(job.width, job.height);
      const images = await sampleSd(
        ckpt,
        encoders,
        [{ loras: [{ adapters, strength: 1 }], embeddings }],
        {
          prompts: job.samplePrompts,
          negative: '',
          seed: job.sampleSeed,
          steps: job.sampleSteps,
          cfg: 7,
          sampler: 'euler',
          width: size,
          height: size,
          previewEvery: 0,
        },
        { onStep: (done, total) => phase(`sampling at step ${t.step}`, done, total) },
      );
      const all = new Uint8Array(images[0]!.reduce((n, x) => n + x.length, 0));
      images[0]!.reduce((at, x) => (all.set(x, at), at + x.length), 0);
      post({
        type: 'samples',
        step: t.step,
        images: all,
        imageSize: size,
        seconds: (performance.now() - started) / 1000,
      });
    };
    const K = job.config.stepsPerRun ?? 1;
    const every = Math.max(1, job.checkpointEvery);
    const checkpoint = async (): Promise<void> => {
      const t = trainer!;
      phase(`checkpoint at step ${t.step}: validation loss`);
      const valLoss = await val.compute(t.exportParams());
      const file = checkpointPath(job.stateDir, t.step);
      await t.saveCheckpoint(file);
      recordValidation(job.stateDir, t.step, valLoss);
      pruneCheckpoints(job.stateDir, job.keepLast, t.step);
      post({ type: 'checkpoint', step: t.step, path: file, loss: valLoss });
    };
    let cancelled = false;
    if (!from) {
      // Building the validation session is most of this wait on a real model: name it, not the loss.
      phase('building validation graph');
      await val.prepare(t0.exportParams());
      phase('validation loss before training');
      const valLoss = await val.compute(t0.exportParams());
      recordValidation(job.stateDir, 0, valLoss);
      post({ type: 'metrics', step: 0, metrics: { val_loss: valLoss } });
    }
    let last = performance.now();
    while (trainer!.step < job.steps) {
      if (cancelRequested()) {
        cancelled = true;
        break;
      }
      const segment = segmentAt(trainCounts, job.batch, trainer!.step);
      const t = await trainerFor(segment.bucket);
      const k = Math.min(K, job.steps - t.step, every - (t.step % every), segment.end - t.step);
      const report = await t.runOnce(k);
      stepsIn[segment.bucket]! += report.losses.length;
      const now = performance.now();
      post({
        type: 'progress',
        done: t.step,
        total: job.steps,
        report,
        runSeconds: report.losses.length / report.stepsPerSecond,
        wallSeconds: (now - last) / 1000,
      });
      last = now;
      const atEnd = t.step >= job.steps;
      if (t.step % every === 0 || atEnd) await checkpoint();
      if ((job.sampleEvery > 0 && t.step % job.sampleEvery === 0) || atEnd) await samples();
    }
    const t = trainer!;
    if (cancelled && (!from || t.step !== from.step) && t.step % every !== 0) await checkpoint();
    if (buckets.length > 1)
      post({
        type: 'log',
        level: 'info',
        message: `steps per bucket: ${buckets.map((_, b) => `${name(b)} ${stepsIn[b]}`).join(', ')}`,
      });
    return { step: t.step, cancelled };
  } finally {
    await trainer?.release();
    await validation?.release();
    await enc?.release();
    ckpt.close();
  }
}

runJobMain(() => main(data.job));
