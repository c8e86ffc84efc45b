/** A workflow node on the canvas: header, sockets, parameter widgets, validation errors, run state and outputs. */
import { memo, useState, type DragEvent } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { WorkflowFlowNode } from '../graph/mapping';
import { useStore } from '../store/createStore';
import { schemasStore } from '../store/schemas';
import { NodeParams } from './NodeParams';
import { NodeStatusBar } from './NodeStatusBar';
import { NodeOutputsPreview } from './NodeOutputsPreview';
import { NodeTitle } from './NodeTitle';
import { PresetMenu } from './PresetMenu';
import { SocketRow } from './SocketRow';
import { useNodeErrors, useNodeState } from './useNodeRun';
import { UPLOADS_PARAM, uploadImagesInto } from './uploads';

export const WorkflowNodeView = memo(function WorkflowNodeView({ id, data, selected }: NodeProps<WorkflowFlowNode>) {
  const { node } = data;
  const schema = useStore(schemasStore, (s) => s.byType.get(node.type));
  const schemasLoaded = useStore(schemasStore, (s) => s.loaded);
  const errors = useNodeErrors(id);
  const state = useNodeState(id);
  const [dropping, setDropping] = useState(false);
  const unknown = schemasLoaded && !schema;
  const acceptsUploads = schema?.params.some((p) => p.name === UPLOADS_PARAM && p.kind === 'list') ?? false;
  const nodeErrors = errors.filter((e) => !e.param);
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
  ];
  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      data-testid={`node-${id}`}
      data-type={node.type}
      onDragOver={acceptsUploads ? (e) => (e.preventDefault(), setDropping(true)) : undefined}
      onDragLeave={acceptsUploads ? () => setDropping(false) : undefined}
      onDrop={onDrop}
    >
      <div className="wf-node-header" title={schema?.description}>
        <NodeTitle nodeId={id} title={node.title} fallback={schema?.title ?? node.type} />
        <span className="node-id">{id}</span>
        {schema?.presets && <PresetMenu nodeId={id} presets={schema.presets} />}
      </div>
      {unknown && (
        <div className="node-error" data-testid={`unknown-${id}`}>
          Unknown node type “{node.type}”: kept as is, cannot run.
        </div>
      )}
      <div className="sockets">
        <div>
          {schema?.inputs.map((s) => (
            <SocketRow key={s.name} socket={s} side="input" missing={errors.some((e) => e.input === s.name)} />
          ))}
        </div>
        <div>
          {schema?.outputs.map((s) => (
            <SocketRow key={s.name} socket={s} side="output" />
          ))}
        </div>
      </div>
      {schema && <NodeParams nodeId={id} schema={schema} params={node.params} errors={errors} />}
      {acceptsUploads && <div className="drop-hint">drop images here</div>}
      {nodeErrors.map((e) => (
        <div key={e.message} className="error-text" data-testid={`node-validation-${id}`}>
          {e.message}
        </div>
      ))}
      {state && <NodeStatusBar nodeId={id} state={state} />}
      {state && <NodeOutputsPreview nodeId={id} state={state} />}
    </div>
  );
});
