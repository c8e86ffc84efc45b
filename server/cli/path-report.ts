/**
 * The path checks a run would make, for `loraflow validate`: the engine's whole-workflow check
 * (server/engine/path-params.ts, the same one `POST /api/runs` makes) under the same allowed folders, and a folder
 * or file a node reads must exist (the run would fail on it). Each refusal names the node and the parameter.
 */
import type { PathPolicy } from '../../nodes/api';
import type { NodeSchema } from '../../protocol/schema';
import type { WorkflowFile } from '../../protocol/workflow';
import { workflowPathRefusals } from '../engine/path-params';

/** One message per refused parameter (empty when every path would be accepted). */
export function workflowPathErrors(wf: WorkflowFile, schemas: readonly NodeSchema[], paths: PathPolicy): string[] {
  return workflowPathRefusals(wf, schemas, paths, true).map(
    (r) => `node "${r.nodeId}" (${r.nodeType}), parameter "${r.param}": ${r.why}`,
  );
}
