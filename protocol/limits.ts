/**
 * How big a workflow the server and the CLI accept. Far above any real graph (the 1,000-node engine bench is the
 * largest we exercise), low enough that parsing and validating the largest accepted file takes well under a second,
 * so one request cannot hold the server's event loop. No Node.js imports: the editor checks the same limits.
 */
export const WORKFLOW_LIMITS = {
  nodes: 10_000,
  edges: 40_000,
  /** Node ids a run may name as its targets. */
  targets: 10_000,
  /** Nesting of objects and arrays anywhere in the file (unknown fields included); real files nest about 5 deep. */
  depth: 64,
  /** Validation errors reported for one workflow; validation stops there. */
  reportedErrors: 1000,
} as const;

export type WorkflowLimit = keyof typeof WORKFLOW_LIMITS;
