/**
 * Planning, step 2: each needed node's cache key, in topological order. A key is the hash of the node's type and
 * version, its normalised params, its fingerprint of outside state and its inputs' keys, so a change anywhere
 * upstream changes every key below it. Fingerprints are awaited together, and only for nodes that define one.
 */
import type { Params } from '../../nodes/api';
import type { NodeError } from '../../protocol/messages';
import { cacheKeyOf, inputsText, normalizeParams } from './cache-key';
import { describeNodeError } from './hints';
import type { Plan } from './plan';
import type { PathPolicy } from '../../nodes/api';
import { checkPathParams } from './path-params';
import { convertedParams } from '../../protocol/param-inputs';
import type { PlannedNode } from './plan';
import { withoutWiredParams } from './wired-params';

/** The params a node's key and checks see: converted parameters are null (their wired value is an input key). */
function keyParams(p: PlannedNode): Params {
  const schema = p.def!.schema;
  return withoutWiredParams(schema, p.node, normalizeParams(schema, p.node.params));
}

/**
 * A fingerprint reads outside state named by the params (a folder's files); with a parameter wired, the value it
 * would need is not known before the run, so such a node is not fingerprinted and reruns every time instead.
 */
function fingerprintsWiredValue(p: PlannedNode): boolean {
  return p.def?.fingerprint !== undefined && convertedParams(p.def.schema, p.node).length > 0;
}

export type NodeKey =
  /** `inputs` is the text the inputs key hashes; only nodes that run need that hash, so the executor computes it when one starts. */
  | { ok: true; key: string; inputs: string; params: Params }
  /** The key cannot be computed: the node's type is unknown, its fingerprint failed, or an input's key is missing. */
  | { ok: false; error: NodeError; upstream?: string };

/** Each node's refused path parameter, if any (path-params.ts); such a node neither fingerprints nor runs. */
function pathRefusals(plan: Plan, paths: PathPolicy): (NodeError | undefined)[] {
  return plan.nodes.map((p) => {
    if (!p.def) return undefined;
    try {
      checkPathParams(p.def.schema, keyParams(p), paths);
      return undefined;
    } catch (e) {
      const error = describeNodeError(e);
      return { ...error, message: `Node "${p.id}" (${p.node.type}): ${error.message}` };
    }
  });
}

async function fingerprints(
  plan: Plan,
  paths: PathPolicy,
  refused: readonly (NodeError | undefined)[],
  loraFolders: readonly string[],
): Promise<(string | Error)[]> {
  const results: (string | Error)[] = new Array<string>(plan.nodes.length).fill('');
  const pending: Promise<void>[] = [];
  plan.nodes.forEach((p, i) => {
    const fp = p.def?.fingerprint;
    if (!fp || refused[i] || fingerprintsWiredValue(p)) return;
    const params = keyParams(p);
    const settle = (v: string | Error) => void (results[i] = v);
    try {
      const value = fp.call(p.def, params, { paths, nodeId: p.id, loraFolders });
      if (typeof value === 'string') settle(value);
      else pending.push(value.then(settle, (e: unknown) => settle(e instanceof Error ? e : new Error(String(e)))));
    } catch (e) {
      settle(e instanceof Error ? e : new Error(String(e)));
    }
  });
  if (pending.length > 0) await Promise.all(pending);
  return results;
}

/**
 * Computes every planned node's key; `runId` salts the keys of non-cacheable nodes so that they rerun.
 * `loraFolders` reach the fingerprints as they reach the nodes (EngineEnv.loraFolders).
 */
export async function computeKeys(
  plan: Plan,
  paths: PathPolicy,
  runId: string,
  loraFolders: readonly string[] = [],
): Promise<NodeKey[]> {
  const refused = pathRefusals(plan, paths);
  const prints = await fingerprints(plan, paths, refused, loraFolders);
  const keys: NodeKey[] = [];
  plan.nodes.forEach((p, i) => {
    const refusal = refused[i];
    if (refusal) {
      keys.push({ ok: false, error: refusal });
      return;
    }
    if (!p.def) {
      keys.push({
        ok: false,
        error: { message: `Node "${p.id}" has unknown type "${p.node.type}": no installed node type has that name.` },
      });
      return;
    }
    const print = prints[i]!;
    if (print instanceof Error) {
      const error = describeNodeError(print);
      keys.push({
        ok: false,
        error: { ...error, message: `Checking the inputs of "${p.id}" failed: ${error.message}` },
      });
      return;
    }
    const parts: [string, string[]][] = [];
    for (const input of p.inputs) {
      const sources: string[] = [];
      for (const s of input.sources) {
        const k = keys[s.from]!;
        if (!k.ok) {
          keys.push({
            ok: false,
            error: { message: `not run: "${plan.nodes[s.from]!.id}" could not run` },
            upstream: plan.nodes[s.from]!.id,
          });
          return;
        }
        sources.push(`${k.key}:${s.socket}`);
      }
      parts.push([input.socket, sources]);
    }
    const params = keyParams(p);
    const inputs = inputsText(parts);
    const salt = p.def.schema.cacheable && !fingerprintsWiredValue(p) ? '' : runId;
    keys.push({ ok: true, key: cacheKeyOf(p.def.schema, params, print, inputs, salt), inputs, params });
  });
  return keys;
}
