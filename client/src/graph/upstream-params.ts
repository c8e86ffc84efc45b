/**
 * Parameters shown by what is wired into a node (`visibleWhen.input`): TrainLoRA's SD-only settings appear only
 * when its MODEL comes from a LoadModel set to SD 1.5 or SDXL; and options offered by it (`optionsWhen`): Sample's
 * samplers are the wired family's. Wires are followed back through reroutes (protocol/upstream.ts); where the
 * source cannot tell (nothing wired, a node without that parameter), the parameter shows with every option.
 */
import type { NodeSchema, ParamSpec, ParamValue } from '../../../protocol/schema';
import { optionsFor, sourceNode, sourceParam } from '../../../protocol/upstream';
import type { WorkflowFile } from '../../../protocol/workflow';

/**
 * The values the input-conditioned parameters of a node depend on, keyed `input.param` (undefined: cannot tell),
 * as one string so that a selector re-renders the node only when one of them changes.
 */
export function upstreamKey(
  doc: WorkflowFile,
  nodeId: string,
  schema: NodeSchema,
  schemas: ReadonlyMap<string, NodeSchema>,
): string {
  const values: Record<string, ParamValue | undefined> = {};
  for (const p of schema.params) {
    const when = p.visibleWhen;
    if (!when?.input) continue;
    values[`${when.input}.${when.param}`] = sourceParam(sourceNode(doc, nodeId, when.input), when.param, schemas);
  }
  return JSON.stringify(values);
}

/** Whether a parameter conditioned on an input shows, given `upstreamKey`'s values (others: always true). */
export function shownByUpstream(spec: ParamSpec, upstream: Readonly<Record<string, ParamValue | undefined>>): boolean {
  const when = spec.visibleWhen;
  if (!when?.input) return true;
  const value = upstream[`${when.input}.${when.param}`];
  return value === undefined || when.equals.some((v) => v === value);
}

/**
 * The options an enum offers given what is wired in (`optionsWhen`: Sample's samplers by LoadModel's family), as
 * one string for a selector; every option where the source cannot tell. Validation refuses the others by the same
 * rule (protocol/validate.ts).
 */
export function upstreamOptionsKey(
  doc: WorkflowFile,
  nodeId: string,
  spec: ParamSpec,
  schemas: ReadonlyMap<string, NodeSchema>,
): string {
  const when = spec.optionsWhen;
  const all = spec.options ?? [];
  if (!when) return JSON.stringify(all);
  const narrowed = optionsFor(spec, sourceParam(sourceNode(doc, nodeId, when.input), when.param, schemas));
  return JSON.stringify(narrowed ? all.filter((o) => narrowed.includes(o)) : all);
}
