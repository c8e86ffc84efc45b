/**
 * QA S6-F6: a seed above 2^53 (`99999999999999999999`) was accepted, rounded to 1e20, and "image i uses seed + i"
 * then gave every image of a batch the same seed: three prompts, one picture. Whole-number parameters (seeds,
 * steps) beyond Number.MAX_SAFE_INTEGER are now refused by validation, naming the node and the parameter, in a
 * workflow file and through `loraflow validate --set`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinNodes } from '../../nodes';
import { validateWorkflow } from '../../protocol/validate';
import { parseWorkflow } from '../../protocol/workflow-io';
import { BIN, examplePath } from './harness';

const schemas = builtinNodes.map((n) => n.schema);
const quickstart = examplePath('quickstart-style-lora');

/** The quick start with the Sample node's seed written as `seed` (raw JSON text, as a user would type it). */
function withSampleSeed(seed: string) {
  const text = fs.readFileSync(quickstart, 'utf8');
  const raw = JSON.parse(text) as { nodes: { id: string; params: Record<string, unknown> }[] };
  raw.nodes.find((n) => n.id === 'sample')!.params.seed = '@SEED@';
  return parseWorkflow(JSON.stringify(raw).replace('"@SEED@"', seed)).workflow;
}

test('a seed beyond 2^53 - 1 is refused naming the node and the parameter; the largest safe one is fine', () => {
  const errors = validateWorkflow(withSampleSeed('99999999999999999999'), schemas);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ nodeId: 'sample', param: 'seed', kind: 'param-range' });
  expect(errors[0]!.message).toMatch(/seed.*9007199254740991/);
  expect(validateWorkflow(withSampleSeed(String(2 ** 53)), schemas)).toHaveLength(1);
  expect(validateWorkflow(withSampleSeed(String(Number.MAX_SAFE_INTEGER)), schemas)).toEqual([]);
});

test('loraflow validate --set sample.seed=99999999999999999999 exits 1 naming sample.seed', () => {
  const out = spawnSync(process.execPath, [BIN, 'validate', quickstart, '--set', 'sample.seed=99999999999999999999'], {
    encoding: 'utf8',
    env: { ...process.env, LORAFLOW_TOKEN: '' },
  });
  expect(out.status).toBe(1);
  expect(out.stdout + out.stderr).toMatch(/sample.*seed.*9007199254740991/s);
});
