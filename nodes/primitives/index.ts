import type { NodeDefinition } from '../api';

/** The primitives node types, one file each. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const primitivesNodes: NodeDefinition<any>[] = [];
