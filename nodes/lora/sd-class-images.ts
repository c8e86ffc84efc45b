/**
 * Prior preservation for TrainLoRA on SD 1.5 / SDXL, with the emoji model's parameters and rules (reg-images.ts:
 * kohya's reg folder read through LoadImages, class prompts, images per prompt, prior-loss weight). Class images come
 * from the regularization input and/or are drawn by the base model itself (the SD sampler, no LoRA) from the class
 * prompts, cached as PNGs keyed by model hash, prompt, seed, size and sampler settings in the data folder, so that
 * reruns and resumes never draw them again; their latents and captions then go through the SD latent cache like
 * the training images'. A reg folder's image trains in the bucket (among those with training images) nearest its
 * aspect ratio; the base model draws its images at the training buckets' own sizes, spread over them as the
 * training images are (class-image-buckets.ts). A bucket left without any borrows them all, fitted into it, so
 * that every bucket's batches mix.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { sampleSdInWorker } from '../../ml/sd/sample-job';
import type { SdSamplerKind } from '../../ml/sd/sampler';
import type { SizeCondition } from '../../ml/sd/sdxl-cond';
import type { SdTrainJob } from '../../ml/sd/train-job';
import { writeFileAtomicSync } from '../../ml/atomic-write';
import type { JsonValue } from '../../protocol/values';
import { NodeUserError, type NodeContext } from '../api';
import { readDataset } from '../dataset/dataset-value';
import type { DatasetItem } from '../dataset/types';
import { SD_FAMILY_LABEL, type SdModelValue } from '../model/sd-model-value';
import { spreadOverBuckets } from './class-image-buckets';
import { checkRegDataset, expandClassPrompts, regCaption } from './reg-images';
import type { RunBuckets } from './sd-buckets';
import { PRIOR_TARGETS } from './train-params';

/** How the base model draws class images: fixed, so that the cache serves every run. Image j of a prompt: seed + j. */
export const CLASS_SAMPLING = { seed: 1009, steps: 20, cfg: 7, sampler: 'euler' as SdSamplerKind, negative: '' };

/** The size fields an image's SDXL size conditioning is computed from. */
export type ImageSize = Pick<DatasetItem, 'width' | 'height' | 'sourceWidth' | 'sourceHeight'>;

/** One class image before it is fitted into a bucket. */
interface ClassSource extends ImageSize {
  file: string;
  caption: string;
  repeats: number;
  /** The bucket a drawn image was drawn for (a reg folder's image goes to the nearest by aspect ratio). */
  bucket?: number;
}

/** The class images of a run, fitted into their buckets, ready to join the job. */
export interface SdClassImages {
  images: Uint8Array[];
  captions: string[];
  bucketOf: number[];
  /** SDXL: each one's size/crop conditioning. */
  sizes: SizeCondition[];
  repeats: number[];
  /** Distinct class images (before borrowing), of which `generated` the base model drew; with their repeats. */
  count: number;
  withRepeats: number;
  generated: number;
  /** Buckets that had none of their own and borrowed them all. */
  borrowedBy: number[];
}

/** An image file's pixels scaled to cover width x height and centre-cropped (kohya's fit), flattened on white. */
export async function fitInto(file: string, width: number, height: number): Promise<Uint8Array> {
  const raw = await sharp(file)
    .flatten({ background: '#ffffff' })
    .resize(width, height, { fit: 'cover' })
    .removeAlpha()
    .raw()
    .toBuffer();
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** The cache file of the base model's image of `prompt` at `seed` and size, with CLASS_SAMPLING's settings. */
function classImageFile(
  dir: string,
  model: SdModelValue,
  prompt: string,
  seed: number,
  w: number,
  h: number,
  clipSkip: number,
) {
  const key = JSON.stringify([model.sha256, prompt, seed, w, h, clipSkip, CLASS_SAMPLING]);
  return path.join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.png`);
}

/** One class image to draw: prompt, seed, the bucket and its size, the cache file. */
interface WantedImage {
  prompt: string;
  seed: number;
  bucket: number;
  width: number;
  height: number;
  file: string;
}

/**
 * The base model's class images of `prompts` (perPrompt each), image k at the size of bucket `bucketOf[k]`, drawn
 * where not cached yet (one sampling run per size).
 */
async function drawClassImages(
  ctx: NodeContext,
  model: SdModelValue,
  prompts: readonly string[],
  perPrompt: number,
  at: { buckets: RunBuckets; bucketOf: readonly number[]; clipSkip: number },
): Promise<{ sources: ClassSource[]; drawn: number }> {
  const { clipSkip } = at;
  const dir = ctx.stateDir('sd-class-images');
  const wanted: WantedImage[] = prompts.flatMap((prompt, p) =>
    Array.from({ length: perPrompt }, (_, j) => {
      const seed = CLASS_SAMPLING.seed + j;
      const bucket = at.bucketOf[p * perPrompt + j]!;
      const { width, height } = at.buckets.sizes[bucket]!;
      const file = classImageFile(dir, model, prompt, seed, width, height, clipSkip);
      return { prompt, seed, bucket, width, height, file };
    }),
  );
  const missing = wanted.filter((w) => !fs.existsSync(w.file));
  const bySize = new Map<string, WantedImage[]>();
  for (const w of missing) bySize.set(`${w.width}x${w.height}`, [...(bySize.get(`${w.width}x${w.height}`) ?? []), w]);
  if (missing.length) {
    const sizes = [...bySize].map(([size, ws]) => (bySize.size > 1 ? `${size} (${ws.length})` : size)).join(', ');
    ctx.log('info', `generating ${missing.length} class image(s) at ${sizes} with the base model (cached in ${dir})`);
  }
  for (const group of bySize.values()) await drawGroup(ctx, model, group, clipSkip);
  const sources = wanted.map((w) => ({
    file: w.file,
    caption: w.prompt,
    repeats: 1,
    width: w.width,
    height: w.height,
    bucket: w.bucket,
  }));
  return { sources, drawn: missing.length };
}

/** Draws class images of one size and writes each PNG atomically into the cache. */
async function drawGroup(ctx: NodeContext, model: SdModelValue, missing: WantedImage[], clipSkip: number) {
  const { width, height } = missing[0]!;
  const { seed, steps, cfg, sampler, negative } = CLASS_SAMPLING;
  const result = await sampleSdInWorker(
    {
      checkpoint: model.path,
      stacks: [{ loras: [] }],
      settings: {
        prompts: missing.map((w) => w.prompt),
        seeds: missing.map((w) => w.seed),
        ...{ seed, steps, cfg, sampler, negative, width, height, previewEvery: 0 },
      },
      clipSkip,
    },
    (done, total) => ctx.progress(done, total, undefined, 'generating class images'),
    ctx.signal,
  );
  for (const [k, w] of missing.entries()) {
    const png = await sharp(result.images[0]![k]!, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    writeFileAtomicSync(w.file, png);
  }
}

/** The bucket (among those with training images) nearest an image's aspect ratio; ties: the most common. */
function nearestBucket(src: ImageSize, buckets: RunBuckets, trained: readonly number[]): number {
  const ratio = Math.log((src.sourceWidth ?? src.width) / (src.sourceHeight ?? src.height));
  const off = (b: number) => Math.abs(Math.log(buckets.sizes[b]!.width / buckets.sizes[b]!.height) - ratio);
  return trained.reduce((best, b) => (off(b) < off(best) ? b : best), trained[0]!);
}

/**
 * TrainLoRA's class images on an SD model: the regularization input's (checked: checkRegDataset) and the base
 * model's drawings of the class prompts at the training buckets' sizes, each fitted into its bucket. `trained`:
 * the buckets that hold training images; `trainedWeights`: how many training images (with repeats) each holds.
 */
export async function sdClassImages(
  input: JsonValue | undefined,
  o: {
    ctx: NodeContext;
    model: SdModelValue;
    params: { classPrompts: string[]; classImages: number; clipSkip: number; priorTarget: string };
    captions: readonly string[];
    trigger: string;
    buckets: RunBuckets;
    trained: readonly number[];
    trainedWeights?: readonly number[];
    sizeOf?: (item: ImageSize, width: number, height: number) => SizeCondition;
  },
): Promise<SdClassImages> {
  const { ctx, buckets } = o;
  if (o.params.priorTarget !== PRIOR_TARGETS[0])
    throw new NodeUserError(
      `the prior target "${o.params.priorTarget}" is available for the built-in emoji model only, not for ${SD_FAMILY_LABEL[o.model.family]} yet`,
      `choose "${PRIOR_TARGETS[0]}" (kohya's prior preservation)`,
      'priorTarget',
    );
  const sources: ClassSource[] = [];
  if (input !== undefined && input !== null) {
    const ds = readDataset(input, 'regularization');
    checkRegDataset(ds);
    for (const it of ds.items)
      sources.push({
        ...sizeOfItem(it),
        file: ctx.artifacts.pathOf(it.image),
        caption: regCaption(it),
        repeats: Math.max(1, it.repeats || 1),
      });
  }
  const prompts = expandClassPrompts(o.params.classPrompts, o.captions, o.trigger);
  let generated = 0;
  if (prompts.length) {
    const spread = spreadOverBuckets(
      prompts.length * o.params.classImages,
      o.trained.map((b, i) => o.trainedWeights?.[i] ?? buckets.counts[b] ?? 1),
    );
    const drawn = await drawClassImages(ctx, o.model, prompts, o.params.classImages, {
      buckets,
      bucketOf: spread.map((i) => o.trained[i]!),
      clipSkip: o.params.clipSkip,
    });
    sources.push(...drawn.sources);
    generated = drawn.sources.length;
  }
  const out: SdClassImages = {
    images: [],
    captions: [],
    bucketOf: [],
    sizes: [],
    repeats: [],
    count: sources.length,
    withRepeats: sources.reduce((n, s) => n + s.repeats, 0),
    generated,
    borrowedBy: [],
  };
  if (!sources.length) return out;
  const home = sources.map((s) => s.bucket ?? nearestBucket(s, buckets, o.trained));
  out.borrowedBy = o.trained.filter((b) => !home.includes(b));
  const placements = [
    ...sources.map((s, k) => ({ s, b: home[k]! })),
    ...out.borrowedBy.flatMap((b) => sources.map((s) => ({ s, b }))),
  ];
  for (const { s, b } of placements) {
    const { width, height } = buckets.sizes[b]!;
    out.images.push(await fitInto(s.file, width, height));
    out.captions.push(s.caption);
    out.bucketOf.push(b);
    out.repeats.push(s.repeats);
    if (o.sizeOf) out.sizes.push(o.sizeOf(s, width, height));
  }
  return out;
}

const sizeOfItem = (it: DatasetItem): ImageSize => ({
  width: it.width,
  height: it.height,
  ...(it.sourceWidth ? { sourceWidth: it.sourceWidth } : {}),
  ...(it.sourceHeight ? { sourceHeight: it.sourceHeight } : {}),
});

/** The job with the class images after its own, trained beside them at `weight` (kohya's prior_loss_weight). */
export function withClassImages(reg: SdClassImages, weight: number, job: SdTrainJob): SdTrainJob {
  if (!reg.images.length) return job;
  const first = job.images.length;
  const bucketOf = job.bucketOf ?? job.images.map(() => 0);
  return {
    ...job,
    images: [...job.images, ...reg.images],
    captions: [...job.captions, ...reg.captions],
    ...(job.buckets ? { bucketOf: [...bucketOf, ...reg.bucketOf] } : {}),
    ...(job.sizes ? { sizes: [...job.sizes, ...reg.sizes] } : {}),
    regIndices: reg.repeats.flatMap((n, k) => Array<number>(n).fill(first + k)),
    priorLossWeight: weight,
  };
}

/** The log line of a run's prior preservation. */
export function describeClassImages(reg: SdClassImages, weight: number, names: readonly string[]): string {
  const borrowed = reg.borrowedBy.length
    ? `; ${reg.borrowedBy.map((b) => names[b]).join(', ')} had none of its own and borrow them all`
    : '';
  return `prior preservation: ${reg.count} class image(s) (${reg.withRepeats} with repeats${reg.generated ? `, ${reg.generated} drawn by the base model` : ''}), prior-loss weight ${weight}, about half of each batch${borrowed}`;
}
