/**
 * A misspelled parameter (`"learningRat": 0.001` on TrainLoRA) used to be ignored without a word by validation
 * and by the run. Now `loraflow validate` and `loraflow run` warn, naming the node and the parameter with the
 * closest real name, and the workflow stays valid (an older file with a parameter a newer version removed still
 * runs). `--set train.stepz=…` suggests `steps`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinNodes } from '../../nodes';
import { applyOverrides } from '../../protocol/overrides';
import { unknownParamWarnings } from '../../protocol/unknown-params';
import { validateWorkflow } from '../../protocol/validate';
import { parseWorkflow } from '../../protocol/workflow-io';
import { runLoraflow, tempDir, workflow } from './harness';

const loraflow = (args: string[]) => runLoraflow(args, { testNodes: true });

const dir = tempDir();
const schemas = builtinNodes.map((n) => n.schema);
const quickstart = path.resolve(__dirname, '../../workflows/quickstart-style-lora.json');

/** The quick start with `"learningRat": 0.001` added to its TrainLoRA. */
function misspelledQuickstart(): string {
  const raw = JSON.parse(fs.readFileSync(quickstart, 'utf8')) as { nodes: { id: string; params: object }[] };
  const train = raw.nodes.find((n) => n.id === 'train')!;
  train.params = { ...train.params, learningRat: 0.001 };
  const file = path.join(dir, 'misspelled.json');
  fs.writeFileSync(file, JSON.stringify(raw));
  return file;
}

test('an unknown parameter is a warning naming node and parameter with the closest name; still valid', () => {
  const { workflow: wf } = parseWorkflow(fs.readFileSync(misspelledQuickstart(), 'utf8'));
  expect(validateWorkflow(wf, schemas)).toEqual([]);
  const warnings = unknownParamWarnings(wf, schemas);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({
    kind: 'unknown-param',
    severity: 'warning',
    nodeId: 'train',
    param: 'learningRat',
  });
  expect(warnings[0]!.message).toMatch(
    /node "train" .*TrainLoRA.*unknown parameter "learningRat" \(did you mean learningRate\?\)/,
  );
});

test('a parameter far from every name gets no suggestion', () => {
  const { workflow: wf } = parseWorkflow(fs.readFileSync(quickstart, 'utf8'));
  wf.nodes.find((n) => n.id === 'train')!.params.oldRemovedSetting = true;
  const [w] = unknownParamWarnings(wf, schemas);
  expect(w?.message).toMatch(/unknown parameter "oldRemovedSetting"; TrainLoRA does not have it/);
});

test('loraflow validate prints the warning and exits 0', async () => {
  const data = path.join(dir, 'validate-data');
  fs.mkdirSync(path.join(data, 'examples/twemoji-style'), { recursive: true }); // the quick start's images folder
  const res = await loraflow(['validate', misspelledQuickstart(), '--data', data]);
  expect(res.code).toBe(0);
  expect(res.stdout + res.stderr).toMatch(/warning: .*node "train".*"learningRat" \(did you mean learningRate\?\)/);
  expect(res.stdout).toMatch(/valid/);
});

test('loraflow run warns about the misspelled parameter and still runs', async () => {
  const file = path.join(dir, 'small.json');
  fs.writeFileSync(
    file,
    JSON.stringify(
      workflow(
        'small',
        [
          ['a', 'TestNumber', { value: 2 }],
          ['rep', 'TestReport', { labl: 'total' }, 'Report'],
        ],
        ['a.value->rep.value'],
      ),
    ),
  );
  const res = await loraflow(['run', file, '--data', path.join(dir, 'data')]);
  expect(res.code).toBe(0);
  expect(res.stderr).toMatch(/warning: .*node "rep".*unknown parameter "labl" \(did you mean label\?\)/);
});

test('--set train.stepz=… says "did you mean steps?"', () => {
  const { workflow: wf } = parseWorkflow(fs.readFileSync(quickstart, 'utf8'));
  expect(() => applyOverrides(wf, schemas, ['train.stepz=10'])).toThrow(
    /has no parameter "stepz" \(did you mean steps\?\)/,
  );
});
