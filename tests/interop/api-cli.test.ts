/**
 * Import and export as a user reaches them: `loraflow import` / `loraflow export` on the command line and
 * POST /api/import, /api/export on a real server. Imported paths are kept as given; one outside the allowed
 * folders is an error naming the node and parameter, and a run refuses it too.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ImportResponse, ExportResponse } from '../../protocol/interop/types';
import { runLoraflow, type ServerProcess, startServer, tempDir } from '../server/harness';
import { FIXTURES } from './fixtures';

const loraflow = (args: string[]) => runLoraflow(args);

const dir = tempDir('loraflow-interop-');
const data = path.join(dir, 'data');

test('loraflow import writes the workflow and prints what was mapped and ignored; export writes the kohya files', async () => {
  const wf = path.join(dir, 'character.json');
  const imported = await loraflow(['import', path.join(FIXTURES, 'sdxl-character.toml'), '-o', wf, '--data', data]);
  expect(imported.stderr).toBe('');
  expect(imported.code).toBe(0);
  expect(imported.stdout).toMatch(/network_dim -> TrainLoRA\.rank = 32/);
  expect(imported.stdout).toMatch(/num_repeats -> LoadImages\.repeats = 10/);
  expect(imported.stdout).toMatch(/noise_offset -> TrainLoRA\.noiseOffset = 0\.0357/);
  expect(imported.stdout).toMatch(/cache_latents = true: not supported, ignored/);
  const saved = JSON.parse(fs.readFileSync(wf, 'utf8')) as { nodes: { type: string }[] };
  expect(saved.nodes.map((n) => n.type)).toContain('TrainLoRA');

  const out = path.join(dir, 'kohya');
  const exported = await loraflow(['export', wf, '--to', 'kohya', '-o', out, '--family', 'sdxl']);
  expect(exported.code).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual([
    'sks_woman_xl.toml',
    'sks_woman_xl_dataset.toml',
    'sks_woman_xl_prompts.txt',
  ]);
  expect(fs.readFileSync(path.join(out, 'sks_woman_xl.toml'), 'utf8')).toMatch(/sdxl_train_network\.py/);

  const again = await loraflow([
    'import',
    path.join(out, 'sks_woman_xl.toml'),
    '-o',
    path.join(dir, 'again.json'),
    '--data',
    data,
  ]);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/network_dim -> TrainLoRA\.rank = 32/);
});

test('an imported absolute path outside the allowed folders is an error naming the node and parameter, kept as given', async () => {
  const config = path.join(dir, 'outside.toml');
  fs.writeFileSync(config, 'train_data_dir = "/etc"\nnetwork_dim = 8\n');
  const wf = path.join(dir, 'outside.json');
  const r = await loraflow(['import', config, '-o', wf, '--data', data]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    /error: node "images" \(LoadImages\), parameter "folder": "\/etc" is outside the allowed folders/,
  );
  const saved = JSON.parse(fs.readFileSync(wf, 'utf8')) as { nodes: { id: string; params: { folder?: string } }[] };
  expect(saved.nodes.find((n) => n.id === 'images')?.params.folder).toBe('/etc'); // not rewritten
  const run = await loraflow(['run', wf, '--data', data]);
  expect(run.code).toBe(1);
  expect(run.stdout + run.stderr).toMatch(/folder.*"\/etc" is outside the allowed folders/);
});

describe('REST', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(path.join(dir, 'server-data'));
  });
  afterAll(() => server.stop());

  const post = async (route: string, body: unknown) => {
    const res = await fetch(`${server.url}/api/${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  };
  const read = (name: string) => ({ name, text: fs.readFileSync(path.join(FIXTURES, name), 'utf8') });

  test('POST /api/import returns the workflow and the summary; POST /api/export returns the files', async () => {
    const imported = await post('import', {
      ...read('sdxl-character.toml'),
      files: [read('sdxl-character_dataset.toml'), read('sdxl-character_prompts.txt')],
    });
    expect(imported.status).toBe(200);
    const body = imported.json as ImportResponse;
    expect(body.summary.mapped.find((m) => m.setting.endsWith('subsets[0].num_repeats'))?.value).toBe(10);
    expect(body.pathProblems).toEqual([]);
    expect(body.workflow.nodes.find((n) => n.type === 'Sample')?.params.seed).toBe(42);

    const exported = await post('export', { workflow: body.workflow, to: 'ai-toolkit', family: 'sdxl' });
    expect(exported.status).toBe(200);
    const files = (exported.json as ExportResponse).files;
    expect(files.map((f) => f.name)).toEqual(['sks_woman_xl.yaml']);
    expect(files[0]!.text).toMatch(/is_xl: true/);
  });

  test('the REST import names a missing companion and a path outside the allowed folders; bad bodies get a 400', async () => {
    const r = await post('import', {
      name: 'c.toml',
      text: 'dataset_config = "d.toml"\npretrained_model_name_or_path = "/etc/m.safetensors"\n',
    });
    const body = r.json as ImportResponse;
    expect(body.summary.ignored.find((i) => i.setting === 'dataset_config')?.reason).toMatch(
      /not given with the config/,
    );
    expect(body.pathProblems).toEqual([expect.objectContaining({ nodeId: 'model', path: '/etc/m.safetensors' })]);
    expect((await post('import', { name: 'x.toml', text: 'a = [' })).status).toBe(400);
    expect((await post('import', { text: 'a = 1' })).status).toBe(400);
    expect((await post('export', { workflow: body.workflow, to: 'onetrainer' })).status).toBe(400);
  });
});
