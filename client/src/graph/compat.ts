/** Whether a wire may join two sockets, and if not, a sentence saying why (shown to the user). */
import type { NodeSchema, SocketSpec } from '../../../protocol/schema';
import { socketsCompatible } from '../../../protocol/schema';
import type { WorkflowFile } from '../../../protocol/workflow';
import { socketOfHandle } from './ids';
import { inputSocketsOf, paramOfSocket } from '../../../protocol/param-inputs';

export interface ConnectionAttempt {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}

export type ConnectionVerdict = { ok: true } | { ok: false; reason: string };

function socketOf(
  doc: WorkflowFile,
  schemas: ReadonlyMap<string, NodeSchema>,
  nodeId: string,
  handle: string | null | undefined,
  side: 'inputs' | 'outputs',
): { title: string; socket?: SocketSpec } | undefined {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return undefined;
  const schema = schemas.get(node.type);
  const name = socketOfHandle(handle);
  // Inputs include the sockets of parameters converted to inputs.
  const sockets = !schema ? [] : side === 'inputs' ? inputSocketsOf(schema, node) : schema.outputs;
  return { title: node.title ?? schema?.title ?? node.type, socket: sockets.find((s) => s.name === name) };
}

/** Checks a wire from an output socket to an input socket. */
export function checkConnection(
  doc: WorkflowFile,
  schemas: ReadonlyMap<string, NodeSchema>,
  c: ConnectionAttempt,
): ConnectionVerdict {
  if (!c.source || !c.target) return { ok: false, reason: 'A wire needs two ends.' };
  if (c.source === c.target) return { ok: false, reason: 'A node cannot feed itself.' };
  const from = socketOf(doc, schemas, c.source, c.sourceHandle, 'outputs');
  const to = socketOf(doc, schemas, c.target, c.targetHandle, 'inputs');
  if (!from?.socket) return { ok: false, reason: `Unknown output socket "${socketOfHandle(c.sourceHandle)}".` };
  if (!to?.socket) return { ok: false, reason: `Unknown input socket "${socketOfHandle(c.targetHandle)}".` };
  if (!socketsCompatible(from.socket.type, to.socket.type)) {
    return {
      ok: false,
      reason: `${from.title}.${from.socket.name} gives ${from.socket.type}, but ${to.title}.${paramOfSocket(to.socket.name) ?? to.socket.name} expects ${to.socket.type}.`,
    };
  }
  if (createsCycle(doc, c.source, c.target)) return { ok: false, reason: 'That wire would make a cycle.' };
  return { ok: true };
}

/** True when `target` already reaches `source`, so a wire source -> target would close a loop. */
export function createsCycle(doc: WorkflowFile, source: string, target: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of doc.edges) next.set(e.from.node, [...(next.get(e.from.node) ?? []), e.to.node]);
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const id = stack.pop() as string;
    if (id === source) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}

/** Node schemas that have a socket compatible with `type` on the given side (for the drop-a-wire search). */
export function compatibleSchemas(
  schemas: readonly NodeSchema[],
  type: string,
  side: 'inputs' | 'outputs',
): NodeSchema[] {
  return schemas.filter((s) =>
    s[side].some((sock) =>
      side === 'inputs' ? socketsCompatible(type, sock.type) : socketsCompatible(sock.type, type),
    ),
  );
}
