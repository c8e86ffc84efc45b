/**
 * Workflow validation, the same code in the editor and the server: every error at once, each naming the node,
 * the input or parameter, what was expected and what was received. Pure TypeScript, no Node.js imports.
 */
import { loraTagProblem } from './lora-tags';
import { codePointOf, HIDDEN_CHARACTER } from './visible-text';
import { socketsCompatible, type NodeSchema, type ParamSpec, type SocketSpec } from './schema';
import type { WorkflowEdge, WorkflowFile, WorkflowNode } from './workflow';
import type { ValidationError, ValidationErrorKind } from './validation-types';
import { oneOfErrors } from './one-of-params';
import { edgeIndex, optionsFor, sourceNode, sourceParam } from './upstream';

/** "0.7" or "0.7, 0.4": numbers separated by commas (Sample's parseRow reads the same). */
const isNumberRow = (row: string): boolean => {
  const parts = row
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return parts.length > 0 && parts.every((p) => Number.isFinite(Number(p)));
};
import { convertedParams, inputSocketsOf, paramOfSocket } from './param-inputs';

export type SchemaSource = ReadonlyMap<string, NodeSchema> | readonly NodeSchema[];

/** What is wrong with one parameter value, without the node it belongs to. */
export interface ParamProblem {
  kind: Extract<ValidationErrorKind, 'param-kind' | 'param-range' | 'param-option' | 'param-missing'>;
  expected: string;
  received: string;
}

/** A short description of a value for error messages: `the string "abc"`, `number 3`, `an array`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return v === '' ? 'an empty string' : `"${v.length > 60 ? v.slice(0, 60) + '…' : v}"`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function rangeText(spec: ParamSpec): string {
  const above = spec.exclusiveMin ? `more than ${spec.min}` : `at least ${spec.min}`;
  if (spec.min !== undefined && spec.max !== undefined)
    return spec.exclusiveMin ? `${above} and at most ${spec.max}` : `between ${spec.min} and ${spec.max}`;
  if (spec.min !== undefined) return above;
  return `at most ${spec.max}`;
}

function checkNumber(spec: ParamSpec, value: unknown): ParamProblem | null {
  const integer = spec.kind !== 'number';
  const what = spec.kind === 'seed' ? 'a whole number >= 0 (seed)' : integer ? 'a whole number' : 'a number';
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    return { kind: 'param-kind', expected: what, received: describeValue(value) };
  }
  // Above 2^53 - 1 neighbouring whole numbers are one double: seed + i is the same seed for every image (QA S6-F6).
  if (integer && !Number.isSafeInteger(value))
    return { kind: 'param-range', expected: `${what} up to ${Number.MAX_SAFE_INTEGER}`, received: String(value) };
  const min = spec.kind === 'seed' ? Math.max(spec.min ?? 0, 0) : spec.min;
  const belowMin = min !== undefined && (value < min || (spec.exclusiveMin === true && value === min));
  if (belowMin || (spec.max !== undefined && value > spec.max)) {
    return { kind: 'param-range', expected: rangeText({ ...spec, min }), received: String(value) };
  }
  // A whole-number parameter with a step takes min + k·step (Sample's width: 0 = the model's own, else a multiple
  // of 64). Unchecked, a value in between passed validation and failed in its node after the training before it.
  if (integer && spec.step !== undefined && spec.step > 1) {
    const base = min ?? 0;
    if ((value - base) % spec.step !== 0) {
      const expected =
        base % spec.step === 0 ? `a multiple of ${spec.step}` : `${base} plus a multiple of ${spec.step}`;
      return { kind: 'param-range', expected, received: String(value) };
    }
  }
  return null;
}

/** Checks one parameter value against its spec; null when it is fine. `undefined` means "use the default". */
export function validateParamValue(spec: ParamSpec, value: unknown): ParamProblem | null {
  const v = value === undefined ? spec.default : value;
  const emptyAllowed = spec.optional === true;
  if (v === null || v === undefined) {
    return emptyAllowed
      ? null
      : { kind: 'param-missing', expected: `a value (${spec.kind})`, received: describeValue(v) };
  }
  switch (spec.kind) {
    case 'number':
    case 'int':
    case 'seed':
      return checkNumber(spec, v);
    case 'boolean':
      return typeof v === 'boolean'
        ? null
        : { kind: 'param-kind', expected: 'true or false', received: describeValue(v) };
    case 'list':
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
        return { kind: 'param-kind', expected: 'a list of strings', received: describeValue(v) };
      // A list whose default has items needs one (Sample's prompts); one whose default is empty may stay empty.
      if (!emptyAllowed && v.every((x) => x.trim() === '') && Array.isArray(spec.default) && spec.default.length > 0)
        return { kind: 'param-missing', expected: 'at least one item', received: 'an empty list' };
      if (spec.numberRows) {
        const bad = v.find((row) => row.trim() !== '' && !isNumberRow(row));
        if (bad !== undefined)
          return {
            kind: 'param-kind',
            expected: 'rows of numbers such as 0.7 or 0.7, 0.4',
            received: JSON.stringify(bad),
          };
      }
      if (spec.pathPart === 'lora-tags') {
        const problem = v.map(loraTagProblem).find((p) => p !== null);
        if (problem)
          return { kind: 'param-kind', expected: 'prompts whose <lora:name:strength> tags read', received: problem };
      }
      return null;
    case 'enum':
      if (typeof v !== 'string')
        return { kind: 'param-kind', expected: 'one of the options (a string)', received: describeValue(v) };
      return spec.options?.includes(v)
        ? null
        : {
            kind: 'param-option',
            expected: `one of ${(spec.options ?? []).map((o) => `"${o}"`).join(', ')}`,
            received: describeValue(v),
          };
    case 'string':
    case 'text':
    case 'path':
      if (typeof v !== 'string') return { kind: 'param-kind', expected: 'a string', received: describeValue(v) };
      // A NUL cannot be part of a file name, and the OS would refuse it with a raw error deep in a node.
      if (spec.kind !== 'text' && v.includes('\u0000'))
        return { kind: 'param-kind', expected: 'text without NUL characters', received: 'a NUL character' };
      // A control or bidi-formatting character makes a word display as another (U+202E shows "\u202Eevil" as "live").
      if (spec.kind !== 'text' && HIDDEN_CHARACTER.test(v))
        return {
          kind: 'param-kind',
          expected: 'text without control or bidi-formatting characters',
          received: `the character ${codePointOf(v.match(HIDDEN_CHARACTER)![0])}`,
        };
      if (v.trim() === '' && spec.kind !== 'text' && !emptyAllowed) {
        return {
          kind: 'param-missing',
          expected: spec.kind === 'path' ? `a ${(spec.pathKind ?? 'path').replace(/-/g, ' ')}` : 'a non-empty string',
          received: 'an empty string',
        };
      }
      return null;
  }
}

/** Whether a parameter applies given the others (`visibleWhen`); hidden ones are neither shown nor checked. */
export function isParamVisible(
  schema: NodeSchema,
  spec: ParamSpec,
  params: Readonly<Record<string, unknown>>,
): boolean {
  // A condition on the node at an input is the editor's to judge (client/src/graph/upstream-params.ts).
  if (!spec.visibleWhen || spec.visibleWhen.input !== undefined) return true;
  const controller = schema.params.find((p) => p.name === spec.visibleWhen!.param);
  const value = params[spec.visibleWhen.param] ?? controller?.default;
  return spec.visibleWhen.equals.some((v) => v === value);
}

/** Groups errors by node id ('' for errors about no node in particular). */
export function errorsByNode(errors: readonly ValidationError[]): Record<string, ValidationError[]> {
  // Keyed by ids from the file: no prototype, so that "toString" or "__proto__" are ids like any other.
  const out = Object.create(null) as Record<string, ValidationError[]>;
  for (const e of errors) (out[e.nodeId] ??= []).push(e);
  return out;
}

function toSchemaMap(schemas: SchemaSource): ReadonlyMap<string, NodeSchema> {
  if (!Array.isArray(schemas)) return schemas as ReadonlyMap<string, NodeSchema>;
  return new Map((schemas as readonly NodeSchema[]).map((s) => [s.type, s]));
}

function nodeLabel(node: WorkflowNode): string {
  return node.title && node.title !== node.id
    ? `node "${node.id}" (${node.title}, ${node.type})`
    : `node "${node.id}" (${node.type})`;
}

/** Thrown by a full error list: validation stops there (see validateWorkflowCapped). */
class ErrorLimitReached extends Error {}

/** An error list that throws ErrorLimitReached instead of growing past `max`. */
function cappedList(max: number): ValidationError[] {
  const list: ValidationError[] = [];
  if (!Number.isFinite(max)) return list;
  list.push = (...items: ValidationError[]): number => {
    for (const item of items) {
      if (list.length >= max) throw new ErrorLimitReached();
      Array.prototype.push.call(list, item);
    }
    return list.length;
  };
  return list;
}

/**
 * Validates a workflow and returns at most `maxErrors` errors, stopping as soon as there are that many: a graph of
 * 40,000 broken edges has 80,000 errors, whose messages alone would take seconds to build and 100s of MB to send.
 */
export function validateWorkflowCapped(
  wf: WorkflowFile,
  schemas: SchemaSource,
  maxErrors: number,
): { errors: ValidationError[]; truncated: boolean } {
  const errors = cappedList(maxErrors);
  try {
    collectErrors(wf, schemas, errors);
    return { errors, truncated: false };
  } catch (e) {
    if (e instanceof ErrorLimitReached) return { errors, truncated: true };
    throw e;
  }
}

/** Validates a whole workflow against the node schemas and returns every error found (empty when valid). */
export function validateWorkflow(wf: WorkflowFile, schemas: SchemaSource): ValidationError[] {
  return validateWorkflowCapped(wf, schemas, Infinity).errors;
}

function collectErrors(wf: WorkflowFile, schemas: SchemaSource, errors: ValidationError[]): void {
  const map = toSchemaMap(schemas);
  const nodes = new Map<string, WorkflowNode>();
  for (const node of wf.nodes) {
    if (nodes.has(node.id)) {
      errors.push({
        kind: 'duplicate-node-id',
        nodeId: node.id,
        nodeType: node.type,
        expected: 'a unique node id',
        received: `"${node.id}" used again`,
        message: `Node id "${node.id}" is used by more than one node (${nodes.get(node.id)?.type} and ${node.type}); ids must be unique.`,
      });
      continue;
    }
    nodes.set(node.id, node);
    // A muted or bypassed node does not run: a half-built one may be set aside that way (as in ComfyUI).
    if (node.mode === 'mute' || node.mode === 'bypass') continue;
    const schema = map.get(node.type);
    if (!schema) {
      errors.push({
        kind: 'unknown-node-type',
        nodeId: node.id,
        nodeType: node.type,
        expected: 'a known node type',
        received: node.type,
        message: `Node "${node.id}" has unknown type "${node.type}": no installed node type has that name.`,
      });
      continue;
    }
    const wired = new Set(convertedParams(schema, node).map((p) => p.name));
    for (const spec of schema.params) {
      if (wired.has(spec.name)) continue; // its value arrives by wire: checked when the node runs
      if (!isParamVisible(schema, spec, node.params)) continue; // a hidden parameter is not used, so not checked
      const problem = validateParamValue(spec, node.params[spec.name]);
      if (problem) {
        errors.push({
          ...problem,
          nodeId: node.id,
          nodeType: node.type,
          param: spec.name,
          message: `${nodeLabel(node)}, parameter "${spec.name}": expected ${problem.expected}, received ${problem.received}.`,
        });
      }
    }
    errors.push(...oneOfErrors(schema, node, wired));
  }
  const edgesByInput = checkEdges(wf.edges, nodes, map, errors);
  checkInputs(nodes, map, edgesByInput, errors);
  checkUpstreamOptions(wf, nodes, map, errors);
  checkCycles(wf.edges, nodes, errors);
}

/**
 * Options that the node wired in does not support (`optionsWhen`): Sample's `heun` on an SD 1.5 model passed
 * validation and failed only when Sample ran, after what came before it (a training, perhaps).
 */
function checkUpstreamOptions(
  wf: WorkflowFile,
  nodes: Map<string, WorkflowNode>,
  map: ReadonlyMap<string, NodeSchema>,
  errors: ValidationError[],
): void {
  let edgeInto: ReturnType<typeof edgeIndex> | undefined;
  for (const node of nodes.values()) {
    const schema = map.get(node.type);
    if (!schema || node.mode === 'mute' || node.mode === 'bypass') continue;
    for (const spec of schema.params) {
      const when = spec.optionsWhen;
      if (!when || spec.kind !== 'enum' || convertedParams(schema, node).some((p) => p.name === spec.name)) continue;
      if (!isParamVisible(schema, spec, node.params)) continue;
      const value = node.params[spec.name] ?? spec.default;
      if (typeof value !== 'string' || !spec.options?.includes(value)) continue; // refused above already
      edgeInto ??= edgeIndex(wf);
      const source = sourceNode(wf, node.id, when.input, edgeInto, (id) => nodes.get(id));
      const sourceValue = sourceParam(source, when.param, map);
      const allowed = optionsFor(spec, sourceValue);
      if (!source || !allowed || allowed.includes(value)) continue;
      const expected =
        `one of ${allowed.map((o) => `"${o}"`).join(', ')} (what ${when.param} ${describeValue(sourceValue)} ` +
        `of node "${source.id}", wired to input "${when.input}", supports)`;
      errors.push({
        kind: 'param-option',
        nodeId: node.id,
        nodeType: node.type,
        param: spec.name,
        expected,
        received: describeValue(value),
        message: `${nodeLabel(node)}, parameter "${spec.name}": expected ${expected}, received ${describeValue(value)}.`,
      });
    }
  }
}

function checkEdges(
  edges: readonly WorkflowEdge[],
  nodes: Map<string, WorkflowNode>,
  map: ReadonlyMap<string, NodeSchema>,
  errors: ValidationError[],
): Map<string, WorkflowEdge[]> {
  const byInput = new Map<string, WorkflowEdge[]>();
  for (const edge of edges) {
    const src = nodes.get(edge.from.node);
    const dst = nodes.get(edge.to.node);
    for (const [end, node] of [
      [edge.from, src],
      [edge.to, dst],
    ] as const) {
      if (!node) {
        errors.push({
          kind: 'edge-missing-node',
          nodeId: end.node,
          edgeId: edge.id,
          expected: 'an existing node',
          received: `"${end.node}"`,
          message: `Edge "${edge.id}" (${edge.from.node}.${edge.from.socket} -> ${edge.to.node}.${edge.to.socket}) refers to node "${end.node}", which does not exist.`,
        });
      }
    }
    const srcSchema = src && map.get(src.type);
    const dstSchema = dst && map.get(dst.type);
    const out = srcSchema && findSocket(srcSchema.outputs, edge.from.socket, src, 'output', edge, errors);
    const inp = dstSchema && findSocket(inputSocketsOf(dstSchema, dst), edge.to.socket, dst, 'input', edge, errors);
    if (!dst || !inp) continue;
    const key = `${dst.id}\u0000${inp.name}`;
    const list = byInput.get(key) ?? [];
    list.push(edge);
    byInput.set(key, list);
    if (out && !socketsCompatible(out.type, inp.type)) {
      errors.push({
        kind: 'socket-type-mismatch',
        nodeId: dst.id,
        nodeType: dst.type,
        edgeId: edge.id,
        input: inp.name,
        param: paramOfSocket(inp.name),
        expected: inp.type,
        received: out.type,
        message: `${nodeLabel(dst)}, ${socketLabel(inp.name)}: expected ${inp.type}, received ${out.type} from ${edge.from.node}.${out.name}.`,
      });
    }
  }
  return byInput;
}

/** `input "dataset"`, or `parameter "steps" (an input now)` for a converted parameter's socket. */
function socketLabel(socket: string): string {
  const param = paramOfSocket(socket);
  return param === undefined ? `input "${socket}"` : `parameter "${param}" (an input now)`;
}

function findSocket(
  sockets: SocketSpec[],
  name: string,
  node: WorkflowNode,
  side: 'input' | 'output',
  edge: WorkflowEdge,
  errors: ValidationError[],
): SocketSpec | undefined {
  const socket = sockets.find((s) => s.name === name);
  if (!socket) {
    const names = sockets.map((s) => s.name).join(', ') || 'none';
    errors.push({
      kind: 'edge-missing-socket',
      nodeId: node.id,
      nodeType: node.type,
      edgeId: edge.id,
      input: side === 'input' ? name : undefined,
      expected: `an ${side} among: ${names}`,
      received: `"${name}"`,
      message: `Edge "${edge.id}" uses ${side} "${name}" of ${nodeLabel(node)}, which has no such ${side} (it has: ${names}).`,
    });
  }
  return socket;
}

function checkInputs(
  nodes: Map<string, WorkflowNode>,
  map: ReadonlyMap<string, NodeSchema>,
  byInput: Map<string, WorkflowEdge[]>,
  errors: ValidationError[],
): void {
  for (const node of nodes.values()) {
    const schema = map.get(node.type);
    if (!schema || node.mode === 'mute' || node.mode === 'bypass') continue;
    for (const input of inputSocketsOf(schema, node)) {
      const count = byInput.get(`${node.id}\u0000${input.name}`)?.length ?? 0;
      if (count === 0 && !input.optional) {
        errors.push({
          kind: 'missing-input',
          nodeId: node.id,
          nodeType: node.type,
          input: input.name,
          param: paramOfSocket(input.name),
          expected: `a connection of type ${input.type}`,
          received: 'nothing connected',
          message: `${nodeLabel(node)}, ${socketLabel(input.name)}: expected a connection of type ${input.type}, received nothing connected.`,
        });
      } else if (count > 1 && !input.list) {
        errors.push({
          kind: 'input-multiple-edges',
          nodeId: node.id,
          nodeType: node.type,
          input: input.name,
          param: paramOfSocket(input.name),
          expected: 'one connection',
          received: `${count} connections`,
          message: `${nodeLabel(node)}, ${socketLabel(input.name)}: expected one connection, received ${count}.`,
        });
      }
    }
  }
}

/** Finds cycles with Tarjan's algorithm (iterative: a 10,000-node chain must not overflow the stack). */
function checkCycles(
  edges: readonly WorkflowEdge[],
  nodes: Map<string, WorkflowNode>,
  errors: ValidationError[],
): void {
  const succ = new Map<string, string[]>();
  for (const e of edges) {
    if (!nodes.has(e.from.node) || !nodes.has(e.to.node)) continue;
    const list = succ.get(e.from.node) ?? [];
    list.push(e.to.node);
    succ.set(e.from.node, list);
  }
  for (const component of stronglyConnected([...nodes.keys()], succ)) {
    const selfLoop = component.length === 1 && (succ.get(component[0]!) ?? []).includes(component[0]!);
    if (component.length < 2 && !selfLoop) continue;
    const path = [...component, component[0]].join(' -> ');
    for (const id of component) {
      const node = nodes.get(id)!;
      errors.push({
        kind: 'cycle',
        nodeId: id,
        nodeType: node.type,
        expected: 'no cycles',
        received: path,
        message: `${nodeLabel(node)} is part of a cycle: ${path}.`,
      });
    }
  }
}

function stronglyConnected(ids: string[], succ: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    (index.set(root, counter), low.set(root, counter++), stack.push(root), onStack.add(root));
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = succ.get(frame.id) ?? [];
      if (frame.next < children.length) {
        const child = children[frame.next++]!;
        if (!index.has(child)) {
          (index.set(child, counter), low.set(child, counter++), stack.push(child), onStack.add(child));
          work.push({ id: child, next: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          component.push(id);
        } while (id !== frame.id);
        result.push(component.reverse());
      }
    }
  }
  return result;
}
