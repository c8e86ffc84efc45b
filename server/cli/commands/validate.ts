import path from 'node:path';
import { unknownParamWarnings } from '../../../protocol/unknown-params';
import { interruptDeadRunsIn } from '../interrupted';
import { createRegistry } from '../../engine/registry';
import { loadNodeDefinitions } from '../../queue';
import { applyOverrides, OverrideError } from '../../../protocol/overrides';
import { DATA_OPTIONS, UsageError, configOptions, parseCommand } from '../args';
import { resolveConfig } from '../../config';
import { createPathPolicy } from '../../engine/paths';
import { workflowErrors } from '../../queue/submission';
import { loadWorkflowFile } from '../load-workflow';
import { err, out } from '../output';
import { formatValidationErrors } from '../validation-report';

export const VALIDATE_USAGE = `usage: loraflow validate <workflow.json> [--set <nodeId|title>.<param>=<value>]...
                         [--data <folder>] [--allow <folder>]...

Checks a workflow against the node types and prints every error (unknown node types, missing inputs,
socket type mismatches, parameters of the wrong kind or out of range, bad edges, cycles), and warns about
parameters a node type does not have (a typo, or one a newer version removed). Then checks every path
parameter as \`run\` would with the same --data / --allow folders: outside them, or a folder or file to read
that does not exist, is an error naming the node and the parameter.
--set overrides a parameter as \`run\` does, so the workflow checked is the one that would run.
Runs that a killed loraflow left 'running' in the data folder's history are marked interrupted.
Exit code 0 when the workflow is valid, 1 otherwise.`;

/** `loraflow validate`: prints every validation error; exit 1 if any. */
export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...DATA_OPTIONS, set: { type: 'string', multiple: true } });
  if (values.help) {
    out(VALIDATE_USAGE);
    return 0;
  }
  interruptDeadRunsIn(values.data);
  const file = positionals[0];
  const { workflow: loaded, warnings } = loadWorkflowFile(file);
  for (const w of warnings) err(`warning: ${w}`);
  const extra = process.env.LORAFLOW_EXTRA_NODES;
  const registry = createRegistry(loadNodeDefinitions(extra ? path.resolve(extra) : undefined));
  let workflow = loaded;
  try {
    workflow = applyOverrides(loaded, registry.schemas(), values.set ?? []);
  } catch (e) {
    if (e instanceof OverrideError) throw new UsageError(e.message);
    throw e;
  }
  for (const w of unknownParamWarnings(workflow, registry.schemas())) out(`warning: ${w.message}`);
  // The folders `run` would allow with the same options, so that what validates here is not refused there; the path
  // refusals come with the validation errors in one round, as `POST /api/runs` answers them.
  const paths = createPathPolicy(resolveConfig(configOptions(values)).roots);
  const { errors, truncated } = workflowErrors(workflow, registry.schemas(), paths, true);
  if (errors.length > 0) {
    out(formatValidationErrors(errors));
    if (truncated)
      out(`(validation stopped at the first ${errors.length} errors; paths are checked once they are fixed)`);
    return 1;
  }
  out(`${file}: valid (${workflow.nodes.length} nodes, ${workflow.edges.length} edges)`);
  return 0;
}
