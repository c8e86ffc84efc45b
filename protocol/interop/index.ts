/**
 * Interop with the training tools users come from: import kohya sd-scripts TOML (training and dataset configs),
 * kohya_ss GUI JSON, ai-toolkit YAML and sample prompt files as workflows; export a workflow's training back to
 * sd-scripts and ai-toolkit. Pure code (no Node.js imports): the server and the CLI use it, the editor could.
 * One file per format; the settings that map one to one are in mapping-table.ts.
 */
import type { NodeSchema } from '../schema';
import { buildWorkflow } from './build-workflow';
import { ImportBuilder } from './import-builder';
import { isAiToolkitJob, importAiToolkit, parseYaml } from './aitoolkit-yaml';
import type { Companions } from './kohya-args';
import { importKohyaGuiJson, isKohyaGuiJson } from './kohya-gui-json';
import { importKohyaToml, isDatasetToml } from './kohya-toml';
import { parseToml } from './kohya-dataset';
import { importSamplePrompts } from './prompts-into-nodes';
import type { ConfigFile, ConfigFormat, ImportResult } from './types';

export type { Companions };
export * from './types';
export { exportWorkflow } from './export';

/** A config that cannot be imported: unreadable, or not one of the formats loraflow knows. */
export class ImportError extends Error {
  override name = 'ImportError';
}

function extension(name: string): string {
  return /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
}

/** The format of a config file, from its name and content. */
export function detectFormat(file: ConfigFile): ConfigFormat {
  const ext = extension(file.name);
  if (ext === 'toml') return isDatasetToml(parseToml(file.text, file.name)) ? 'kohya-dataset-toml' : 'kohya-toml';
  if (ext === 'yaml' || ext === 'yml') return 'aitoolkit-yaml';
  if (ext === 'txt') return 'sample-prompts';
  if (ext === 'json') {
    let v: unknown;
    try {
      v = JSON.parse(file.text);
    } catch (e) {
      throw new ImportError(`${file.name}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof v === 'object' && v !== null && (v as Record<string, unknown>).format === 'loraflow.workflow')
      throw new ImportError(`${file.name} is already a loraflow workflow: open it instead of importing it`);
    if (isAiToolkitJob(v)) return 'aitoolkit-yaml';
    if (typeof v === 'object' && v !== null && isKohyaGuiJson(v as Record<string, unknown>)) return 'kohya-gui-json';
    throw new ImportError(`${file.name}: not a kohya_ss GUI config (no LoRA_type, network_dim or train_data_dir)`);
  }
  throw new ImportError(
    `${file.name}: unknown config type (${ext ? `".${ext}"` : 'no file extension'}) ` +
      '(loraflow imports sd-scripts .toml, kohya_ss .json, ai-toolkit .yaml and sample prompt .txt files)',
  );
}

/** Companion files looked up by the path a config names: exact name, else the same file name. */
export function companionsFrom(files: readonly ConfigFile[]): Companions {
  const base = (p: string) => p.split(/[\\/]/).pop() ?? p;
  return (path) => files.find((f) => f.name === path) ?? files.find((f) => base(f.name) === base(path));
}

/** Imports one config as a workflow with a summary of what was mapped and what was ignored. */
export function importConfig(
  file: ConfigFile,
  schemas: readonly NodeSchema[],
  companions: Companions = () => undefined,
): ImportResult {
  let format: ConfigFormat;
  try {
    format = detectFormat(file);
  } catch (e) {
    throw e instanceof ImportError ? e : new ImportError((e as Error).message);
  }
  const b = new ImportBuilder(format, file.name, schemas);
  try {
    switch (format) {
      case 'kohya-toml':
      case 'kohya-dataset-toml':
        importKohyaToml(b, file.text, file.name, companions);
        break;
      case 'kohya-gui-json':
        importKohyaGuiJson(b, JSON.parse(file.text) as Record<string, unknown>, file.name, companions);
        break;
      case 'aitoolkit-yaml': {
        const job = /\.json$/i.test(file.name) ? (JSON.parse(file.text) as unknown) : parseYaml(file.text, file.name);
        if (!isAiToolkitJob(job)) throw new ImportError(`${file.name}: not an ai-toolkit job (no config.process list)`);
        importAiToolkit(b, job, file.name);
        break;
      }
      case 'sample-prompts':
        importSamplePrompts(b, file.name, file.text);
        break;
    }
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError((e as Error).message);
  }
  return { workflow: buildWorkflow(b.setup, b.name, b.summary, schemas, b.description), summary: b.summary };
}
