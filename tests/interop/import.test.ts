/**
 * Importing the configs users already have: every setting either becomes a node parameter or is reported by
 * name as not supported; the workflow is the quick start's graph and validates.
 *
 *   LoadImages ─> Caption ─> Resize ─> TrainLoRA ─┬─> Sample(s)
 *   LoadModel ───────────────┴─────────┘          └─> SaveCheckpoint
 */
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { exportWorkflow, importConfig, ImportError, type ImportResult } from '../../protocol/interop';
import { validateWorkflow } from '../../protocol/validate';
import { fixture, importFixture, modelPath, paramsOf, schemas } from './fixtures';

/** Every key of a config, as dotted paths of its tables (arrays of tables indexed). */
function leafKeys(v: unknown, prefix = ''): string[] {
  if (typeof v !== 'object' || v === null || v instanceof Date) return [prefix];
  if (Array.isArray(v))
    return v.some((x) => typeof x === 'object' && x !== null)
      ? v.flatMap((x, i) => leafKeys(x, `${prefix}[${i}]`))
      : [prefix];
  return Object.entries(v).flatMap(([k, x]) => leafKeys(x, prefix ? `${prefix}.${k}` : k));
}

/** Whether the summary accounts for a key (mapped, ignored or in a note), by its last name. */
function accounted(r: ImportResult, key: string): boolean {
  const name =
    key
      .replace(/\[\d+\]/g, '')
      .split('.')
      .pop() ?? key;
  const text = [
    ...r.summary.mapped.map((m) => m.setting),
    ...r.summary.ignored.map((i) => `${i.setting} ${i.value} ${i.reason}`),
    ...r.summary.notes,
  ];
  return text.some((t) => t.includes(name));
}

test('an sd-scripts TOML with its dataset config and prompts file: each setting lands on its node', () => {
  const r = importFixture('sdxl-character.toml');
  const wf = r.workflow;
  expect(validateWorkflow(wf, schemas)).toEqual([]);
  expect(modelPath(wf)).toBe('models/sd_xl_base_1.0.safetensors');
  expect(paramsOf(wf, 'images')).toMatchObject({ folder: 'datasets/sks_woman', repeats: 10, captionExtension: '.txt' });
  expect(paramsOf(wf, 'caption').trigger).toBe('sks woman');
  expect(paramsOf(wf, 'resize')).toMatchObject({ resolution: 1024, mode: 'buckets' });
  expect(paramsOf(wf, 'train')).toMatchObject({
    rank: 32,
    alpha: 16,
    dropout: 0.1,
    learningRate: 0.0002,
    optimizer: 'adamw',
    schedule: 'cosine',
    warmupSteps: 50,
    steps: 1500,
    batch: 2, // the dataset config's batch_size
    seed: 1234,
    shuffleTags: true,
    keepTokens: 1,
    captionDropout: 0.05,
    checkpointEvery: 250,
    sampleEvery: 250,
    targets: 'attention+mlp', // network_train_unet_only
    outputName: 'sks_woman_xl',
  });
  expect(paramsOf(wf, 'save')).toMatchObject({ folder: 'loras/sks_woman', dtype: 'fp16' });
  expect(r.summary.family).toBeUndefined(); // sd-scripts takes it from the script, not the config
  expect(r.summary.notes.join('\n')).toMatch(/model family: not in the config/);
  const ignored = r.summary.ignored.map((i) => i.setting);
  for (const s of ['mixed_precision', 'cache_latents']) expect(ignored).toContain(s);
  expect(paramsOf(wf, 'train')).toMatchObject({ convRank: 8, convAlpha: 4 }); // network_args: LoCon
  expect(paramsOf(wf, 'train')).toMatchObject({ noiseOffset: 0.0357, minSnrGamma: 5 });
  // The is_reg subset: its own LoadImages into TrainLoRA's regularization input (its class_tokens reported).
  expect(paramsOf(wf, 'reg')).toMatchObject({ folder: 'datasets/reg_woman', repeats: 1, captionExtension: '.txt' });
  expect(wf.edges).toContainEqual(expect.objectContaining({ from: { node: 'reg', socket: 'dataset' } }));
  expect(ignored).toContain('sdxl-character_dataset.toml: datasets[0].subsets[1].class_tokens');
  for (const i of r.summary.ignored) expect(i.reason).toMatch(/^not supported, ignored/);
});

test('sample prompts become Sample nodes, one per set of --n --s --l --d options, and TrainLoRA samples them', () => {
  const wf = importFixture('sdxl-character.toml').workflow;
  expect(paramsOf(wf, 'sample')).toMatchObject({
    prompts: ['sks woman, portrait, upper body, looking at viewer', 'sks woman, full body, standing in a park'],
    negative: 'lowres, bad anatomy',
    steps: 28,
    guidance: 7,
    seed: 42,
    sampler: 'euler',
  });
  expect(paramsOf(wf, 'sample2')).toMatchObject({
    prompts: ['sks woman, watercolor painting'],
    steps: 20,
    guidance: 5.5,
    seed: 7,
  });
  expect(paramsOf(wf, 'train').samplePrompts).toHaveLength(3);
  const edges = wf.edges.map((e) => `${e.from.node}.${e.from.socket}->${e.to.node}.${e.to.socket}`);
  expect(edges).toEqual(expect.arrayContaining(['train.lora->sample.loras', 'train.lora->sample2.loras']));
});

test('a prompts file on its own imports into Sample nodes; options loraflow lacks are named', () => {
  const r = importConfig(
    { name: 'prompts.txt', text: '# c\ncat --n dog --s 12 --d 5 --zz 3\ncat, sitting --n dog --s 12 --d 5\n' },
    schemas,
  );
  expect(paramsOf(r.workflow, 'sample')).toMatchObject({
    prompts: ['cat', 'cat, sitting'],
    negative: 'dog',
    steps: 12,
    seed: 5,
  });
  expect(r.summary.ignored.map((i) => i.setting)).toContain('prompts.txt line 2 --zz');
});

test('a train_data_dir config keeps repeats from the <repeats>_<name> folders and uses sd-scripts defaults', () => {
  const r = importFixture('sd15-folder.toml');
  expect(paramsOf(r.workflow, 'images')).toMatchObject({ folder: 'datasets/pixel_style', repeats: 0 });
  expect(paramsOf(r.workflow, 'resize')).toMatchObject({ resolution: 512, mode: 'buckets' });
  // Not in the file: sd-scripts trains the text encoder too, keeps no tags and drops no captions.
  expect(paramsOf(r.workflow, 'train')).toMatchObject({
    targets: 'attention+mlp+text',
    keepTokens: 0,
    captionDropout: 0,
  });
  const bare = importConfig({ name: 'bare.toml', text: 'network_dim = 8\n' }, schemas);
  expect(paramsOf(bare.workflow, 'images').captionExtension).toBe('.caption');
  expect(paramsOf(bare.workflow, 'train').alpha).toBe(1);
});

test('a kohya_ss GUI config: strings become numbers, the warmup percentage becomes steps, empty fields are skipped', () => {
  const r = importFixture('kohya_ss-sdxl.json');
  expect(r.summary.format).toBe('kohya-gui-json');
  expect(r.summary.family).toBe('sdxl');
  expect(paramsOf(r.workflow, 'train')).toMatchObject({
    seed: 12345,
    steps: 800,
    keepTokens: 0,
    warmupSteps: 80,
    rank: 32,
  });
  expect(paramsOf(r.workflow, 'resize').resolution).toBe(1024);
  expect(paramsOf(r.workflow, 'sample')).toMatchObject({
    prompts: ['lxndrn woman, portrait photo'],
    negative: 'blurry',
    steps: 25,
  });
  expect(r.workflow.description).toBe('trigger: lxndrn woman');
  const ignored = r.summary.ignored.map((i) => i.setting);
  expect(ignored).toEqual(expect.arrayContaining(['epoch', 'xformers', 'learning_rate']));
  expect(r.summary.notes.join('\n')).toMatch(/not set: max_train_epochs, optimizer_args, reg_data_dir/);
});

test('an ai-toolkit job: the trigger word goes to Caption and TrainLoRA, [trigger] is filled in Sample prompts', () => {
  const r = importFixture('aitoolkit-flux.yaml');
  expect(r.summary.family).toBe('flux');
  expect(paramsOf(r.workflow, 'caption').trigger).toBe('p3r5on');
  expect(paramsOf(r.workflow, 'train')).toMatchObject({
    trigger: 'p3r5on',
    rank: 16,
    alpha: 16,
    steps: 2000,
    learningRate: 0.0001,
    keepLast: 4,
    checkpointEvery: 250,
    targets: 'attention+mlp',
    outputName: 'p3r5on_flux',
  });
  expect(paramsOf(r.workflow, 'train').samplePrompts).toContain('[trigger] playing chess at the park');
  expect(paramsOf(r.workflow, 'sample')).toMatchObject({ seed: 42, guidance: 4, steps: 20 });
  expect(paramsOf(r.workflow, 'sample').prompts).toContain('p3r5on playing chess at the park');
  expect(paramsOf(r.workflow, 'resize').resolution).toBe(1024);
  expect(r.summary.mapped.find((m) => m.param === 'resolution')?.note).toMatch(/512, 768, 1024/);
  expect(r.summary.ignored.map((i) => i.setting)).toEqual(
    expect.arrayContaining(['train.ema_config', 'model.quantize', 'meta']),
  );
});

test.each([
  ['sdxl-character.toml', (t: string) => parseToml(t)],
  ['sdxl-character_dataset.toml', (t: string) => parseToml(t)],
  ['sd15-folder.toml', (t: string) => parseToml(t)],
  ['kohya_ss-sdxl.json', (t: string) => JSON.parse(t) as unknown],
  ['aitoolkit-flux.yaml', (t: string) => parseYaml(t) as unknown],
])('%s: no setting is dropped silently (each is mapped or reported)', (name, parse) => {
  const r = importFixture(name);
  const keys = leafKeys(parse(fixture(name).text)).filter((k) => k !== '');
  const missing = keys.filter((k) => !accounted(r, k));
  expect(missing).toEqual([]);
});

test('files that are not configs are refused with the file named', () => {
  expect(() => importConfig({ name: 'x.toml', text: 'a = [' }, schemas)).toThrow(ImportError);
  expect(() => importConfig({ name: 'x.toml', text: 'a = [' }, schemas)).toThrow(/x\.toml: not valid TOML/);
  expect(() => importConfig({ name: 'w.json', text: '{"format":"loraflow.workflow"}' }, schemas)).toThrow(
    /already a loraflow workflow/,
  );
  expect(() => importConfig({ name: 'a.png', text: '' }, schemas)).toThrow(ImportError);
});

test('the model path follows LoadModel as installed: its family choice and that family path field, or its one path', () => {
  const config = { name: 'm.toml', text: 'pretrained_model_name_or_path = "models/v1-5.safetensors"\n' };
  const onePath = schemas.map((s) =>
    s.type === 'LoadModel'
      ? {
          ...s,
          params: [{ name: 'file', kind: 'path' as const, default: '', optional: true, pathKind: 'file' as const }],
        }
      : s,
  );
  expect(importConfig(config, onePath).workflow.nodes.find((n) => n.id === 'model')?.params).toEqual({
    file: 'models/v1-5.safetensors',
  });
  const withFamily = schemas.map((s) =>
    s.type === 'LoadModel'
      ? {
          ...s,
          params: [
            { name: 'family', kind: 'enum' as const, default: 'emoji', options: ['emoji', 'sd15'] },
            { name: 'file', kind: 'path' as const, default: '', visibleWhen: { param: 'family', equals: ['emoji'] } },
            {
              name: 'checkpoint',
              kind: 'path' as const,
              default: '',
              visibleWhen: { param: 'family', equals: ['sd15'] },
            },
          ],
        }
      : s,
  );
  const sd15 = importConfig(config, withFamily);
  expect(sd15.workflow.nodes.find((n) => n.id === 'model')?.params).toEqual({
    family: 'sd15',
    checkpoint: 'models/v1-5.safetensors',
  });
  const sdxl = importConfig(
    { name: 'x.json', text: '{"sdxl": true, "pretrained_model_name_or_path": "x.safetensors"}' },
    withFamily,
  );
  expect(sdxl.summary.ignored.find((i) => i.setting === 'model family')?.reason).toMatch(/offers emoji, sd15/);
});

test("kohya's sampler names find Sample's own name for the same sampler, and go back under kohya's", () => {
  const withAncestral = schemas.map((s) =>
    s.type === 'Sample'
      ? {
          ...s,
          params: s.params.map((p) =>
            p.name === 'sampler' ? { ...p, options: [...(p.options ?? []), 'euler_ancestral'] } : p,
          ),
        }
      : s,
  );
  const r = importConfig({ name: 'p.txt', text: 'a cat --ss k_euler_a\n' }, withAncestral);
  expect(paramsOf(r.workflow, 'sample').sampler).toBe('euler_ancestral');
  const unknown = importConfig({ name: 'p.txt', text: 'a cat --ss dpm_2\n' }, schemas);
  expect(unknown.summary.ignored.map((i) => i.setting)).toContain('p.txt --ss');
  const toml = exportWorkflow(r.workflow, 'kohya', withAncestral, 'sd15').files[0]!.text;
  expect(toml).toMatch(/sample_sampler = "euler_a"/);
});
