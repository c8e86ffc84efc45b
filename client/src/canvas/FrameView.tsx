/**
 * A group: a resizable frame with a title bar, drawn behind the nodes; dragging the frame (its title bar included)
 * moves its nodes. Double-click the title to rename it. The title shows bidi and control characters spelled out.
 */
import { memo, useState } from 'react';
import { NodeResizer, type NodeProps } from '@xyflow/react';
import { showHiddenCharacters } from '../../../protocol/visible-text';
import type { FrameFlowNode } from '../graph/mapping';
import { edit } from '../store/editor';
import { setGroup } from '../graph/edits';

export const FrameView = memo(function FrameView({ data, selected }: NodeProps<FrameFlowNode>) {
  const { group } = data;
  const [editing, setEditing] = useState(false);
  const commit = (title: string): void => {
    setEditing(false);
    if (title !== group.title) edit(setGroup(group.id, { title }));
  };
  return (
    <div
      className="frame"
      style={group.color ? { borderColor: group.color, background: `${group.color}1a` } : undefined}
      data-testid={`group-${group.id}`}
    >
      <NodeResizer isVisible={selected} minWidth={120} minHeight={80} />
      <div
        className="frame-bar"
        style={group.color ? { background: `${group.color}55` } : undefined}
        data-testid={`group-title-${group.id}`}
      >
        {editing ? (
          <input
            className="frame-title nodrag"
            autoFocus
            defaultValue={group.title}
            onBlur={(e) => commit(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit(e.currentTarget.value);
              if (e.key === 'Escape') setEditing(false);
            }}
            aria-label="group title"
          />
        ) : (
          <span
            className="frame-title"
            onDoubleClick={() => setEditing(true)}
            title="Drag to move; double-click to rename"
          >
            {showHiddenCharacters(group.title) || 'Group'}
          </span>
        )}
      </div>
    </div>
  );
});
