/**
 * In-training SDXL samples agree with what a loader draws from the saved file (the complaint users have when
 * in-training samples and ComfyUI disagree):
 *
 *   LoadModel(sdxl) ─┬──────────────────────────────────────────────────────────────┬─> Sample (the same settings)
 *   LoadImages ─> Caption ─> Resize(64) ─> TrainLoRA ─> SaveCheckpoint (fp16) ─> LoadLoRA ┘
 *                                          └─> its in-training sample at the last step
 *
 * TrainLoRA samples with its adapters rounded to fp16, as the saved file holds them, and ΔW = alpha/rank · up·down:
 * the Sample node on the loaded file, and on a `<lora:name:1>` tag, gives the same image to the byte.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import type { ImagesValue } from '../../nodes/model/model-value';
import { sampleNode } from '../../nodes/model/sample';
import type { JsonValue } from '../../protocol/values';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';
import { tinySdxlCheckpoint } from './fixtures';

jest.setTimeout(900_000);

const PROMPT = 'xyz_disc a flat disc';
const TRAIN = {
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

test('the last in-training sample is, to the byte, what Sample draws from the saved fp16 file', async () => {
  const dataDir = tempDataDir('sdxl-as-trained');
  const ctx = nodeContext(dataDir);
  await tinySdxlCheckpoint(ctx.root, 'tiny-sdxl.safetensors', { dtype: 'F16' });
  mkdirSync(join(ctx.root, 'discs'), { recursive: true });
  for (const [i, c] of ['#d22', '#2a2', '#22d'].entries()) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#fff"/><circle cx="${24 + 8 * i}" cy="32" r="18" fill="${c}"/></svg>`;
    writeFileSync(join(ctx.root, 'discs', `disc${i}.png`), await sharp(Buffer.from(svg)).png().toBuffer());
    writeFileSync(join(ctx.root, 'discs', `disc${i}.txt`), `a flat disc of colour ${i}\n`);
  }
  const model = (await runNode(loadModelNode, { family: 'sdxl', checkpoint: 'tiny-sdxl.safetensors' }, {}, ctx)).model!;
  const loaded = await runNode(loadImages, { folder: 'discs' }, {}, ctx);
  const captioned = await runNode(caption, { mode: 'keep', trigger: 'xyz_disc' }, { dataset: loaded.dataset }, ctx);
  const dataset = (await runNode(resize, { resolution: 64 }, { dataset: captioned.dataset }, ctx)).dataset!;

  const trained = await runNode(trainLoraNode, TRAIN, { model, dataset }, ctx);
  await new Promise((r) => setTimeout(r, 500)); // the sample grid's PNG is stored asynchronously
  const sampled = ctx.previews.find((p) => p.label === 'step 2');
  expect(sampled).toBeDefined();
  const inTraining = await sharp(ctx.artifacts.pathOf(sampled!.ref))
    .resize(64, 64, { kernel: 'nearest' })
    .raw()
    .toBuffer();

  await runNode(saveCheckpointNode, { folder: 'loras', name: 'discs' }, { lora: trained.lora! }, ctx);
  const lora = (await runNode(loadLoraNode, { file: 'loras/discs.safetensors', strength: 1 }, { model }, ctx)).lora!;
  const asTrained = { prompts: [PROMPT], steps: 20, guidance: 7, seed: TRAIN.seed, width: 64, height: 64 };
  const image = async (out: Record<string, JsonValue>) =>
    sharp(ctx.artifacts.pathOf((out.images as unknown as ImagesValue).items[0]!.image))
      .raw()
      .toBuffer();
  const fromFile = await image(
    await runNode(sampleNode, { ...asTrained, loraStrengths: ['1'] }, { model, loras: [lora] }, ctx),
  );
  expect(fromFile.equals(inTraining)).toBe(true);
  const viaTag = await image(
    await runNode(sampleNode, { ...asTrained, prompts: [`${PROMPT} <lora:discs:1>`] }, { model }, ctx),
  );
  expect(viaTag.equals(inTraining)).toBe(true);
  const base = await image(await runNode(sampleNode, asTrained, { model }, ctx));
  expect(base.equals(inTraining)).toBe(false); // the LoRA is in the image
});
