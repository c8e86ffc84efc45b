import type { NodeDefinition } from '../api';

/** The dataset node types, one file each. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const datasetNodes: NodeDefinition<any>[] = [];
