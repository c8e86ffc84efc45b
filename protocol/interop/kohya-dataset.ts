/**
 * sd-scripts' dataset config (`--dataset_config`, TOML): `[general]`, `[[datasets]]` and `[[datasets.subsets]]`,
 * a subset's value over its dataset's over the general one. One TrainLoRA trains on one image folder: the first
 * subset that is not regularisation images; the others are reported. Unlike a `train_data_dir`, an `image_dir`'s
 * folder name is not read for repeats, so `num_repeats` (default 1) is always set.
 */
import { parse } from 'smol-toml';
import type { ImportBuilder } from './import-builder';
import { importResolution } from './resolution';
import { DIRECT_MAPPINGS, coerce } from './mapping-table';

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);
const tables = (v: unknown): Table[] => (Array.isArray(v) ? v.filter(isTable) : []);

/** Dataset-level keys handled here (besides the table's). */
const DATASET_KEYS = new Set(['resolution', 'enable_bucket', 'batch_size', 'subsets']);
/** Subset-level keys handled here (besides the table's). */
const SUBSET_KEYS = new Set(['image_dir', 'num_repeats', 'class_tokens', 'caption_extension', 'is_reg']);

/** Parses TOML with an error that names the file and line. */
export function parseToml(text: string, file: string): Table {
  try {
    return parse(text) as Table;
  } catch (e) {
    throw new Error(`${file}: not valid TOML (${(e as Error).message.split('\n')[0]})`);
  }
}

/** The regularisation subset: its own LoadImages into TrainLoRA's `regularization` input. */
function importRegSubset(b: ImportBuilder, file: string, s: Table, i: number, parent: Table): void {
  const at = `${file}: datasets[0].subsets[${i}]`;
  b.note(`${at}.is_reg: regularisation images, into TrainLoRA's regularization input`);
  if (typeof s.image_dir === 'string') b.set(`${at}.image_dir`, 'reg', 'folder', s.image_dir);
  const repeats = coerce('int', s.num_repeats ?? parent.num_repeats ?? 1);
  if (typeof repeats === 'number') b.set(`${at}.num_repeats`, 'reg', 'repeats', repeats);
  const ext = s.caption_extension ?? parent.caption_extension ?? '.caption';
  b.set(`${at}.caption_extension`, 'reg', 'captionExtension', String(ext));
  if (s.class_tokens !== undefined)
    b.ignore(
      `${at}.class_tokens`,
      s.class_tokens,
      'not supported, ignored (a regularisation image without a caption file takes its <repeats>_<class> folder name)',
    );
  for (const k of Object.keys(s))
    if (!['image_dir', 'num_repeats', 'caption_extension', 'class_tokens', 'is_reg'].includes(k))
      b.ignore(`${at}.${k}`, s[k]);
}

/** Maps a dataset config; returns the parameters it set ("role.param"), which training arguments must not override. */
export function importKohyaDataset(b: ImportBuilder, text: string, file: string): Set<string> {
  const set = new Set<string>();
  const root = parseToml(text, file);
  const general = isTable(root.general) ? root.general : {};
  const datasets = tables(root.datasets);
  for (const key of Object.keys(root))
    if (key !== 'general' && key !== 'datasets') b.ignore(`${file}: ${key}`, root[key]);
  if (datasets.length === 0) {
    b.note(`${file} has no [[datasets]]`);
    return set;
  }
  datasets
    .slice(1)
    .forEach((_, i) =>
      b.ignore(`${file}: datasets[${i + 1}]`, '…', 'not supported, ignored (one TrainLoRA trains on one dataset)'),
    );
  const dataset = datasets[0]!;
  const subsets = tables(dataset.subsets);
  const chosen = subsets.findIndex((s) => s.is_reg !== true);
  const regAt = b.hasInput('train', 'regularization') ? subsets.findIndex((s) => s.is_reg === true) : -1;
  subsets.forEach((s, i) => {
    if (i === chosen) return;
    if (i === regAt) return importRegSubset(b, file, s, i, { ...general, ...dataset });
    const why =
      s.is_reg === true
        ? regAt >= 0
          ? 'is_reg: one regularisation folder per TrainLoRA'
          : 'is_reg: regularisation images are not supported'
        : 'one image folder per TrainLoRA';
    b.ignore(`${file}: datasets[0].subsets[${i}]`, s.image_dir ?? '…', `not supported, ignored (${why})`);
  });
  const subset = chosen >= 0 ? subsets[chosen]! : {};
  const at = (key: string, level: 'subset' | 'dataset' = 'subset'): [unknown, string] | undefined => {
    const levels: [Table, string][] =
      level === 'subset'
        ? [
            [subset, `datasets[0].subsets[${chosen}]`],
            [dataset, 'datasets[0]'],
            [general, 'general'],
          ]
        : [
            [dataset, 'datasets[0]'],
            [general, 'general'],
          ];
    for (const [t, name] of levels) if (t[key] !== undefined) return [t[key], `${file}: ${name}.${key}`];
    return undefined;
  };
  const put = (key: string, role: Parameters<ImportBuilder['set']>[1], param: string, value: unknown, name: string) => {
    if (b.set(name, role, param, value as string | number | boolean)) set.add(`${role}.${param}`);
  };
  const res = at('resolution', 'dataset');
  if (res) {
    importResolution(b, res[1], res[0]);
    set.add('resize.resolution');
  }
  const bucket = at('enable_bucket', 'dataset');
  if (bucket) put('enable_bucket', 'resize', 'mode', bucket[0] === true ? 'buckets' : 'center-crop', bucket[1]);
  if (chosen >= 0) {
    const dir = at('image_dir');
    if (dir) put('image_dir', 'images', 'folder', dir[0], dir[1]);
    const repeats = at('num_repeats');
    const n = coerce('int', repeats?.[0] ?? 1);
    if (typeof n === 'number')
      put('num_repeats', 'images', 'repeats', n, repeats?.[1] ?? `${file}: num_repeats (not set: 1)`);
    const tokens = at('class_tokens');
    if (tokens) {
      put('class_tokens', 'caption', 'trigger', tokens[0], tokens[1]);
      b.note('class_tokens became the Caption trigger: loraflow also puts it in front of captions that lack it');
    }
  }
  const ext = at('caption_extension');
  put(
    'caption_extension',
    'images',
    'captionExtension',
    ext?.[0] ?? '.caption',
    ext?.[1] ?? `${file}: caption_extension (not set: .caption)`,
  );
  for (const m of DIRECT_MAPPINGS) {
    if (!m.kohyaDataset || SUBSET_KEYS.has(m.kohyaDataset) || m.kohyaDataset === 'batch_size') continue;
    const found = at(m.kohyaDataset);
    if (!found) continue;
    const value = coerce(m.kind, found[0]);
    if (value instanceof Error) b.ignore(found[1], found[0], `not supported, ignored (${value.message})`);
    else if (value !== undefined) put(m.kohyaDataset, m.role, m.param, value, found[1]);
  }
  const batch = at('batch_size', 'dataset');
  if (batch) put('batch_size', 'train', 'batch', batch[0], batch[1]);
  const handled = new Set([...DATASET_KEYS, ...SUBSET_KEYS, ...DIRECT_MAPPINGS.map((m) => m.kohyaDataset)]);
  const rest: [Table, string][] = [
    [general, 'general'],
    [dataset, 'datasets[0]'],
    [subset, `datasets[0].subsets[${chosen}]`],
  ];
  for (const [t, name] of rest)
    for (const [k, v] of Object.entries(t)) if (!handled.has(k)) b.ignore(`${file}: ${name}.${k}`, v);
  return set;
}
