import type { RunDetail } from '../../protocol/messages';
import type { NodeSchema } from '../../protocol/schema';
import { isArtifactRef, type ArtifactRef, type JsonValue } from '../../protocol/values';
import type { WorkflowFile } from '../../protocol/workflow';

/** A node's display name: its title, else its type's title, with its id. */
export function nodeTitle(workflow: WorkflowFile, schemas: NodeSchema[], nodeId: string): string {
  const node = workflow.nodes.find((n) => n.id === nodeId);
  const schemaTitle = schemas.find((s) => s.type === node?.type)?.title;
  const title = node?.title ?? schemaTitle ?? node?.type ?? nodeId;
  return `${title} (${nodeId})`;
}

function describeValue(value: JsonValue, artifactLocation: (ref: ArtifactRef) => string): string {
  if (isArtifactRef(value)) return `${value.name} -> ${artifactLocation(value)}`;
  if (Array.isArray(value)) {
    const artifacts = value.filter(isArtifactRef);
    if (artifacts.length > 0 && artifacts.length === value.length) {
      return artifacts.map((a) => `\n      ${describeValue(a, artifactLocation)}`).join('');
    }
    const text = JSON.stringify(value);
    return text.length > 120 ? `[${value.length} items]` : text;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The outputs a user looks for after a run: those of output nodes and of nodes nothing else consumes,
 * with artifacts shown as where to find them (a file path in-process, a URL from a server).
 */
export function formatSummary(
  detail: RunDetail,
  schemas: NodeSchema[],
  artifactLocation: (ref: ArtifactRef) => string,
): string {
  const wf = detail.workflow;
  const consumed = new Set(wf.edges.map((e) => e.from.node));
  const outputTypes = new Set(schemas.filter((s) => s.output).map((s) => s.type));
  const lines = [`run ${detail.id} ${detail.status}${detail.error ? `: ${detail.error}` : ''}`];
  for (const node of wf.nodes) {
    const state = detail.nodes[node.id];
    if (!state?.outputs || (consumed.has(node.id) && !outputTypes.has(node.type))) continue;
    lines.push(`  ${nodeTitle(wf, schemas, node.id)} [${state.status}]`);
    for (const [name, value] of Object.entries(state.outputs))
      lines.push(`    ${name}: ${describeValue(value, artifactLocation)}`);
  }
  const failed = Object.values(detail.nodes).filter((n) => n.status === 'failed');
  for (const n of failed) {
    lines.push(
      `  ${nodeTitle(wf, schemas, n.nodeId)} failed: ${n.error?.message ?? ''}${n.error?.hint ? ` (hint: ${n.error.hint})` : ''}`,
    );
  }
  return lines.join('\n');
}
