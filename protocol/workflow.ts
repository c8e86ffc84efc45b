/**
 * The workflow file: what users save, share and run. Parameters are stored by name (never positional),
 * the file carries its format version and the app version that wrote it, and unknown fields survive a
 * load/save round trip so that nothing in a file is lost by an older or newer editor.
 */
import type { ParamValue } from './schema';

export const WORKFLOW_FORMAT_VERSION = 1;

export interface WorkflowNode {
  id: string;
  type: string;
  params: Record<string, ParamValue>;
  position: { x: number; y: number };
  title?: string;
  color?: string;
  group?: string;
  /** Set by the editor when a node's size was changed by hand. */
  size?: { width: number; height: number };
  /** Shown as its title bar only (the editor's choice; no effect on a run). */
  collapsed?: boolean;
  /** 'mute': the node does not run (nor what only it needs); 'bypass': its inputs pass through to outputs of the same type. */
  mode?: NodeMode;
  /** Parameters converted to inputs: each is driven by a wire into socket `param:<name>` (protocol/param-inputs.ts). */
  paramInputs?: string[];
  [extra: string]: unknown;
}

export type NodeMode = 'bypass' | 'mute';

export interface WorkflowEdge {
  id: string;
  from: { node: string; socket: string };
  to: { node: string; socket: string };
}

export interface WorkflowGroup {
  id: string;
  title: string;
  color?: string;
  bounds: { x: number; y: number; width: number; height: number };
}

export interface WorkflowNote {
  id: string;
  text: string;
  position: { x: number; y: number };
  size?: { width: number; height: number };
  color?: string;
}

export interface WorkflowFile {
  format: 'loraflow.workflow';
  formatVersion: number;
  appVersion: string;
  name: string;
  description?: string;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  groups: WorkflowGroup[];
  notes: WorkflowNote[];
  [extra: string]: unknown;
}
