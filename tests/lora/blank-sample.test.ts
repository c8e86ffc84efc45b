/**
 * QA S6-F17: a Sample (or the LoRA check) whose images came out blank (one colour from edge to edge: NaN from an
 * overflow) said nothing. A LoRA with huge but finite weights (what a learning rate far too high leaves; NaN files
 * are refused at reading, nan-lora.test.ts) really draws black on the tiny model; the node now warns, naming the
 * images, the cause and what to try. Normal images, of the tiny model and of the shipped one, raise nothing.
 *
 *   LoadModel(tiny) ─> LoadLoRA(loras/huge.safetensors) ─> Sample (strengths 0, 1) / LoRACheck
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TINY_CONFIG } from '../../ml/dit/config';
import { defaultLoraTargets } from '../../ml/dit/kohya';
import { Rng } from '../../ml/dit/rng';
import { writeKohya } from '../../ml/lora/file';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { loraCheckNode } from '../../nodes/lora/lora-check';
import { loadModelNode } from '../../nodes/model/load-model';
import { SHIPPED_WEIGHTS } from '../../nodes/model/model-value';
import { sampleNode } from '../../nodes/model/sample';
import type { JsonValue } from '../../protocol/values';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';
import { writeTinyModel } from './fixtures';

jest.setTimeout(120_000);

let dataDir: string;
let model: JsonValue;
let huge: JsonValue;
beforeAll(async () => {
  dataDir = tempDataDir('blank');
  const ctx = nodeContext(dataDir);
  await writeTinyModel(join(dataDir, 'root', 'tiny.safetensors'));
  model = (await runNode(loadModelNode, { file: 'tiny.safetensors' }, {}, ctx)).model!;
  const rng = new Rng(3);
  const adapters = defaultLoraTargets(TINY_CONFIG).map((m) => ({
    module: m.name,
    rank: 2,
    alpha: 2,
    in: m.in,
    out: m.out,
    down: rng.fillNormal(new Float32Array(2 * m.in), 1),
    up: rng.fillNormal(new Float32Array(m.out * 2), 1e30),
  }));
  mkdirSync(join(dataDir, 'root', 'loras'), { recursive: true });
  await writeKohya(join(dataDir, 'root', 'loras', 'huge.safetensors'), adapters, {}, 'F32');
  huge = (await runNode(loadLoraNode, { file: 'loras/huge.safetensors', strength: 1 }, { model }, ctx)).lora!;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const blankWarnings = (warnings: readonly string[]) => warnings.filter((w) => /blank/.test(w));
const prompts = ['red apple, noto style', 'grinning face, fluent style'];

test('Sample warns when the LoRA rows come out blank, naming them; the base row is fine', async () => {
  const ctx = nodeContext(dataDir);
  await runNode(sampleNode, { prompts, steps: 3, loraStrengths: ['0', '1'] }, { model, loras: [huge] }, ctx);
  const [warning, ...more] = blankWarnings(ctx.warnings);
  expect(more).toEqual([]);
  expect(warning).toMatch(/^2 of 4 images are blank, one colour from edge to edge: /);
  expect(warning).toContain('image 1 "red apple, noto style" [huge@1] (all black)');
  expect(warning).toContain('image 2 "grinning face, fluent style" [huge@1] (all black)');
  expect(warning).toMatch(/Only images with a LoRA are blank/);
  expect(warning).toMatch(/lower LoRA strength .* or an earlier checkpoint, or retrain with a lower learning rate/);
});

test('the LoRA check warns about its blank cells', async () => {
  const ctx = nodeContext(dataDir);
  await runNode(
    loraCheckNode,
    { prompts: ['cat', 'sun'], trigger: 'xyz', strengths: ['1'], steps: 2 },
    { model, loras: [huge] },
    ctx,
  );
  const [warning] = blankWarnings(ctx.warnings);
  expect(warning).toMatch(/^LoRA check: 4 of 8 images are blank/);
  expect(warning).toContain('huge @ 1 "xyz, cat" (all black)');
  expect(warning).toMatch(/Only images with a LoRA are blank/);
});

test('normal images raise no blank warning (the tiny model, and the shipped one where it exists)', async () => {
  const ctx = nodeContext(dataDir);
  await runNode(sampleNode, { prompts, steps: 3 }, { model }, ctx);
  expect(blankWarnings(ctx.warnings)).toEqual([]);
  if (!existsSync(SHIPPED_WEIGHTS)) return;
  const shipped = (await runNode(loadModelNode, { file: '' }, {}, ctx)).model!;
  const many = ['red heart', 'sun', 'alarm clock', 'snowman', 'stop sign', 'crown', 'birthday cake', 'cat face'];
  await runNode(sampleNode, { prompts: many, steps: 12 }, { model: shipped }, ctx);
  expect(blankWarnings(ctx.warnings)).toEqual([]);
});
