/**
 * A `<lora:name:w>` tag naming an SD 1.5 LoRA in a prompt for an SDXL model (QA-SD S8): the refusal named the file
 * and the families but came from the sampling worker as a bare error, with no "what to do" and no parameter, so the
 * editor could not point at the prompt. It now says to choose a LoRA trained for SDXL, on Sample's prompts.
 *
 *   [LoadModel sdxl tiny] --model--> [Sample prompts=["a cat <lora:sd15-style:0.5>"]]   (loras/sd15-style.safetensors)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeKohya } from '../../ml/lora/file';
import { newSd15Adapters } from '../../ml/sd/lora-file';
import { sd15LoraModules } from '../../ml/sd/lora-names';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { loadModelNode } from '../../nodes/model/load-model';
import { sampleNode } from '../../nodes/model/sample';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { tinySdxlCheckpoint } from './fixtures';

jest.setTimeout(120_000);

let ctx: TestNodeContext;
beforeAll(async () => {
  ctx = tempContext('sd-tag-family');
  await tinySdxlCheckpoint(ctx.root, 'tiny-xl.safetensors', { dtype: 'F16' });
  mkdirSync(join(ctx.root, 'loras'), { recursive: true });
  const sd15 = encodeKohya(newSd15Adapters(sd15LoraModules(TINY_SD15_WIDTHS), 4, 4, 1), {}, 'F16');
  writeFileSync(join(ctx.root, 'loras', 'sd15-style.safetensors'), sd15);
});
afterAll(() => ctx.cleanup());

test('an SD 1.5 LoRA named by a tag on an SDXL model is refused on prompts, saying what to choose', async () => {
  const { model } = await runNode(loadModelNode, { family: 'sdxl', checkpoint: 'tiny-xl.safetensors' }, {}, ctx);
  const failure = await runNode(
    sampleNode,
    { prompts: ['a cat <lora:sd15-style:0.5>'], steps: 1, width: 64, height: 64 },
    { model },
    ctx,
  ).then(
    () => undefined,
    (e: unknown) => e as { message: string; hint?: string; param?: string },
  );
  expect(failure?.message).toMatch(/sd15-style\.safetensors is an SD 1\.5 LoRA .* the model is SDXL/);
  expect(failure?.param).toBe('prompts');
  expect(failure?.hint).toMatch(/trained for SDXL/);
});
