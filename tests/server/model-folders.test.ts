/** Model folders: loraflow's own, and ComfyUI or A1111 installs named with --models, with the files they hold. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, resolveConfig } from '../../server/config';
import { detectModelFolders, listModelFiles, modelFolders } from '../../server/model-folders';

function install(layout: Record<string, string[]>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-models-'));
  for (const [dir, files] of Object.entries(layout)) {
    fs.mkdirSync(path.join(root, dir), { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(root, dir, f), 'x'.repeat(10));
  }
  return root;
}

test('a ComfyUI install gives its checkpoints and loras folders, found from its root or its models folder', () => {
  const comfy = install({ 'models/checkpoints': ['sd15.safetensors'], 'models/loras/styles': ['ink.safetensors'] });
  const folders = detectModelFolders(comfy);
  expect(folders).toEqual([
    { kind: 'checkpoints', path: path.join(comfy, 'models/checkpoints'), source: 'ComfyUI' },
    { kind: 'loras', path: path.join(comfy, 'models/loras'), source: 'ComfyUI' },
  ]);
  expect(detectModelFolders(path.join(comfy, 'models'))).toEqual(folders);
  expect(listModelFiles(folders, 'loras')).toEqual([
    { path: path.join(comfy, 'models/loras/styles/ink.safetensors'), bytes: 10, source: 'ComfyUI' },
  ]);
});

test('an A1111 install is recognised by models/Stable-diffusion and models/Lora; other folders are refused by name', () => {
  const a1111 = install({ 'models/Stable-diffusion': ['v1-5.safetensors', 'notes.txt'], 'models/Lora': [] });
  expect(detectModelFolders(a1111).map((f) => [f.kind, f.source])).toEqual([
    ['checkpoints', 'A1111'],
    ['loras', 'A1111'],
  ]);
  expect(listModelFiles(detectModelFolders(a1111), 'checkpoints').map((f) => path.basename(f.path))).toEqual([
    'v1-5.safetensors',
  ]);
  const plain = install({ pictures: [] });
  expect(() => detectModelFolders(plain)).toThrow(/--models .*neither a ComfyUI install .* nor an A1111 one/);
});

test('--models adds the install’s folders to the allowed ones, after the data folder; a bad one stops start-up', () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-data-'));
  const comfy = install({ 'models/checkpoints': [], 'models/loras': [] });
  const config = resolveConfig({ data, models: [comfy] }, {});
  expect(config.roots).toEqual([data, path.join(comfy, 'models/checkpoints'), path.join(comfy, 'models/loras')]);
  expect(config.modelFolders.map((f) => f.source)).toEqual(['loraflow', 'loraflow', 'ComfyUI', 'ComfyUI']);
  expect(modelFolders(data, [])[1]).toEqual({ kind: 'loras', path: path.join(data, 'loras'), source: 'loraflow' });
  expect(() => resolveConfig({ data, models: [data] }, {})).toThrow(ConfigError);
});
