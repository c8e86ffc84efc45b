import fs from 'node:fs';
import path from 'node:path';
import { importConfig, ImportError } from '../../../protocol/interop';
import { formatImportSummary } from '../../../protocol/interop/format-summary';
import { serializeWorkflow } from '../../../protocol/workflow-io';
import { resolveConfig } from '../../config';
import { createPathPolicy } from '../../engine/paths';
import { writeFileAtomicSync } from '../../../ml/atomic-write';
import { companionsBeside } from '../../interop/companions';
import { checkWorkflowPaths } from '../../interop/path-check';
import { DATA_OPTIONS, UsageError, configOptions, parseCommand } from '../args';
import { err, out } from '../output';
import { cliSchemas } from './schemas';

export const IMPORT_USAGE = `usage: loraflow import <config> [-o <workflow.json>] [--data <folder>] [--allow <dir>]...

Turns a kohya sd-scripts TOML (training or dataset config), a kohya_ss GUI JSON, an ai-toolkit YAML job or a
sample prompts .txt into a workflow, and prints what was mapped and what is not supported. Files the config
names (dataset_config, sample_prompts) are read from beside it.
  -o        where to write the workflow (default: print it on stdout, the summary on stderr)
Exit code 0; 1 when the config cannot be read or a path lies outside the allowed folders (the workflow is still
written: fix the path or allow its folder with --allow).`;

/** `loraflow import`: config file in, workflow and summary out. */
export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...DATA_OPTIONS, output: { type: 'string', short: 'o' } });
  if (values.help) {
    out(IMPORT_USAGE);
    return 0;
  }
  const file = positionals[0];
  if (!file) throw new UsageError('expected a config file to import');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const schemas = cliSchemas();
  const companionsRead: string[] = [];
  let result;
  try {
    const companions = companionsBeside(file, (f) => companionsRead.push(f));
    result = importConfig({ name: path.basename(file), text }, schemas, companions);
  } catch (e) {
    if (e instanceof ImportError) {
      err(`loraflow import: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const paths = createPathPolicy(resolveConfig(configOptions(values)).roots);
  const problems = checkWorkflowPaths(result.workflow, schemas, paths);
  const summary = formatImportSummary(result.summary, problems);
  const json = serializeWorkflow(result.workflow);
  if (values.output) {
    // Writing over the config (or a file it names) would leave the user without the config they imported.
    const clash = inputClash(values.output, file, companionsRead);
    if (clash) {
      err(`loraflow import: -o ${values.output} is ${clash}: write the workflow to another file`);
      return 1;
    }
    try {
      writeFileAtomicSync(path.resolve(values.output), json);
    } catch (e) {
      // A folder, or a folder that does not exist: one line, not a Node.js stack trace (QA S8-F16).
      err(`loraflow import: cannot write ${values.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return 1;
    }
    out(`${summary}\nWrote ${values.output}`);
  } else {
    out(json);
    err(summary);
  }
  for (const p of problems) err(`error: ${p.message}`);
  return problems.length > 0 ? 1 : 0;
}

/** The real path of `file`, or its absolute path when it does not exist (yet). */
function realOrResolved(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Why `output` may not be written: it is the config itself or one of its companions (links followed). */
function inputClash(output: string, config: string, companions: string[]): string | undefined {
  const target = realOrResolved(output);
  if (target === realOrResolved(config)) return 'the config being imported';
  if (companions.some((c) => realOrResolved(c) === target)) return 'a file the config names';
  return undefined;
}
