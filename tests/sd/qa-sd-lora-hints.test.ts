/**
 * LoadLoRA on an SD 1.5 model with the files users pick by mistake (QA-SD S8): a truncated download and a base
 * checkpoint. The hint said "choose a LoRA trained for SD 1.5" for both, which is no help for a damaged LoRA of the
 * right family; it now says what to do about the file itself.
 *
 *   [LoadModel sd15 tiny] --model--> [LoadLoRA file=<truncated LoRA | the checkpoint itself>]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeKohya } from '../../ml/lora/file';
import { newSd15Adapters } from '../../ml/sd/lora-file';
import { sd15LoraModules } from '../../ml/sd/lora-names';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { tinyCheckpoint } from './fixtures';

jest.setTimeout(60_000);

let ctx: TestNodeContext;
let model: unknown;
beforeAll(async () => {
  ctx = tempContext('sd-lora-hints');
  await tinyCheckpoint(ctx.root, 'tiny.safetensors', { dtype: 'F16' });
  const lora = encodeKohya(newSd15Adapters(sd15LoraModules(TINY_SD15_WIDTHS), 4, 4, 1), {}, 'F16');
  writeFileSync(join(ctx.root, 'style.safetensors'), lora);
  writeFileSync(join(ctx.root, 'half.safetensors'), lora.subarray(0, Math.floor(lora.length / 2)));
  model = (await runNode(loadModelNode, { family: 'sd15', checkpoint: 'tiny.safetensors' }, {}, ctx)).model;
});
afterAll(() => ctx.cleanup());

const refusal = async (file: string) => {
  try {
    await runNode(loadLoraNode, { file, strength: 1 }, { model: model as never }, ctx);
  } catch (e) {
    return e as { message: string; hint?: string; param?: string };
  }
  throw new Error(`${file} was loaded`);
};

test('a truncated LoRA: the hint says the file is damaged, not to choose another family', async () => {
  expect(readFileSync(join(ctx.root, 'style.safetensors')).length).toBeGreaterThan(1000);
  const e = await refusal('half.safetensors');
  expect(e.param).toBe('file');
  expect(e.message).toMatch(/half\.safetensors.*truncated/);
  expect(e.hint).toMatch(/damaged or incomplete: download it again or save it again/);
  expect(e.hint).not.toMatch(/trained for SD 1\.5/);
});

test('a base checkpoint given as the LoRA: the hint says to choose it in LoadModel', async () => {
  const e = await refusal('tiny.safetensors');
  expect(e.message).toMatch(/tiny\.safetensors: not a LoRA file/);
  expect(e.hint).toMatch(/a base checkpoint.*LoadModel's Checkpoint/);
});
