/** The canvas's node types, defined once at module scope (React Flow re-mounts nodes when this object changes). */
import type { NodeTypes } from '@xyflow/react';
import { FrameView } from './FrameView';
import { NoteView } from './NoteView';
import { RerouteView } from './RerouteView';
import { WorkflowNodeView } from './WorkflowNodeView';

export const nodeTypes: NodeTypes = {
  workflow: WorkflowNodeView,
  frame: FrameView,
  note: NoteView,
  reroute: RerouteView,
};
