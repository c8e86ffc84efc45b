/**
 * `<lora:name:w>` tags and `--models` installs (QA-SD, helper A): `loraflow run --models <ComfyUI>` offered the
 * install's LoRAs in LoadLoRA's picker, but a tag in Sample's prompts looked only in `loras/` under the first
 * allowed folder, so `<lora:ink:0.8>` with ComfyUI's models/loras/ink.safetensors failed as "does not exist". Tags
 * now look there too (and in subfolders, by file name, as A1111 and ComfyUI's tag loaders do), and a tag found
 * nowhere names the tag, the node and every folder searched.
 *
 *   [LoadModel sd15 <ComfyUI>/models/checkpoints/tiny.safetensors] --model--> [Sample "a cat <lora:…:0.8>"]
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeKohya } from '../../ml/lora/file';
import { newSd15Adapters } from '../../ml/sd/lora-file';
import { sd15LoraModules } from '../../ml/sd/lora-names';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { runLoraflow, workflow } from '../server/harness';
import { tempDir, tinyCheckpoint } from './fixtures';

jest.setTimeout(240_000);

let comfy: string;
let a1111: string;
let data: string;
let checkpoint: string;

beforeAll(async () => {
  comfy = tempDir('tag-comfy');
  a1111 = tempDir('tag-a1111');
  data = tempDir('tag-data');
  for (const dir of ['models/checkpoints', 'models/loras/styles'])
    fs.mkdirSync(path.join(comfy, dir), { recursive: true });
  fs.mkdirSync(path.join(a1111, 'models/Lora'), { recursive: true });
  checkpoint = await tinyCheckpoint(path.join(comfy, 'models/checkpoints'), 'tiny.safetensors', { dtype: 'F16' });
  const lora = encodeKohya(newSd15Adapters(sd15LoraModules(TINY_SD15_WIDTHS), 4, 4, 1), {}, 'F16');
  fs.writeFileSync(path.join(comfy, 'models/loras/ink.safetensors'), lora);
  fs.writeFileSync(path.join(comfy, 'models/loras/styles/watercolour.safetensors'), lora);
  fs.writeFileSync(path.join(a1111, 'models/Lora/pencil.safetensors'), lora);
});

function writeWorkflow(prompt: string): string {
  const wf = workflow(
    'tags',
    [
      ['load', 'LoadModel', { family: 'sd15', checkpoint }],
      ['sample', 'Sample', { prompts: [prompt], steps: 1, width: 64, height: 64, previewEvery: 0 }],
    ],
    ['load.model->sample.model'],
  );
  const file = path.join(data, `wf-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(wf));
  return file;
}

const models = () => ['--data', data, '--models', comfy, '--models', a1111];

test("tags find LoRAs in the --models installs' LoRA folders (ComfyUI's, its subfolders, A1111's)", async () => {
  const file = writeWorkflow('a cat <lora:ink:0.8> <lora:watercolour:0.5> <lora:pencil>');
  const res = await runLoraflow(['run', file, ...models()]);
  expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  expect(res.stderr).not.toMatch(/does not exist|not found/);
});

test('a tag found nowhere names the tag, the node and every folder searched', async () => {
  const file = writeWorkflow('a cat <lora:missing:0.8>');
  const res = await runLoraflow(['run', file, ...models()]);
  expect(res.code).toBe(1);
  const text = res.stdout + res.stderr;
  expect(text).toContain('<lora:missing:0.8>');
  expect(text).toMatch(/Sample "sample"/);
  for (const folder of [path.join(data, 'loras'), path.join(comfy, 'models/loras'), path.join(a1111, 'models/Lora')])
    expect(text).toContain(folder);
});
