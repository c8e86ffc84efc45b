/**
 * Opening a template and running it must not overwrite the LoRA another shipped workflow wrote: every shipped
 * workflow (workflows/ and workflows/templates/) that trains a LoRA names its own output, and the templates name it
 * after their trigger word.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseWorkflow } from '../../protocol/workflow-io';
import type { WorkflowFile } from '../../protocol/workflow';

const root = path.resolve(__dirname, '../../workflows');
const files = [
  ...fs.readdirSync(root).filter((f) => f.endsWith('.json')),
  ...fs
    .readdirSync(path.join(root, 'templates'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `templates/${f}`),
];
const load = (file: string): WorkflowFile => parseWorkflow(fs.readFileSync(path.join(root, file), 'utf8')).workflow;

/** The LoRA files a workflow's SaveCheckpoint nodes write: folder/name with {name} the TrainLoRA's outputName. */
function writtenLoras(wf: WorkflowFile): string[] {
  const train = wf.nodes.filter((n) => n.type === 'TrainLoRA');
  return wf.nodes
    .filter((n) => n.type === 'SaveCheckpoint')
    .flatMap((save) => {
      const from = wf.edges.find((e) => e.to.node === save.id)?.from.node;
      const outputName = String(train.find((t) => t.id === from)?.params.outputName ?? 'lora');
      return [`${String(save.params.folder)}/${String(save.params.name).replace('{name}', outputName)}`];
    });
}

test('no two shipped workflows write the same LoRA file', () => {
  const writers = new Map<string, string[]>();
  for (const f of files) for (const out of writtenLoras(load(f))) writers.set(out, [...(writers.get(out) ?? []), f]);
  const shared = [...writers].filter(([, by]) => by.length > 1).map(([out, by]) => `${out}: ${by.join(', ')}`);
  expect(shared).toEqual([]);
});

test.each(['character-lora.json', 'likeness-lora.json', 'object-lora.json'])(
  'templates/%s names its LoRA after its trigger',
  (file) => {
    const wf = load(`templates/${file}`);
    const trigger = wf.nodes.find((n) => n.type === 'Caption')?.params.trigger;
    expect(typeof trigger).toBe('string');
    expect(wf.nodes.find((n) => n.type === 'TrainLoRA')?.params.outputName).toBe(trigger);
  },
);
