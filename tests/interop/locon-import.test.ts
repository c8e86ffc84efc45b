/**
 * LoCon (kohya's conv_dim / conv_alpha) and v-prediction are TrainLoRA parameters (convRank / convAlpha,
 * prediction): importing an sd-scripts TOML (network_args), a kohya_ss GUI JSON (LoRA_type "Kohya LoCon") or an
 * ai-toolkit job (network.conv) maps them instead of reporting them unsupported, and an export writes them back.
 */
import { companionsFrom, exportWorkflow, importConfig } from '../../protocol/interop';
import { validateWorkflow } from '../../protocol/validate';
import { importFixture, paramsOf, schemas } from './fixtures';

const ignoredOf = (r: ReturnType<typeof importConfig>) => r.summary.ignored.map((i) => i.setting);
const mappedOf = (r: ReturnType<typeof importConfig>) => r.summary.mapped.map((m) => `${m.setting} -> ${m.param}`);

test('an sd-scripts TOML with network_args conv_dim / conv_alpha trains LoCon', () => {
  const r = importFixture('sdxl-character.toml'); // network_args = ["conv_dim=8", "conv_alpha=4"]
  expect(paramsOf(r.workflow, 'train')).toMatchObject({ convRank: 8, convAlpha: 4 });
  expect(ignoredOf(r)).not.toContain('network_args conv_dim');
  expect(ignoredOf(r)).not.toContain('network_args conv_alpha');
  expect(mappedOf(r)).toEqual(
    expect.arrayContaining(['network_args conv_dim -> convRank', 'network_args conv_alpha -> convAlpha']),
  );
  expect(validateWorkflow(r.workflow, schemas)).toEqual([]);
});

test('network_args without conv_alpha takes sd-scripts default 1; keys TrainLoRA lacks are still named', () => {
  const toml = [
    'pretrained_model_name_or_path = "/models/sd15.safetensors"',
    'train_data_dir = "datasets/style"',
    'v_parameterization = true',
    'network_args = ["conv_dim=16", "rank_dropout=0.1", "down_lr_weight=\\"1,1,1\\""]',
  ].join('\n');
  const r = importConfig({ name: 'locon.toml', text: toml }, schemas);
  expect(paramsOf(r.workflow, 'train')).toMatchObject({ convRank: 16, convAlpha: 1, prediction: 'v' });
  expect(r.summary.mapped.find((m) => m.param === 'convAlpha')?.note).toMatch(/default 1/);
  expect(ignoredOf(r)).toEqual(expect.arrayContaining(['network_args rank_dropout', 'network_args down_lr_weight']));
  expect(ignoredOf(r)).not.toContain('v_parameterization');
  const bad = importConfig({ name: 'bad.toml', text: 'network_args = ["conv_dim=eight"]\n' }, schemas);
  expect(bad.summary.ignored).toContainEqual(
    expect.objectContaining({ setting: 'network_args conv_dim', reason: 'not supported, ignored (expected a number)' }),
  );
  expect(paramsOf(bad.workflow, 'train').convRank).toBe(0);
});

test('kohya round trip: LoCon and v-prediction are written to the TOML and read back', () => {
  const files = [
    {
      name: 'a.toml',
      text: 'train_data_dir = "d"\nv_parameterization = true\nnetwork_args = ["conv_dim=8", "conv_alpha=2"]\n',
    },
  ];
  const first = importConfig(files[0]!, schemas);
  const exported = exportWorkflow(first.workflow, 'kohya', schemas, 'sd15');
  const main = exported.files[0]!;
  expect(main.text).toMatch(/^network_args = \[ "conv_dim=8", "conv_alpha=2" \]$/m);
  expect(main.text).toMatch(/^v_parameterization = true$/m);
  const second = importConfig(main, schemas, companionsFrom(exported.files));
  expect(paramsOf(second.workflow, 'train')).toMatchObject({ convRank: 8, convAlpha: 2, prediction: 'v' });
  const plain = exportWorkflow(
    importConfig({ name: 'p.toml', text: 'train_data_dir = "d"\n' }, schemas).workflow,
    'kohya',
    schemas,
    'sd15',
  );
  expect(plain.files[0]!.text).not.toMatch(/network_args|v_parameterization/);
});

test('a kohya_ss GUI config with LoRA_type "Kohya LoCon": conv_dim / conv_alpha become convRank / convAlpha', () => {
  const gui = {
    LoRA_type: 'Kohya LoCon',
    pretrained_model_name_or_path: 'models/v1-5.safetensors',
    train_data_dir: 'datasets/locon',
    network_dim: 16,
    network_alpha: 8,
    conv_dim: '8',
    conv_alpha: '4',
    max_train_steps: '300',
  };
  const r = importConfig({ name: 'locon.json', text: JSON.stringify(gui) }, schemas);
  expect(r.summary.format).toBe('kohya-gui-json');
  expect(paramsOf(r.workflow, 'train')).toMatchObject({ rank: 16, alpha: 8, convRank: 8, convAlpha: 4 });
  expect(mappedOf(r)).toEqual(expect.arrayContaining(['conv_dim -> convRank', 'conv_alpha -> convAlpha']));
  expect(ignoredOf(r)).not.toContain('LoRA_type');
  expect(ignoredOf(r)).not.toContain('conv_dim');
});

test('a kohya_ss GUI config with LoRA_type "Standard" keeps plain LoRA: its saved conv_dim is noted as unused', () => {
  const r = importFixture('kohya_ss-sdxl.json'); // Standard, conv_dim 1, conv_alpha 1
  expect(paramsOf(r.workflow, 'train').convRank).toBe(0);
  expect(ignoredOf(r)).not.toContain('conv_dim');
  expect(r.summary.notes.join('\n')).toMatch(/conv_alpha = 1, conv_dim = 1: not used .*Kohya LoCon/);
  const lycoris = importConfig(
    { name: 'ly.json', text: JSON.stringify({ LoRA_type: 'LyCORIS/LoHa', train_data_dir: 'd', conv_dim: 4 }) },
    schemas,
  );
  expect(ignoredOf(lycoris)).toEqual(expect.arrayContaining(['LoRA_type', 'conv_dim']));
  expect(paramsOf(lycoris.workflow, 'train').convRank).toBe(0);
});

test('ai-toolkit round trip: network.conv / conv_alpha map both ways', () => {
  const yaml = [
    'job: extension',
    'config:',
    '  name: "locon_job"',
    '  process:',
    '    - type: "sd_trainer"',
    '      network: { type: "lora", linear: 16, linear_alpha: 16, conv: 8, conv_alpha: 4 }',
    '      datasets:',
    '        - folder_path: "datasets/locon"',
    '      train: { steps: 300 }',
    '      model: { name_or_path: "/models/sd15.safetensors" }',
  ].join('\n');
  const first = importConfig({ name: 'locon.yaml', text: yaml }, schemas);
  expect(paramsOf(first.workflow, 'train')).toMatchObject({ convRank: 8, convAlpha: 4 });
  expect(ignoredOf(first)).not.toEqual(expect.arrayContaining(['network.conv']));
  const exported = exportWorkflow(first.workflow, 'ai-toolkit', schemas);
  expect(exported.files[0]!.text).toMatch(/conv: 8/);
  const second = importConfig(exported.files[0]!, schemas);
  expect(paramsOf(second.workflow, 'train')).toMatchObject({ convRank: 8, convAlpha: 4 });
});
