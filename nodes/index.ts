/**
 * Every built-in node type. Each folder lists its own nodes; the server builds its registry from this.
 */
import type { NodeDefinition } from './api';
import { primitivesNodes } from './primitives';
import { datasetNodes } from './dataset';
import { modelNodes } from './model';
import { loraNodes } from './lora';

export const builtinNodes: NodeDefinition[] = [...primitivesNodes, ...datasetNodes, ...modelNodes, ...loraNodes];
