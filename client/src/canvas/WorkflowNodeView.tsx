/**
 * A workflow node on the canvas: header, run state (at the top, so a tall node's progress is in sight), sockets,
 * parameter widgets, validation errors and outputs. A collapsed node shows its header and run state only.
 */
import { memo, useMemo, useState, type DragEvent } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { WorkflowFlowNode } from '../graph/mapping';
import { convertedParams, inputSocketsOf, paramOfSocket } from '../../../protocol/param-inputs';
import type { SocketSpec } from '../../../protocol/schema';
import type { WorkflowFile } from '../../../protocol/workflow';
import { setNodeFlags } from '../graph/edits';
import { useStore } from '../store/createStore';
import { activeTab, edit, editorStore } from '../store/editor';
import { schemasStore } from '../store/schemas';
import { PanelBoundary } from '../ui/PanelBoundary';
import { NodeParams } from './NodeParams';
import { NodeParamWarnings } from './NodeParamWarnings';
import { NodeStatusBar } from './NodeStatusBar';
import { NodeOutputsPreview } from './NodeOutputsPreview';
import { NodeTitle } from './NodeTitle';
import { PresetMenu } from './PresetMenu';
import { SocketRow } from './SocketRow';
import { useNodeErrors, useNodeState, useNodeWarnings } from './useNodeRun';
import { UPLOADS_PARAM, uploadImagesInto } from './uploads';

export const WorkflowNodeView = memo(function WorkflowNodeView({ id, data, selected }: NodeProps<WorkflowFlowNode>) {
  const { node } = data;
  const schema = useStore(schemasStore, (s) => s.byType.get(node.type));
  const schemasLoaded = useStore(schemasStore, (s) => s.loaded);
  const errors = useNodeErrors(id);
  const state = useNodeState(id);
  const warnings = useNodeWarnings(id);
  const [dropping, setDropping] = useState(false);
  const unknown = schemasLoaded && !schema;
  const collapsed = node.collapsed === true;
  const acceptsUploads = schema?.params.some((p) => p.name === UPLOADS_PARAM && p.kind === 'list') ?? false;
  const nodeErrors = errors.filter((e) => !e.param);
  // A parameter converted to an input adds a socket of its own (and its field shows the wire instead of a widget).
  const inputs = useMemo(() => (schema ? inputSocketsOf(schema, node) : []), [schema, node]);
  // An unknown type has no schema: its sockets are the ones the file's wires name, so that they are drawn (and can
  // be selected and deleted) instead of counting against the node they lead to without being visible.
  const kept = useStore(editorStore, (s) => (unknown ? wiredSocketNames(activeTab(s).doc, id) : ''));
  const keptSockets = useMemo(() => parseWiredSockets(kept), [kept]);
  const wired = useMemo(() => (schema ? convertedParams(schema, node).map((p) => p.name) : []), [schema, node]);
  const onDrop = (e: DragEvent): void => {
    if (!acceptsUploads || e.dataTransfer.files.length === 0) return;
    e.preventDefault();
    e.stopPropagation();
    setDropping(false);
    void uploadImagesInto(id, [...e.dataTransfer.files]);
  };
  const classes = [
    'wf-node',
    selected && 'selected',
    unknown && 'unknown',
    errors.length > 0 && 'invalid',
    state && `run-${state.status}`,
    dropping && 'dropping',
    collapsed && 'collapsed',
    node.mode && `mode-${node.mode}`,
  ];
  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      data-testid={`node-${id}`}
      data-type={node.type}
      data-mode={node.mode}
      data-collapsed={collapsed}
      onDragOver={acceptsUploads ? (e) => (e.preventDefault(), setDropping(true)) : undefined}
      onDragLeave={acceptsUploads ? () => setDropping(false) : undefined}
      onDrop={onDrop}
    >
      <div
        className="wf-node-header"
        title={schema?.description}
        style={node.color ? { background: node.color } : undefined}
        data-color={node.color}
      >
        <button
          className="icon collapse nodrag"
          title={collapsed ? 'Expand' : 'Collapse to the title bar'}
          onClick={() => edit(setNodeFlags([id], { collapsed: !collapsed }))}
          data-testid={`collapse-${id}`}
        >
          {collapsed ? '▸' : '▾'}
        </button>
        <NodeTitle nodeId={id} title={node.title} fallback={schema?.title ?? node.type} />
        {node.mode && (
          <span className="badge mode" data-testid={`mode-${id}`}>
            {node.mode === 'bypass' ? 'bypassed' : 'muted'}
          </span>
        )}
        <span className="node-id">{id}</span>
        {schema?.presets && !collapsed && <PresetMenu nodeId={id} presets={schema.presets} />}
      </div>
      {(state || warnings.length > 0) && (
        <PanelBoundary name={`status-${id}`} resetKey={state}>
          <NodeStatusBar nodeId={id} state={state} warnings={warnings.length} />
        </PanelBoundary>
      )}
      {unknown && (
        <div className="node-error" data-testid={`unknown-${id}`}>
          Unknown node type “{node.type}”: kept as is, cannot run.
        </div>
      )}
      <div className="sockets">
        <div>
          {[...inputs, ...keptSockets.inputs].map((s) => (
            <SocketRow
              key={s.name}
              socket={s}
              side="input"
              label={paramOfSocket(s.name)}
              missing={errors.some((e) => e.input === s.name)}
            />
          ))}
        </div>
        <div>
          {(schema?.outputs ?? keptSockets.outputs).map((s) => (
            <SocketRow key={s.name} socket={s} side="output" />
          ))}
        </div>
      </div>
      {!collapsed && schema && (
        <NodeParams nodeId={id} schema={schema} params={node.params} errors={errors} wired={wired} />
      )}
      {!collapsed && acceptsUploads && <div className="drop-hint">drop images here</div>}
      {nodeErrors.map((e) => (
        <div key={e.message} className="error-text" data-testid={`node-validation-${id}`}>
          {e.message}
        </div>
      ))}
      {!collapsed && <NodeParamWarnings nodeId={id} />}
      {!collapsed && state && (
        <PanelBoundary name={`outputs-${id}`} resetKey={state}>
          <NodeOutputsPreview nodeId={id} state={state} />
        </PanelBoundary>
      )}
    </div>
  );
});

/** The input and output socket names the workflow's wires use on node `id`, as one string (a stable store value). */
function wiredSocketNames(doc: WorkflowFile, id: string): string {
  const inputs = new Set(doc.edges.filter((e) => e.to.node === id).map((e) => e.to.socket));
  const outputs = new Set(doc.edges.filter((e) => e.from.node === id).map((e) => e.from.socket));
  return JSON.stringify([[...inputs], [...outputs]]);
}

function parseWiredSockets(names: string): { inputs: SocketSpec[]; outputs: SocketSpec[] } {
  if (!names) return { inputs: [], outputs: [] };
  const [inputs, outputs] = JSON.parse(names) as [string[], string[]];
  const socket = (name: string): SocketSpec => ({ name, type: '*', tooltip: 'kept from the file (unknown node type)' });
  return { inputs: inputs.map(socket), outputs: outputs.map(socket) };
}
