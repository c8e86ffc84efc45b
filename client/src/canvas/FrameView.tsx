/** A group: a resizable frame with an editable title, drawn behind the nodes; moving it moves its nodes. */
import { memo } from 'react';
import { NodeResizer, type NodeProps } from '@xyflow/react';
import type { FrameFlowNode } from '../graph/mapping';
import { edit } from '../store/editor';
import { setGroup } from '../graph/edits';

export const FrameView = memo(function FrameView({ data, selected }: NodeProps<FrameFlowNode>) {
  const { group } = data;
  return (
    <div
      className="frame"
      style={group.color ? { borderColor: group.color } : undefined}
      data-testid={`group-${group.id}`}
    >
      <NodeResizer isVisible={selected} minWidth={120} minHeight={80} />
      <input
        className="frame-title nodrag"
        value={group.title}
        onChange={(e) => edit(setGroup(group.id, { title: e.target.value }), `group-title:${group.id}`)}
        aria-label="group title"
      />
    </div>
  );
});
