import path from 'node:path';
import type { NodeSchema } from '../../../protocol/schema';
import { createRegistry } from '../../engine/registry';
import { loadNodeDefinitions } from '../../queue';

/** The node schemas a command checks against: the built-in nodes plus LORAFLOW_EXTRA_NODES. */
export function cliSchemas(): NodeSchema[] {
  const extra = process.env.LORAFLOW_EXTRA_NODES;
  return createRegistry(loadNodeDefinitions(extra ? path.resolve(extra) : undefined)).schemas();
}
