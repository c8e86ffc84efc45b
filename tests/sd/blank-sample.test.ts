/**
 * QA S6-F17 on Stable Diffusion: Sample's SD path warns when images come out blank (NaN after an overflow) and not
 * on normal ones. A kohya LoRA with huge but finite weights on every module of a tiny SD 1.5 checkpoint really
 * draws black; its strength-0 row is the base model and stays unflagged.
 *
 *   LoadModel(tiny SD 1.5) ─> LoadLoRA(loras/huge.safetensors) ─> Sample (strengths 0, 1)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeKohya } from '../../ml/lora/file';
import { newSd15Adapters } from '../../ml/sd/lora-file';
import { sd15LoraModules } from '../../ml/sd/lora-names';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import { sampleNode } from '../../nodes/model/sample';
import type { JsonValue } from '../../protocol/values';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { tinyCheckpoint } from './fixtures';

jest.setTimeout(300_000);

let ctx: TestNodeContext;
let model: JsonValue;
const SAMPLE = { prompts: ['a photo of a cat', 'a red apple'], steps: 3, guidance: 5, width: 64, height: 64, seed: 3 };

beforeAll(async () => {
  ctx = tempContext('sd-blank');
  await tinyCheckpoint(ctx.root, 'tiny-sd15.safetensors', { dtype: 'F16' });
  model = (await runNode(loadModelNode, { family: 'sd15', checkpoint: 'tiny-sd15.safetensors' }, {}, ctx)).model!;
  // Every UNet and text-encoder module of the tiny model, its up factors far beyond what float32 sums survive.
  const adapters = newSd15Adapters(sd15LoraModules(TINY_SD15_WIDTHS), 4, 4, 1).map((a) => ({
    ...a,
    up: Float32Array.from(a.up, (_, i) => 1e30 * Math.sin(i * 0.7 + 1)),
  }));
  mkdirSync(join(ctx.root, 'loras'), { recursive: true });
  writeFileSync(join(ctx.root, 'loras', 'huge.safetensors'), encodeKohya(adapters, {}, 'F32'));
}, 300_000);
afterAll(() => ctx.cleanup());

const blankWarnings = () => ctx.warnings.filter((w) => /blank/.test(w));

test('normal SD images raise nothing; a LoRA row drawn black is named, with the cause', async () => {
  await runNode(sampleNode, SAMPLE, { model }, ctx);
  expect(blankWarnings()).toEqual([]);

  const huge = (await runNode(loadLoraNode, { file: 'loras/huge.safetensors', strength: 1 }, { model }, ctx)).lora!;
  await runNode(sampleNode, { ...SAMPLE, loraStrengths: ['0', '1'] }, { model, loras: [huge] }, ctx);
  const [warning, ...more] = blankWarnings();
  expect(more).toEqual([]);
  expect(warning).toMatch(/^2 of 4 images are blank, one colour from edge to edge: /);
  expect(warning).toContain('image 1 "a photo of a cat" [huge@1] (all black)');
  expect(warning).toMatch(/Only images with a LoRA are blank/);
});
