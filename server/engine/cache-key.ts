import { createHash } from 'node:crypto';
import type { NodeSchema, ParamValue } from '../../protocol/schema';
import type { Params } from '../../nodes/api';

/** The node's parameters as execute() sees them: every schema parameter, defaults filled in, unknown ones dropped. */
export function normalizeParams(schema: NodeSchema, params: Record<string, ParamValue>): Params {
  const out: Params = {};
  for (const spec of schema.params) {
    const v = params[spec.name];
    out[spec.name] = v === undefined ? spec.default : v;
  }
  return out;
}

/** One input socket's sources: `socket=key:outputSocket,...` in edge order (list inputs keep their order). */
export type InputKeyParts = readonly (readonly [socket: string, sources: readonly string[]])[];

/** Hash of the keys of what flows into a node; with the params it identifies "the same job" (NodeContext.inputsKey). */
export function inputsKeyOf(parts: InputKeyParts): string {
  const hash = createHash('sha256');
  for (const [socket, sources] of parts) hash.update(`${socket}=${sources.join(',')};`);
  return hash.digest('hex');
}

/**
 * A node's cache key: sha256 of its type and version, its normalised params, its fingerprint of outside state
 * and its inputs' key. `salt` is the run id for non-cacheable nodes, so they and their dependents always rerun.
 */
export function cacheKeyOf(schema: NodeSchema, params: Params, fingerprint: string, inputsKey: string, salt: string): string {
  return createHash('sha256')
    .update(`${schema.type}@${schema.version}\n${JSON.stringify(params)}\n${fingerprint}\n${inputsKey}\n${salt}`)
    .digest('hex');
}
