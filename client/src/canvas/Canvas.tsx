/** The React Flow canvas of one tab: derived nodes/edges, edits through the editor store, wire checks and drops. */
import { memo, useCallback, useMemo, useState, type DragEvent, type MouseEvent } from 'react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type IsValidConnection,
  type OnDelete,
} from '@xyflow/react';
import { emptyWorkflow } from '../../../protocol/workflow-io';
import { checkConnection } from '../graph/compat';
import { connect, deleteItems, insertReroute } from '../graph/edits';
import { parseFlowId, socketOfHandle } from '../graph/ids';
import type { FlowEdge, FlowNode } from '../graph/mapping';
import { useStore } from '../store/createStore';
import { activeTab, edit, editorStore, setSelection } from '../store/editor';
import { schemasStore } from '../store/schemas';
import { toast } from '../store/toasts';
import { openMenu, openPalette, setSideTab, uiStore } from '../store/ui';
import { mayCarryWorkflow, openWorkflowInFile } from '../actions';
import { importFiles, isConfigOrWorkflow } from '../interop/importConfig';
import { applyEdgeChanges, applyNodeChanges } from './changes';
import { nodeTypes } from './nodeTypes';
import { useFlowEdges, useFlowNodes } from './useFlowView';
import { inputSocketsOf } from '../../../protocol/param-inputs';

const DELETE_KEYS = ['Delete', 'Backspace'];

/** Checks a wire against the current doc (read at call time so the callback never changes). */
const isValidConnection: IsValidConnection<FlowEdge> = (c) =>
  checkConnection(editorStore.get().tabs[editorStore.get().activeId]!.doc, schemasStore.get().byType, c).ok;

function onConnect(c: Connection): void {
  const doc = editorStore.get().tabs[editorStore.get().activeId]?.doc;
  const target = doc?.nodes.find((n) => n.id === c.target);
  const socket = schemasStore
    .get()
    .byType.get(target?.type ?? '')
    ?.inputs.find((s) => s.name === socketOfHandle(c.targetHandle));
  edit(
    connect(
      {
        from: { node: c.source, socket: socketOfHandle(c.sourceHandle) },
        to: { node: c.target, socket: socketOfHandle(c.targetHandle) },
      },
      socket?.list === true,
    ),
  );
}

/** A refused wire says why; a wire dropped on empty canvas opens the node search filtered to what fits. */
function onConnectEnd(event: globalThis.MouseEvent | TouchEvent, state: FinalConnectionState): void {
  if (state.isValid || !state.fromNode || !state.fromHandle) return;
  const fromSource = state.fromHandle.type === 'source';
  if (state.toNode && state.toHandle) {
    const attempt = fromSource
      ? {
          source: state.fromNode.id,
          sourceHandle: state.fromHandle.id,
          target: state.toNode.id,
          targetHandle: state.toHandle.id,
        }
      : {
          source: state.toNode.id,
          sourceHandle: state.toHandle.id,
          target: state.fromNode.id,
          targetHandle: state.fromHandle.id,
        };
    const verdict = checkConnection(
      editorStore.get().tabs[editorStore.get().activeId]!.doc,
      schemasStore.get().byType,
      attempt,
    );
    if (!verdict.ok) toast(`Wire refused: ${verdict.reason}`, 'error');
    return;
  }
  const doc = editorStore.get().tabs[editorStore.get().activeId]?.doc;
  const node = doc?.nodes.find((n) => n.id === state.fromNode?.id);
  const schema = schemasStore.get().byType.get(node?.type ?? '');
  const socketName = socketOfHandle(state.fromHandle.id);
  const inputs = schema && node ? inputSocketsOf(schema, node) : undefined;
  const socket = (fromSource ? schema?.outputs : inputs)?.find((s) => s.name === socketName);
  if (!node || !socket) return;
  const point = 'changedTouches' in event ? event.changedTouches[0] : event;
  openPalette({
    screen: { x: point?.clientX ?? 0, y: point?.clientY ?? 0 },
    wire: { node: node.id, socket: socket.name, type: socket.type, from: fromSource ? 'source' : 'target' },
  });
}

const onDelete: OnDelete<FlowNode, FlowEdge> = ({ nodes, edges }) =>
  edit(
    deleteItems(
      nodes.map((n) => n.id),
      edges.map((e: Edge) => e.id),
    ),
  );

function onDragOver(e: DragEvent): void {
  if (e.dataTransfer.types.includes('Files')) e.preventDefault();
}

/** A workflow .json opens; a kohya / ai-toolkit config (with the files it names) is imported into a new tab. */
function onDrop(e: DragEvent): void {
  const files = [...e.dataTransfer.files];
  // A LoRA or a sample PNG opens the workflow that made it.
  const carrier = files.find(mayCarryWorkflow);
  if (carrier) {
    e.preventDefault();
    return void openWorkflowInFile(carrier);
  }
  if (!files.some(isConfigOrWorkflow)) return;
  e.preventDefault();
  void importFiles(files);
}

/** Opens the right-click menu; a node outside the selection becomes the selection (as in ComfyUI). */
function onNodeContextMenu(e: MouseEvent, node: FlowNode): void {
  e.preventDefault();
  const ref = parseFlowId(node.id);
  const tab = activeTab();
  if (ref.kind === 'node' && !tab.selectedNodes.includes(node.id)) setSelection(tab.id, [node.id], []);
  openMenu({ screen: { x: e.clientX, y: e.clientY }, target: { kind: ref.kind, id: ref.id } });
}

/** A click on a node shows its outputs: the Library, Runs or Compare list would otherwise hide what was clicked. */
function onNodeClick(_e: MouseEvent, node: FlowNode): void {
  if (parseFlowId(node.id).kind === 'node' && uiStore.get().sideTab !== 'node') setSideTab('node');
}

function onEdgeContextMenu(e: MouseEvent, edge: FlowEdge): void {
  e.preventDefault();
  openMenu({ screen: { x: e.clientX, y: e.clientY }, target: { kind: 'edge', id: edge.id } });
}

/** Double-click on a wire: a reroute dot there (as in ComfyUI), to route the wire around other nodes. */
function onEdgeDoubleClick(flowPosition: (p: { x: number; y: number }) => { x: number; y: number }) {
  return (e: MouseEvent, edge: FlowEdge): void => {
    const at = flowPosition({ x: e.clientX, y: e.clientY });
    edit(insertReroute(edge.id, { x: at.x - 6, y: at.y - 6 }));
  };
}

function onPaneContextMenu(e: MouseEvent | globalThis.MouseEvent): void {
  e.preventDefault();
  openMenu({ screen: { x: e.clientX, y: e.clientY }, target: { kind: 'pane' } });
}

function onDoubleClick(e: MouseEvent): void {
  if ((e.target as HTMLElement).classList.contains('react-flow__pane'))
    openPalette({ screen: { x: e.clientX, y: e.clientY } });
}

export const Canvas = memo(function Canvas({ tabId }: { tabId: string }) {
  const doc = useStore(editorStore, (s) => s.tabs[tabId]?.doc);
  const selectedNodes = useStore(editorStore, (s) => s.tabs[tabId]?.selectedNodes ?? []);
  const selectedEdges = useStore(editorStore, (s) => s.tabs[tabId]?.selectedEdges ?? []);
  const measured = useStore(uiStore, (s) => s.measured[tabId]);
  const schemas = useStore(schemasStore, (s) => s.byType);
  const nodes = useFlowNodes(doc ?? EMPTY, selectedNodes, measured);
  const edges = useFlowEdges(doc ?? EMPTY, selectedEdges, schemas);
  const onNodesChange = useCallback((c: Parameters<typeof applyNodeChanges>[1]) => applyNodeChanges(tabId, c), [tabId]);
  const onEdgesChange = useCallback((c: Parameters<typeof applyEdgeChanges>[1]) => applyEdgeChanges(tabId, c), [tabId]);
  // Fit a graph that opens with nodes; an empty canvas must not refit (and zoom) on the first node added to it,
  // which would carry that node away from where the user clicked.
  const flow = useReactFlow();
  const onEdgeDouble = useMemo(() => onEdgeDoubleClick(flow.screenToFlowPosition), [flow]);
  const [fitOnOpen] = useState(() => (doc?.nodes.length ?? 0) + (doc?.groups.length ?? 0) > 0);
  // A big graph renders only the nodes in view, and opens at a zoom where they can be told apart: fitted whole, 3000
  // nodes all stayed in the page at a zoom of 0.05 and the open took 10-12 s of style, layout and paint.
  const [big] = useState(() => (doc?.nodes.length ?? 0) > BIG_GRAPH);
  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} onDoubleClick={onDoubleClick} data-testid="canvas">
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onDelete={onDelete}
        onNodeContextMenu={onNodeContextMenu}
        onNodeClick={onNodeClick}
        onEdgeContextMenu={onEdgeContextMenu}
        onEdgeDoubleClick={onEdgeDouble}
        onPaneContextMenu={onPaneContextMenu}
        deleteKeyCode={DELETE_KEYS}
        multiSelectionKeyCode={MULTI_KEYS}
        zoomOnDoubleClick={false}
        colorMode="dark"
        minZoom={0.05}
        onlyRenderVisibleElements={big}
        fitView={fitOnOpen}
        fitViewOptions={big ? FIT_BIG : FIT}
        proOptions={PRO}
      >
        <Background gap={24} />
        <MiniMap pannable zoomable />
        <Controls />
      </ReactFlow>
    </div>
  );
});

const MULTI_KEYS = ['Shift', 'Control', 'Meta'];
const PRO = { hideAttribution: true };
const FIT = { maxZoom: 1 };
/** Nodes over which a graph renders only what is in view (React Flow's onlyRenderVisibleElements). */
const BIG_GRAPH = 1000;
const FIT_BIG = { maxZoom: 1, minZoom: 0.25 };
const EMPTY = emptyWorkflow('');
