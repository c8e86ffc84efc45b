/**
 * Parameters in a workflow file that its node type does not have: a typo (`learningRat`) that the run would
 * otherwise ignore without a word, or a parameter a newer version removed. Reported as warnings, never errors, so
 * that an older file still loads and runs; each names the node and the parameter and suggests the closest name.
 */
import type { NodeSchema } from './schema';
import type { ValidationError } from './validation-types';
import type { WorkflowFile, WorkflowNode } from './workflow';
import type { SchemaSource } from './validate';
import { didYouMean } from './closest-name';

function schemaMap(schemas: SchemaSource): ReadonlyMap<string, NodeSchema> {
  if (!Array.isArray(schemas)) return schemas as ReadonlyMap<string, NodeSchema>;
  return new Map((schemas as readonly NodeSchema[]).map((s) => [s.type, s]));
}

function label(node: WorkflowNode): string {
  return node.title && node.title !== node.id
    ? `node "${node.id}" (${node.title}, ${node.type})`
    : `node "${node.id}" (${node.type})`;
}

/** A warning for each parameter of a known node type that its schema lacks (unknown node types are errors). */
export function unknownParamWarnings(wf: WorkflowFile, schemas: SchemaSource): ValidationError[] {
  const map = schemaMap(schemas);
  const warnings: ValidationError[] = [];
  for (const node of wf.nodes) {
    const schema = map.get(node.type);
    if (!schema) continue;
    const names = schema.params.map((p) => p.name);
    for (const param of Object.keys(node.params)) {
      if (names.includes(param)) continue;
      warnings.push({
        kind: 'unknown-param',
        severity: 'warning',
        nodeId: node.id,
        nodeType: node.type,
        param,
        message:
          `${label(node)}: unknown parameter "${param}"${didYouMean(param, names)}; ` +
          `${node.type} does not have it, so it is ignored`,
      });
    }
  }
  return warnings;
}
