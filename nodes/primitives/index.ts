/**
 * nodes/primitives: small general-purpose nodes (values, text, files, randomness, a delay, reroute dots), one file each.
 */
import type { NodeDefinition } from '../api';
import { numberNode } from './number';
import { textNode } from './text';
import { textTemplateNode } from './text-template';
import { listFilesNode } from './list-files';
import { randomNumberNode } from './random-number';
import { delayNode } from './delay';
import { rerouteNode } from './reroute';

/** The primitives node types, one file each. */
export const primitivesNodes: NodeDefinition[] = [
  numberNode,
  textNode,
  textTemplateNode,
  listFilesNode,
  randomNumberNode,
  delayNode,
  rerouteNode,
];
