/**
 * Loading and saving workflow files: JSON parsing, shape checks with errors that say where, migrations from
 * older format versions, and a stable pretty serialisation. Unknown fields and nodes of unknown types are
 * kept untouched so that nothing in a file is lost by a load/save round trip. No Node.js imports.
 */
import { jsonErrorPlace } from './json-error-place';
import { WORKFLOW_FORMAT_VERSION, type WorkflowEdge, type WorkflowFile, type WorkflowNode } from './workflow';
import { detectFormatVersion, migrateToCurrent } from './migrations';
import { isRecord } from './migrations/types';
import { WORKFLOW_LIMITS, type WorkflowLimit } from './limits';

/** The app version written into saved files (protocol/ cannot read package.json: the browser uses it too). */
export const APP_VERSION = '0.1.0';

/** A workflow file that cannot be loaded; `path` says where in the file (e.g. `nodes[3].id`). */
export class WorkflowParseError extends Error {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'WorkflowParseError';
  }
}

/** A workflow over one of WORKFLOW_LIMITS (the server answers 413); `limit` names which. */
export class WorkflowTooLargeError extends WorkflowParseError {
  constructor(
    message: string,
    readonly limit: WorkflowLimit,
    path?: string,
  ) {
    super(message, path);
    this.name = 'WorkflowTooLargeError';
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function requireString(obj: Record<string, unknown>, key: string, path: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '')
    throw new WorkflowParseError(`expected a non-empty string, got ${describe(v)}`, `${path}.${key}`);
  return v;
}

function checkPoint(v: unknown, path: string, warnings: string[]): { x: number; y: number } {
  if (isRecord(v) && typeof v.x === 'number' && typeof v.y === 'number') return v as { x: number; y: number };
  warnings.push(`${path}: expected {x, y} numbers, got ${describe(v)}; placed at 0,0`);
  return { x: 0, y: 0 };
}

/** Node ids name work folders, log lines and URLs: short, printable. */
const MAX_ID_LENGTH = 200;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function checkNode(raw: unknown, i: number, seen: Set<string>, warnings: string[]): WorkflowNode {
  const path = `nodes[${i}]`;
  if (!isRecord(raw)) throw new WorkflowParseError(`expected a node object, got ${describe(raw)}`, path);
  const id = requireString(raw, 'id', path);
  if (id.length > MAX_ID_LENGTH || CONTROL_CHARACTERS.test(id))
    throw new WorkflowParseError(
      `expected an id of at most ${MAX_ID_LENGTH} characters without control characters, got ${describe(id)}`,
      `${path}.id`,
    );
  requireString(raw, 'type', path);
  // Duplicate ids are a validation error (reported with the others), not a reason to refuse loading.
  if (seen.has(id)) warnings.push(`${path}.id: duplicate node id "${id}"`);
  seen.add(id);
  const params = raw.params ?? {};
  if (!isRecord(params))
    throw new WorkflowParseError(`expected parameters by name (an object), got ${describe(params)}`, `${path}.params`);
  return { ...raw, params, position: checkPoint(raw.position, `${path}.position`, warnings) } as WorkflowNode;
}

function checkEndpoint(v: unknown, path: string): { node: string; socket: string } {
  if (!isRecord(v)) throw new WorkflowParseError(`expected {node, socket}, got ${describe(v)}`, path);
  requireString(v, 'node', path);
  requireString(v, 'socket', path);
  return v as { node: string; socket: string };
}

/**
 * Gives every edge a unique id. Ids written in the file are kept (the first of duplicates keeps it); an edge
 * without one, or repeating one, gets the first free `e<n>` with n >= its index. `next` only grows, so naming
 * every edge is linear however the file's ids collide with the generated ones.
 */
function assignEdgeIds(edges: WorkflowEdge[]): void {
  const used = new Set<string>();
  const needsId: number[] = [];
  edges.forEach((edge, i) => {
    if (edge.id !== '' && !used.has(edge.id)) used.add(edge.id);
    else needsId.push(i);
  });
  let next = 0;
  for (const i of needsId) {
    next = Math.max(next, i);
    while (used.has(`e${next}`)) next++;
    const id = `e${next}`;
    used.add(id);
    edges[i]!.id = id;
  }
}

function checkEdge(raw: unknown, i: number): WorkflowEdge {
  const path = `edges[${i}]`;
  if (!isRecord(raw)) throw new WorkflowParseError(`expected an edge object, got ${describe(raw)}`, path);
  const from = checkEndpoint(raw.from, `${path}.from`);
  const to = checkEndpoint(raw.to, `${path}.to`);
  const id = typeof raw.id === 'string' ? raw.id : '';
  return { ...raw, id, from, to } as WorkflowEdge;
}

/** Refuses more nodes or edges than WORKFLOW_LIMITS allows; first, before any work proportional to the file. */
function checkCounts(raw: Record<string, unknown>): void {
  for (const key of ['nodes', 'edges'] as const) {
    const v = raw[key];
    if (!Array.isArray(v) || v.length <= WORKFLOW_LIMITS[key]) continue;
    throw new WorkflowTooLargeError(
      `${v.length.toLocaleString('en')} ${key}, over the limit of ${WORKFLOW_LIMITS[key].toLocaleString('en')} ${key}`,
      key,
      key,
    );
  }
}

function checkList(raw: Record<string, unknown>, key: string): unknown[] {
  const v = raw[key] ?? [];
  if (!Array.isArray(v)) throw new WorkflowParseError(`expected an array, got ${describe(v)}`, key);
  return v;
}

/**
 * Refuses values nested deeper than WORKFLOW_LIMITS.depth, walking with an explicit stack: a file nested 5,000
 * deep in an unknown field would otherwise overflow the stack of every recursive consumer (JSON.stringify first).
 */
export function checkDepth(value: unknown, maxDepth: number = WORKFLOW_LIMITS.depth): void {
  interface Frame {
    value: unknown;
    depth: number;
    key: string;
    parent: Frame | undefined;
  }
  const stack: Frame[] = [{ value, depth: 0, key: '', parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.value === null || typeof frame.value !== 'object') continue;
    if (frame.depth >= maxDepth) {
      const keys: string[] = [];
      for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(f.key);
      const where = keys.reverse().slice(0, 6).join('') + (keys.length > 6 ? '…' : '');
      throw new WorkflowParseError(
        `nested more than ${maxDepth} levels deep (objects and arrays inside each other); the limit is ${maxDepth}`,
        where.replace(/^\./, '') || undefined,
      );
    }
    const depth = frame.depth + 1;
    if (Array.isArray(frame.value)) {
      const list: unknown[] = frame.value;
      for (let i = 0; i < list.length; i++) {
        const child = list[i];
        if (child !== null && typeof child === 'object')
          stack.push({ value: child, depth, key: `[${i}]`, parent: frame });
      }
    } else {
      for (const key of Object.keys(frame.value)) {
        const child = (frame.value as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object')
          stack.push({ value: child, depth, key: `.${key}`, parent: frame });
      }
    }
  }
}

function checkShape(raw: Record<string, unknown>, warnings: string[]): WorkflowFile {
  if (raw.format !== 'loraflow.workflow') {
    throw new WorkflowParseError(
      `expected "loraflow.workflow", got ${describe(raw.format)}: is this a loraflow workflow file?`,
      'format',
    );
  }
  const seen = new Set<string>();
  checkCounts(raw); // again: a migration may have made edges of v0 links
  const nodes = checkList(raw, 'nodes').map((n, i) => checkNode(n, i, seen, warnings));
  const edges = checkList(raw, 'edges').map((e, i) => checkEdge(e, i));
  assignEdgeIds(edges);
  const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : 'Untitled';
  return {
    ...raw,
    format: 'loraflow.workflow',
    formatVersion: WORKFLOW_FORMAT_VERSION,
    appVersion: typeof raw.appVersion === 'string' ? raw.appVersion : '',
    name,
    nodes,
    edges,
    groups: checkList(raw, 'groups') as WorkflowFile['groups'],
    notes: checkList(raw, 'notes') as WorkflowFile['notes'],
  };
}

/**
 * Parses a workflow file (JSON text or an already parsed value), migrating older format versions.
 * Throws WorkflowParseError naming the place in the file; returns warnings for what was repaired.
 */
export function parseWorkflow(input: string | unknown): { workflow: WorkflowFile; warnings: string[] } {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      const place = jsonErrorPlace(input);
      const where = place ? ` at line ${place.line}, column ${place.column}` : '';
      throw new WorkflowParseError(`not valid JSON${where} (${(e as Error).message})`);
    }
  }
  if (!isRecord(value)) throw new WorkflowParseError(`expected a workflow object, got ${describe(value)}`);
  checkCounts(value);
  checkDepth(value);
  const warnings: string[] = [];
  const version = detectFormatVersion(value);
  if (version === undefined) {
    if (value.formatVersion !== undefined)
      throw new WorkflowParseError(`expected a whole number, got ${describe(value.formatVersion)}`, 'formatVersion');
    throw new WorkflowParseError('no formatVersion: is this a loraflow workflow file?', 'formatVersion');
  }
  if (!Number.isSafeInteger(version) || version < 0)
    throw new WorkflowParseError(`expected a whole number >= 0, got ${describe(version)}`, 'formatVersion');
  let raw = value;
  if (version > WORKFLOW_FORMAT_VERSION) {
    warnings.push(
      `written by a newer loraflow (format ${version}, this one reads ${WORKFLOW_FORMAT_VERSION}); some parts may not work`,
    );
  } else if (version < WORKFLOW_FORMAT_VERSION) {
    const migrated = migrateToCurrent(value, version);
    raw = migrated.raw;
    warnings.push(...migrated.applied.map((m) => `migrated ${m}`));
  }
  const workflow = checkShape(raw, warnings);
  if (version > WORKFLOW_FORMAT_VERSION) workflow.formatVersion = version;
  return { workflow, warnings };
}

const TOP_KEYS = ['format', 'formatVersion', 'appVersion', 'name', 'description'];
const NODE_KEYS = ['id', 'type', 'title', 'position', 'size', 'color', 'group', 'params'];
const TAIL_KEYS = ['nodes', 'edges', 'groups', 'notes'];

/** Known keys first in a fixed order, then unknown ones in their original order: diffs stay small. */
function ordered(obj: Record<string, unknown>, first: string[], last: string[] = []): Record<string, unknown> {
  // No prototype: a key such as "__proto__" in the file is kept as data, not taken as the object's prototype.
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of first) if (obj[k] !== undefined) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!first.includes(k) && !last.includes(k)) out[k] = obj[k];
  for (const k of last) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/** Serialises a workflow as pretty, stable JSON stamped with this app's version. */
export function serializeWorkflow(wf: WorkflowFile): string {
  const stamped = { ...wf, appVersion: APP_VERSION };
  const top = ordered(stamped, TOP_KEYS, TAIL_KEYS);
  top.nodes = wf.nodes.map((n) => ordered(n, NODE_KEYS));
  return JSON.stringify(top, null, 2) + '\n';
}

/** A new workflow with nothing in it. */
export function emptyWorkflow(name: string): WorkflowFile {
  return {
    format: 'loraflow.workflow',
    formatVersion: WORKFLOW_FORMAT_VERSION,
    appVersion: APP_VERSION,
    name,
    nodes: [],
    edges: [],
    groups: [],
    notes: [],
  };
}
