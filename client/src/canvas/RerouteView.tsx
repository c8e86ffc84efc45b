/** A Reroute node drawn as a dot on its wire (ComfyUI's reroute): one handle in, one out, no title or fields. */
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { WorkflowFlowNode } from '../graph/mapping';
import { inputHandle, outputHandle } from '../graph/ids';

export const RerouteView = memo(function RerouteView({ id, selected }: NodeProps<WorkflowFlowNode>) {
  return (
    <div className={`reroute ${selected ? 'selected' : ''}`} data-testid={`node-${id}`} title="Reroute">
      <Handle type="target" position={Position.Left} id={inputHandle('in')} data-testid="handle-input-in" />
      <Handle type="source" position={Position.Right} id={outputHandle('out')} data-testid="handle-output-out" />
    </div>
  );
});
