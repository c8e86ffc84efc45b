/** The template gallery's workflows (workflows/templates/) are valid against the built-in nodes, each a scenario. */
import fs from 'node:fs';
import path from 'node:path';
import { builtinNodes } from '../../nodes';
import { validateWorkflow } from '../../protocol/validate';
import { parseWorkflow } from '../../protocol/workflow-io';

const dir = path.resolve(__dirname, '../../workflows/templates');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
const schemas = builtinNodes.map((n) => n.schema);

test('the gallery has the guide’s scenarios besides the quick start (style)', () => {
  const scenarios = files.map(
    (f) =>
      (parseWorkflow(fs.readFileSync(path.join(dir, f), 'utf8')).workflow.template as { scenario: string }).scenario,
  );
  expect(scenarios.sort()).toEqual(['character', 'compare', 'dataset', 'likeness', 'object', 'stack']);
});

test.each(files)('%s is valid, named and described', (file) => {
  const { workflow } = parseWorkflow(fs.readFileSync(path.join(dir, file), 'utf8'));
  expect(validateWorkflow(workflow, schemas)).toEqual([]);
  expect(workflow.name).not.toBe('');
  expect((workflow.description ?? '').length).toBeGreaterThan(40);
});
