/** The interop fixtures (tests/fixtures/interop, sources in its README) and the real node schemas. */
import fs from 'node:fs';
import path from 'node:path';
import { companionsFrom, importConfig, type ConfigFile, type ImportResult } from '../../protocol/interop';
import { modelPathOf } from '../../protocol/interop/model-params';
import type { NodeSchema, ParamValue } from '../../protocol/schema';
import type { WorkflowFile } from '../../protocol/workflow';
import { createRegistry } from '../../server/engine/registry';
import { loadNodeDefinitions } from '../../server/queue';

export const FIXTURES = path.resolve(__dirname, '../fixtures/interop');

export const schemas: NodeSchema[] = createRegistry(loadNodeDefinitions(undefined)).schemas();

export function fixture(name: string): ConfigFile {
  return { name, text: fs.readFileSync(path.join(FIXTURES, name), 'utf8') };
}

/** Every fixture file, so that a config finds the companions it names. */
export const allFixtures: ConfigFile[] = fs
  .readdirSync(FIXTURES)
  .filter((f) => f !== 'README.md')
  .map(fixture);

export function importFixture(name: string): ImportResult {
  return importConfig(fixture(name), schemas, companionsFrom(allFixtures));
}

/** Each node's parameters with the defaults filled in, by node id: what a run would use. */
export function effectiveParams(wf: WorkflowFile): Record<string, Record<string, ParamValue>> {
  const byType = new Map(schemas.map((s) => [s.type, s]));
  const out: Record<string, Record<string, ParamValue>> = {};
  for (const n of wf.nodes) {
    const defaults = Object.fromEntries((byType.get(n.type)?.params ?? []).map((p) => [p.name, p.default]));
    out[n.id] = { ...defaults, ...n.params };
  }
  return out;
}

/** The params of the node with this id. */
export function paramsOf(wf: WorkflowFile, id: string): Record<string, ParamValue> {
  const p = effectiveParams(wf)[id];
  if (!p) throw new Error(`no node "${id}" in ${wf.name}`);
  return p;
}

/** The model path of the workflow's LoadModel, in whichever path field its family uses. */
export function modelPath(wf: WorkflowFile): string {
  const schema = schemas.find((s) => s.type === 'LoadModel');
  return modelPathOf(schema, paramsOf(wf, 'model'));
}
