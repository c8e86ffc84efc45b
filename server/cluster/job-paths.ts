/**
 * A worker's own path policy applied to a job: file paths that come in a job's inputs (a MODEL read from disk)
 * must lie inside the worker's allowed folders, or be the weights shipped with loraflow itself.
 */
import { dirname } from 'node:path';
import { NodeUserError, type Inputs, type PathPolicy } from '../../nodes/api';
import { SHIPPED_WEIGHTS } from '../../nodes/model/model-value';
import type { JsonValue } from '../../protocol/values';

function pathsIn(value: JsonValue | undefined, at: string, out: { at: string; path: string }[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.forEach((v, i) => pathsIn(v, `${at}[${i}]`, out));
  for (const [k, v] of Object.entries(value)) {
    if (k === 'path' && typeof v === 'string') out.push({ at, path: v });
    else pathsIn(v, `${at}.${k}`, out);
  }
}

/** Throws a NodeUserError naming the input when a path in `inputs` is outside the worker's allowed folders. */
export function checkJobPaths(inputs: Inputs, policy: PathPolicy, nodeId: string): void {
  const found: { at: string; path: string }[] = [];
  for (const [name, value] of Object.entries(inputs)) pathsIn(value, name, found);
  const shipped = dirname(SHIPPED_WEIGHTS);
  for (const { at, path } of found) {
    if (dirname(path) === shipped) continue;
    try {
      policy.resolve(path, 'read', at);
    } catch (e) {
      throw new NodeUserError(
        `node "${nodeId}": this worker refuses ${path} (input ${at}): ${(e as Error).message}`,
        'start the worker with --allow <folder> for that folder, or let the server send the file as an artifact',
        at.split(/[.[]/)[0],
      );
    }
  }
}
