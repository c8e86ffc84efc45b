/**
 * Loading and saving workflow files: JSON parsing, shape checks with errors that say where, migrations from
 * older format versions, and a stable pretty serialisation. Unknown fields and nodes of unknown types are
 * kept untouched so that nothing in a file is lost by a load/save round trip. No Node.js imports.
 */
import { WORKFLOW_FORMAT_VERSION, type WorkflowEdge, type WorkflowFile, type WorkflowNode } from './workflow';
import { detectFormatVersion, migrateToCurrent } from './migrations';
import { isRecord } from './migrations/types';

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

function checkNode(raw: unknown, i: number, seen: Set<string>, warnings: string[]): WorkflowNode {
  const path = `nodes[${i}]`;
  if (!isRecord(raw)) throw new WorkflowParseError(`expected a node object, got ${describe(raw)}`, path);
  const id = requireString(raw, 'id', path);
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

function checkEdge(raw: unknown, i: number, usedIds: Set<string>): WorkflowEdge {
  const path = `edges[${i}]`;
  if (!isRecord(raw)) throw new WorkflowParseError(`expected an edge object, got ${describe(raw)}`, path);
  const from = checkEndpoint(raw.from, `${path}.from`);
  const to = checkEndpoint(raw.to, `${path}.to`);
  let id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : '';
  // Edge ids only need to be unique; give one to edges written by hand without it.
  if (id === '' || usedIds.has(id)) {
    let n = i;
    while (usedIds.has(`e${n}`)) n++;
    id = `e${n}`;
  }
  usedIds.add(id);
  return { ...raw, id, from, to } as WorkflowEdge;
}

function checkList(raw: Record<string, unknown>, key: string): unknown[] {
  const v = raw[key] ?? [];
  if (!Array.isArray(v)) throw new WorkflowParseError(`expected an array, got ${describe(v)}`, key);
  return v;
}

function checkShape(raw: Record<string, unknown>, warnings: string[]): WorkflowFile {
  if (raw.format !== 'loraflow.workflow') {
    throw new WorkflowParseError(
      `expected "loraflow.workflow", got ${describe(raw.format)}: is this a loraflow workflow file?`,
      'format',
    );
  }
  const seen = new Set<string>();
  const nodes = checkList(raw, 'nodes').map((n, i) => checkNode(n, i, seen, warnings));
  const edgeIds = new Set<string>();
  const edges = checkList(raw, 'edges').map((e, i) => checkEdge(e, i, edgeIds));
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
      throw new WorkflowParseError(`not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isRecord(value)) throw new WorkflowParseError(`expected a workflow object, got ${describe(value)}`);
  const warnings: string[] = [];
  const version = detectFormatVersion(value);
  if (version === undefined)
    throw new WorkflowParseError('no formatVersion: is this a loraflow workflow file?', 'formatVersion');
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
  const out: Record<string, unknown> = {};
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
