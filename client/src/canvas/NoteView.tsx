/** A free-text note on the canvas. */
import { memo } from 'react';
import { NodeResizer, type NodeProps } from '@xyflow/react';
import type { NoteFlowNode } from '../graph/mapping';
import { edit } from '../store/editor';
import { setNote } from '../graph/edits';

export const NoteView = memo(function NoteView({ data, selected }: NodeProps<NoteFlowNode>) {
  const { note } = data;
  return (
    <div className="note" style={note.color ? { background: note.color } : undefined} data-testid={`note-${note.id}`}>
      <NodeResizer isVisible={selected} minWidth={120} minHeight={60} />
      <textarea
        className="nodrag nowheel"
        value={note.text}
        placeholder="note…"
        onChange={(e) => edit(setNote(note.id, { text: e.target.value }), `note:${note.id}`)}
        aria-label="note text"
      />
    </div>
  );
});
