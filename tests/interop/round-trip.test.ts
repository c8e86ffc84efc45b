/**
 * Round trips on the tools' own formats: import a config, export the workflow back to that tool, import the
 * exported files: every node parameter is the same. Plus what the exported files say at the top and what an
 * export warns about.
 */
import { companionsFrom, exportWorkflow, importConfig, type ExportTarget } from '../../protocol/interop';
import { parseWorkflow } from '../../protocol/workflow-io';
import fs from 'node:fs';
import path from 'node:path';
import { effectiveParams, importFixture, modelPath, schemas } from './fixtures';

function reimport(name: string, target: ExportTarget) {
  const first = importFixture(name);
  const exported = exportWorkflow(first.workflow, target, schemas);
  const main = exported.files[0]!;
  const second = importConfig(main, schemas, companionsFrom(exported.files));
  return { first, exported, second };
}

test.each<[string, ExportTarget]>([
  ['sdxl-character.toml', 'kohya'],
  ['sd15-folder.toml', 'kohya'],
  ['kohya_ss-sdxl.json', 'kohya'],
  ['aitoolkit-flux.yaml', 'ai-toolkit'],
])('%s: import -> export to %s -> import gives the same settings', (name, target) => {
  const { first, second } = reimport(name, target);
  const [a, b] = [effectiveParams(first.workflow), effectiveParams(second.workflow)];
  expect(modelPath(second.workflow)).toBe(modelPath(first.workflow));
  // An sd-scripts TOML does not say the family (the script does): LoadModel's family choice may differ for SDXL.
  if (name === 'kohya_ss-sdxl.json') [a.model, b.model] = [{}, {}];
  expect(b).toEqual(a);
});

test('the model family survives the ai-toolkit round trip; for sd-scripts it names the script to run', () => {
  expect(reimport('aitoolkit-flux.yaml', 'ai-toolkit').second.summary.family).toBe('flux');
  const gui = reimport('kohya_ss-sdxl.json', 'kohya');
  expect(gui.exported.files[0]!.text).toMatch(/accelerate launch sdxl_train_network\.py/);
});

test('the kohya export is a training config, a dataset config and a prompts file, each naming its workflow', () => {
  const { exported } = reimport('sdxl-character.toml', 'kohya');
  expect(exported.files.map((f) => f.name)).toEqual([
    'sks_woman_xl.toml',
    'sks_woman_xl_dataset.toml',
    'sks_woman_xl_prompts.txt',
  ]);
  for (const f of exported.files)
    expect(f.text).toMatch(/^# .*exported by loraflow .* from the workflow "sks_woman_xl"/);
  const main = exported.files[0]!.text;
  expect(main).toMatch(/accelerate launch train_network\.py --config_file sks_woman_xl\.toml/);
  expect(main).toMatch(/dataset_config = "sks_woman_xl_dataset\.toml"/);
  expect(exported.files[2]!.text).toMatch(
    /sks woman, watercolor painting --n lowres --w 832 --h 1216 --s 20 --l 5\.5 --d 7/,
  );
  expect(exported.files[1]!.text).toMatch(/is_reg = true\nimage_dir = "datasets\/reg_woman"/);
});

test('the ai-toolkit export is a job with the trigger word, FLUX flags and the sample section', () => {
  const { exported } = reimport('aitoolkit-flux.yaml', 'ai-toolkit');
  const text = exported.files[0]!.text;
  expect(text).toMatch(/^# ai-toolkit job exported by loraflow/);
  expect(text).toMatch(/trigger_word: p3r5on/);
  expect(text).toMatch(/is_flux: true/);
  expect(text).toMatch(/- "\[trigger\] playing chess at the park"|- \[trigger\] playing chess at the park/);
});

test('a kohya config exported to ai-toolkit keeps the training settings both tools have', () => {
  const first = importFixture('sd15-folder.toml');
  const yaml = exportWorkflow(first.workflow, 'ai-toolkit', schemas).files[0]!;
  const second = importConfig(yaml, schemas);
  const a = effectiveParams(first.workflow).train!;
  const b = effectiveParams(second.workflow).train!;
  for (const k of ['rank', 'alpha', 'learningRate', 'steps', 'batch', 'checkpointEvery', 'optimizer', 'schedule'])
    expect([k, b[k]]).toEqual([k, a[k]]);
  expect(effectiveParams(second.workflow).images!.folder).toBe('datasets/pixel_style');
});

test("the quick start exports with warnings for what kohya cannot take: the built-in model, Caption's template", () => {
  const file = path.resolve(__dirname, '../../workflows/quickstart-style-lora.json');
  const { workflow } = parseWorkflow(fs.readFileSync(file, 'utf8'));
  const result = exportWorkflow(workflow, 'kohya', schemas, 'sd15');
  expect(result.warnings.join('\n')).toMatch(/built-in emoji model/);
  expect(result.warnings.join('\n')).toMatch(/Caption's template/);
  expect(result.files[0]!.text).toMatch(/network_dim = 16/);
  expect(() => exportWorkflow({ ...workflow, nodes: [] }, 'kohya', schemas)).toThrow(/no TrainLoRA node/);
});

test("a layer set the tools lack ('cross-attention kv+text') keeps its text-encoder rate, with a warning", () => {
  const file = path.resolve(__dirname, '../../workflows/quickstart-style-lora.json');
  const { workflow } = parseWorkflow(fs.readFileSync(file, 'utf8'));
  const train = workflow.nodes.find((n) => n.type === 'TrainLoRA')!;
  train.params = { ...train.params, targets: 'cross-attention kv+text', textEncoderLr: 0.002 };
  const kohya = exportWorkflow(workflow, 'kohya', schemas, 'sd15');
  expect(kohya.files[0]!.text).toMatch(/text_encoder_lr = 0\.002/);
  expect(kohya.files[0]!.text).toMatch(/network_train_unet_only = false/);
  expect(kohya.warnings.join('\n')).toMatch(
    /'cross-attention kv\+text' is exported as attention\+mlp with the text encoder/,
  );
  const toolkit = exportWorkflow(workflow, 'ai-toolkit', schemas, 'sd15');
  expect(toolkit.files[0]!.text).toMatch(/text_encoder_lr: 0\.002/);
  expect(toolkit.files[0]!.text).toMatch(/train_text_encoder: true/);
});

test("ai-toolkit regularisation datasets (is_reg) come back as the LoadImages on TrainLoRA's regularization input", () => {
  const yaml = [
    'job: extension',
    'config:',
    '  name: reg_job',
    '  process:',
    '    - type: sd_trainer',
    '      network: { type: lora, linear: 8, linear_alpha: 8 }',
    '      datasets:',
    '        - { folder_path: datasets/me, caption_ext: txt }',
    '        - { folder_path: datasets/reg_person, is_reg: true, num_repeats: 2 }',
    '      train: { steps: 100, lr: 0.0001 }',
    '      model: { name_or_path: models/sd15.safetensors, arch: sd1 }',
  ].join('\n');
  const first = importConfig({ name: 'reg.yaml', text: yaml }, schemas);
  expect(effectiveParams(first.workflow).reg).toMatchObject({ folder: 'datasets/reg_person', repeats: 2 });
  const out = exportWorkflow(first.workflow, 'ai-toolkit', schemas).files[0]!;
  expect(out.text).toMatch(/is_reg: true/);
  expect(effectiveParams(importConfig(out, schemas).workflow)).toEqual(effectiveParams(first.workflow));
});

test('with a SaveDataset node the export trains on the <repeats>_<name> folder it writes, with .txt captions', () => {
  const { workflow } = importFixture('sdxl-character.toml');
  workflow.nodes.push({
    id: 'saveds',
    type: 'SaveDataset',
    params: { folder: 'datasets/prepared', name: '', repeats: 0 },
    position: { x: 640, y: 900 },
  });
  workflow.edges.push({
    id: 'eds',
    from: { node: 'resize', socket: 'dataset' },
    to: { node: 'saveds', socket: 'dataset' },
  });
  const result = exportWorkflow(workflow, 'kohya', schemas);
  const dataset = result.files.find((f) => f.name.endsWith('_dataset.toml'))!.text;
  expect(dataset).toMatch(/image_dir = "datasets\/prepared\/10_sks_woman"/);
  expect(dataset).toMatch(/caption_extension = "\.txt"/);
  expect(result.warnings.join('\n')).toMatch(/run the workflow first: SaveDataset writes/);
});
