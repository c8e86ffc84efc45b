/**
 * QA (helper B): LoadImages pointed at loraflow's own data folder (or, with "Include subfolders", a folder above it)
 * trained on loraflow's own files: the samples in artifacts/, the checkpoints and cached images in work/. The data
 * folder, and a folder inside its artifacts/ or work/, are now refused at validation (`loraflow validate`, POST
 * /api/runs) naming the node, the parameter and the folder; a folder above it skips the data folder with a warning.
 *
 *   images (LoadImages, folder = <data> | <data>/artifacts | <parent>, recursive) --dataset--> report (DatasetReport)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ParamValue } from '../../protocol/schema';
import { post, runLoraflow, startServer, tempDir, workflow } from '../server/harness';
import { marked, write } from './fixtures';

jest.setTimeout(120_000);

const parent = tempDir('loraflow-parent-');
const data = path.join(parent, 'data');

function writeWorkflow(params: Record<string, ParamValue>): string {
  const wf = workflow(
    'own files',
    [
      ['images', 'LoadImages', params, 'My images'],
      ['report', 'DatasetReport'],
    ],
    ['images.dataset->report.dataset'],
  );
  const file = path.join(parent, `wf-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(wf));
  return file;
}

beforeAll(async () => {
  const png = await marked(16, 16, { r: 200, g: 40, b: 40 }).png().toBuffer();
  write(path.join(parent, 'mine', 'cat.png'), png);
  // What a run leaves in the data folder: a sample among the artifacts, a cached image in work/.
  write(path.join(data, 'artifacts', 'ab', 'sample.png'), png);
  write(path.join(data, 'work', 'run1', 'cache', 'latent.png'), png);
});

test.each([
  ['the data folder', () => data],
  ['the data folder, relative', () => '.'],
  ['its artifacts folder', () => path.join(data, 'artifacts')],
  ['a folder in work/', () => path.join(data, 'work', 'run1')],
])('validate refuses %s, naming the node, the parameter and the folder', async (_what, folder) => {
  const res = await runLoraflow(['validate', writeWorkflow({ folder: folder() }), '--data', data]);
  expect(res.code).toBe(1);
  expect(res.stdout).toMatch(
    /node "images" \(LoadImages\), parameter "folder": .*loraflow's (data|artifacts|work) folder/,
  );
  expect(res.stdout).toContain(fs.realpathSync(data));
});

test('a folder of the user inside the data folder is fine', async () => {
  const png = await marked(16, 16, { r: 40, g: 40, b: 200 }).png().toBuffer();
  write(path.join(data, 'my-images', 'dog.png'), png);
  const res = await runLoraflow(['validate', writeWorkflow({ folder: 'my-images' }), '--data', data]);
  expect(res.stdout).toMatch(/: valid/);
  expect(res.code).toBe(0);
});

test('POST /api/runs refuses the data folder in its 400, on the parameter', async () => {
  const server = await startServer(data);
  try {
    const wf = JSON.parse(fs.readFileSync(writeWorkflow({ folder: data }), 'utf8')) as unknown;
    const res = await post(`${server.url}/api/runs`, { workflow: wf });
    expect(res.status).toBe(400);
    const errors = res.body.errors as { nodeId: string; param?: string; message: string }[];
    expect(errors).toContainEqual(
      expect.objectContaining({ nodeId: 'images', param: 'folder', message: expect.stringMatching(/data folder/) }),
    );
  } finally {
    await server.stop();
  }
});

test('a folder above the data folder, with subfolders, skips the data folder with a warning', async () => {
  const res = await runLoraflow([
    'run',
    writeWorkflow({ folder: parent, recursive: true }),
    '--data',
    data,
    '--allow',
    parent,
  ]);
  const out = res.stdout + res.stderr;
  expect({ code: res.code, out }).toEqual({ code: 0, out: expect.stringMatching(/loraflow's data folder/) });
  expect(out).toContain('"imageCount":1'); // mine/cat.png, not the sample nor the cached image
});
