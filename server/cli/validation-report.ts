import type { ValidationError } from '../../protocol/validation-types';

/** Every validation error on its own line, grouped by node. */
export function formatValidationErrors(errors: ValidationError[]): string {
  const lines = [`${errors.length} validation error${errors.length === 1 ? '' : 's'}:`];
  for (const e of errors) lines.push(`  ${e.nodeId || '(graph)'}: ${e.message} [${e.kind}]`);
  return lines.join('\n');
}
