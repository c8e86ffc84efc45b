/** The kinds of validation error; the same code (protocol/validate.ts) runs in the editor and the server. */
export type ValidationErrorKind =
  | 'unknown-node-type'
  | 'missing-input'
  | 'socket-type-mismatch'
  | 'param-kind'
  | 'param-range'
  | 'param-option'
  | 'param-missing'
  /** A path or a name joined into one that the server's path policy refuses (checked by the server, not the editor). */
  | 'param-path'
  | 'edge-missing-node'
  | 'edge-missing-socket'
  | 'input-multiple-edges'
  | 'duplicate-node-id'
  | 'cycle'
  /** A parameter the node type lacks (a typo, or one a newer version removed): a warning (protocol/unknown-params.ts). */
  | 'unknown-param';

export interface ValidationError {
  kind: ValidationErrorKind;
  /** 'warning': reported, but the workflow is still valid and runs. Absent: an error. */
  severity?: 'warning';
  /** The node the error is about; for an edge error, the node at the edge's missing or wrong end. */
  nodeId: string;
  nodeType?: string;
  edgeId?: string;
  input?: string;
  param?: string;
  expected?: string;
  received?: string;
  /** One sentence naming the node, the input or parameter, what was expected and what was received. */
  message: string;
}
