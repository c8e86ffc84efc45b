/**
 * The LoRA check on Stable Diffusion, on generated tiny checkpoints (64 px, few steps):
 *
 *   LoadModel(sdxl) ──┬───────────────────────────────────────────────┐
 *   LoadImages ─> Caption ─> Resize(64) ─> TrainLoRA(loraCheck) ─ checkpoints ─> LoRACheck ─> best, grid, report
 *   LoadModel(sd15) ... ─> TrainLoRA(loraCheck, default prompts)
 *
 * TrainLoRA on SDXL and SD 1.5 ends with the same check section as on the emoji model (the figures per checkpoint x
 * strength, the findings, the labelled grid) and its `best` is the check's pick at the check's strength; on SD the
 * default check draws 2 prompts. LoRACheck checks SDXL checkpoints and refuses an SD 1.5 LoRA on an SDXL model.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { loraCheckNode } from '../../nodes/lora/lora-check';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import type { ArtifactRef, JsonValue } from '../../protocol/values';
import { tinyCheckpoint, tinySdxlCheckpoint } from '../sd/fixtures';
import { prepareTraining, writeThreeDiscs } from '../sd/training-setup';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';

jest.setTimeout(900_000);

let ctx: TestNodeContext;
let dataset: JsonValue;

const TRAIN = {
  steps: 4,
  batch: 1,
  rank: 4,
  alpha: 4,
  learningRate: 0.01,
  checkpointEvery: 2,
  keepLast: 2,
  sampleEvery: 0,
  stepsPerRun: 2,
  validationImages: 0,
  captionDropout: 0,
  shuffleTags: false,
  samplePrompts: [],
  loraCheck: true,
  checkPrompts: ['a disc', 'a square'],
  checkStrengths: ['1.0'],
};

/** The check's table rows in the log: `step N @ s: effect …` (the best marked `*`). */
const rows = (logs: string) => [...logs.matchAll(/^(\*| ) step (\d+) @ ([\d.]+): effect [\d.]+/gm)];

beforeAll(async () => {
  ctx = tempContext('sd-train-check');
  await tinySdxlCheckpoint(ctx.root, 'tiny-xl.safetensors', { dtype: 'F16' });
  await tinyCheckpoint(ctx.root, 'tiny-sd15.safetensors', { dtype: 'F16' });
  await writeThreeDiscs(join(ctx.root, 'discs'));
  const resize = { resolution: 64, mode: 'center-crop' };
  ({ dataset } = await prepareTraining(ctx, {
    family: 'sd15',
    checkpoint: 'tiny-sd15.safetensors',
    folder: 'discs',
    trigger: 'xyz_disc',
    resize,
  }));
}, 300_000);
afterAll(() => ctx.cleanup());

describe('the LoRA check on SDXL', () => {
  let model: JsonValue;
  let checkpoints: LoraValue[];

  beforeAll(async () => {
    model = (await runNode(loadModelNode, { family: 'sdxl', checkpoint: 'tiny-xl.safetensors' }, {}, ctx)).model!;
  });

  it("TrainLoRA ends with the check: figures per checkpoint, findings, the grid, and the check's pick as best", async () => {
    const before = ctx.logs.length;
    const out = await runNode(trainLoraNode, TRAIN, { model, dataset }, ctx);
    const logs = ctx.logs.slice(before).join('\n');
    // 2 checkpoints x 1 strength and the base model, 2 prompts with and without the trigger, the base once more.
    expect(logs).toMatch(/LoRA check: 14 images of 12 steps/);
    expect(logs).toMatch(/LoRA check \(14 images in \d+ s\) on 2 prompts unlike the training captions/);
    const table = rows(logs);
    expect(table.map((r) => `${r[2]}@${r[3]}`)).toEqual(['2@1', '4@1']);
    expect(table.filter((r) => r[1] === '*')).toHaveLength(1);
    expect(logs).toMatch(/^(ok|finding): /m);
    expect(logs).not.toMatch(/the LoRA check is not run yet/);
    const grid = ctx.previews.find((p) => /^LoRA check: rows checkpoint @ strength/.test(p.label ?? ''));
    expect(grid).toBeDefined();
    const best = out.best as unknown as LoraValue;
    const picked = table.find((r) => r[1] === '*')!;
    expect(best).toMatchObject({ family: 'sdxl', step: Number(picked[2]), strength: 1 });
    checkpoints = out.checkpoints as unknown as LoraValue[];
    expect(checkpoints.map((c) => c.step)).toEqual([2, 4]);
  });

  it('LoRACheck checks SDXL checkpoints against the SDXL model and picks one of them', async () => {
    const out = await runNode(
      loraCheckNode,
      { prompts: ['a disc', 'a square'], strengths: ['0.5', '1.0'], steps: 3, size: 64 },
      { model, checkpoints: checkpoints as unknown as JsonValue },
      ctx,
    );
    const report = out.report as string;
    expect(report).toMatch(/\(22 images in \d+ s\) on 2 prompts/); // (2 x 2 + 1) x 4 + 2
    expect(rows(report).map((r) => `${r[2]}@${r[3]}`)).toEqual(['2@0.5', '2@1', '4@0.5', '4@1']);
    expect((out.best as unknown as LoraValue).family).toBe('sdxl');
    const meta = await sharp(ctx.artifacts.pathOf(out.grid as ArtifactRef)).metadata();
    expect(meta.height).toBeGreaterThan(5 * 64); // base + 4 rows of 64 px tiles
  });

  it('refuses an SD 1.5 LoRA on the SDXL model and a size SDXL cannot draw, naming the input', async () => {
    const sd15 = checkpoints.map((c) => ({ ...c, family: 'sd15' }));
    await expect(
      runNode(loraCheckNode, { size: 64 }, { model, loras: sd15 as unknown as JsonValue }, ctx),
    ).rejects.toMatchObject({
      param: 'loras',
      message: expect.stringMatching(/made for SD 1\.5, the model is an SDXL checkpoint/),
    });
    await expect(
      runNode(loraCheckNode, { size: 96 }, { model, checkpoints: checkpoints as unknown as JsonValue }, ctx),
    ).rejects.toMatchObject({ param: 'size', message: expect.stringMatching(/multiple of 64 for SDXL/) });
  });
});

it('TrainLoRA on SD 1.5 ends with the check too, on 2 SD prompts by default', async () => {
  const model = (await runNode(loadModelNode, { family: 'sd15', checkpoint: 'tiny-sd15.safetensors' }, {}, ctx)).model!;
  const before = ctx.logs.length;
  const run = { ...TRAIN, steps: 2, checkPrompts: [], checkStrengths: ['0.7', '1.0'] };
  const out = await runNode(trainLoraNode, run, { model, dataset }, ctx);
  const logs = ctx.logs.slice(before).join('\n');
  expect(logs).toMatch(/LoRA check: 14 images of 12 steps \(1 checkpoint\(s\) x 2 strength\(s\)/); // (1 x 2 + 1) x 4 + 2
  expect(rows(logs).map((r) => `${r[2]}@${r[3]}`)).toEqual(['2@0.7', '2@1']);
  expect(out.best).toMatchObject({ family: 'sd15', step: 2 });
  expect([0.7, 1]).toContain((out.best as unknown as LoraValue).strength);
});
