/** Validation of the open workflow with the server's own rules (protocol/validate.ts), cached per file object. */
import type { NodeSchema } from '../../../protocol/schema';
import type { ValidationError } from '../../../protocol/validation-types';
import type { WorkflowFile } from '../../../protocol/workflow';
import { errorsByNode, validateWorkflow } from '../../../protocol/validate';
import { unknownParamWarnings } from '../../../protocol/unknown-params';

export interface Validation {
  errors: ValidationError[];
  byNode: Record<string, ValidationError[]>;
  /** Warnings (severity 'warning'): parameters a node type lacks. They do not make the workflow invalid. */
  warningsByNode: Record<string, ValidationError[]>;
}

const NONE: ValidationError[] = [];
let last: { doc: WorkflowFile; schemas: ReadonlyMap<string, NodeSchema>; result: Validation } | undefined;

/** Every validation error of `doc`; recomputed only when the doc or the schemas change. */
export function validate(doc: WorkflowFile, schemas: ReadonlyMap<string, NodeSchema>): Validation {
  if (last && last.doc === doc && last.schemas === schemas) return last.result;
  // Without schemas every node would be "unknown": wait until they have loaded.
  const errors = schemas.size === 0 ? NONE : validateWorkflow(doc, schemas);
  const warnings = schemas.size === 0 ? NONE : unknownParamWarnings(doc, schemas);
  const result = { errors, byNode: errorsByNode(errors), warningsByNode: errorsByNode(warnings) };
  last = { doc, schemas, result };
  return result;
}

/** Two error lists say the same thing (so a node need not re-render). */
export function sameErrors(a: readonly ValidationError[], b: readonly ValidationError[]): boolean {
  return a.length === b.length && a.every((e, i) => e.message === b[i]?.message);
}

export const noErrors = NONE;
