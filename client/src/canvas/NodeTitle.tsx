/**
 * A node's title; double-click to rename (an empty name goes back to the schema's title). Shown with bidi and
 * control characters spelled out, as workflow names are: a shared file may title a node "images \u202Egnp.exe".
 */
import { memo, useState } from 'react';
import { showHiddenCharacters } from '../../../protocol/visible-text';
import { setNodeTitle } from '../graph/edits';
import { edit } from '../store/editor';

export const NodeTitle = memo(function NodeTitle({
  nodeId,
  title,
  fallback,
}: {
  nodeId: string;
  title?: string;
  fallback: string;
}) {
  const [editing, setEditing] = useState(false);
  if (!editing) {
    return (
      <span
        className="title"
        onDoubleClick={(e) => (e.stopPropagation(), setEditing(true))}
        title="Double-click to rename"
      >
        {showHiddenCharacters(title ?? fallback)}
      </span>
    );
  }
  const commit = (value: string): void => {
    setEditing(false);
    const next = value.trim() === fallback ? '' : value.trim();
    if (next !== (title ?? '')) edit(setNodeTitle(nodeId, next));
  };
  return (
    <input
      className="title nodrag"
      autoFocus
      defaultValue={title ?? fallback}
      onBlur={(e) => commit(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit(e.currentTarget.value);
        if (e.key === 'Escape') setEditing(false);
      }}
      data-testid={`title-input-${nodeId}`}
    />
  );
});
