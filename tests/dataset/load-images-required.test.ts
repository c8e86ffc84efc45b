/**
 * LoadImages with neither a folder nor uploaded images was refused only when the run reached it (after whatever
 * ran before it). Validation (the same code in the editor, `loraflow validate` and `loraflow run`) now says so
 * before anything runs, naming the node and the parameters.
 *
 *   images (LoadImages, folder = "", uploads = []) --dataset--> report (DatasetReport)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { builtinNodes } from '../../nodes';
import type { ParamValue } from '../../protocol/schema';
import { validateWorkflow } from '../../protocol/validate';
import type { WorkflowFile } from '../../protocol/workflow';
import { BIN, tempDir, workflow } from '../server/harness';

const schemas = builtinNodes.map((n) => n.schema);
const MESSAGE =
  'LoadImages (images): choose a folder or upload images (parameters "folder" and "uploads" are all empty).';

const withImages = (params: Record<string, ParamValue>): WorkflowFile =>
  workflow(
    'needs images',
    [
      ['images', 'LoadImages', params],
      ['report', 'DatasetReport'],
    ],
    ['images.dataset->report.dataset'],
  );

const messages = (wf: WorkflowFile): string[] => validateWorkflow(wf, schemas).map((e) => e.message);

function loraflow(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LORAFLOW_TOKEN: '' } });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.on('exit', (code) => resolve({ code, out }));
  });
}

test('no folder and no uploads is a validation error naming the node and both parameters', () => {
  const errors = validateWorkflow(withImages({ folder: '', uploads: [] }), schemas);
  expect(errors).toEqual([expect.objectContaining({ nodeId: 'images', param: 'folder', message: MESSAGE })]);
  expect(messages(withImages({ folder: '  ', uploads: [''] }))).toEqual([MESSAGE]);
});

test('a folder, or uploads alone, or a muted LoadImages is not refused', () => {
  expect(messages(withImages({ folder: 'my-images' }))).toEqual([]);
  expect(messages(withImages({ uploads: ['uploads/a.png'] }))).toEqual([]);
  const muted = withImages({});
  muted.nodes[0]!.mode = 'mute';
  expect(messages(muted).filter((m) => m.includes('choose a folder'))).toEqual([]);
});

test('loraflow validate and loraflow run refuse it before anything runs', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'no-images.json');
  fs.writeFileSync(file, JSON.stringify(withImages({})));
  const data = path.join(dir, 'data');
  const validate = await loraflow(['validate', file, '--data', data]);
  expect(validate.code).toBe(1);
  expect(validate.out).toContain('LoadImages (images): choose a folder or upload images');
  const run = await loraflow(['run', file, '--data', data]);
  expect(run.code).not.toBe(0);
  expect(run.out).toContain('LoadImages (images): choose a folder or upload images');
  expect(run.out).not.toMatch(/no folder chosen and no images uploaded/); // the node's own refusal: it ran
}, 60_000);
