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

/** What flows into a node, as text: the input sockets and the keys of their sources. */
export function inputsText(parts: InputKeyParts): string {
  let text = '';
  for (const [socket, sources] of parts) text += `${socket}=${sources.join(',')};`;
  return text;
}

/** Hash of the keys of what flows into a node; with the params it identifies "the same job" (NodeContext.inputsKey). */
export function inputsKeyOf(inputs: string): string {
  return createHash('sha256').update(inputs).digest('hex');
}

/**
 * A node's cache key: sha256 of its type and version, its normalised params, its fingerprint of outside state
 * and its inputs' keys. `salt` is the run id for non-cacheable nodes, so they and their dependents always rerun.
 */
export function cacheKeyOf(
  schema: NodeSchema,
  params: Params,
  fingerprint: string,
  inputs: string,
  salt: string,
): string {
  return createHash('sha256')
    .update(`${schema.type}@${schema.version}\n${JSON.stringify(params)}\n${fingerprint}\n${inputs}\n${salt}`)
    .digest('hex');
}
