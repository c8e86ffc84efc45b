/**
 * A worker's own path policy applied to a job: file paths that come in a job's inputs (a MODEL read from disk)
 * must lie inside the worker's allowed folders, or be the weights shipped with loraflow itself.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

const SHIPPED_FILE = /[\\/]ml[\\/]dit[\\/]weights[\\/]([^\\/]+\.safetensors)$/;

/**
 * The server names the shipped weights by its own install path; a worker installed elsewhere has the same
 * files under its own. Returns `inputs` with such paths pointed at this install (when the file is here).
 */
export function localizeShippedWeights(inputs: Inputs): Inputs {
  const local = (value: JsonValue | undefined): JsonValue | undefined => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => local(v) ?? null);
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
      const name = k === 'path' && typeof v === 'string' ? SHIPPED_FILE.exec(v)?.[1] : undefined;
      const mine = name ? join(dirname(SHIPPED_WEIGHTS), name) : undefined;
      out[k] = mine && existsSync(mine) ? mine : (local(v) ?? null);
    }
    return out;
  };
  const result: Inputs = {};
  for (const [name, value] of Object.entries(inputs)) result[name] = local(value);
  return result;
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
