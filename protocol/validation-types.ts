/** The kinds of validation error; the same code (protocol/validate.ts) runs in the editor and the server. */
export type ValidationErrorKind =
  | 'unknown-node-type'
  | 'missing-input'
  | 'socket-type-mismatch'
  | 'param-kind'
  | 'param-range'
  | 'param-option'
  | 'param-missing'
  | 'edge-missing-node'
  | 'edge-missing-socket'
  | 'input-multiple-edges'
  | 'duplicate-node-id'
  | 'cycle';

export interface ValidationError {
  kind: ValidationErrorKind;
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
