/** Node schemas served by the server (GET /api/nodes), by type. The editor knows node types only through these. */
import type { NodeSchema } from '../../../protocol/schema';
import { createStore } from './createStore';

export interface SchemasState {
  list: NodeSchema[];
  byType: Map<string, NodeSchema>;
  loaded: boolean;
  error?: string;
}

export const schemasStore = createStore<SchemasState>({ list: [], byType: new Map(), loaded: false });

/** Replaces the known schemas. */
export function setSchemas(list: NodeSchema[]): void {
  schemasStore.replace({ list, byType: new Map(list.map((s) => [s.type, s])), loaded: true });
}
