/**
 * Running, step 3½: a converted parameter's value arrives on a wire (protocol/param-inputs.ts), so it is only known
 * once the node feeding it has finished. Just before the node starts, the wired values replace the typed ones and
 * get exactly the checks a typed value gets: the schema's kind and range (protocol/validate.ts) and, for path-like
 * parameters, the path policy (path-params.ts). A refused value fails the node before execute() sees it.
 */
import { convertedParams, paramSocketName } from '../../protocol/param-inputs';
import type { NodeSchema, ParamSpec } from '../../protocol/schema';
import { describeValue, validateParamValue } from '../../protocol/validate';
import type { WorkflowNode } from '../../protocol/workflow';
import { NodeUserError, type Inputs, type Params, type PathPolicy } from '../../nodes/api';
import { checkPathParam } from './path-params';
import { PathError } from './paths';

/** Key params of a node with converted parameters: their typed values are unused, so they must not shape the key. */
export function withoutWiredParams(schema: NodeSchema, node: WorkflowNode, params: Params): Params {
  const converted = convertedParams(schema, node);
  if (converted.length === 0) return params;
  const out = { ...params };
  for (const spec of converted) out[spec.name] = null;
  return out;
}

/** A STRING wire into a list parameter (Sample's prompts) is a list of that one string. */
function asParamValue(spec: ParamSpec, value: unknown): unknown {
  return spec.kind === 'list' && typeof value === 'string' ? [value] : value;
}

/**
 * The params execute() gets: `params` with each converted parameter's wired value, and the inputs without the
 * parameter sockets. Throws a NodeUserError (or the policy's PathError) naming node and parameter when a value is
 * refused.
 */
export function applyWiredParams(
  schema: NodeSchema,
  node: WorkflowNode,
  params: Params,
  inputs: Inputs,
  paths: PathPolicy,
): { params: Params; inputs: Inputs } {
  const converted = convertedParams(schema, node);
  if (converted.length === 0) return { params, inputs };
  const merged: Params = { ...params };
  const rest: Inputs = { ...inputs };
  for (const spec of converted) {
    const socket = paramSocketName(spec.name);
    const value = asParamValue(spec, rest[socket]);
    delete rest[socket];
    const label = `Node "${node.id}" (${node.type}), parameter "${spec.name}" (from its input)`;
    const problem = value === undefined ? null : validateParamValue(spec, value);
    if (value === undefined || problem) {
      const expected = problem?.expected ?? `a value (${spec.kind})`;
      throw new NodeUserError(
        `${label}: expected ${expected}, received ${problem?.received ?? describeValue(value)}.`,
        'Change the value of the node wired into it, or convert the parameter back to a widget.',
        spec.name,
      );
    }
    try {
      checkPathParam(spec, value as Params[string], paths);
    } catch (e) {
      throw e instanceof PathError ? new PathError(`${label}: ${e.message}`, e.param, e.path, e.reason) : e;
    }
    merged[spec.name] = value as Params[string];
  }
  return { params: merged, inputs: rest };
}
