import path from 'node:path';
import { exportWorkflow, type ExportTarget, type ModelFamily } from '../../../protocol/interop';
import { ExportError } from '../../../protocol/interop/export';
import { writeFileAtomicSync } from '../../../ml/atomic-write';
import { UsageError, parseCommand } from '../args';
import { loadWorkflowFile } from '../load-workflow';
import { err, out } from '../output';
import { cliSchemas } from './schemas';
import { makeFolders } from '../../make-folders';

export const EXPORT_USAGE = `usage: loraflow export <workflow.json> --to kohya|ai-toolkit -o <dir> [--family <f>]

Writes the workflow's TrainLoRA (with its model, dataset and sample nodes) as configs for another tool:
  kohya       <name>.toml (sd-scripts --config_file), <name>_dataset.toml, <name>_prompts.txt
  ai-toolkit  <name>.yaml (python run.py <name>.yaml)
  --family    sd15, sd2, sdxl or flux (default: LoadModel's, else the one it was imported with, else sd15)
Prints the files written and what the other tool cannot express. Exit code 0, 1 on errors.`;

const TARGETS: readonly ExportTarget[] = ['kohya', 'ai-toolkit'];
const FAMILIES: readonly ModelFamily[] = ['sd15', 'sd2', 'sdxl', 'flux'];

/** `loraflow export`: workflow in, other tools' config files out. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    help: { type: 'boolean', short: 'h' },
    to: { type: 'string' },
    output: { type: 'string', short: 'o' },
    family: { type: 'string' },
  });
  if (values.help) {
    out(EXPORT_USAGE);
    return 0;
  }
  const to = values.to as ExportTarget | undefined;
  if (!to || !TARGETS.includes(to))
    throw new UsageError(`--to expects kohya or ai-toolkit, got ${values.to ?? 'nothing'}`);
  const family = values.family as ModelFamily | undefined;
  if (family !== undefined && !FAMILIES.includes(family))
    throw new UsageError(`--family expects ${FAMILIES.join(', ')}, got ${family}`);
  if (!values.output) throw new UsageError('expected -o <folder> to write the files into');
  const { workflow, warnings } = loadWorkflowFile(positionals[0]);
  for (const w of warnings) err(`warning: ${w}`);
  let result;
  try {
    result = exportWorkflow(workflow, to, cliSchemas(), family);
  } catch (e) {
    if (e instanceof ExportError) {
      err(`loraflow export: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const dir = path.resolve(values.output);
  try {
    makeFolders(dir);
  } catch (e) {
    err(`loraflow export: cannot create ${dir}: ${(e as Error).message}`);
    return 1;
  }
  for (const f of result.files) {
    writeFileAtomicSync(path.join(dir, f.name), f.text);
    out(`wrote ${path.join(dir, f.name)}`);
  }
  for (const w of result.warnings) err(`note: ${w}`);
  return 0;
}
