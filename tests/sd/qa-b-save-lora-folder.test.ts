/**
 * QA (helper B): Save LoRA's default folder "loras" resolved against the first allowed folder, so `loraflow run
 * --allow ~/project` wrote the LoRA into ~/project/loras, where no picker and no ComfyUI looks. The default is now
 * the LoRA folder: <data>/loras, or with --models the install's (ComfyUI's models/loras), whatever --allow says.
 * "./loras" still names a loras folder in the first allowed folder.
 *
 *   [LoadModel sd15 tiny] --model--> [LoadLoRA ink.safetensors] --lora--> [SaveCheckpoint {folder default}]
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

let project: string;
let comfy: string;
let checkpoint: string;
let lora: string;

beforeAll(async () => {
  project = tempDir('save-project');
  comfy = tempDir('save-comfy');
  fs.mkdirSync(path.join(comfy, 'models/loras'), { recursive: true });
  checkpoint = await tinyCheckpoint(project, 'tiny.safetensors', { dtype: 'F16' });
  lora = path.join(project, 'ink.safetensors');
  fs.writeFileSync(lora, encodeKohya(newSd15Adapters(sd15LoraModules(TINY_SD15_WIDTHS), 4, 4, 1), {}, 'F16'));
});

function writeWorkflow(saveParams: Record<string, string>): string {
  const wf = workflow(
    'save',
    [
      ['load', 'LoadModel', { family: 'sd15', checkpoint }],
      ['lora', 'LoadLoRA', { file: lora }],
      ['save', 'SaveCheckpoint', { name: 'saved', ...saveParams }],
    ],
    ['load.model->lora.model', 'lora.lora->save.lora'],
  );
  const file = path.join(project, `wf-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(wf));
  return file;
}

test('with --allow, the default folder is the data folder’s loras, not the allowed folder’s', async () => {
  const data = tempDir('save-data');
  const cases: Record<string, string>[] = [{}, { folder: 'loras' }, { folder: 'loras/' }];
  for (const saveParams of cases) {
    const res = await runLoraflow(['run', writeWorkflow(saveParams), '--data', data, '--allow', project]);
    expect({ saveParams, code: res.code, out: res.stdout + res.stderr }).toEqual({
      saveParams,
      code: 0,
      out: expect.any(String),
    });
    expect(fs.existsSync(path.join(data, 'loras', 'saved.safetensors'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'loras'))).toBe(false);
    fs.rmSync(path.join(data, 'loras', 'saved.safetensors'));
  }
  // "./loras" is the allowed folder's own.
  const res = await runLoraflow(['run', writeWorkflow({ folder: './loras' }), '--data', data, '--allow', project]);
  expect(res.code).toBe(0);
  expect(fs.existsSync(path.join(project, 'loras', 'saved.safetensors'))).toBe(true);
});

test('with --models, the default folder is the install’s LoRA folder', async () => {
  const data = tempDir('save-data');
  const res = await runLoraflow(['run', writeWorkflow({}), '--data', data, '--allow', project, '--models', comfy]);
  expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  expect(fs.existsSync(path.join(comfy, 'models/loras', 'saved.safetensors'))).toBe(true);
  expect(fs.existsSync(path.join(data, 'loras', 'saved.safetensors'))).toBe(false);
});
