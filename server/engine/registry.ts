import type { NodeDefinition } from '../../nodes/api';
import type { NodeSchema } from '../../protocol/schema';
import type { NodeRegistry } from './types';

/** Builds the registry of node types; two definitions with the same type name are an error. */
export function createRegistry(defs: readonly NodeDefinition[]): NodeRegistry {
  const byType = new Map<string, NodeDefinition>();
  for (const def of defs) {
    if (byType.has(def.schema.type)) throw new Error(`node type "${def.schema.type}" is defined twice`);
    byType.set(def.schema.type, def);
  }
  const schemas = [...byType.values()].map((d) => d.schema);
  return {
    get: (type: string) => byType.get(type),
    schemas: (): NodeSchema[] => schemas,
  };
}

/** The schemas of a registry keyed by type, as validateWorkflow takes them. */
export function schemaMap(registry: NodeRegistry): Map<string, NodeSchema> {
  return new Map(registry.schemas().map((s) => [s.type, s]));
}
