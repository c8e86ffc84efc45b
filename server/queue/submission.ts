import { parseWorkflow, WorkflowParseError } from '../../protocol/workflow-io';
import { validateWorkflow } from '../../protocol/validate';
import type { NodeSchema } from '../../protocol/schema';
import type { ValidationError } from '../../protocol/validation-types';
import type { WorkflowFile } from '../../protocol/workflow';

export type CheckedSubmission =
  | { ok: true; workflow: WorkflowFile; warnings: string[] }
  | { ok: false; kind: 'validation'; errors: ValidationError[] }
  | { ok: false; kind: 'bad-request'; message: string };

/** Parses (migrating older formats) and validates a submitted workflow and its targets. */
export function checkSubmission(input: unknown, targets: unknown, schemas: NodeSchema[]): CheckedSubmission {
  let parsed: { workflow: WorkflowFile; warnings: string[] };
  try {
    parsed = parseWorkflow(input);
  } catch (err) {
    if (err instanceof WorkflowParseError) return { ok: false, kind: 'bad-request', message: err.message };
    throw err;
  }
  const { workflow } = parsed;
  if (targets !== undefined) {
    if (!Array.isArray(targets) || !targets.every((t): t is string => typeof t === 'string')) {
      return { ok: false, kind: 'bad-request', message: 'targets must be a list of node ids' };
    }
    const missing = targets.filter((t) => !workflow.nodes.some((n) => n.id === t));
    if (missing.length > 0)
      return {
        ok: false,
        kind: 'bad-request',
        message: `targets name nodes not in the workflow: ${missing.join(', ')}`,
      };
  }
  const errors = validateWorkflow(workflow, schemas);
  if (errors.length > 0) return { ok: false, kind: 'validation', errors };
  return { ok: true, workflow, warnings: parsed.warnings.map(String) };
}
