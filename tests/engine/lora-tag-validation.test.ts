/**
 * QA S6-F16: a `<lora:name:w>` tag the samplers could not read (`0,8`, `abc`, `1e9`) stayed in the prompt as words
 * and its LoRA did nothing, while validation said the workflow was valid. Now validation refuses such a tag on
 * Sample's prompts, naming the node, the parameter, the tag and the fix. Validation and both samplers now read tags
 * through one parser (protocol/lora-tags.ts; its edge cases in lora-tags.test.ts), so what validates is what runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinNodes } from '../../nodes';
import { parseLoraTags } from '../../protocol/lora-tags';
import { validateWorkflow } from '../../protocol/validate';
import { parseWorkflow } from '../../protocol/workflow-io';

const schemas = builtinNodes.map((n) => n.schema);
const quickstart = path.join(__dirname, '../../workflows/quickstart-style-lora.json');

/** The quick start's validation errors with the Sample node's prompts set to `prompts`. */
function errorsWith(prompts: string[]) {
  const { workflow } = parseWorkflow(fs.readFileSync(quickstart, 'utf8'));
  workflow.nodes.find((n) => n.id === 'sample')!.params.prompts = prompts;
  return validateWorkflow(workflow, schemas);
}

test.each([
  ['<lora:xyz_style-step000500:0,8> xyz_style, sun', /strength "0,8", which is not a number: write 0\.8/],
  ['<lora:xyz_style:abc> sun', /strength "abc", which is not a number: write a number such as 0\.8/],
  ['<lora:xyz_style:1e9> sun', /strength 1e9, outside -100\.\.100/],
  ['<lora:xyz_style:nan> sun', /strength "nan", which is not a number/],
  ['<lora:xyz_style:500> sun', /strength 500, outside -100\.\.100/],
  ['<lora:xyz_style:0.5:1> sun', /more than one strength/],
  ['<lora::0.5> sun', /names no LoRA/],
  ['<lora:xyz_style sun', /has no closing ">"/],
])('"%s" is refused naming the tag', (prompt, why) => {
  const errors = errorsWith(['a plain prompt', prompt]);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ nodeId: 'sample', param: 'prompts', kind: 'param-kind' });
  expect(errors[0]!.message).toMatch(why);
});

test('tags that validate are the ones the samplers take out of the prompt', () => {
  const good = [
    '<lora:xyz_style> sun',
    '<lora: xyz_style :0.8> sun',
    '<lora:xyz_style:-1> sun',
    '<lora:xyz_style: .5 > sun',
    '<lora:xyz_style:1e-1> sun',
  ];
  expect(errorsWith(good)).toEqual([]);
  for (const prompt of good) {
    const parsed = parseLoraTags(prompt);
    expect(parsed.tags.map((t) => t.name)).toEqual(['xyz_style']);
    expect(parsed.text).toBe('sun');
  }
});
