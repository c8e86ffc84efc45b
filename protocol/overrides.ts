/**
 * Command-line parameter overrides: `--set <nodeId|title>.<param>=<value>`, coerced to the parameter's kind
 * and checked against its spec, with errors that name the node or parameter that was not found or is ambiguous.
 */
import type { NodeSchema, ParamSpec, ParamValue } from './schema';
import type { WorkflowFile, WorkflowNode } from './workflow';
import { validateParamValue, type SchemaSource } from './validate';
import { convertedParamNames } from './param-inputs';
import { didYouMean } from './closest-name';

/** An override that cannot be applied; the message says which part of `--set` is wrong and what is possible. */
export class OverrideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverrideError';
  }
}

interface ParsedSet {
  target: string;
  param: string;
  raw: string;
}

function parseSet(set: string): ParsedSet {
  const eq = set.indexOf('=');
  const key = eq < 0 ? '' : set.slice(0, eq);
  // Split at the last dot: titles and ids may contain dots, parameter names do not.
  const dot = key.lastIndexOf('.');
  if (eq < 0 || dot <= 0 || dot === key.length - 1) {
    throw new OverrideError(`--set "${set}": expected <nodeId|title>.<param>=<value>, e.g. train.steps=200`);
  }
  return { target: key.slice(0, dot), param: key.slice(dot + 1), raw: set.slice(eq + 1) };
}

function findNode(wf: WorkflowFile, target: string): WorkflowNode {
  const byId = wf.nodes.find((n) => n.id === target);
  if (byId) return byId;
  const byTitle = wf.nodes.filter((n) => n.title === target);
  const matches =
    byTitle.length > 0 ? byTitle : wf.nodes.filter((n) => n.title?.toLowerCase() === target.toLowerCase());
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new OverrideError(
      `--set: "${target}" is the title of ${matches.length} nodes (${matches.map((n) => n.id).join(', ')}); use the node id instead`,
    );
  }
  const known = wf.nodes.map((n) => (n.title ? `${n.id} (${n.title})` : n.id)).join(', ');
  throw new OverrideError(`--set: no node has the id or title "${target}"; nodes: ${known || 'none'}`);
}

function coerceBoolean(raw: string): boolean | string {
  const v = raw.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  return raw;
}

/** Turns the text after `=` into a value of the parameter's kind (left as text when it cannot be). */
export function coerceParamValue(spec: ParamSpec | undefined, raw: string): ParamValue {
  switch (spec?.kind) {
    case 'number':
    case 'int':
    case 'seed': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      return Number.isNaN(n) ? raw : n;
    }
    case 'boolean':
      return coerceBoolean(raw);
    case 'list':
      // A JSON array for several items; anything else is one item (prompts contain commas).
      if (raw.trim().startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (Array.isArray(parsed)) return parsed.map(String);
        } catch {
          // not JSON: fall through to a one-item list
        }
      }
      return [raw];
    case undefined:
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed === null || ['number', 'boolean'].includes(typeof parsed)) return parsed as ParamValue;
      } catch {
        // plain text
      }
      return raw;
    default:
      return raw;
  }
}

/** Returns a copy of the workflow with every `--set` override applied; throws OverrideError on the first bad one. */
export function applyOverrides(wf: WorkflowFile, schemas: SchemaSource, sets: readonly string[]): WorkflowFile {
  const map: ReadonlyMap<string, NodeSchema> = Array.isArray(schemas)
    ? new Map((schemas as readonly NodeSchema[]).map((s) => [s.type, s]))
    : (schemas as ReadonlyMap<string, NodeSchema>);
  const nodes = wf.nodes.map((n) => ({ ...n, params: { ...n.params } }));
  const copy: WorkflowFile = { ...wf, nodes };
  for (const set of sets) {
    const { target, param, raw } = parseSet(set);
    const node = findNode(copy, target);
    const schema = map.get(node.type);
    const spec = schema?.params.find((p) => p.name === param);
    if (schema && !spec) {
      const names = schema.params.map((p) => p.name).join(', ') || 'none';
      throw new OverrideError(
        `--set: node "${node.id}" (${node.type}) has no parameter "${param}"` +
          `${didYouMean(
            param,
            schema.params.map((p) => p.name),
          )}; its parameters: ${names}`,
      );
    }
    if (convertedParamNames(node).includes(param)) {
      throw new OverrideError(
        `--set ${target}.${param}: that parameter is an input of node "${node.id}" now (a wire drives it); set the node wired into it`,
      );
    }
    const value = coerceParamValue(spec, raw);
    const problem = spec && validateParamValue(spec, value);
    if (problem) {
      throw new OverrideError(`--set ${target}.${param}: expected ${problem.expected}, received ${problem.received}`);
    }
    node.params[param] = value;
  }
  return copy;
}
