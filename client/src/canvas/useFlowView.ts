/**
 * The flow nodes and edges of a tab, derived from its workflow file. Items whose record, selection and size did
 * not change keep their object identity, so React Flow and the memo'd node components skip them.
 */
import { useMemo, useRef } from 'react';
import type { NodeSchema } from '../../../protocol/schema';
import type { WorkflowFile } from '../../../protocol/workflow';
import { edgeToFlow, groupToFlow, noteToFlow, nodeToFlow, type FlowEdge, type FlowNode } from '../graph/mapping';
import { groupFlowId, noteFlowId } from '../graph/ids';
import { socketColor } from '../graph/sockets';

type Size = { width: number; height: number };
interface Cached<T> {
  src: unknown;
  selected: boolean;
  size?: Size;
  out: T;
}

function reuse<T>(
  cache: Map<string, Cached<T>>,
  next: Map<string, Cached<T>>,
  id: string,
  src: unknown,
  selected: boolean,
  size: Size | undefined,
  make: () => T,
): T {
  const hit = cache.get(id);
  const entry =
    hit && hit.src === src && hit.selected === selected && hit.size === size
      ? hit
      : { src, selected, size, out: make() };
  next.set(id, entry);
  return entry.out;
}

/** Flow nodes for a doc, with selection and measured sizes applied. */
export function useFlowNodes(
  doc: WorkflowFile,
  selected: readonly string[],
  measured: Record<string, Size> | undefined,
): FlowNode[] {
  const cache = useRef(new Map<string, Cached<FlowNode>>());
  return useMemo(() => {
    const sel = new Set(selected);
    const next = new Map<string, Cached<FlowNode>>();
    const withSize = (n: FlowNode, size: Size | undefined): FlowNode => (size ? { ...n, measured: size } : n);
    const out: FlowNode[] = [];
    for (const g of doc.groups) {
      const id = groupFlowId(g.id);
      out.push(
        reuse(cache.current, next, id, g, sel.has(id), measured?.[id], () =>
          withSize(groupToFlow(g, sel.has(id)), measured?.[id]),
        ),
      );
    }
    // A node's new size alone keeps its flow node: React Flow measured that size itself and keeps it while the
    // object stays the same. A new object per size made React Flow adopt all 3000 nodes of a big workflow again, and
    // re-render them, after each batch of first measurements (QA helper B: the open took 15-29 s); the latest size
    // still goes into a node made for another reason, so that a remounted canvas starts from it.
    for (const n of doc.nodes)
      out.push(
        reuse(cache.current, next, n.id, n, sel.has(n.id), undefined, () =>
          withSize(nodeToFlow(n, sel.has(n.id)), measured?.[n.id]),
        ),
      );
    for (const n of doc.notes) {
      const id = noteFlowId(n.id);
      out.push(
        reuse(cache.current, next, id, n, sel.has(id), measured?.[id], () =>
          withSize(noteToFlow(n, sel.has(id)), measured?.[id]),
        ),
      );
    }
    cache.current = next;
    return out;
  }, [doc.groups, doc.nodes, doc.notes, selected, measured]);
}

/** Flow edges coloured by the type of the output socket they start at. */
export function useFlowEdges(
  doc: WorkflowFile,
  selected: readonly string[],
  schemas: ReadonlyMap<string, NodeSchema>,
): FlowEdge[] {
  const cache = useRef(new Map<string, Cached<FlowEdge>>());
  const cachedFor = useRef(schemas);
  return useMemo(() => {
    // Colours depend on the schemas: start afresh when they change.
    if (cachedFor.current !== schemas) cache.current = new Map();
    cachedFor.current = schemas;
    const sel = new Set(selected);
    const typeOf = new Map(doc.nodes.map((n) => [n.id, n.type]));
    const next = new Map<string, Cached<FlowEdge>>();
    const out = doc.edges.map((e) =>
      reuse(cache.current, next, e.id, e, sel.has(e.id), undefined, () => {
        const socket = schemas.get(typeOf.get(e.from.node) ?? '')?.outputs.find((s) => s.name === e.from.socket);
        const flow = edgeToFlow(e, sel.has(e.id));
        return socket ? { ...flow, style: { stroke: socketColor(socket.type), strokeWidth: 2 } } : flow;
      }),
    );
    cache.current = next;
    return out;
  }, [doc.edges, doc.nodes, selected, schemas]);
}
