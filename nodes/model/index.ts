import type { NodeDefinition } from '../api';

/** The model node types, one file each. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const modelNodes: NodeDefinition<any>[] = [];
