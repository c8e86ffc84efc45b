/**
 * The tiny SD runs on three captioned 64 px discs that several tests share (pivotal tuning, textual inversion,
 * SDXL samples as trained): the data folder, TrainLoRA's quick settings, and reading back samples as raw RGB.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import { loadModelNode } from '../../nodes/model/load-model';
import type { ImagesValue } from '../../nodes/model/model-value';
import type { JsonValue } from '../../protocol/values';
import { nodeContext, runNode, tempDataDir, type TestNodeContext } from '../support/node-context';

export const PROMPT = 'xyz_disc a flat disc';
/** Settings for 2 quick steps on the discs, sampling PROMPT at the end. */
export const DISC_TRAIN = {
  steps: 2,
  batch: 1,
  rank: 4,
  alpha: 2,
  learningRate: 0.02,
  checkpointEvery: 2,
  sampleEvery: 0,
  stepsPerRun: 2,
  validationImages: 0,
  loraCheck: false,
  captionDropout: 0,
  shuffleTags: false,
  seed: 5,
  samplePrompts: [PROMPT],
};

/** A data folder with the tiny checkpoint (written by `write`) and three captioned discs; MODEL and DATASET. */
export async function prepareDiscs(
  tag: string,
  family: 'sd15' | 'sdxl',
  write: (root: string, name: string) => Promise<string>,
): Promise<{ ctx: TestNodeContext; dataDir: string; model: JsonValue; dataset: JsonValue; checkpoint: string }> {
  const dataDir = tempDataDir(tag);
  const ctx = nodeContext(dataDir);
  const checkpoint = await write(ctx.root, 'tiny.safetensors');
  mkdirSync(join(ctx.root, 'discs'), { recursive: true });
  for (const [i, c] of ['#d22', '#2a2', '#22d'].entries()) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#fff"/><circle cx="${24 + 8 * i}" cy="32" r="18" fill="${c}"/></svg>`;
    writeFileSync(join(ctx.root, 'discs', `disc${i}.png`), await sharp(Buffer.from(svg)).png().toBuffer());
    writeFileSync(join(ctx.root, 'discs', `disc${i}.txt`), `a flat disc of colour ${i}\n`);
  }
  const model = (await runNode(loadModelNode, { family, checkpoint: 'tiny.safetensors' }, {}, ctx)).model!;
  const loaded = await runNode(loadImages, { folder: 'discs' }, {}, ctx);
  const captioned = await runNode(caption, { mode: 'keep', trigger: 'xyz_disc' }, { dataset: loaded.dataset }, ctx);
  const dataset = (await runNode(resize, { resolution: 64 }, { dataset: captioned.dataset }, ctx)).dataset!;
  return { ctx, dataDir, model, dataset, checkpoint };
}

/** Every image of a Sample node's output, as raw RGB. */
export const imagesOf = (ctx: TestNodeContext, out: Record<string, JsonValue>): Promise<Buffer[]> =>
  Promise.all(
    (out.images as unknown as ImagesValue).items.map((it) => sharp(ctx.artifacts.pathOf(it.image)).raw().toBuffer()),
  );

/** The last in-training sample (step `step`) as raw RGB at 64 px. */
export async function inTrainingSample(ctx: TestNodeContext, step: number): Promise<Buffer> {
  await new Promise((r) => setTimeout(r, 500)); // the sample grid's PNG is stored asynchronously
  const sampled = ctx.previews.find((p) => p.label === `step ${step}`);
  if (!sampled) throw new Error(`no in-training sample at step ${step}`);
  return sharp(ctx.artifacts.pathOf(sampled.ref)).resize(64, 64, { kernel: 'nearest' }).raw().toBuffer();
}
