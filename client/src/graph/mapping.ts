/**
 * The pure mapping between a workflow file and React Flow's nodes and edges. Every flow item carries the
 * file record it came from, so mapping back keeps unknown fields and nodes of unknown types untouched.
 */
import type { Edge, Node } from '@xyflow/react';
import type { WorkflowEdge, WorkflowFile, WorkflowGroup, WorkflowNode, WorkflowNote } from '../../../protocol/workflow';
import { groupFlowId, inputHandle, noteFlowId, outputHandle, parseFlowId, socketOfHandle } from './ids';

export type WorkflowNodeData = { node: WorkflowNode };
export type FrameData = { group: WorkflowGroup };
export type NoteData = { note: WorkflowNote };
export type WorkflowFlowNode = Node<WorkflowNodeData, 'workflow' | 'reroute'>;

/** The node type drawn as a dot on a wire. */
export const REROUTE_TYPE = 'Reroute';
export type FrameFlowNode = Node<FrameData, 'frame'>;
export type NoteFlowNode = Node<NoteData, 'note'>;
export type FlowNode = WorkflowFlowNode | FrameFlowNode | NoteFlowNode;
export type FlowEdge = Edge<{ edge: WorkflowEdge }>;

/** One workflow node as a flow node. */
export function nodeToFlow(node: WorkflowNode, selected = false): WorkflowFlowNode {
  const type = node.type === REROUTE_TYPE ? 'reroute' : 'workflow';
  const flow: WorkflowFlowNode = { id: node.id, type, position: node.position, data: { node }, selected };
  if (node.size) flow.style = { width: node.size.width };
  return flow;
}

/** A group as a frame behind the nodes. */
export function groupToFlow(group: WorkflowGroup, selected = false): FrameFlowNode {
  const { x, y, width, height } = group.bounds;
  return {
    id: groupFlowId(group.id),
    type: 'frame',
    position: { x, y },
    width,
    height,
    zIndex: -1,
    data: { group },
    selected,
  };
}

/** A free-text note. */
export function noteToFlow(note: WorkflowNote, selected = false): NoteFlowNode {
  const flow: NoteFlowNode = {
    id: noteFlowId(note.id),
    type: 'note',
    position: note.position,
    data: { note },
    selected,
  };
  if (note.size) {
    flow.width = note.size.width;
    flow.height = note.size.height;
  }
  return flow;
}

/** One workflow edge as a flow edge between socket handles. */
export function edgeToFlow(edge: WorkflowEdge, selected = false): FlowEdge {
  return {
    id: edge.id,
    source: edge.from.node,
    sourceHandle: outputHandle(edge.from.socket),
    target: edge.to.node,
    targetHandle: inputHandle(edge.to.socket),
    data: { edge },
    selected,
  };
}

/** The whole file as flow nodes (frames first so they render behind) and edges. */
export function fileToFlow(file: WorkflowFile): { nodes: FlowNode[]; edges: FlowEdge[] } {
  return {
    nodes: [
      ...file.groups.map((g) => groupToFlow(g)),
      ...file.nodes.map((n) => nodeToFlow(n)),
      ...file.notes.map((n) => noteToFlow(n)),
    ],
    edges: file.edges.map((e) => edgeToFlow(e)),
  };
}

/** A flow edge back to a file edge (from a connection the user drew, or one that came from the file). */
export function flowEdgeToFile(edge: FlowEdge): WorkflowEdge {
  if (edge.data?.edge) return edge.data.edge;
  return {
    id: edge.id,
    from: { node: edge.source, socket: socketOfHandle(edge.sourceHandle) },
    to: { node: edge.target, socket: socketOfHandle(edge.targetHandle) },
  };
}

/**
 * The flow state back into a file: records keep every field they had in `base` (unknown ones too),
 * with positions and sizes taken from the flow. File-level fields come from `base`.
 */
export function flowToFile(nodes: readonly FlowNode[], edges: readonly FlowEdge[], base: WorkflowFile): WorkflowFile {
  const out: WorkflowFile = { ...base, nodes: [], edges: edges.map(flowEdgeToFile), groups: [], notes: [] };
  for (const n of nodes) {
    const ref = parseFlowId(n.id);
    if ((n.type === 'workflow' || n.type === 'reroute') && ref.kind === 'node')
      out.nodes.push({ ...n.data.node, position: { ...n.position } });
    else if (n.type === 'frame') {
      const { bounds } = n.data.group;
      const width = n.width ?? n.measured?.width ?? bounds.width;
      const height = n.height ?? n.measured?.height ?? bounds.height;
      out.groups.push({ ...n.data.group, bounds: { x: n.position.x, y: n.position.y, width, height } });
    } else if (n.type === 'note') out.notes.push({ ...n.data.note, position: { ...n.position } });
  }
  return out;
}
