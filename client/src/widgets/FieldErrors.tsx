/** A parameter's validation errors under its field, short (the full text naming node and parameter is the tooltip). */
import type { ValidationError } from '../../../protocol/validation-types';

/** An error shown under its own field need not name the node and the parameter again. */
export function fieldMessage(e: ValidationError): string {
  if (e.expected && e.received) return `Expected ${e.expected}, received ${e.received}.`;
  return e.message;
}

export function FieldErrors({
  nodeId,
  param,
  errors,
}: {
  nodeId: string;
  param: string;
  errors: readonly ValidationError[];
}) {
  return errors.map((e) => (
    <div key={e.message} className="error-text" title={e.message} data-testid={`param-error-${nodeId}-${param}`}>
      {fieldMessage(e)}
    </div>
  ));
}
