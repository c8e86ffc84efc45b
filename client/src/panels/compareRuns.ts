/** What differs between two runs' workflows: parameters by node id, and nodes only one of them has. */
import type { ParamValue } from '../../../protocol/schema';
import type { WorkflowFile } from '../../../protocol/workflow';

export interface ParamDiff {
  nodeId: string;
  param: string;
  a: ParamValue | undefined;
  b: ParamValue | undefined;
}

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);

/** Parameter differences between two workflows (a node missing on one side shows as `type` a/b). */
export function diffParams(a: WorkflowFile, b: WorkflowFile): ParamDiff[] {
  const out: ParamDiff[] = [];
  const bNodes = new Map(b.nodes.map((n) => [n.id, n]));
  for (const na of a.nodes) {
    const nb = bNodes.get(na.id);
    if (!nb) {
      out.push({ nodeId: na.id, param: 'type', a: na.type, b: undefined });
      continue;
    }
    for (const p of new Set([...Object.keys(na.params), ...Object.keys(nb.params)])) {
      if (!same(na.params[p], nb.params[p])) out.push({ nodeId: na.id, param: p, a: na.params[p], b: nb.params[p] });
    }
  }
  for (const nb of b.nodes)
    if (!a.nodes.some((n) => n.id === nb.id)) out.push({ nodeId: nb.id, param: 'type', a: undefined, b: nb.type });
  return out;
}
