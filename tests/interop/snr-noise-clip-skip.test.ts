/**
 * min_snr_gamma, noise_offset and clip_skip are TrainLoRA parameters (minSnrGamma, noiseOffset, clipSkip; Sample
 * has clipSkip too, as sd-scripts samples with the training's clip skip): an import maps them instead of reporting
 * them ignored, and an export writes them back so that a round trip keeps them.
 */
import { companionsFrom, exportWorkflow, importConfig } from '../../protocol/interop';
import { paramsOf, schemas } from './fixtures';

const kohyaToml = [
  'pretrained_model_name_or_path = "/models/sd15.safetensors"',
  'train_data_dir = "datasets/style"',
  'output_name = "snr_style"',
  'max_train_steps = 400',
  'min_snr_gamma = 5.0',
  'noise_offset = 0.0357',
  'clip_skip = 2',
  'sample_prompts = "snr_prompts.txt"',
].join('\n');
const prompts = { name: 'snr_prompts.txt', text: 'xyz_style, a cat --s 20\n' };

function importKohya(text = kohyaToml) {
  const files = [{ name: 'snr.toml', text }, prompts];
  return importConfig(files[0]!, schemas, companionsFrom(files));
}

test('an sd-scripts config: min_snr_gamma, noise_offset and clip_skip land on TrainLoRA, clip_skip on Sample', () => {
  const r = importKohya();
  expect(paramsOf(r.workflow, 'train')).toMatchObject({ minSnrGamma: 5, noiseOffset: 0.0357, clipSkip: 2 });
  expect(paramsOf(r.workflow, 'sample')).toMatchObject({ clipSkip: 2 });
  const ignored = r.summary.ignored.map((i) => i.setting);
  for (const s of ['min_snr_gamma', 'noise_offset', 'clip_skip']) expect(ignored).not.toContain(s);
  expect(r.summary.mapped.map((m) => `${m.setting} -> ${m.node}.${m.param}`)).toEqual(
    expect.arrayContaining([
      'min_snr_gamma -> TrainLoRA.minSnrGamma',
      'noise_offset -> TrainLoRA.noiseOffset',
      'clip_skip -> TrainLoRA.clipSkip',
    ]),
  );
});

test('kohya round trip: the exported config carries the three settings and imports to the same values', () => {
  const first = importKohya();
  const exported = exportWorkflow(first.workflow, 'kohya', schemas, 'sd15');
  const main = exported.files[0]!;
  expect(main.text).toMatch(/^min_snr_gamma = 5$/m);
  expect(main.text).toMatch(/^noise_offset = 0\.0357$/m);
  expect(main.text).toMatch(/^clip_skip = 2$/m);
  const second = importConfig(main, schemas, companionsFrom(exported.files));
  for (const p of ['minSnrGamma', 'noiseOffset', 'clipSkip'])
    expect(paramsOf(second.workflow, 'train')[p]).toBe(paramsOf(first.workflow, 'train')[p]);
});

test('ai-toolkit round trip: train.min_snr_gamma and train.noise_offset map both ways', () => {
  const yaml = [
    'job: extension',
    'config:',
    '  name: "snr_job"',
    '  process:',
    '    - type: "sd_trainer"',
    '      training_folder: "output"',
    '      network: { type: "lora", linear: 8, linear_alpha: 8 }',
    '      datasets:',
    '        - folder_path: "datasets/snr"',
    '      train: { steps: 300, lr: 0.0001, min_snr_gamma: 5, noise_offset: 0.05 }',
    '      model: { name_or_path: "/models/sd15.safetensors" }',
  ].join('\n');
  const first = importConfig({ name: 'snr.yaml', text: yaml }, schemas);
  expect(paramsOf(first.workflow, 'train')).toMatchObject({ minSnrGamma: 5, noiseOffset: 0.05 });
  const ignored = first.summary.ignored.map((i) => i.setting);
  expect(ignored).not.toContain('train.min_snr_gamma');
  expect(ignored).not.toContain('train.noise_offset');
  const exported = exportWorkflow(first.workflow, 'ai-toolkit', schemas);
  const second = importConfig(exported.files[0]!, schemas);
  expect(paramsOf(second.workflow, 'train')).toMatchObject({ minSnrGamma: 5, noiseOffset: 0.05 });
});
