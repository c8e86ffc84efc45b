import { parseWorkflow, WorkflowParseError, WorkflowTooLargeError } from '../../protocol/workflow-io';
import { inactiveTargetsError } from '../engine/node-modes';
import { workflowPathRefusals, type PathRefusal } from '../engine/path-params';
import type { PathPolicy } from '../../nodes/api';
import { WORKFLOW_LIMITS } from '../../protocol/limits';
import { validateWorkflowCapped } from '../../protocol/validate';
import { unknownParamWarnings } from '../../protocol/unknown-params';
import type { NodeSchema } from '../../protocol/schema';
import type { ValidationError } from '../../protocol/validation-types';
import type { WorkflowFile } from '../../protocol/workflow';

export type CheckedSubmission =
  | { ok: true; workflow: WorkflowFile; warnings: string[] }
  | { ok: false; kind: 'validation'; errors: ValidationError[]; truncated?: boolean }
  | { ok: false; kind: 'bad-request' | 'too-large'; message: string };

/**
 * Parses (migrating older formats) and validates a submitted workflow and its targets; with `paths`, also every
 * path-like parameter under the path policy the run would use, so a bad output folder or name is refused now and
 * not after hours of training (the same check as `loraflow validate`, less the existence of what is read).
 */
export function checkSubmission(
  input: unknown,
  targets: unknown,
  schemas: NodeSchema[],
  paths?: PathPolicy,
): CheckedSubmission {
  let parsed: { workflow: WorkflowFile; warnings: string[] };
  try {
    parsed = parseWorkflow(input);
  } catch (err) {
    if (err instanceof WorkflowTooLargeError) return { ok: false, kind: 'too-large', message: err.message };
    if (err instanceof WorkflowParseError) return { ok: false, kind: 'bad-request', message: err.message };
    throw err;
  }
  const { workflow } = parsed;
  if (targets !== undefined) {
    if (!Array.isArray(targets) || !targets.every((t): t is string => typeof t === 'string')) {
      return { ok: false, kind: 'bad-request', message: 'targets must be a list of node ids' };
    }
    if (targets.length > WORKFLOW_LIMITS.targets) {
      const limit = WORKFLOW_LIMITS.targets.toLocaleString('en');
      return {
        ok: false,
        kind: 'too-large',
        message: `targets: ${targets.length} node ids, over the limit of ${limit}`,
      };
    }
    const ids = new Set(workflow.nodes.map((n) => n.id));
    const missing = targets.filter((t) => !ids.has(t));
    if (missing.length > 0)
      return {
        ok: false,
        kind: 'bad-request',
        message: `targets name nodes not in the workflow: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}`,
      };
    const inactive = inactiveTargetsError(workflow, targets);
    if (inactive) return { ok: false, kind: 'bad-request', message: inactive };
  }
  const { errors, truncated } = workflowErrors(workflow, schemas, paths);
  if (truncated || errors.length > 0)
    return { ok: false, kind: 'validation', errors, ...(truncated ? { truncated } : {}) };
  // A parameter the node lacks is ignored by the run: say so (a warning, so an older file still runs).
  const unknown = unknownParamWarnings(workflow, schemas).map((w) => w.message);
  return { ok: true, workflow, warnings: [...parsed.warnings.map(String), ...unknown] };
}

/**
 * Every error of a workflow in one list: validation's, then the path policy's refusals under `paths` (a parameter
 * validation names is not named twice). The same answer for `POST /api/runs`, `loraflow run` and `loraflow validate`
 * (`readsMustExist`: a folder or file to read must be there, see workflowPathRefusals), so that no check waits for
 * another to pass (QA S8-F8: the user fixed a wrong value, ran again, and only then heard that the output name was
 * refused). When validation stops at its cap, the path check is left for the next round.
 */
export function workflowErrors(
  workflow: WorkflowFile,
  schemas: readonly NodeSchema[],
  paths?: PathPolicy,
  readsMustExist = false,
): { errors: ValidationError[]; truncated: boolean } {
  const { errors, truncated } = validateWorkflowCapped(workflow, schemas, WORKFLOW_LIMITS.reportedErrors);
  if (truncated || !paths) return { errors, truncated };
  const named = new Set(errors.map((e) => `${e.nodeId}\u0000${e.param ?? ''}`));
  const refused = workflowPathRefusals(workflow, schemas, paths, readsMustExist)
    .map(pathValidationError)
    .filter((r) => !named.has(`${r.nodeId}\u0000${r.param ?? ''}`));
  return { errors: [...errors, ...refused], truncated: false };
}

function pathValidationError(r: PathRefusal): ValidationError {
  return {
    kind: 'param-path',
    nodeId: r.nodeId,
    nodeType: r.nodeType,
    param: r.param,
    message: `node "${r.nodeId}" (${r.nodeType}), parameter "${r.param}": ${r.why}`,
  };
}
