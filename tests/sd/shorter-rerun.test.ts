/**
 * QA F0 on the SD path: TrainLoRA on a tiny SD 1.5 checkpoint for 8 steps, then again in the same data folder with
 * 5 steps (what the loss diagnosis's "fewer steps may do" leads a user to). The runs share one state folder; the
 * shorter one must end with its own LoRA at step 5 and leave the longer run's later checkpoints in place.
 *
 *   LoadModel(sd15) ──────────────────────────────┐
 *   LoadImages ─> Caption ─> Resize(64) ─> TrainLoRA (8 steps) ; TrainLoRA (5 steps)
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import type { JsonValue } from '../../protocol/values';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';
import { tinyCheckpoint } from './fixtures';

jest.setTimeout(600_000);

let dataDir: string;
let model: JsonValue;
let dataset: JsonValue;

beforeAll(async () => {
  dataDir = tempDataDir('sd-shorter');
  const ctx = nodeContext(dataDir);
  await tinyCheckpoint(ctx.root, 'tiny-sd15.safetensors', { dtype: 'F16' });
  const dir = join(ctx.root, 'discs');
  mkdirSync(dir, { recursive: true });
  for (const [i, c] of ['#d22', '#2a2', '#22d'].entries()) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#fff"/><circle cx="${24 + 8 * i}" cy="32" r="18" fill="${c}"/></svg>`;
    writeFileSync(join(dir, `disc${i}.png`), await sharp(Buffer.from(svg)).png().toBuffer());
    writeFileSync(join(dir, `disc${i}.txt`), `disc, circle, colour ${i}\n`);
  }
  model = (await runNode(loadModelNode, { family: 'sd15', checkpoint: 'tiny-sd15.safetensors' }, {}, ctx)).model!;
  const loaded = await runNode(loadImages, { folder: 'discs' }, {}, ctx);
  const captioned = await runNode(caption, { mode: 'keep', trigger: 'xyz_disc' }, { dataset: loaded.dataset }, ctx);
  dataset = (await runNode(resize, { resolution: 64 }, { dataset: captioned.dataset }, ctx)).dataset!;
}, 120_000);

const TRAIN = {
  batch: 1,
  rank: 4,
  alpha: 4,
  learningRate: 0.01,
  checkpointEvery: 2,
  keepLast: 2,
  sampleEvery: 0,
  stepsPerRun: 1,
  loraCheck: false,
  captionDropout: 0,
  samplePrompts: [],
};
/** The checkpoint steps on disk in every LoRA state folder of the data folder. */
const stepsOnDisk = (): number[] => {
  const state = join(dataDir, 'state');
  return readdirSync(state)
    .filter((d) => d.startsWith('lora-'))
    .flatMap((d) => readdirSync(join(state, d)))
    .map((f) => /^step-(\d+)\.safetensors$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
};

it('an SD 1.5 rerun with fewer steps ends with its own LoRA and keeps the longer run’s later checkpoints', async () => {
  const long = await runNode(trainLoraNode, { ...TRAIN, steps: 8 }, { model, dataset }, nodeContext(dataDir));
  expect((long.lora as LoraValue).step).toBe(8);

  const short = await runNode(trainLoraNode, { ...TRAIN, steps: 5 }, { model, dataset }, nodeContext(dataDir));
  expect((short.lora as LoraValue).step).toBe(5);
  const picked = (short.checkpoints as LoraValue[]).map((c) => c.step ?? Infinity);
  expect(Math.max(...picked, (short.best as LoraValue).step ?? Infinity)).toBeLessThanOrEqual(5);
  expect(stepsOnDisk()).toEqual(expect.arrayContaining([4, 5, 6, 8]));
});
