/**
 * A `<lora:name:w>` tag naming no file, on an SD 1.5 model (QA-SD S8): the refusal said "loras/name.safetensors does
 * not exist" and "save it under loras/", but `loras/` starts at the first allowed folder (with `serve --allow
 * ~/datasets` that is ~/datasets/loras, not the data folder's loras), so the user could not tell where to put the
 * file. It now names the absolute path and says a LoRA elsewhere (ComfyUI's, A1111's) is connected through LoadLoRA.
 *
 *   [LoadModel sd15 tiny] --model--> [Sample prompts=["a cat <lora:missing:0.8>"]]
 */
import { join } from 'node:path';
import { loadModelNode } from '../../nodes/model/load-model';
import { sampleNode } from '../../nodes/model/sample';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { tinyCheckpoint } from './fixtures';

jest.setTimeout(60_000);

let ctx: TestNodeContext;
beforeAll(async () => {
  ctx = tempContext('sd-lora-tag');
  await tinyCheckpoint(ctx.root, 'tiny.safetensors', { dtype: 'F16' });
});
afterAll(() => ctx.cleanup());

test('the refusal names the absolute file a tag looks for, and LoadLoRA for LoRAs elsewhere', async () => {
  const { model } = await runNode(loadModelNode, { family: 'sd15', checkpoint: 'tiny.safetensors' }, {}, ctx);
  const failure = await runNode(
    sampleNode,
    { prompts: ['a cat <lora:missing:0.8>'], steps: 1, width: 64, height: 64 },
    { model },
    ctx,
  ).then(
    () => undefined,
    (e: unknown) => e as { message: string; hint?: string; param?: string },
  );
  const file = join(ctx.paths.roots[0]!, 'loras', 'missing.safetensors');
  expect(failure?.param).toBe('prompts');
  expect(failure?.message).toContain(
    `no connected LoRA is named "missing", and there is no missing.safetensors in ${join(ctx.paths.roots[0]!, 'loras')}`,
  );
  expect(failure?.hint).toMatch(/LoadLoRA .*ComfyUI's and A1111's LoRAs/);
  expect(failure?.hint).toContain(file);
});
