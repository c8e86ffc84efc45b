/**
 * No node covers another in a shipped workflow (workflows/ and workflows/templates/) or in an imported one: a node
 * that covers its neighbour takes the clicks meant for it. Heights are estimated from each node's schema
 * (protocol/node-box.ts), generously.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinNodes } from '../../nodes';
import { boxesOverlap, workflowBoxes } from '../../protocol/node-box';
import { parseWorkflow } from '../../protocol/workflow-io';
import { importFixture } from '../interop/fixtures';
import type { WorkflowFile } from '../../protocol/workflow';

const root = path.resolve(__dirname, '../../workflows');
const files = [
  ...fs.readdirSync(root).filter((f) => f.endsWith('.json')),
  ...fs
    .readdirSync(path.join(root, 'templates'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `templates/${f}`),
];
const schemas = builtinNodes.map((n) => n.schema);

function overlaps(wf: WorkflowFile): string[] {
  const boxes = [...workflowBoxes(wf, schemas)];
  const found: string[] = [];
  boxes.forEach(([a, boxA], i) => {
    for (const [b, boxB] of boxes.slice(i + 1)) if (boxesOverlap(boxA, boxB)) found.push(`${a} covers ${b}`);
  });
  return found;
}

test.each(files)('no node of %s covers another', (file) => {
  const { workflow } = parseWorkflow(fs.readFileSync(path.join(root, file), 'utf8'));
  expect(overlaps(workflow)).toEqual([]);
});

test('a kohya import with two sets of sample options lays its two Sample nodes out apart', () => {
  const { workflow } = importFixture('sdxl-character.toml');
  expect(workflow.nodes.filter((n) => n.type === 'Sample')).toHaveLength(2);
  expect(overlaps(workflow)).toEqual([]);
});
