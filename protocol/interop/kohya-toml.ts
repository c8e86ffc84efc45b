/**
 * sd-scripts TOML configs: a training config (`--config_file`: the arguments, top-level tables flattened as
 * sd-scripts does) or, when it has `[[datasets]]`, a dataset config on its own.
 */
import type { ImportBuilder } from './import-builder';
import { importKohyaArgs, type Companions } from './kohya-args';
import { importKohyaDataset, parseToml } from './kohya-dataset';

/** Whether a parsed TOML is a dataset config rather than a training config. */
export function isDatasetToml(root: Record<string, unknown>): boolean {
  return Array.isArray(root.datasets) || (typeof root.general === 'object' && root.general !== null);
}

/** sd-scripts reads `[section]` tables of a config file as if their keys were at the top. */
export function flattenSections(root: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(root)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)) Object.assign(out, v);
    else out[k] = v;
  }
  return out;
}

export function importKohyaToml(b: ImportBuilder, text: string, file: string, files: Companions): void {
  const root = parseToml(text, file);
  if (isDatasetToml(root)) {
    importKohyaDataset(b, text, file);
    return;
  }
  const args = flattenSections(root);
  if (typeof args.output_name === 'string' && args.output_name) b.name = args.output_name;
  importKohyaArgs(b, args, files);
}
